"""A file row's bookkeeping, shared by the file steps: load it, lease it and count the attempt,
park it for a person, record its result and queue what comes next.

Steps are idempotent, keyed by the file row (unique per submission and sha256): a finished file
is never worked on again, and a row that is gone ends the step quietly ("gone").
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import delete
from sqlalchemy.orm import Session

from dossier.task_names import CHECK, EXTRACT, OCR
from dossier.task_names import PACKET_PRINT as PRINT
from storage import outbox
from storage.models import FileState, FindingRow, StoredFile
from storage.objects import ObjectNotFound
from workers.extract.convert import WORD_FORMATS
from workers.leases import claim, release
from workers.results import ExtractResult

from .outcomes import Outcome, Stop
from ..runtime import Runtime

T = TypeVar("T")
log = logging.getLogger(__name__)

# scans and photos are read by OCR: slow, so they go to their own queue
OCR_FORMATS = frozenset({"pdf", "jpeg", "png", "tiff", "heic", "bmp", "webp"})

# progress shown to the unit, per step; OCR pages fill P_EXTRACTING..P_PAGES_DONE
P_INGESTED = 10
P_EXTRACTING = 30
P_PAGES_DONE = 90
P_DONE = 100

MSG_MISSING = "文件原件在存储中找不到了，请重新上传。"
MSG_FAILED = "文件处理失败，已转人工处理，请稍后查看或联系管理员。"
MSG_TOO_MANY = "文件多次处理均未成功，已转人工处理。"
MSG_TIMEOUT = "文件处理超时，已转人工处理。请确认文件页数不多、图片不过大。"
# the finding a parked file (or a parked submission check) shows the unit
PROCESSING_FAILED = "processing.failed"


def read_topic(fmt: str | None) -> str:
    """The task that reads a file of this (sniffed) format."""
    return OCR if fmt in OCR_FORMATS else EXTRACT


class Claim(NamedTuple):
    """A file this execution holds the lease of (the row detached from its session)."""
    row: StoredFile
    campaign_id: str


def load_file(session: Session, file_id: str, *, lock: bool = False) -> StoredFile | None:
    # the row lock (PostgreSQL) makes the attempt count and the lease one atomic step
    row = session.get(StoredFile, file_id, with_for_update=lock or None)
    if row is None:
        log.info("file %s is gone; nothing to do", file_id)
    return row


def queue(s: Session, topic: str, *args: object) -> int:
    """An outbox row for `topic`, in the step's transaction; returns its id."""
    msg = outbox.add(s, topic, *args)
    s.flush()
    return msg.id


def park(rt: Runtime, s: Session, row: StoredFile, stop: Stop) -> None:
    """A failure a person must look at: the original stays, the error is shown to the unit as a
    finding, and the file is listed on /ops for an operator to retry."""
    log.error("file %s (%s) parked as failed: %s", row.id, row.sha256[:12], stop.detail)
    row.state = FileState.FAILED.value
    row.error = stop.message
    row.progress = P_DONE
    row.finished_at = rt.clock()
    release(row)
    s.execute(delete(FindingRow).where(FindingRow.file_id == row.id))
    s.add(FindingRow(submission_id=row.submission_id, file_id=row.id, code=PROCESSING_FAILED,
                     severity="error", field=None, message=stop.message,
                     extra={"detail": stop.detail[:500]}))


def park_and_check(rt: Runtime, s: Session, row: StoredFile, stop: Stop) -> Outcome:
    """Park the file, queue the submission check (the file is final now) and commit."""
    park(rt, s, row, stop)
    state = row.state
    rt.commit(s, [queue(s, CHECK, row.submission_id)])
    return Outcome(state, next=(CHECK,), findings=1)


def begin(rt: Runtime, file_id: str, *, states: tuple[str, ...] | None = None,
          processing: bool = False) -> Claim | Outcome:
    """Take the file's lease and count the attempt, committed before the work starts, so
    that a worker killed mid-file still leaves the attempt counted; past the limit, park it.

    `states`: the states this step starts from (default: any unfinished one).  Another
    execution holding the lease raises leases.Busy (the task tries again later).  An Outcome:
    the step has nothing to do."""
    with rt.session() as s:
        row = load_file(s, file_id, lock=True)
        if row is None:
            return Outcome("gone")
        if row.is_final or (states is not None and row.state not in states):
            return Outcome(row.state)
        campaign_id = row.submission.campaign_id
        if claim(row, rt.execution, rt.handover, rt.settings.file_lease_seconds):
            row.attempts += 1
        if row.attempts > rt.settings.task_max_attempts:
            return park_and_check(rt, s, row, Stop(MSG_TOO_MANY, f"{row.attempts - 1} attempts used"))
        if processing:
            row.state = FileState.PROCESSING.value
            row.progress = max(row.progress or 0, P_EXTRACTING)
        s.commit()
        s.expunge(row)
        return Claim(row, campaign_id)


def attempt(file_id: str, work: Callable[[], T],
            transient: tuple[type[BaseException], ...]) -> T | Stop:
    """Run a step's work: its value, or the Stop that parks the file.

    `transient` errors propagate (the task waits them out, the file stays processing)."""
    try:
        return work()
    except transient:
        raise
    except Stop as stop:
        return stop
    except ObjectNotFound as e:
        return Stop(MSG_MISSING, f"object missing: {e}")
    except SoftTimeLimitExceeded:
        # the same file would run out of time again: park it rather than retry
        return Stop(MSG_TIMEOUT, "soft time limit exceeded")
    except Exception as e:
        log.exception("working on file %s failed", file_id)
        return Stop(MSG_FAILED, f"{type(e).__name__}: {e}")


def _store_findings(s: Session, row: StoredFile, result: ExtractResult) -> None:
    s.execute(delete(FindingRow).where(FindingRow.file_id == row.id))
    for f in result.findings:
        extra = {k: v for k, v in f.to_json().items()
                 if k not in ("code", "severity", "field", "message", "document", "page")}
        s.add(FindingRow(submission_id=row.submission_id, file_id=row.id, code=f.code,
                         severity=f.severity, field=f.field, message=f.message, document=f.kind,
                         page=f.page, extra=extra or None))


def _keep_result(rt: Runtime, s: Session, row: StoredFile, result: ExtractResult) -> None:
    if result.file.sha256 and result.file.sha256 != row.sha256:
        log.warning("file %s: extractor hashed %s, row has %s", row.id,
                    result.file.sha256[:12], row.sha256[:12])
    row.result = result.to_json()
    row.method = result.file.method or None
    row.pages = result.file.pages or None
    row.error = None if result.readable else (
        result.findings[0].message if result.findings else "文件无法读取。")
    row.state = FileState.DONE.value
    row.progress = P_DONE
    row.finished_at = rt.clock()
    release(row)
    _store_findings(s, row, result)


def record(rt: Runtime, file_id: str, result: ExtractResult | Stop) -> Outcome:
    """Keep a read file's result and findings (or park it), then queue its print (a Word file,
    for its dossier) and the submission check, in one transaction."""
    with rt.session() as s:
        row = load_file(s, file_id)
        if row is None:
            return Outcome("gone")
        if row.is_final:      # another delivery finished first
            return Outcome(row.state)
        if isinstance(result, Stop):
            park(rt, s, row, result)
            findings = 1
        else:
            _keep_result(rt, s, row, result)
            findings = len(result.findings)
        state, method = row.state, row.method
        topics = [PRINT] if state == FileState.DONE.value and row.format in WORD_FORMATS else []
        # the print first: its dossier appends the original as printed (packets queue)
        ids = [queue(s, PRINT, row.id)] if topics else []
        ids.append(queue(s, CHECK, row.submission_id))
        rt.commit(s, ids)
    log.info("file %s %s (method %s, %d findings)", file_id, state, method, findings)
    return Outcome(state, next=(*topics, CHECK), findings=findings)
