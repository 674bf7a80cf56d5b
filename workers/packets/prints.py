"""Word originals printed to PDF as soon as they are read, on the packets queue.

A dossier appends each Word original as LibreOffice prints it, about a second a
file: most of a packet build's time.  The print is kept beside the original
(`printed_key`), so doing it when the file is read, in the background on the
packets queue, leaves a campaign's first build only the fast work.  A print
that fails here is not an error: the build tries again and says why.

The desk shows a Word original as the pages of this print, so the print's text
layer is read here too: where each value of the file lies on the printed pages
(print_boxes.py), kept beside the print for the desk's boxes.
"""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from dossier.campaigns import CampaignError, get_campaign
from dossier.settings import Settings
from dossier.task_names import PACKET_PRINT
from storage.models import StoredFile
from storage.objects import ObjectNotFound, ObjectStore, safe_ext
from workers.extract.convert import WORD_FORMATS, ConvertError, convert_to_pdf

from . import print_boxes
from .dossier_pdf import printed_key
from .originals import WordToPdf

log = logging.getLogger(__name__)

TOPIC = PACKET_PRINT


def needs_print(fmt: str | None) -> bool:
    return fmt in WORD_FORMATS


def print_original(session_factory: Callable[[], Session], store: ObjectStore, settings: Settings,
                   file_id: str, *, word_to_pdf: WordToPdf = convert_to_pdf) -> str:
    """Print one Word original and keep the PDF and its values' boxes; returns printed, kept
    (already there), skipped (not a Word file), unprintable, or gone."""
    with session_factory() as s:
        row = s.get(StoredFile, file_id)
        if row is None:
            return "gone"
        if not needs_print(row.format):
            return "skipped"
        key, fmt, name, object_key = printed_key(row), row.format, row.name, row.object_key
        labels = _labels((row.result or {}).get("campaign") or row.submission.campaign_id)
    if store.exists(key):
        # a print the packet build made has no boxes yet: the desk needs them all the same
        if not store.exists(print_boxes.print_boxes_key(row)):
            _keep_boxes(store, row, store.get(key), labels)
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
    _keep_boxes(store, row, pdf, labels)
    return "printed"


def _labels(campaign_id: str | None) -> Callable[[str], tuple[str, ...]]:
    try:
        campaign = get_campaign(campaign_id or "")
    except CampaignError:     # a campaign since removed: values are placed without labels
        campaign = None
    return print_boxes.campaign_labels(campaign)


def _keep_boxes(store: ObjectStore, row: StoredFile, pdf: bytes, labels: Callable[[str], tuple[str, ...]]) -> None:
    """The boxes are a help to the reviewer, not the print: a text layer pdfplumber cannot read
    leaves the pages without boxes, never the print undone or retried."""
    if not row.result:      # not read yet: nothing to place (reading queues the print again)
        return
    try:
        boxes = print_boxes.record(store, row, pdf, labels)
    except Exception:   # noqa: BLE001 (pdfminer raises many kinds on a malformed text layer)
        log.warning("file %s: the print's text layer could not be read; its pages have no boxes",
                    row.id, exc_info=True)
        return
    log.info("file %s: %d of its values placed on its print", row.id, len(boxes["fields"]))
