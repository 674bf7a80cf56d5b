"""Celery tasks: thin wrappers that hand ids to the steps in workers/pipeline.py.

A task is much like a view: it builds the step's Runtime from its app, calls
the plain function and returns its short status.  Outages (the database, the
broker, S3) are waited out by `_run` in the same execution, with capped and
jittered backoff, never counted as the file's attempts; everything else is
handled in the step, which records it on the file row.

Names are `module.action`; routes (workers/celery_app.py) send them to the
ingest, extract, ocr and packets queues (`packets.build` compiles a campaign's
packets).  A scan fans out: `ocr.file` stores
its pages and starts a chord of `ocr.page` tasks (ocr queue, one per page, so
a 12-page scan uses every OCR worker) joined by `ocr.assemble` (extract queue).
"""
from __future__ import annotations

import functools
import logging
import time
from typing import Any, Callable, TypeVar

import urllib3.exceptions
from celery import Task, chord, shared_task
from kombu.exceptions import OperationalError as BrokerOperationalError
from minio.error import InvalidResponseError, S3Error, ServerError
from sqlalchemy.exc import DisconnectionError, OperationalError as DbOperationalError

from storage import outages

from . import pipeline
from .celery_app import DossierCelery, default_app
from .leases import Busy
from .relay import publish_rows

T = TypeVar("T")
log = logging.getLogger(__name__)

PAGE = "ocr.page"
ASSEMBLE = "ocr.assemble"

# what a step lets through to its task instead of parking the file (outages.unavailable
# decides, in the task, whether it is an outage to wait out)
TRANSIENT: tuple[type[BaseException], ...] = (
    DbOperationalError, DisconnectionError, BrokerOperationalError, ConnectionError, TimeoutError,
    urllib3.exceptions.HTTPError, S3Error, ServerError, InvalidResponseError,
)

# no autoretry: `_run` waits outages out itself, without spending the file's attempts
RETRY: dict[str, Any] = {"bind": True, "max_retries": None}
# left for the time limit's own handling (soft limit: the step parks the file as too slow)
MARGIN_S = 30.0


def _app(task: Task) -> DossierCelery:
    return task.app if isinstance(task.app, DossierCelery) else default_app()


def runtime(task: Task, handover: str | None = None) -> pipeline.Runtime:
    """The step's Runtime from the task's app (its settings, database and store)."""
    app = _app(task)
    res = app.resources
    return pipeline.Runtime(settings=app.settings, sessions=res.sessions, store=res.store,
                            publish=functools.partial(publish_rows, app, res.sessions),
                            handover=handover)


def _soft_limit(task: Task) -> float:
    limits = getattr(task.request, "timelimit", None) or (None, None)
    soft = limits[1] if len(limits) > 1 else None
    return float(soft or task.app.conf.task_soft_time_limit or 540)


def _run(task: Task, step: Callable[[pipeline.Runtime], T], *, handover: str | None = None,
         outage_since: float | None = None) -> T:
    """Run a step; wait out outages of the database, store and broker in this execution
    (capped, jittered backoff, the file's attempt counted once), and hand a wait longer than
    the task's time limit allows over to a later message that takes the lease over."""
    settings = _app(task).settings
    rt = runtime(task, handover)
    started = time.monotonic()
    tries = 0
    while True:
        try:
            return step(rt)
        except Busy as e:
            # another execution holds the file: look again when its lease ends
            raise task.retry(countdown=min(e.seconds, settings.file_lease_seconds) + outages.backoff(1),
                             max_retries=None) from None
        except Exception as e:
            kind = outages.unavailable(e)
            if kind is None:
                raise
            since = outage_since or time.time() - (time.monotonic() - started)
            tries += 1
            delay = outages.backoff(tries, cap=settings.transient_backoff_max)
            if time.time() - since + delay > settings.transient_retry_seconds:
                log.error("%s: %s unavailable for %.0fs; the reconciler takes the file over",
                          task.name, kind, time.time() - since)
                raise
            log.warning("%s: %s unavailable (%s); trying again in %.1fs (not counted as an attempt)",
                        task.name, kind, type(e).__name__, delay)
            if time.monotonic() - started + delay > _soft_limit(task) - MARGIN_S:
                kwargs = {**(task.request.kwargs or {}), "handover": rt.execution,
                          "outage_since": since}
                raise task.retry(kwargs=kwargs, countdown=delay, max_retries=None) from e
            time.sleep(delay)


@shared_task(name="ingest.file", **RETRY)
def ingest_file(self: Task, file_id: str, handover: str | None = None,
                outage_since: float | None = None) -> str:
    """Verify the stored original, sniff it, queue its extraction."""
    return _run(self, lambda rt: pipeline.ingest_file(rt, file_id, transient=TRANSIENT),
                handover=handover, outage_since=outage_since)


@shared_task(name="extract.file", **RETRY)
def extract_file(self: Task, file_id: str, handover: str | None = None,
                 outage_since: float | None = None) -> str:
    """Extract and check a Word / text file; store its result."""
    return _run(self, lambda rt: pipeline.extract_file(rt, file_id, transient=TRANSIENT),
                handover=handover, outage_since=outage_since)


def fan_out_pages(app: DossierCelery, file_id: str, pages: list[pipeline.PageRef]) -> None:
    """One `ocr.page` task per page, joined by `ocr.assemble`: a Celery chord."""
    limit = app.settings.ocr_page_time_limit
    # the soft limit turns a slow page into an error entry; the hard one ends a stuck worker
    limits = {"soft_time_limit": limit, "time_limit": limit + 30}
    header = [app.signature(PAGE, args=(file_id, page, key), options=limits) for page, key in pages]
    chord(header, app=app)(app.signature(ASSEMBLE, args=(file_id,)))


@shared_task(name="ocr.file", **RETRY)
def ocr_file(self: Task, file_id: str, handover: str | None = None,
             outage_since: float | None = None) -> str:
    """Scans and photos, on the ocr queue so they never block Word files: store the pages, fan out."""
    app = _app(self)
    return _run(self, lambda rt: pipeline.ocr_file(rt, file_id, transient=TRANSIENT,
                                                  fan_out=functools.partial(fan_out_pages, app)),
                handover=handover, outage_since=outage_since)


# the chord reads this task's result: the one task here that stores it (small: keys, not data)
@shared_task(name="ocr.page", ignore_result=False, **RETRY)
def ocr_page(self: Task, file_id: str, page: int, key: str, handover: str | None = None,
             outage_since: float | None = None) -> dict[str, Any]:
    """OCR one page of a scan; its JSON goes to the object store."""
    return _run(self, lambda rt: pipeline.ocr_page(rt, file_id, page, key, transient=TRANSIENT),
                handover=handover, outage_since=outage_since)


@shared_task(name="ocr.assemble", **RETRY)
def ocr_assemble(self: Task, pages: list[dict[str, Any]], file_id: str, handover: str | None = None,
                 outage_since: float | None = None) -> str:
    """Join the pages of a scan, check it, store the result (extract queue: light work)."""
    return _run(self, lambda rt: pipeline.ocr_assemble(rt, file_id, pages, transient=TRANSIENT),
                handover=handover, outage_since=outage_since)


@shared_task(name="check.submission", **RETRY)
def check_submission(self: Task, submission_id: str, handover: str | None = None,
                     outage_since: float | None = None) -> str:
    """Submission-level findings once every file is final."""
    return _run(self, lambda rt: pipeline.check_submission(rt, submission_id),
                handover=handover, outage_since=outage_since)


@shared_task(name="packets.build", **RETRY)
def build_packets(self: Task, build_id: str, handover: str | None = None,
                  outage_since: float | None = None) -> str:
    """A campaign's packets: each dossier PDF, the summary XLSX and PDF (packets queue)."""
    from workers.packets.build import run_build

    return _run(self, lambda rt: run_build(rt.sessions, rt.store, rt.settings, build_id,
                                           transient=TRANSIENT),
                handover=handover, outage_since=outage_since)


@shared_task(name="packets.print", **RETRY)
def print_original(self: Task, file_id: str, handover: str | None = None,
                   outage_since: float | None = None) -> str:
    """A Word original printed to PDF and kept for its dossier (packets queue, in the background)."""
    from workers.packets.prints import print_original as run

    return _run(self, lambda rt: run(rt.sessions, rt.store, rt.settings, file_id),
                handover=handover, outage_since=outage_since)
