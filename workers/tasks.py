"""Celery tasks: each one hands its ids to a step (workers/steps/) with the worker's Runtime.

A task is much like a view: it takes the process's Runtime from its app (one per worker process),
calls the plain function and reports the outcome's status.  Outages (the database, the broker,
S3) are waited out by `_run` in the same execution, with capped and jittered backoff, never
counted as the file's attempts; everything else is handled in the step, which records it on the
file row.

Names come from dossier/task_names.py; routes (workers/celery_app.py) send them to the ingest,
extract, ocr and packets queues.  A scan fans out: `ocr.file` stores its pages and queues one
`ocr.page` task each (ocr queue, so a 12-page scan uses every OCR worker); the last page read
queues `ocr.assemble` (extract queue) through the outbox (workers/steps/ocr.py).  No task stores
a result: there is no result backend.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, TypeVar

import urllib3.exceptions
from celery import Task, shared_task
from kombu.exceptions import OperationalError as BrokerOperationalError
from minio.error import InvalidResponseError, S3Error, ServerError
from sqlalchemy.exc import DisconnectionError, OperationalError as DbOperationalError

from dossier.task_names import (ASSEMBLE, CHECK, EXTRACT, INGEST, OCR, OCR_PAGE, PACKET_BUILD,
                                PACKET_PRINT)
from storage import outages

from . import steps
from .celery_app import DossierCelery, default_app
from .leases import Busy
from .steps import PageResult, Runtime

T = TypeVar("T")
log = logging.getLogger(__name__)

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
# RabbitMQ holds a retry's countdown in whole seconds (native delayed delivery on quorum queues,
# workers/queues.py), and Celery refuses a countdown that rounds down to 0 there
MIN_COUNTDOWN_S = 1.0


def _app(task: Task) -> DossierCelery:
    return task.app if isinstance(task.app, DossierCelery) else default_app()


def _soft_limit(task: Task) -> float:
    limits = task.request.timelimit or (None, None)
    soft = limits[1] if len(limits) > 1 else None
    # a page's own limit (its task annotation) before the app's
    return float(soft or task.soft_time_limit or task.app.conf.task_soft_time_limit or 540)


def _run(task: Task, step: Callable[[Runtime], T], *, handover: str | None = None,
         outage_since: float | None = None) -> T:
    """Run a step; wait out outages of the database, store and broker in this execution
    (capped, jittered backoff, the file's attempt counted once), and hand a wait longer than
    the task's time limit allows over to a later message that takes the lease over."""
    settings = _app(task).settings
    rt = _app(task).runtime.for_execution(handover)
    started = time.monotonic()
    tries = 0
    while True:
        try:
            return step(rt)
        except Busy as e:
            # another execution holds the file: look again when its lease ends
            wait = min(e.seconds, settings.file_lease_seconds) + outages.backoff(1)
            raise task.retry(countdown=max(MIN_COUNTDOWN_S, wait), max_retries=None) from None
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
                raise task.retry(kwargs=kwargs, countdown=max(MIN_COUNTDOWN_S, delay),
                                 max_retries=None) from e
            time.sleep(delay)


@shared_task(name=INGEST, **RETRY)
def ingest_file(self: Task, file_id: str, handover: str | None = None,
                outage_since: float | None = None) -> str:
    """Verify the stored original, sniff it, queue its reading."""
    return _run(self, lambda rt: steps.ingest_file(rt, file_id, transient=TRANSIENT),
                handover=handover, outage_since=outage_since).status


@shared_task(name=EXTRACT, **RETRY)
def extract_file(self: Task, file_id: str, handover: str | None = None,
                 outage_since: float | None = None) -> str:
    """Extract and check a Word / text file; store its result."""
    return _run(self, lambda rt: steps.extract_file(rt, file_id, transient=TRANSIENT),
                handover=handover, outage_since=outage_since).status


@shared_task(name=OCR, **RETRY)
def ocr_file(self: Task, file_id: str, handover: str | None = None,
             outage_since: float | None = None) -> str:
    """Scans and photos, on the ocr queue so they never block Word files: store the pages, fan out."""
    return _run(self, lambda rt: steps.ocr_file(rt, file_id, transient=TRANSIENT),
                handover=handover, outage_since=outage_since).status


# its time limits are the page's (celery_app's task annotations), not the file's
@shared_task(name=OCR_PAGE, **RETRY)
def ocr_page(self: Task, file_id: str, page: int, key: str, handover: str | None = None,
             outage_since: float | None = None) -> str:
    """OCR one page of a scan; its JSON goes to the object store; the last page queues the join."""
    return _run(self, lambda rt: steps.ocr_page(rt, file_id, page, key, transient=TRANSIENT),
                handover=handover, outage_since=outage_since).status


# `pages` is None from the outbox (the join reads them from the store); a list only in a
# message a chord queued before this version
@shared_task(name=ASSEMBLE, **RETRY)
def ocr_assemble(self: Task, pages: list[PageResult] | None, file_id: str, handover: str | None = None,
                 outage_since: float | None = None) -> str:
    """Join the pages of a scan, check it, store the result (extract queue: light work)."""
    return _run(self, lambda rt: steps.ocr_assemble(rt, file_id, pages, transient=TRANSIENT),
                handover=handover, outage_since=outage_since).status


@shared_task(name=CHECK, **RETRY)
def check_submission(self: Task, submission_id: str, handover: str | None = None,
                     outage_since: float | None = None) -> str:
    """Submission-level findings once every file is final."""
    return _run(self, lambda rt: steps.check_submission(rt, submission_id),
                handover=handover, outage_since=outage_since).status


@shared_task(name=PACKET_BUILD, **RETRY)
def build_packets(self: Task, build_id: str, handover: str | None = None,
                  outage_since: float | None = None) -> str:
    """A campaign's packets: each dossier PDF, the summary XLSX and PDF (packets queue)."""
    return _run(self, lambda rt: steps.build_packets(rt, build_id, transient=TRANSIENT),
                handover=handover, outage_since=outage_since).status


@shared_task(name=PACKET_PRINT, **RETRY)
def print_original(self: Task, file_id: str, handover: str | None = None,
                   outage_since: float | None = None) -> str:
    """A Word original printed to PDF and kept for its dossier (packets queue, in the background)."""
    return _run(self, lambda rt: steps.print_original(rt, file_id),
                handover=handover, outage_since=outage_since).status
