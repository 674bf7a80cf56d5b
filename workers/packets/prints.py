"""Word originals printed to PDF as soon as they are read, on the packets queue.

A dossier appends each Word original as LibreOffice prints it, about a second a
file: most of a packet build's time.  The print is kept beside the original
(`printed_key`), so doing it when the file is read, in the background on the
packets queue, leaves a campaign's first build only the fast work.  A print
that fails here is not an error: the build tries again and says why.
"""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from dossier.settings import Settings
from dossier.task_names import PACKET_PRINT
from storage.models import StoredFile
from storage.objects import ObjectNotFound, ObjectStore, safe_ext
from workers.extract.convert import WORD_FORMATS, ConvertError, convert_to_pdf

from .dossier_pdf import printed_key
from .originals import WordToPdf

log = logging.getLogger(__name__)

TOPIC = PACKET_PRINT


def needs_print(fmt: str | None) -> bool:
    return fmt in WORD_FORMATS


def print_original(session_factory: Callable[[], Session], store: ObjectStore, settings: Settings,
                   file_id: str, *, word_to_pdf: WordToPdf = convert_to_pdf) -> str:
    """Print one Word original and keep the PDF; returns printed, kept (already there), skipped
    (not a Word file), unprintable, or gone."""
    with session_factory() as s:
        row = s.get(StoredFile, file_id)
        if row is None:
            return "gone"
        if not needs_print(row.format):
            return "skipped"
        key, fmt, name, object_key = printed_key(row), row.format, row.name, row.object_key
    if store.exists(key):
        return "kept"
    try:
        data = store.get(object_key)
    except ObjectNotFound:
        return "gone"
    with tempfile.TemporaryDirectory(prefix="dossier-print-") as tmp:
        path = Path(tmp) / f"original{safe_ext(name) or '.docx'}"
        path.write_bytes(data)
        try:
            pdf = word_to_pdf(path, settings, fmt)
        except ConvertError as e:
            log.warning("file %s could not be printed ahead of its packet: %s", file_id, e)
            return "unprintable"
    store.put_bytes(key, pdf, content_type="application/pdf")
    log.info("file %s printed for its packet (%d bytes)", file_id, len(pdf))
    return "printed"
