"""Celery tasks: thin wrappers that hand ids to the steps in workers/pipeline.py.

A task is much like a view: it builds the step's Runtime from its app, calls
the plain function and returns its short status.  Transient failures (the
database, the broker, S3) are retried with backoff and jitter; everything
else is handled in the step, which records it on the file row.

Names are `module.action`; routes (workers/celery_app.py) send them to the
ingest, extract, ocr and packets queues (`packets.build` compiles a campaign's
packets).  A scan fans out: `ocr.file` stores
its pages and starts a chord of `ocr.page` tasks (ocr queue, one per page, so
a 12-page scan uses every OCR worker) joined by `ocr.assemble` (extract queue).
"""
from __future__ import annotations

import functools
from typing import Any

import urllib3.exceptions
from celery import Task, chord, shared_task
from kombu.exceptions import OperationalError as BrokerOperationalError
from minio.error import InvalidResponseError, S3Error, ServerError
from sqlalchemy.exc import DisconnectionError, OperationalError as DbOperationalError

from . import pipeline
from .celery_app import DossierCelery, default_app
from .relay import publish_rows

PAGE = "ocr.page"
ASSEMBLE = "ocr.assemble"

TRANSIENT: tuple[type[BaseException], ...] = (
    DbOperationalError, DisconnectionError, BrokerOperationalError, ConnectionError, TimeoutError,
    urllib3.exceptions.HTTPError, S3Error, ServerError, InvalidResponseError,
)

RETRY: dict[str, Any] = {
    "bind": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
}


def _app(task: Task) -> DossierCelery:
    return task.app if isinstance(task.app, DossierCelery) else default_app()


def runtime(task: Task) -> pipeline.Runtime:
    """The step's Runtime from the task's app (its settings, database and store)."""
    app = _app(task)
    res = app.resources
    return pipeline.Runtime(settings=app.settings, sessions=res.sessions, store=res.store,
                            publish=functools.partial(publish_rows, app, res.sessions))


@shared_task(name="ingest.file", **RETRY)
def ingest_file(self: Task, file_id: str) -> str:
    """Verify the stored original, sniff it, queue its extraction."""
    return pipeline.ingest_file(runtime(self), file_id)


@shared_task(name="extract.file", **RETRY)
def extract_file(self: Task, file_id: str) -> str:
    """Extract and check a Word / text file; store its result."""
    return pipeline.extract_file(runtime(self), file_id, transient=TRANSIENT)


def fan_out_pages(app: DossierCelery, file_id: str, pages: list[pipeline.PageRef]) -> None:
    """One `ocr.page` task per page, joined by `ocr.assemble`: a Celery chord."""
    limit = app.settings.ocr_page_time_limit
    # the soft limit turns a slow page into an error entry; the hard one ends a stuck worker
    limits = {"soft_time_limit": limit, "time_limit": limit + 30}
    header = [app.signature(PAGE, args=(file_id, page, key), options=limits) for page, key in pages]
    chord(header, app=app)(app.signature(ASSEMBLE, args=(file_id,)))


@shared_task(name="ocr.file", **RETRY)
def ocr_file(self: Task, file_id: str) -> str:
    """Scans and photos, on the ocr queue so they never block Word files: store the pages, fan out."""
    app = _app(self)
    return pipeline.ocr_file(runtime(self), file_id, transient=TRANSIENT,
                             fan_out=functools.partial(fan_out_pages, app))


# the chord reads this task's result: the one task here that stores it (small: keys, not data)
@shared_task(name="ocr.page", ignore_result=False, **RETRY)
def ocr_page(self: Task, file_id: str, page: int, key: str) -> dict[str, Any]:
    """OCR one page of a scan; its JSON goes to the object store."""
    return pipeline.ocr_page(runtime(self), file_id, page, key, transient=TRANSIENT)


@shared_task(name="ocr.assemble", **RETRY)
def ocr_assemble(self: Task, pages: list[dict[str, Any]], file_id: str) -> str:
    """Join the pages of a scan, check it, store the result (extract queue: light work)."""
    return pipeline.ocr_assemble(runtime(self), file_id, pages, transient=TRANSIENT)


@shared_task(name="check.submission", **RETRY)
def check_submission(self: Task, submission_id: str) -> str:
    """Submission-level findings once every file is final."""
    return pipeline.check_submission(runtime(self), submission_id)


@shared_task(name="packets.build", **RETRY)
def build_packets(self: Task, build_id: str) -> str:
    """A campaign's packets: each dossier PDF, the summary XLSX and PDF (packets queue)."""
    from workers.packets.build import run_build

    rt = runtime(self)
    return run_build(rt.sessions, rt.store, rt.settings, build_id, transient=TRANSIENT)


@shared_task(name="packets.print", **RETRY)
def print_original(self: Task, file_id: str) -> str:
    """A Word original printed to PDF and kept for its dossier (packets queue, in the background)."""
    from workers.packets.prints import print_original as run

    rt = runtime(self)
    return run(rt.sessions, rt.store, rt.settings, file_id)
