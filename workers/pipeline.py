"""The pipeline steps as plain functions; workers/tasks.py wraps them as Celery tasks.

Each step loads its input by id, does its work, records the outcome and the
next step's outbox row in one transaction, then (after commit) asks
`Runtime.publish` to send that row at once; the relay sends it later if that
fails.  Steps are idempotent, keyed by the file row (unique per submission and
sha256): a finished file is never reprocessed, a row that is gone ends the
step quietly.

    ingest.file  -> verify the object, sniff, queue     (ingest queue)
    extract.file -> read, extract, check; store result   (extract queue)
    ocr.file     -> the same for scans and photos         (ocr queue)
    check.submission -> submission-level findings        (ingest queue)
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import Campaign, get_campaign
from dossier.settings import Settings
from storage import outbox
from storage.models import (FileState, FindingRow, StoredFile, Submission, SubmissionState,
                            utcnow)
from storage.objects import ObjectNotFound, ObjectStore, derived_key, safe_ext
from workers.extract.readers import ReadContext, ReadError
from workers.extract.sniff import sniff
from workers.results import ExtractResult, FileInfo, Finding

log = logging.getLogger(__name__)

INGEST = "ingest.file"
EXTRACT = "extract.file"
OCR = "ocr.file"
CHECK = "check.submission"

# scans and photos are read by OCR: slow, so they go to their own queue
OCR_FORMATS = frozenset({"pdf", "jpeg", "png", "tiff", "heic", "bmp", "webp"})

# progress shown to the unit, per step
P_INGESTED = 10
P_EXTRACTING = 30
P_DONE = 100

MSG_MISSING = "文件原件在存储中找不到了，请重新上传。"
MSG_FAILED = "文件处理失败，已转人工处理，请稍后查看或联系管理员。"
MSG_TOO_MANY = "文件多次处理均未成功，已转人工处理。"
MSG_TIMEOUT = "文件处理超时，已转人工处理。请确认文件页数不多、图片不过大。"


@dataclass
class Runtime:
    """What a step needs, handed in (tests build one without Celery)."""
    settings: Settings
    sessions: sessionmaker[Session]
    store: ObjectStore
    # publish these outbox rows now; None: leave them to the relay
    publish: Callable[[Sequence[int]], Any] | None = None
    # extract_file(path, campaign, *, name, ctx) -> ExtractResult; None: workers.extraction's
    extract: Callable[..., ExtractResult] | None = None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        s = self.sessions()
        try:
            yield s
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def after_commit(self, ids: Sequence[int]) -> None:
        if self.publish is not None and ids:
            try:
                self.publish(ids)
            except Exception:   # the relay will send them; a publish failure is not the step's
                log.warning("could not publish outbox rows %s now; the relay will", list(ids),
                            exc_info=True)


@contextlib.contextmanager
def _local_copy(store: ObjectStore, key: str, name: str) -> Iterator[Path]:
    """The object in a private temp folder, named like the upload's extension."""
    with tempfile.TemporaryDirectory(prefix="dossier-") as tmp:
        path = Path(tmp) / f"original{safe_ext(name)}"
        with store.open(key) as src, path.open("wb") as out:
            while chunk := src.read(1024 * 1024):
                out.write(chunk)
        yield path


def _load_file(session: Session, file_id: str) -> StoredFile | None:
    row = session.get(StoredFile, file_id)
    if row is None:
        log.info("file %s is gone; nothing to do", file_id)
    return row


def _park(row: StoredFile, message: str, detail: str) -> None:
    """A failure a person must look at: the original stays, the error is shown."""
    log.error("file %s (%s) parked as failed: %s", row.id, row.sha256[:12], detail)
    row.state = FileState.FAILED.value
    row.error = message
    row.progress = P_DONE
    row.finished_at = utcnow()


def _finish(session: Session, row: StoredFile) -> int:
    """Queue the submission check after a file reaches a final state; returns the outbox id."""
    msg = outbox.add(session, CHECK, row.submission_id)
    session.flush()
    return msg.id


# ---------------------------------------------------------------------- ingest

def ingest_file(rt: Runtime, file_id: str) -> str:
    """Check the stored object, sniff its real format, and queue its extraction."""
    with rt.session() as s:
        row = _load_file(s, file_id)
        if row is None:
            return "gone"
        if row.state != FileState.STORED.value:
            # a redelivered or re-enqueued ingest: later steps already own the file
            return row.state
        try:
            size = rt.store.size(row.object_key)
        except ObjectNotFound:
            _park(row, MSG_MISSING, f"object {row.object_key} missing")
            ids = [_finish(s, row)]
            s.commit()
            rt.after_commit(ids)
            return row.state
        if size != row.size:
            _park(row, MSG_MISSING, f"object {row.object_key} is {size} bytes, row says {row.size}")
            ids = [_finish(s, row)]
            s.commit()
            rt.after_commit(ids)
            return row.state
        with _local_copy(rt.store, row.object_key, row.name) as path:
            sniffed = sniff(path, row.name)
        row.format = sniffed.format
        row.media_type = sniffed.media_type
        row.state = FileState.QUEUED.value
        row.progress = P_INGESTED
        topic = OCR if sniffed.format in OCR_FORMATS else EXTRACT
        msg = outbox.add(s, topic, row.id)
        s.commit()
        log.info("file %s sniffed as %s (%s); queued %s", row.id, sniffed.format, sniffed.reason or "ok",
                 topic)
        rt.after_commit([msg.id])
        return row.state


# --------------------------------------------------------------------- extract

def _run_extraction(rt: Runtime, path: Path, campaign: Campaign, row: StoredFile,
                    ctx: ReadContext) -> ExtractResult:
    extract = rt.extract
    if extract is None:
        # imported here so that an ingest-only worker never loads the readers
        from workers.extraction import extract_file as extract
    return extract(path, campaign, name=row.name, ctx=ctx)


def _unreadable(row: StoredFile, campaign: Campaign, err: ReadError) -> ExtractResult:
    info = FileInfo(name=row.name, sha256=row.sha256, media_type=row.media_type, pages=0,
                    method="", size=row.size)
    return ExtractResult(campaign=campaign.id, file=info, readable=False, error=err.detail,
                         findings=[Finding(code=err.code, severity="error", field=None,
                                           message=err.message)])


def _store_findings(s: Session, row: StoredFile, result: ExtractResult) -> None:
    s.execute(delete(FindingRow).where(FindingRow.file_id == row.id))
    for f in result.findings:
        extra = {k: v for k, v in f.to_json().items()
                 if k not in ("code", "severity", "field", "message", "document", "page")}
        s.add(FindingRow(submission_id=row.submission_id, file_id=row.id, code=f.code,
                         severity=f.severity, field=f.field, message=f.message, document=f.kind,
                         page=f.page, extra=extra or None))


def _save_derived(rt: Runtime, row: StoredFile) -> Callable[[str, bytes], str]:
    def save(rel_name: str, data: bytes) -> str:
        # under the original's sha256: derived files belong to those bytes, not to a row
        key = derived_key(row.submission_id, f"{row.sha256}/{rel_name}")
        rt.store.put_bytes(key, data)
        return key
    return save


def _begin_extract(rt: Runtime, file_id: str) -> tuple[str, StoredFile | None, str]:
    """Count the attempt and mark the file processing, committed before the work starts,
    so that a worker killed mid-file still leaves the attempt counted."""
    with rt.session() as s:
        row = _load_file(s, file_id)
        if row is None:
            return "gone", None, ""
        if row.is_final:
            return row.state, None, ""
        campaign_id = row.submission.campaign_id
        row.attempts += 1
        if row.attempts > rt.settings.task_max_attempts:
            _park(row, MSG_TOO_MANY, f"{row.attempts - 1} attempts used")
            ids = [_finish(s, row)]
            s.commit()
            rt.after_commit(ids)
            return row.state, None, ""
        row.state = FileState.PROCESSING.value
        row.progress = P_EXTRACTING
        s.commit()
        return row.state, row, campaign_id


def extract_file(rt: Runtime, file_id: str, *,
                 transient: tuple[type[BaseException], ...] = ()) -> str:
    """Read the original, extract and check it, store the result JSON and its findings.

    `transient` errors propagate (the task retries them, the file stays
    processing); a ReadError becomes the file's findings (state done); any
    other failure parks the file as failed with its error, original kept.
    """
    state, row, campaign_id = _begin_extract(rt, file_id)
    if row is None:
        return state
    result: ExtractResult | None = None
    error: tuple[str, str] | None = None
    try:
        campaign = get_campaign(campaign_id, rt.settings.campaigns_dir)
        ctx = ReadContext(name=row.name, format=row.format or "unknown", settings=rt.settings,
                          save_derived=_save_derived(rt, row))
        with _local_copy(rt.store, row.object_key, row.name) as path:
            try:
                result = _run_extraction(rt, path, campaign, row, ctx)
            except ReadError as e:
                result = _unreadable(row, campaign, e)
    except transient:
        raise
    except ObjectNotFound as e:
        error = (MSG_MISSING, f"object missing: {e}")
    except SoftTimeLimitExceeded:
        # the same file would run out of time again: park it rather than retry
        error = (MSG_TIMEOUT, "soft time limit exceeded")
    except Exception as e:
        log.exception("extracting file %s failed", file_id)
        error = (MSG_FAILED, f"{type(e).__name__}: {e}")
    return _record_extract(rt, file_id, result, error)


def _record_extract(rt: Runtime, file_id: str, result: ExtractResult | None,
                    error: tuple[str, str] | None) -> str:
    with rt.session() as s:
        row = _load_file(s, file_id)
        if row is None:
            return "gone"
        if row.is_final:      # another delivery finished first
            return row.state
        if result is None:
            message, detail = error or (MSG_FAILED, "no result")
            _park(row, message, detail)
        else:
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
            row.finished_at = utcnow()
            _store_findings(s, row, result)
        ids = [_finish(s, row)]
        s.commit()
        log.info("file %s %s (method %s, %s findings)", row.id, row.state, row.method,
                 len(result.findings) if result else 0)
    rt.after_commit(ids)
    return row.state


# ---------------------------------------------------------------------- checks

def _submission_findings(campaign: Campaign, kinds: set[str], uploaded_at: dt.datetime,
                         recommender_count: int | None) -> list[Finding]:
    try:
        from workers.checks.submission import submission_findings
    except ImportError:
        log.warning("workers.checks.submission is not available; no submission-level checks")
        return []
    return list(submission_findings(campaign, kinds, uploaded_at, recommender_count))


def check_submission(rt: Runtime, submission_id: str) -> str:
    """Submission-level findings (missing documents, deadline, quota) once every file is final."""
    with rt.session() as s:
        sub = s.get(Submission, submission_id)
        if sub is None:
            log.info("submission %s is gone; nothing to check", submission_id)
            return "gone"
        files = list(s.scalars(select(StoredFile).where(StoredFile.submission_id == sub.id)))
        if not files or not all(f.is_final for f in files):
            # the last file to finish queues this step again
            return "waiting"
        kinds = {str(d["kind"]) for f in files if f.result
                 for d in f.result.get("documents", []) if d.get("kind")}
        uploaded_at = max(f.created_at for f in files)
        recommender_count = None
        if sub.recommender:
            recommender_count = int(s.scalar(select(func.count()).select_from(Submission).where(
                Submission.campaign_id == sub.campaign_id,
                Submission.recommender == sub.recommender)) or 0)
        campaign = get_campaign(sub.campaign_id, rt.settings.campaigns_dir)
        findings = _submission_findings(campaign, kinds, uploaded_at, recommender_count)
        s.execute(delete(FindingRow).where(FindingRow.submission_id == sub.id,
                                           FindingRow.file_id.is_(None)))
        for f in findings:
            s.add(FindingRow(submission_id=sub.id, file_id=None, code=f.code, severity=f.severity,
                             field=f.field, message=f.message, document=f.kind, page=f.page))
        sub.state = SubmissionState.CHECKED.value
        sub.checked_at = utcnow()
        s.commit()
        log.info("submission %s checked: %d files, kinds %s, %d findings", sub.id, len(files),
                 sorted(kinds), len(findings))
        return sub.state
