"""Celery tasks: thin wrappers that hand ids to the steps in workers/pipeline.py.

A task is much like a view: it builds the step's Runtime from its app, calls
the plain function and returns its short status.  Transient failures (the
database, the broker, S3) are retried with backoff and jitter; everything
else is handled in the step, which records it on the file row.

Names are `module.action`; routes (workers/celery_app.py) send them to the
ingest, extract, ocr and packets queues.  Per-page OCR fan-out will be an
`ocr.page(file_id, page)` task here, run as a chord from `ocr.file`.
"""
from __future__ import annotations

import functools
from typing import Any

import urllib3.exceptions
from celery import Task, shared_task
from kombu.exceptions import OperationalError as BrokerOperationalError
from minio.error import InvalidResponseError, S3Error, ServerError
from sqlalchemy.exc import DisconnectionError, OperationalError as DbOperationalError

from . import pipeline
from .celery_app import DossierCelery, default_app
from .relay import publish_rows

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


def runtime(task: Task) -> pipeline.Runtime:
    """The step's Runtime from the task's app (its settings, database and store)."""
    app = task.app if isinstance(task.app, DossierCelery) else default_app()
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


@shared_task(name="ocr.file", **RETRY)
def ocr_file(self: Task, file_id: str) -> str:
    """The same step for scans and photos, on the ocr queue so they never block Word files."""
    return pipeline.extract_file(runtime(self), file_id, transient=TRANSIENT)


@shared_task(name="check.submission", **RETRY)
def check_submission(self: Task, submission_id: str) -> str:
    """Submission-level findings once every file is final."""
    return pipeline.check_submission(runtime(self), submission_id)
