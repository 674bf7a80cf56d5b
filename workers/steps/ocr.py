"""The OCR steps: a scan split into pages, each page read by a task of its own, then joined.

    ocr.file     -> a scan: store its pages, queue one ocr.page each  (ocr queue)
                    (a text PDF or a degenerate image: read here, as extract.file)
    ocr.page     -> OCR one page; its JSON to the store; the last one
                    queues the join                                   (ocr queue)
    ocr.assemble -> join the pages, locate, check; keep the result    (extract queue)

The pages are joined without a Celery chord: each page, once its JSON is stored, counts the
pages stored and moves the row's progress up with one conditional UPDATE; the page whose UPDATE
takes the progress to P_PAGES_DONE writes the join's outbox row in that same transaction.  Only
one UPDATE can do that (the row's lock orders them, and the second finds the progress already
there), so the join is queued exactly once, through the outbox like every other step, and no
result backend, result table or `chord_unlock` polling is needed.
"""
from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import update

from dossier.campaigns import get_campaign
from dossier.formats import MEDIA_TYPES
from dossier.task_names import ASSEMBLE, OCR_PAGE
from storage.models import FileState, StoredFile
from storage.objects import ObjectNotFound, derived_key
from workers.extract.limits import check_file
from workers.extract.readers import ReadContext, ReadError
from workers.leases import release, renewing
from workers.results import ExtractResult, FileInfo

from .extract import local_copy, read_context, read_local, unreadable
from .files import (P_EXTRACTING, P_PAGES_DONE, Claim, attempt, begin, load_file, queue,
                    record)
from .outcomes import Outcome, PageRef, PageResult
from ..runtime import Runtime

log = logging.getLogger(__name__)

MSG_PAGE_TIMEOUT = "这一页识别超时，请重新扫描这一页（分辨率不要过高）"
MSG_PAGE_FAILED = "页面识别出错，请重新扫描这一页"
MSG_PAGE_TOO_MANY = "这一页多次识别均未成功，请重新扫描这一页"

# ------------------------------------------------------------------ split

def _needs_page_ocr(path: Path, ctx: ReadContext) -> bool:
    """Scans and photos are OCR'd page by page; a PDF only when it has no text layer
    (the text-PDF reader decides, so that both paths agree)."""
    if ctx.format != "pdf":
        return True
    from workers.extract.pdf import needs_ocr   # its ReadError never hidden by pdfplumber (fuzz)
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
        refs.append((pp.page, ctx.save_derived(f"pages/{pp.page}.png", to_png(pp.load(), pp.two_up))))
        pp.image = None            # free the page before rendering the next one
    return refs


def _split(rt: Runtime, claim: Claim) -> ExtractResult | list[PageRef]:
    """The scan's stored pages, or the file's result when it is read in this task."""
    row = claim.row
    campaign = get_campaign(claim.campaign_id)
    ctx = read_context(rt, row)
    with local_copy(rt.store, row.object_key, row.name) as path:
        # a 1×1 or strip image is answered in this task (form.unrecognised), never fanned out
        if not _needs_page_ocr(path, ctx) or _degenerate(path, ctx):
            return read_local(rt, path, campaign, row, ctx)
        try:
            # the same limits as the one-task path, checked before any page is rendered
            check_file(path, ctx)
            pages = _store_pages(path, ctx)
        except ReadError as e:          # over the size, page or pixel limits, damaged
            return unreadable(row, campaign, e)
    # the join counts this split's pages: what an earlier split of these bytes left (a file an
    # operator retried, one split again after a stall) must not make it come early
    for page, _ in pages:
        rt.store.delete(page_json_key(row, page))
    return pages


def ocr_file(rt: Runtime, file_id: str, *,
             transient: tuple[type[BaseException], ...] = ()) -> Outcome:
    """A scan: store its pages and queue one `ocr.page` each.  A PDF with a text layer is
    extracted here in one task, as extract.file."""
    claim = begin(rt, file_id, processing=True)
    if isinstance(claim, Outcome):
        return claim
    with renewing(rt.sessions, file_id, rt.execution, rt.settings.file_lease_seconds):
        split = attempt(file_id, lambda: _split(rt, claim), transient)
    if not isinstance(split, list):
        return record(rt, file_id, split)
    with rt.session() as s:
        current = load_file(s, file_id, lock=True)
        if current is None or current.is_final:
            return Outcome(current.state if current else "gone")
        # in the pages' transaction: they count their progress against it, from the start
        # again (a file split again after a stall must reach P_PAGES_DONE again to be joined)
        current.pages = len(split)
        current.progress = P_EXTRACTING
        current.attempts = 0            # the join has attempts of its own
        release(current)
        rt.commit(s, [queue(s, OCR_PAGE, file_id, page, key) for page, key in split])
    log.info("file %s: %d page(s) sent to OCR", file_id, len(split))
    return Outcome("pages", next=(OCR_PAGE,) * len(split))


# ------------------------------------------------------------------ one page

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


def _load_rgb(data: bytes) -> tuple[Any, bool]:
    """The stored page and whether it is one half of a two-up sheet."""
    import numpy as np
    from PIL import Image

    from workers.extract.ocr_pages import png_two_up
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB")), png_two_up(im)


def _ocr_one(rt: Runtime, page: int, key: str) -> dict[str, Any]:
    import numpy as np
    from workers.extract.ocr_pages import to_png
    run = rt.ocr_page
    if run is None:
        from workers.extract.ocr_reader import ocr_page as run
    image, two_up = _load_rgb(rt.store.get(key))
    data, upright = run(image, page, rt.settings, two_up=two_up)
    if upright is not image and (upright.shape != image.shape or not np.array_equal(upright, image)):
        # the reviewer's page view shows the page as read: upright and straightened
        rt.store.put_bytes(key, to_png(upright, two_up))
    return data


def _read_page(rt: Runtime, row: StoredFile, page: int, key: str,
               transient: tuple[type[BaseException], ...]) -> dict[str, Any]:
    """The page's OCR JSON, or an error entry that the join turns into a finding."""
    if _page_attempt(rt, row, page) > rt.settings.task_max_attempts:
        return {"page": page, "error": "too many attempts", "message": MSG_PAGE_TOO_MANY}
    try:
        return _ocr_one(rt, page, key)
    except transient:
        raise
    except SoftTimeLimitExceeded:
        log.warning("file %s page %d: OCR ran past %ss", row.id, page,
                    rt.settings.ocr_page_time_limit)
        # "timeout": the error code the OCR reader's own page runner uses for the same case
        return {"page": page, "error": "timeout", "message": MSG_PAGE_TIMEOUT}
    except Exception as e:  # noqa: BLE001 - one bad page must not sink the file
        log.exception("file %s: OCR failed on page %d", row.id, page)
        return {"page": page, "error": f"{type(e).__name__}: {e}", "message": MSG_PAGE_FAILED}


def ocr_page(rt: Runtime, file_id: str, page: int, key: str, *,
             transient: tuple[type[BaseException], ...] = ()) -> Outcome:
    """OCR one stored page; its JSON goes to the store (`ocr/{page}.json`), and the last page
    read queues the join.

    A page that fails or runs out of time becomes an error entry that the join turns into a
    finding; the other pages still count."""
    with rt.session() as s:
        row = load_file(s, file_id)
        if row is None:
            return Outcome("gone")
        s.expunge(row)
    if row.is_final:          # a redelivery after the file was finished
        return Outcome(row.state)
    data = _read_page(rt, row, page, key, transient)
    rt.store.put_bytes(page_json_key(row, page), json.dumps(data, ensure_ascii=False).encode())
    if _count_page(rt, row):
        log.info("file %s: page %d was the last one read; join queued", file_id, page)
        return Outcome("read", next=(ASSEMBLE,))
    return Outcome("read")


def _count_page(rt: Runtime, row: StoredFile) -> bool:
    """Move the progress up to the pages stored so far, never backwards; True when this call
    took it to P_PAGES_DONE and so queued the join (exactly one call does)."""
    total = row.pages or 0
    if total <= 0:
        return False
    # one existence check per page (a stat, or a HEAD on S3): listing would walk a folder store
    done = sum(1 for n in range(1, total + 1) if rt.store.exists(page_json_key(row, n)))
    progress = P_EXTRACTING + (P_PAGES_DONE - P_EXTRACTING) * min(done, total) // total
    with rt.session() as s:
        # one conditional UPDATE: pages finishing together must not move it back, and only
        # one of them can be the one that reaches P_PAGES_DONE
        moved = s.execute(update(StoredFile)
                          .where(StoredFile.id == row.id,
                                 StoredFile.state == FileState.PROCESSING.value,
                                 StoredFile.progress < progress)
                          .values(progress=progress, updated_at=rt.clock())).rowcount
        last = bool(moved) and progress >= P_PAGES_DONE
        # the join reads the pages from the store (no list of results to hand it)
        rt.commit(s, [queue(s, ASSEMBLE, None, row.id)] if last else [])
    return last


# ------------------------------------------------------------------ join

def stored_pages(rt: Runtime, row: StoredFile) -> list[PageResult]:
    """The join's input read from the store: each page whose JSON is there."""
    return [{"page": n, "json": page_json_key(row, n),
             "image": derived_key(row.submission_id, f"{row.sha256}/pages/{n}.png")}
            for n in range(1, (row.pages or 0) + 1) if rt.store.exists(page_json_key(row, n))]


def _assemble(rt: Runtime, claim: Claim, pages: Sequence[PageResult] | None) -> ExtractResult:
    from workers.extract.ocr_reader import assemble
    from workers.extraction import result_of
    row = claim.row
    campaign = get_campaign(claim.campaign_id)
    ctx = read_context(rt, row)
    done = [p for p in (stored_pages(rt, row) if pages is None else pages) if p.get("json")]
    results = [json.loads(rt.store.get(str(p["json"]))) for p in done]
    doc = assemble(results, ctx, page_keys={int(p["page"]): p["image"] for p in done})
    info = FileInfo(name=row.name, sha256=row.sha256,
                    media_type=MEDIA_TYPES.get(row.format or "", row.media_type or ""),
                    pages=0, method="", size=row.size)
    return result_of(doc, campaign, info, ctx)


def ocr_assemble(rt: Runtime, file_id: str, pages: Sequence[PageResult] | None, *,
                 transient: tuple[type[BaseException], ...] = ()) -> Outcome:
    """Join the OCR'd pages: assemble the document, locate, check and record it as the
    one-task path does, then queue the submission check.  `pages` None: read them from the
    store (what the last page queues)."""
    # a second join (a redelivered ocr.file read its pages again) that finished first leaves
    # the file final
    claim = begin(rt, file_id)
    if isinstance(claim, Outcome):
        return claim
    with renewing(rt.sessions, file_id, rt.execution, rt.settings.file_lease_seconds):
        result = attempt(file_id, lambda: _assemble(rt, claim, pages), transient)
    return record(rt, file_id, result)

