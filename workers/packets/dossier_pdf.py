"""The dossier of one submission as one PDF: the generated pages, then the originals.

    gather (record.py) -> generated pages (pages.py) -> each original as pages
    (originals.py) -> merged with pypdf, a bookmark per section and per original

An original that cannot become pages gets a page that says so and is attached
to the PDF as an embedded file, so nothing the unit sent is left out.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from sqlalchemy.orm import Session

from dossier.campaigns import Campaign
from dossier.settings import Settings
from storage.models import StoredFile, utcnow
from storage.objects import ObjectNotFound, ObjectStore, derived_key, safe_ext

from workers.extract.convert import convert_to_pdf
from workers.extract.sniff import sniff

from .originals import Appended, WordToPdf, append_original
from .pages import SECTION_ORIGINALS, message_page, render_sections
from .record import SubmissionRecord, gather

log = logging.getLogger(__name__)


@dataclass
class Dossier:
    pdf: bytes
    record: SubmissionRecord
    generated_pages: int
    original_pages: dict[str, int] = field(default_factory=dict)   # file id -> pages appended
    not_converted: list[str] = field(default_factory=list)         # file ids attached instead

    @property
    def pages(self) -> int:
        return self.generated_pages + sum(self.original_pages.values())


def _appended(store: ObjectStore, row: StoredFile, settings: Settings,
              word_to_pdf: WordToPdf) -> tuple[Appended, bytes | None]:
    """The original's pages (and its bytes, kept for attaching when it cannot become pages)."""
    try:
        data = store.get(row.object_key)
    except ObjectNotFound:
        return Appended(None, "原件缺失", "这份原件已不在存储中，无法附入汇编，请联系管理员。",
                        f"object {row.object_key} missing"), None
    with tempfile.TemporaryDirectory(prefix="dossier-packet-") as tmp:
        # a plain name: the unit's file name is never used as a path
        path = Path(tmp) / f"original{safe_ext(row.name) or '.bin'}"
        path.write_bytes(data)
        # a file not ingested yet has no sniffed format: sniff it here, from its bytes
        fmt = row.format or sniff(path, row.name).format
        return append_original(path, fmt, settings, word_to_pdf=_printed_once(store, row, word_to_pdf)), data


def printed_key(row: StoredFile) -> str:
    """Where a Word original's PDF print is kept, beside its other derived files."""
    return derived_key(row.submission_id, f"{row.sha256}/printed.pdf")


def _printed_once(store: ObjectStore, row: StoredFile, word_to_pdf: WordToPdf) -> WordToPdf:
    """LibreOffice's print of a Word original, made once and kept: the original's bytes never
    change (it is stored under its sha256), and printing costs about a second a file, the
    most of a dossier's time, while a campaign's packets are built again and again."""
    key = printed_key(row)

    def printed(path: Path, settings: Settings, fmt: str | None) -> bytes:
        try:
            return store.get(key)
        except ObjectNotFound:
            pass
        pdf = word_to_pdf(path, settings, fmt)
        try:
            store.put_bytes(key, pdf, content_type="application/pdf")
        except Exception as e:  # noqa: BLE001 - a cache that cannot be written costs time, not the dossier
            log.warning("could not keep the print of %s: %s", row.id, e)
        return pdf
    return printed


def _page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def compile_dossier(session: Session, store: ObjectStore, settings: Settings, campaign: Campaign,
                    submission_id: str, *, now: dt.datetime | None = None,
                    word_to_pdf: WordToPdf = convert_to_pdf) -> Dossier:
    """Build the dossier PDF of one submission (KeyError when it is gone)."""
    compiled = now or utcnow()
    record = gather(session, campaign, submission_id)
    appended: list[tuple[StoredFile, Appended, bytes | None]] = []
    notes: dict[str, str] = {}
    for row in record.files:
        a, data = _appended(store, row, settings, word_to_pdf)
        appended.append((row, a, data))
        notes[row.id] = f"{a.how}，{_page_count(a.pdf)} 页" if a.pdf else f"{a.how}（见说明页，原件作为附件嵌入）"
        if a.pdf is None:
            log.warning("submission %s: original %s not appended: %s", submission_id, row.id, a.detail)
    font = settings.packet_font
    generated, marks = render_sections(record, compiled, notes=notes, font_path=font)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(generated)), import_outline=False)
    n_generated = len(writer.pages)
    parents = {}
    for title, page in marks:
        parents[title] = writer.add_outline_item(title=title, page_number=page)
    dossier = Dossier(pdf=b"", record=record, generated_pages=n_generated)
    for i, (row, a, data) in enumerate(appended, start=1):
        start = len(writer.pages)
        pdf = a.pdf
        if pdf is None:
            pdf = message_page(f"原件 {i}：{row.name}", [a.note, f"文件名：{row.name}",
                                                       f"大小：{row.size} 字节", f"SHA-256：{row.sha256}"],
                               font_path=font)
            if data is not None:
                writer.add_attachment(row.name, data)
            dossier.not_converted.append(row.id)
        writer.append(PdfReader(io.BytesIO(pdf)), import_outline=False)
        dossier.original_pages[row.id] = len(writer.pages) - start
        writer.add_outline_item(title=f"原件 {i}：{row.name}", page_number=start,
                                parent=parents.get(SECTION_ORIGINALS))
    writer.add_metadata({"/Title": f"{record.organisation} · {campaign.title}", "/Creator": "dossier"})
    buf = io.BytesIO()
    writer.write(buf)
    dossier.pdf = buf.getvalue()
    return dossier


def failure_pdf(organisation: str, submission_id: str, reason: str, *, font_path: str = "") -> bytes:
    """The page that stands in for a dossier that could not be compiled."""
    return message_page(f"{organisation}：申报材料汇编未能生成",
                        [f"申报编号：{submission_id}", f"原因：{reason}",
                         "其他申报的汇编不受影响。请联系管理员处理后重新生成。"], font_path=font_path)
