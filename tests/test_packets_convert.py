"""The one packet test that pays for LibreOffice: a Word original printed to PDF pages inside the
dossier, and a damaged Word file that cannot be printed said so and attached."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from storage.db import make_sessionmaker
from storage.objects import open_store
from tests.docx_factory import yueyang_form
from tests.packet_scenario import upload
from tests.review_helpers import submission
from workers.extract.convert import soffice_binary
from workers.packets.dossier_pdf import compile_dossier

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(soffice_binary() is None, reason="LibreOffice (soffice) not installed")]


def test_word_original_is_printed_and_a_damaged_one_attached(settings: Settings, sqlite_engine: Engine,
                                                             tmp_path: Path) -> None:
    """GIVEN a 申报表 .docx and a damaged .doc WHEN the dossier is compiled with LibreOffice THEN the
    form's own text is on the appended pages, and the .doc gets a page saying it could not be
    converted, with the original embedded byte for byte."""
    sessions = make_sessionmaker(sqlite_engine)
    damaged = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00broken word file" * 64
    with sessions() as s:
        sid = submission(s, "yueyang-2017", "局机关党支部")
        form = upload(s, settings, sid, "申报表.docx", yueyang_form(tmp_path / "f.docx").read_bytes())
        bad = upload(s, settings, sid, "旧申报表.doc", damaged)
        d = compile_dossier(s, open_store(settings), settings, get_campaign("yueyang-2017"), sid)
    reader = PdfReader(io.BytesIO(d.pdf))
    assert d.original_pages[form] >= 1 and d.not_converted == [bad] and d.original_pages[bad] == 1
    printed = "\n".join(reader.pages[i].extract_text()
                        for i in range(d.generated_pages, d.generated_pages + d.original_pages[form]))
    assert "单位名称" in printed and "党组织类型" in printed
    assert "无法转换" in reader.pages[-1].extract_text()
    assert reader.attachments["旧申报表.doc"] == [damaged]
