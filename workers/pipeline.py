"""The pipeline steps as plain functions; workers/tasks.py wraps them as Celery tasks.

Each step loads its input by id, does its work, records the outcome and the
next step's outbox row in one transaction, then (after commit) asks
`Runtime.publish` to send that row at once; the relay sends it later if that
fails.  Steps are idempotent, keyed by the file row (unique per submission and
sha256): a finished file is never reprocessed, a row that is gone ends the
step quietly.

    ingest.file  -> verify the object, sniff, queue     (ingest queue)
    extract.file -> read, extract, check; store result   (extract queue)
    ocr.file     -> a scan: store its pages, fan them out  (ocr queue)
                    (a text PDF: the same as extract.file)
    ocr.page     -> OCR one page; its JSON to the store     (ocr queue)
    ocr.assemble -> join the pages, check; store result    (extract queue)
    check.submission -> submission-level findings        (ingest queue)
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import Campaign, get_campaign
from dossier.settings import Settings
from storage import outbox, versions
from storage.models import (FileState, FindingRow, StoredFile, Submission, SubmissionState,
                            utcnow)
from storage.objects import ObjectNotFound, ObjectStore, derived_key, safe_ext
from workers.extract.convert import WORD_FORMATS
from workers.extract.readers import ReadContext, ReadError
from dossier.formats import MEDIA_TYPES
from dossier.task_names import ASSEMBLE, CHECK, EXTRACT, INGEST, OCR
from dossier.task_names import PACKET_PRINT as PRINT
from workers.extract.sniff import sniff
from workers import notify
from workers.leases import claim, release, renewing
from workers.results import ExtractResult, FileInfo, Finding

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
MSG_PAGE_TIMEOUT = "这一页识别超时，请重新扫描这一页（分辨率不要过高）"
MSG_PAGE_FAILED = "页面识别出错，请重新扫描这一页"
MSG_PAGE_TOO_MANY = "这一页多次识别均未成功，请重新扫描这一页"
MSG_CHECK_FAILED = "整份申报的检查多次未能完成，已转人工处理，请稍后查看或联系管理员。"
# the finding a parked file (or a parked submission check) shows the unit
PROCESSING_FAILED = "processing.failed"


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
    # ocr_page(image, page_no, settings) -> (json, image); None: workers.extract.ocr_reader's
    ocr_page: Callable[..., tuple[dict[str, Any], Any]] | None = None
    # this execution's token (workers/leases.py): the same for every retry inside one run, so
    # waiting out an outage never counts as an attempt
    execution: str = field(default_factory=lambda: uuid.uuid4().hex)
    # the execution whose outage wait this one continues (its lease is taken over, uncounted)
    handover: str | None = None

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


def _load_file(session: Session, file_id: str, *, lock: bool = False) -> StoredFile | None:
    # the row lock (PostgreSQL) makes the attempt count and the lease one atomic step
    row = session.get(StoredFile, file_id, with_for_update=lock or None)
    if row is None:
        log.info("file %s is gone; nothing to do", file_id)
    return row


def _park(s: Session, row: StoredFile, message: str, detail: str) -> None:
    """A failure a person must look at: the original stays, the error is shown to the unit as a
    finding, and the file is listed on /ops for an operator to retry."""
    log.error("file %s (%s) parked as failed: %s", row.id, row.sha256[:12], detail)
    row.state = FileState.FAILED.value
    row.error = message
    row.progress = P_DONE
    row.finished_at = utcnow()
    release(row)
    s.execute(delete(FindingRow).where(FindingRow.file_id == row.id))
    s.add(FindingRow(submission_id=row.submission_id, file_id=row.id, code=PROCESSING_FAILED,
                     severity="error", field=None, message=message, extra={"detail": detail[:500]}))


def _finish(session: Session, row: StoredFile) -> int:
    """Queue the submission check after a file reaches a final state; returns the outbox id."""
    msg = outbox.add(session, CHECK, row.submission_id)
    session.flush()
    return msg.id


# ---------------------------------------------------------------------- ingest

def ingest_file(rt: Runtime, file_id: str, *,
                transient: tuple[type[BaseException], ...] = ()) -> str:
    """Check the stored object, sniff its real format, and queue its extraction."""
    state, row, _ = _begin(rt, file_id, states=(FileState.STORED.value,))
    if row is None:
        return state

    def work() -> tuple[str, str, str]:
        size = rt.store.size(row.object_key)    # ObjectNotFound parks the file
        if size != row.size:
            raise ObjectNotFound(f"object {row.object_key} is {size} bytes, row says {row.size}")
        with _local_copy(rt.store, row.object_key, row.name) as path:
            sniffed = sniff(path, row.name)
        return sniffed.format, sniffed.media_type, sniffed.reason

    sniffed, error = _attempt(file_id, work, transient)
    with rt.session() as s:
        current = _load_file(s, file_id, lock=True)
        if current is None or current.state != FileState.STORED.value:
            return current.state if current else "gone"
        if sniffed is None:
            _park(s, current, *(error or (MSG_FAILED, "no result")))
            ids = [_finish(s, current)]
            s.commit()
            rt.after_commit(ids)
            return current.state
        current.format, current.media_type = sniffed[0], sniffed[1]
        current.state = FileState.QUEUED.value
        current.progress = P_INGESTED
        current.attempts = 0          # the next step has attempts of its own
        release(current)
        topic = OCR if current.format in OCR_FORMATS else EXTRACT
        msg = outbox.add(s, topic, current.id)
        s.commit()
        log.info("file %s sniffed as %s (%s); queued %s", current.id, current.format,
                 sniffed[2] or "ok", topic)
    rt.after_commit([msg.id])
    return FileState.QUEUED.value


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


def _begin(rt: Runtime, file_id: str, *, states: tuple[str, ...] | None = None,
           processing: bool = False) -> tuple[str, StoredFile | None, str]:
    """Take the file's lease and count the attempt, committed before the work starts, so
    that a worker killed mid-file still leaves the attempt counted; past the limit, park it.

    `states`: the states this step starts from (default: any unfinished one).  Another
    execution holding the lease raises leases.Busy (the task tries again later)."""
    with rt.session() as s:
        row = _load_file(s, file_id, lock=True)
        if row is None:
            return "gone", None, ""
        if row.is_final or (states is not None and row.state not in states):
            return row.state, None, ""
        campaign_id = row.submission.campaign_id
        if claim(row, rt.execution, rt.handover, rt.settings.file_lease_seconds):
            row.attempts += 1
        if row.attempts > rt.settings.task_max_attempts:
            _park(s, row, MSG_TOO_MANY, f"{row.attempts - 1} attempts used")
            ids = [_finish(s, row)]
            s.commit()
            rt.after_commit(ids)
            return row.state, None, ""
        if processing:
            row.state = FileState.PROCESSING.value
            row.progress = max(row.progress or 0, P_EXTRACTING)
        s.commit()
        s.expunge(row)
        return row.state, row, campaign_id


def _begin_extract(rt: Runtime, file_id: str) -> tuple[str, StoredFile | None, str]:
    return _begin(rt, file_id, processing=True)


def _attempt(file_id: str, work: Callable[[], T],
             transient: tuple[type[BaseException], ...]) -> tuple[T | None, tuple[str, str] | None]:
    """Run a step's work: its value, or the (Chinese message, detail) that parks the file.

    `transient` errors propagate (the task retries them, the file stays processing)."""
    try:
        return work(), None
    except transient:
        raise
    except ObjectNotFound as e:
        return None, (MSG_MISSING, f"object missing: {e}")
    except SoftTimeLimitExceeded:
        # the same file would run out of time again: park it rather than retry
        return None, (MSG_TIMEOUT, "soft time limit exceeded")
    except Exception as e:
        log.exception("extracting file %s failed", file_id)
        return None, (MSG_FAILED, f"{type(e).__name__}: {e}")


def _context(rt: Runtime, row: StoredFile) -> ReadContext:
    return ReadContext(name=row.name, format=row.format or "unknown", settings=rt.settings,
                       save_derived=_save_derived(rt, row))


def _read_local(rt: Runtime, path: Path, campaign: Campaign, row: StoredFile,
                ctx: ReadContext) -> ExtractResult:
    try:
        return _run_extraction(rt, path, campaign, row, ctx)
    except ReadError as e:
        return _unreadable(row, campaign, e)


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

    def work() -> ExtractResult:
        campaign = get_campaign(campaign_id)
        with _local_copy(rt.store, row.object_key, row.name) as path:
            return _read_local(rt, path, campaign, row, _context(rt, row))

    with renewing(rt.sessions, file_id, rt.execution, rt.settings.file_lease_seconds):
        result, error = _attempt(file_id, work, transient)
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
            _park(s, row, message, detail)
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
            release(row)
            _store_findings(s, row, result)
        ids = []
        if row.state == FileState.DONE.value and row.format in WORD_FORMATS:
            # its dossier will append it as printed: print it now, on the packets queue
            msg = outbox.add(s, PRINT, row.id)
            s.flush()
            ids.append(msg.id)
        ids.append(_finish(s, row))
        s.commit()
        log.info("file %s %s (method %s, %s findings)", row.id, row.state, row.method,
                 len(result.findings) if result else 0)
    rt.after_commit(ids)
    return row.state


# ------------------------------------------------------------------ OCR, per page

# (page number, object key of its PNG)
PageRef = tuple[int, str]


def _needs_page_ocr(path: Path, ctx: ReadContext) -> bool:
    """Scans and photos are OCR'd page by page; a PDF only when it has no text layer
    (the text-PDF reader decides, so that both paths agree)."""
    if ctx.format != "pdf":
        return True
    from workers.extract.pdf_reader import needs_ocr
    try:
        return needs_ocr(path, ctx)
    except ReadError:
        return False        # the one-task path reports the damaged PDF as it always has


def _degenerate(path: Path, ctx: ReadContext) -> bool:
    from workers.degenerate import degenerate_image
    return degenerate_image(path, ctx.format) is not None


def _store_pages(path: Path, ctx: ReadContext) -> list[PageRef]:
    """Render every page and store it as a derived PNG; the page tasks read them from there."""
    from workers.extract.ocr_pages import to_png
    from workers.extract.ocr_reader import prepare_pages
    assert ctx.save_derived is not None
    refs: list[PageRef] = []
    for pp in prepare_pages(path, ctx):
        refs.append((pp.page, ctx.save_derived(f"pages/{pp.page}.png", to_png(pp.load()))))
        pp.image = None            # free the page before rendering the next one
    return refs


def ocr_file(rt: Runtime, file_id: str, *, fan_out: Callable[[str, list[PageRef]], Any],
             transient: tuple[type[BaseException], ...] = ()) -> str:
    """A scan: store its pages and hand them to `fan_out` (one `ocr.page` task each, joined by
    `ocr.assemble`).  A PDF with a text layer is extracted here in one task, as extract.file."""
    state, row, campaign_id = _begin_extract(rt, file_id)
    if row is None:
        return state
    pages: list[PageRef] | None = None

    def work() -> ExtractResult | None:
        nonlocal pages
        campaign = get_campaign(campaign_id)
        ctx = _context(rt, row)
        with _local_copy(rt.store, row.object_key, row.name) as path:
            # a 1×1 or strip image is answered in this task (form.unrecognised), never fanned out
            if not _needs_page_ocr(path, ctx) or _degenerate(path, ctx):
                return _read_local(rt, path, campaign, row, ctx)
            try:
                pages = _store_pages(path, ctx)
            except ReadError as e:          # over the page or pixel limits, damaged
                return _unreadable(row, campaign, e)
            return None

    with renewing(rt.sessions, file_id, rt.execution, rt.settings.file_lease_seconds):
        result, error = _attempt(file_id, work, transient)
    if pages is None or error is not None:
        return _record_extract(rt, file_id, result, error)
    with rt.session() as s:
        current = _load_file(s, file_id, lock=True)
        if current is None or current.is_final:
            return current.state if current else "gone"
        current.pages = len(pages)      # the page tasks count their progress against it
        current.attempts = 0            # the join has attempts of its own
        release(current)
        s.commit()
    # the message for this task is still unacknowledged: if publishing fails, it is retried
    # (a transient broker error) and the pages are stored again under the same keys
    fan_out(file_id, pages)
    log.info("file %s: %d page(s) sent to OCR", file_id, len(pages))
    return "pages"


def page_json_key(row: StoredFile, page: int) -> str:
    return derived_key(row.submission_id, f"{row.sha256}/ocr/{page}.json")


def _page_attempt(rt: Runtime, row: StoredFile, page: int) -> int:
    """Count this page's attempts in the store: with acks_late a page that kills its worker
    comes back, and must stop coming back (the file's counter counts files, not pages).
    The same execution trying again after an outage is not a new attempt."""
    key = derived_key(row.submission_id, f"{row.sha256}/ocr/{page}.attempts")
    try:
        n, last = rt.store.get(key).decode().partition(" ")[::2]
        count = int(n)
    except (ObjectNotFound, ValueError):
        count, last = 0, ""
    if last == rt.execution:
        return count
    rt.store.put_bytes(key, f"{count + 1} {rt.execution}".encode())
    return count + 1


def _load_rgb(data: bytes) -> Any:
    import numpy as np
    from PIL import Image
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def _ocr_one(rt: Runtime, page: int, key: str) -> dict[str, Any]:
    import numpy as np
    from workers.extract.ocr_pages import to_png
    run = rt.ocr_page
    if run is None:
        from workers.extract.ocr_reader import ocr_page as run
    image = _load_rgb(rt.store.get(key))
    data, upright = run(image, page, rt.settings)
    if upright is not image and (upright.shape != image.shape or not np.array_equal(upright, image)):
        # the reviewer's page view shows the page as read: upright and straightened
        rt.store.put_bytes(key, to_png(upright))
    return data


def ocr_page(rt: Runtime, file_id: str, page: int, key: str, *,
             transient: tuple[type[BaseException], ...] = ()) -> dict[str, Any]:
    """OCR one stored page; its JSON goes to the store (`ocr/{page}.json`).

    Returns only what the join needs: the page number and the object keys.  A page
    that fails or runs out of time becomes an error entry that `assemble` turns into
    a finding; the other pages still count."""
    with rt.session() as s:
        row = _load_file(s, file_id)
        if row is None:
            return {"page": page, "json": None, "image": key}
        s.expunge(row)
    json_key = page_json_key(row, page)
    if row.is_final:          # a redelivery after the file was finished
        return {"page": page, "json": json_key, "image": key}
    data: dict[str, Any]
    if _page_attempt(rt, row, page) > rt.settings.task_max_attempts:
        data = {"page": page, "error": "too many attempts", "message": MSG_PAGE_TOO_MANY}
    else:
        try:
            data = _ocr_one(rt, page, key)
        except transient:
            raise
        except SoftTimeLimitExceeded:
            log.warning("file %s page %d: OCR ran past %ss", file_id, page,
                        rt.settings.ocr_page_time_limit)
            # "timeout": the error code the OCR reader's own page runner uses for the same case
            data = {"page": page, "error": "timeout", "message": MSG_PAGE_TIMEOUT}
        except Exception as e:  # noqa: BLE001 - one bad page must not sink the file
            log.exception("file %s: OCR failed on page %d", file_id, page)
            data = {"page": page, "error": f"{type(e).__name__}: {e}", "message": MSG_PAGE_FAILED}
    rt.store.put_bytes(json_key, json.dumps(data, ensure_ascii=False).encode())
    _page_progress(rt, row)
    return {"page": page, "json": json_key, "image": key}


def _page_progress(rt: Runtime, row: StoredFile) -> None:
    """Progress from the pages done so far (their JSONs in the store), never backwards."""
    total = row.pages or 0
    if total <= 0:
        return
    # one existence check per page (a stat, or a HEAD on S3): listing would walk a folder store
    done = sum(1 for n in range(1, total + 1) if rt.store.exists(page_json_key(row, n)))
    progress = P_EXTRACTING + (P_PAGES_DONE - P_EXTRACTING) * min(done, total) // total
    with rt.session() as s:
        # one conditional UPDATE: pages finishing together must not move it back
        s.execute(update(StoredFile)
                  .where(StoredFile.id == row.id,
                         StoredFile.state == FileState.PROCESSING.value,
                         StoredFile.progress < progress)
                  .values(progress=progress, updated_at=utcnow()))
        s.commit()


def stored_pages(rt: Runtime, row: StoredFile) -> list[dict[str, Any]]:
    """The join's input read from the store (each page's JSON that exists), for a join the
    chord never delivered (its bookkeeping met a database outage): see relay.rescue_joins."""
    return [{"page": n, "json": page_json_key(row, n),
             "image": derived_key(row.submission_id, f"{row.sha256}/pages/{n}.png")}
            for n in range(1, (row.pages or 0) + 1) if rt.store.exists(page_json_key(row, n))]


def ocr_assemble(rt: Runtime, file_id: str, pages: Sequence[dict[str, Any]] | None, *,
                 transient: tuple[type[BaseException], ...] = ()) -> str:
    """Join the OCR'd pages: assemble the document, locate, check and record it as the
    one-task path does, then queue the submission check.  `pages` None: read them from the
    store (a rescued join)."""
    # a second chord (a redelivered ocr.file) that finished first leaves the file final
    state, row, campaign_id = _begin(rt, file_id)
    if row is None:
        return state

    def work() -> ExtractResult:
        from workers.extract.ocr_reader import assemble
        from workers.extraction import result_of
        campaign = get_campaign(campaign_id)
        ctx = _context(rt, row)
        done = [p for p in (stored_pages(rt, row) if pages is None else pages) if p.get("json")]
        results = [json.loads(rt.store.get(p["json"])) for p in done]
        doc = assemble(results, ctx, page_keys={int(p["page"]): p["image"] for p in done})
        info = FileInfo(name=row.name, sha256=row.sha256,
                        media_type=MEDIA_TYPES.get(row.format or "", row.media_type or ""),
                        pages=0, method="", size=row.size)
        return result_of(doc, campaign, info, ctx)

    with renewing(rt.sessions, file_id, rt.execution, rt.settings.file_lease_seconds):
        result, error = _attempt(file_id, work, transient)
    return _record_extract(rt, file_id, result, error)


# ---------------------------------------------------------------------- checks

def _submission_findings(campaign: Campaign, results: list[dict[str, Any]],
                         uploaded_at: dt.datetime) -> tuple[set[str], list[Finding]]:
    """The kinds the current files provide and the submission-level findings.  The same plain
    function the unit tests cover decides the kinds: a form with its narrative inside is complete."""
    from workers.checks.submission import kinds_provided, submission_findings
    kinds = kinds_provided(campaign, results)
    # no quota here: a recommender's places count what it puts forward, at its decision,
    # never what its units upload (one unit is never told about another)
    return kinds, list(submission_findings(campaign, kinds, uploaded_at))


def mark_replaced(files: Sequence[StoredFile]) -> list[StoredFile]:
    """Set `replaced_by` on each file whose every document a later file of the same kind
    replaced (a unit re-uploads the corrected 申报表 only); returns the current files.
    A file whose documents could not be told is never replaced by another: the unit removes it."""
    newest: dict[str, StoredFile] = {}
    for f in sorted(files, key=lambda r: (r.created_at, r.id)):
        for d in (f.result or {}).get("documents", []):
            if d.get("kind"):
                newest[str(d["kind"])] = f
    current = []
    for f in files:
        kinds = [str(d["kind"]) for d in (f.result or {}).get("documents", []) if d.get("kind")]
        if kinds and all(newest[k].id != f.id for k in kinds):
            f.replaced_by = newest[kinds[-1]].id
        else:
            f.replaced_by = None
            current.append(f)
    return current


def check_submission(rt: Runtime, submission_id: str) -> str:
    """Submission-level findings (missing documents, deadline) once every file is final; marks
    the submission checked, which is what tells the unit's page that nothing more will appear."""
    early = _begin_check(rt, submission_id)
    if early is not None:
        return early
    with rt.session() as s:
        sub = s.get(Submission, submission_id)
        if sub is None:
            return "gone"
        files = list(s.scalars(select(StoredFile).where(StoredFile.submission_id == sub.id)))
        if not all(f.is_final for f in files):
            return "waiting"
        current = mark_replaced(files)
        campaign = get_campaign(sub.campaign_id)
        kinds, findings = _submission_findings(
            campaign, [f.result for f in current if f.result],
            max((f.created_at for f in files), default=sub.created_at))
        s.execute(delete(FindingRow).where(FindingRow.submission_id == sub.id,
                                           FindingRow.file_id.is_(None)))
        for f in findings:
            s.add(FindingRow(submission_id=sub.id, file_id=None, code=f.code, severity=f.severity,
                             field=f.field, message=f.message, document=f.kind, page=f.page))
        sub.state = SubmissionState.CHECKED.value
        sub.checked_at = utcnow()
        sub.check_attempts = 0
        # a version under review recorded before these files were read takes its fields now
        versions.fill_versions(s, sub.id, sub.checked_at)
        notify.checks_finished(s, sub.id)     # errors to fix: the unit is told
        s.commit()
        log.info("submission %s checked: %d current files, kinds %s, %d findings", sub.id, len(current),
                 sorted(kinds), len(findings))
        return sub.state


def _begin_check(rt: Runtime, submission_id: str) -> str | None:
    """Count the check's attempt, committed before it runs, once every file is final; past
    the limit, park the check with a finding the unit sees.  A state to return, or None: go on."""
    with rt.session() as s:
        sub = s.get(Submission, submission_id, with_for_update=True)
        if sub is None:
            log.info("submission %s is gone; nothing to check", submission_id)
            return "gone"
        files = s.scalars(select(StoredFile.state).where(StoredFile.submission_id == sub.id))
        if not all(st in (FileState.DONE.value, FileState.FAILED.value) for st in files):
            # the last file to finish queues this step again
            return "waiting"
        sub.check_attempts = (sub.check_attempts or 0) + 1
        spent = sub.check_attempts > rt.settings.task_max_attempts
        if spent:
            log.error("submission %s: its check failed %d times; parked", sub.id, sub.check_attempts - 1)
            s.execute(delete(FindingRow).where(FindingRow.submission_id == sub.id,
                                               FindingRow.file_id.is_(None)))
            s.add(FindingRow(submission_id=sub.id, file_id=None, code=PROCESSING_FAILED,
                             severity="error", field=None, message=MSG_CHECK_FAILED))
            sub.state = SubmissionState.CHECKED.value
            sub.checked_at = utcnow()
        s.commit()
        return sub.state if spent else None
