"""A seal stamped just beside the line that asks for it counts for that line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier.campaigns import get_campaign
from workers.extract.model import Box, Document, Paragraph, Picture
from workers.forms.locate import Found, LocatedDocument
from workers.forms.seal_nearby import adopt_nearby_seals

YUEYANG = get_campaign("yueyang-2017")
LINE = Box(90, 120, 490, 131)          # 申报单位：岳阳市司法局（盖公章）  申报日期：…


def _located(doc: Document) -> LocatedDocument:
    line = doc.blocks[0]
    found = Found(raw="岳阳市司法局（盖公章）", page=1, box=line.box, label="申报单位")
    return LocatedDocument(spec=YUEYANG.document("application_form"), values={"applicant_unit": found})


def _doc(*seals: Box) -> Document:
    return Document(blocks=[Paragraph("申报单位：岳阳市司法局（盖公章）", page=1, box=LINE)],
                    pictures=[Picture(page=1, box=b, kind="picture", placement="anchor") for b in seals])


class TestAdopt:
    @pytest.mark.parametrize("seal", [Box(99, 136, 170, 207), Box(99, 60, 170, 118), Box(400, 100, 470, 171)])
    def test_seal_just_beside_the_line(self, seal: Box) -> None:
        """Under, above or across the line, within half its height: the line's seal."""
        doc = _doc(seal)
        located = _located(doc)
        assert adopt_nearby_seals(doc, [located]) == 1
        assert located.values["applicant_unit"].pictures == doc.pictures

    @pytest.mark.parametrize("seal", [Box(99, 300, 170, 371), Box(500, 136, 570, 207)])
    def test_seal_elsewhere_is_not_taken(self, seal: Box) -> None:
        """A seal far below, or beside the line's end and not over it, is not this line's."""
        doc = _doc(seal)
        located = _located(doc)
        assert adopt_nearby_seals(doc, [located]) == 0
        assert located.values["applicant_unit"].pictures == []

    def test_nearest_of_two(self) -> None:
        """Of two seals near the line, the nearer one is taken, once."""
        near, far = Box(99, 133, 170, 204), Box(300, 160, 371, 231)
        doc = _doc(far, near)
        located = _located(doc)
        adopt_nearby_seals(doc, [located])
        assert [p.box for p in located.values["applicant_unit"].pictures] == [near]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_printed_form_keeps_its_seals(tmp_path: Path) -> None:
    """GIVEN a stamped 申报表 in Word printed to PDF (its 公章 just under the 申报单位 line) WHEN it is
    extracted THEN no seal is reported missing."""
    from tests import form_shapes as fs
    from tests.office import soffice_convert
    from workers.extraction import extract_file
    form = fs.yueyang()
    pdf = soffice_convert(fs.write_docx(tmp_path / "申报表.docx", form, fs.Shape()), "pdf", tmp_path)
    codes = {(f.code, f.field) for f in extract_file(pdf, YUEYANG).findings}
    assert not {c for c in codes if c[0] == "seal.missing"}
