"""The Celery app, built from Settings by `make_celery(settings)`.

Nothing is built at import time: `celery -A workers.celery_app worker` finds
`app` through the module's `__getattr__`, which builds it once from
`get_settings()`.  Tests and the runner call `make_celery(settings)` instead.

Reliability choices (see design.md, "learned the hard way"):
- JSON only on the wire: tasks take ids, never pickled objects;
- `acks_late` + `task_reject_on_worker_lost`: a worker killed mid-task gives
  the message back; the attempts counter in the files row stops a file that
  kills its worker from coming back forever;
- prefetch 1: a long OCR job does not hold other messages hostage;
- time limits below RabbitMQ's 30-minute consumer timeout;
- publisher confirms on AMQP, so "published" means the broker has it;
- no result backend: state lives in the database rows, and a scan's pages are
  joined by counting them there (workers/steps/ocr.py), not by a chord;
- on RabbitMQ, quorum queues with a delivery limit and a dead-letter queue
  (workers/queues.py): the broker's backstop behind the attempts counter.
"""
from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from celery import Celery
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import Settings, get_settings
from dossier.task_names import (ASSEMBLE, CHECK, EXTRACT, INGEST, NOTIFY_EMAIL, OCR, OCR_PAGE,
                                PACKET_BUILD, PACKET_PRINT)
from storage.db import make_engine, make_sessionmaker
from storage.objects import ObjectStore, open_store

from .queues import celery_options, is_amqp, queues, task_queues

if TYPE_CHECKING:
    from workers.runtime import Runtime

TASK_MODULES = ["workers.tasks", "workers.notify"]


@dataclass
class Resources:
    """What tasks use: built lazily, once per process (a forked child builds its own)."""
    engine: Engine
    sessions: sessionmaker[Session]
    store: ObjectStore
    pid: int
    # the steps' Runtime over these (DossierCelery.runtime), built on first use
    runtime: Runtime | None = None


class DossierCelery(Celery):
    """A Celery app that carries its Settings and the resources built from them."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__("dossier", **kwargs)
        self.settings = settings
        self._resources: Resources | None = None
        self._resources_lock = threading.Lock()

    @property
    def resources(self) -> Resources:
        # keyed by pid: a pool inherited through fork must not be shared with the parent
        res = self._resources
        if res is None or res.pid != os.getpid():
            with self._resources_lock:
                res = self._resources
                if res is None or res.pid != os.getpid():
                    if res is not None:
                        res.engine.dispose(close=False)
                    engine = make_engine(self.settings)
                    res = Resources(engine, make_sessionmaker(engine), open_store(self.settings),
                                    os.getpid())
                    self._resources = res
                    _attach_campaigns(self.settings, res.sessions)
        return res

    @property
    def runtime(self) -> Runtime:
        """The steps' Runtime for this process: its settings, database, store, and the relay's
        publish for the outbox rows a step writes.  Each task execution copies it
        (`Runtime.for_execution`)."""
        res = self.resources
        if res.runtime is None:
            # imported here: the steps import this module
            from workers.publish import publish_rows
            from workers.runtime import Runtime
            res.runtime = Runtime(self.settings, res.sessions, res.store,
                                  publish=functools.partial(publish_rows, self, res.sessions))
        return res.runtime

    def use_resources(self, engine: Engine, store: ObjectStore) -> None:
        """Hand in an engine and store built elsewhere (tests, one-process tools)."""
        self._resources = Resources(engine, make_sessionmaker(engine), store, os.getpid())
        _attach_campaigns(self.settings, self._resources.sessions)


def _attach_campaigns(settings: Settings, sessions: sessionmaker[Session]) -> None:
    """Workers read the campaign versions an admin loaded, without a restart."""
    from storage.campaign_models import attach_registry
    attach_registry(settings, sessions)


def task_routes(settings: Settings) -> dict[str, dict[str, str]]:
    """Task name -> its queue, for every task (dossier/task_names.py)."""
    q = queues(settings)
    role = {
        INGEST: "ingest",
        # submission-level checks are light bookkeeping; they share the ingest queue
        CHECK: "ingest",
        EXTRACT: "extract",
        OCR: "ocr", OCR_PAGE: "ocr",
        # joining a scan's pages is light work: it must not wait behind other scans' pages
        ASSEMBLE: "extract",
        PACKET_BUILD: "packets", PACKET_PRINT: "packets",
        # notification emails are light and rare: the ingest queue's workers send them
        NOTIFY_EMAIL: "ingest",
    }
    return {name: {"queue": q[r]} for name, r in role.items()}


def broker_transport_options(settings: Settings, url: str) -> dict[str, Any]:
    if url.startswith("filesystem:"):
        folder = settings.broker_folder()
        for sub in ("queue", "control", "processed"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        # one folder for both directions: every process (API relay, workers) is a
        # producer and a consumer of the same queues
        return {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
                "control_folder": str(folder / "control"),
                "processed_folder": str(folder / "processed"), "store_processed": False}
    if is_amqp(url):
        return {"confirm_publish": True}
    return {}


def page_limits(settings: Settings) -> dict[str, dict[str, float]]:
    """`ocr.page` runs under the page's time limits, not the file's: the soft one turns a slow
    page into an error entry, the hard one ends a stuck worker."""
    limit = settings.ocr_page_time_limit
    return {OCR_PAGE: {"soft_time_limit": limit, "time_limit": limit + 30}}


def make_celery(settings: Settings, **overrides: Any) -> DossierCelery:
    """The Celery app for `settings`; `overrides` go into its configuration last."""
    url = settings.resolved_broker_url()
    app = DossierCelery(settings, broker=url, include=TASK_MODULES)
    q = queues(settings)
    app.conf.update(
        broker_transport_options=broker_transport_options(settings, url),
        broker_connection_retry_on_startup=True,
        task_serializer="json", accept_content=["json"], result_serializer="json",
        event_serializer="json",
        # state lives in the database: no task stores a result, and there is no backend
        task_ignore_result=True, task_store_errors_even_if_ignored=False, result_backend=None,
        task_annotations=page_limits(settings),
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        # with acks_late, a lost connection would otherwise let the task finish
        # while its message is redelivered elsewhere
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_time_limit=settings.task_time_limit, task_soft_time_limit=settings.task_soft_time_limit,
        task_default_queue=q["ingest"],
        task_queues=task_queues(settings),
        task_routes=task_routes(settings),
        task_create_missing_queues=True,
        worker_hijack_root_logger=False,
        enable_utc=True, timezone="UTC",
        **celery_options(settings),
    )
    if overrides:
        app.conf.update(overrides)
    return app


_default: DossierCelery | None = None
_default_lock = threading.Lock()


def default_app() -> DossierCelery:
    """The app for `get_settings()`, built on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = make_celery(get_settings())
            _default.set_default()
    return _default


def __getattr__(name: str) -> Any:
    # `celery -A workers.celery_app` looks for `app` (then `celery`): build it only then
    if name in ("app", "celery"):
        return default_app()
    raise AttributeError(name)
