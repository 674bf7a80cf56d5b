"""`extract.file`: read a Word or text file, locate its fields, check it, keep the result.

    queued -> processing -> done (its findings; a ReadError is a finding too)
                         -> failed (parked: any other failure; the original is kept)

Also the reading helpers the OCR steps share: the original in a private temp folder, the read
context whose derived files go under the original's sha256, an unreadable file's result.
"""
from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from dossier.campaigns import Campaign, get_campaign
from storage.models import StoredFile
from storage.objects import ObjectStore, derived_key, safe_ext
from workers.extract.readers import ReadContext, ReadError
from workers.leases import renewing
from workers.results import ExtractResult, FileInfo, Finding

from .files import Claim, attempt, begin, record
from .outcomes import Outcome
from ..runtime import Runtime


@contextlib.contextmanager
def local_copy(store: ObjectStore, key: str, name: str) -> Iterator[Path]:
    """The object in a private temp folder, named like the upload's extension."""
    with tempfile.TemporaryDirectory(prefix="dossier-") as tmp:
        path = Path(tmp) / f"original{safe_ext(name)}"
        with store.open(key) as src, path.open("wb") as out:
            while chunk := src.read(1024 * 1024):
                out.write(chunk)
        yield path


def _save_derived(rt: Runtime, row: StoredFile) -> Callable[[str, bytes], str]:
    def save(rel_name: str, data: bytes) -> str:
        # under the original's sha256: derived files belong to those bytes, not to a row
        key = derived_key(row.submission_id, f"{row.sha256}/{rel_name}")
        rt.store.put_bytes(key, data)
        return key
    return save


def read_context(rt: Runtime, row: StoredFile) -> ReadContext:
    return ReadContext(name=row.name, format=row.format or "unknown", settings=rt.settings,
                       save_derived=_save_derived(rt, row))


def unreadable(row: StoredFile, campaign: Campaign, err: ReadError) -> ExtractResult:
    """The result of a file that cannot be read: its finding (file.unreadable, …), no documents."""
    info = FileInfo(name=row.name, sha256=row.sha256, media_type=row.media_type, pages=0,
                    method="", size=row.size)
    return ExtractResult(campaign=campaign.id, file=info, readable=False, error=err.detail,
                         findings=[Finding(code=err.code, severity="error", field=None,
                                           message=err.message)])


def read_local(rt: Runtime, path: Path, campaign: Campaign, row: StoredFile,
               ctx: ReadContext) -> ExtractResult:
    """Read the local copy with the Runtime's extractor; a ReadError is the file's finding."""
    extract = rt.extract
    if extract is None:
        # imported here so that an ingest-only worker never loads the readers
        from workers.extraction import extract_file as extract
    try:
        return extract(path, campaign, name=row.name, ctx=ctx)
    except ReadError as e:
        return unreadable(row, campaign, e)


def _read(rt: Runtime, claim: Claim) -> ExtractResult:
    campaign = get_campaign(claim.campaign_id)
    with local_copy(rt.store, claim.row.object_key, claim.row.name) as path:
        return read_local(rt, path, campaign, claim.row, read_context(rt, claim.row))


def extract_file(rt: Runtime, file_id: str, *,
                 transient: tuple[type[BaseException], ...] = ()) -> Outcome:
    """Read the original, extract and check it, store the result JSON and its findings.

    `transient` errors propagate (the task waits them out, the file stays processing); a
    ReadError becomes the file's findings (state done); any other failure parks the file as
    failed with its error, original kept.
    """
    claim = begin(rt, file_id, processing=True)
    if isinstance(claim, Outcome):
        return claim
    with renewing(rt.sessions, file_id, rt.execution, rt.settings.file_lease_seconds):
        result = attempt(file_id, lambda: _read(rt, claim), transient)
    return record(rt, file_id, result)
