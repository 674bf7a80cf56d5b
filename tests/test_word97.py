"""Word 97 (.doc/.wps) reader: the binary's tables, merges, seals, pages; conversion kept."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier.settings import Settings
from workers.extract.model import Document, Table
from workers.extract.readers import ReadContext, ReadError
from workers.extract.word.word97 import read_word97
from workers.extract.word.word97_binary import Para, RowDef, read_word97_text
from workers.extract.word.word97_model import build_blocks
from tests.edges import jinhua_form_docx
from tests.office import soffice_convert

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
HAVE_SOFFICE = shutil.which("soffice") is not None


def sample(name: str) -> Path:
    p = SAMPLES / name
    if not p.exists():
        pytest.skip(f"sample {name} not available")
    return p


def ctx(fmt: str = "doc", saved: dict | None = None, **settings) -> ReadContext:
    def save(name: str, data: bytes) -> str:
        assert saved is not None
        saved[name] = data
        return f"derived/{name}"
    return ReadContext(name="x." + fmt, format=fmt, settings=Settings(**settings),
                       save_derived=save if saved is not None else None)


def cell_with(doc: Document, text: str):
    for t in doc.tables():
        for c in t.cells:
            if text in "".join(c.text.split()):
                return t, c
    raise AssertionError(f"no cell with {text!r}")


def right_of(table: Table, cell):
    return table.at(cell.row, cell.col + cell.colspan)


def binary_doc(name: str) -> Document:
    """The model from the binary alone (no LibreOffice): fast."""
    blocks, pages = build_blocks(read_word97_text(str(sample(name))).paras)
    return Document(blocks=blocks, pages=pages, method="converted")


class TestModelBuilding:
    def row(self, *texts: str, centers=None, vert=None) -> list[Para]:
        cells = [Para(t, "\x07", 0, in_table=True, itap=1) for t in texts]
        n = len(texts)
        rd = RowDef(centers or [i * 1000 for i in range(n + 1)], vert or [0] * n, [0] * n)
        return cells + [Para("", "\x07", 0, in_table=True, ttp=True, itap=1, row=rd)]

    def test_vertical_merge_and_colspan(self):
        """A continuation cell makes the cell above taller; wide cells span grid columns."""
        paras = self.row("组织", "姓名", "张三", vert=[3, 0, 0])
        paras += self.row("", "民族", "汉族", vert=[1, 0, 0])
        paras += self.row("备注", "很长的说明", centers=[0, 1000, 3000])
        (table,), _ = build_blocks(paras)
        assert table.at(1, 0).text == "组织" and table.at(0, 0).rowspan == 2
        assert table.at(2, 1).colspan == 2 and table.at(2, 2).text == "很长的说明"

    def test_fields_pictures_breaks(self):
        """Field codes give their result, \\x08 a seal picture, \\x0c a new page, \\x0b a line break."""
        paras = [Para("日期：\x13 DATE \\@ \"yyyy\" \x142015\x15年", "\r", 0),
                 Para("申报单位（盖公章）\x08", "\r", 0),
                 Para("\x0c第二页\x0b第二行", "\r", 0)]
        blocks, pages = build_blocks(paras)
        assert [b.text for b in blocks] == ["日期：2015年", "申报单位（盖公章）", "第二页\n第二行"]
        assert len(blocks[1].pictures) == 1 and blocks[1].pictures[0].placement == "anchor"
        assert blocks[2].page == 2 and pages == 2

    def test_page_break_before(self):
        """A paragraph that starts a page (页前分页) is on the next page."""
        paras = [Para("表", "\r", 0), Para("附页", "\r", 0, page_break_before=True)]
        blocks, pages = build_blocks(paras)
        assert [b.page for b in blocks] == [1, 2] and pages == 2


class TestBinarySamples:
    def test_form_wps_fullwidth(self):
        """The .wps 推荐表: LibreOffice flattens this table, the binary keeps it."""
        doc = binary_doc("jinhua_form_wps_fullwidth.wps")
        t, c = cell_with(doc, "党组织书记情况")
        assert c.rowspan == 3
        t, c = cell_with(doc, "入党时间")
        assert right_of(t, c).text == "１９６６年５月"
        t, c = cell_with(doc, "呈报单位党组织意见")
        opinion = right_of(t, c)
        assert opinion.paragraphs[0] == "经公示无异议，同意推荐。"
        assert opinion.pictures == []                  # this file has no seal
        assert "２０１５年１１月２日" in opinion.paragraphs

    def test_form_with_appendix(self):
        """The .doc with 见附页: the seal is in the opinion cell, the narrative on page 2."""
        doc = binary_doc("jinhua_form_appendix_star3.doc")
        t, c = cell_with(doc, "呈报单位党组织意见")
        assert len(right_of(t, c).pictures) == 1
        assert right_of(t, c).page == 1
        t, c = cell_with(doc, "评定星级")
        assert right_of(t, c).text == "三星级"
        narrative = [p for p in doc.paragraphs() if p.page == 2 and p.text.strip()]
        assert narrative[0].text.endswith("事迹材料") and doc.pages == 2

    def test_score_sheet(self):
        """The 评分细则: group cells span their items' rows; scores in the 自评分 column."""
        doc = binary_doc("yueyang_sheet_wps.wps")
        (table,) = list(doc.tables())
        header = {c.text.replace("\n", ""): c.col for c in table.rows()[0]}
        assert table.at(1, 0).rowspan == 6 and table.at(1, 0).text.startswith("1、")
        groups = [c for c in table.cells if c.col == 0 and c.rowspan > 1]
        assert len(groups) == 6
        assert table.at(4, header["自评分"]).text == "3.5"

    def test_sheet_and_form(self):
        """The .doc with 申报表 then 评分细则: seal on the 申报单位 line and in the opinion cell."""
        doc = binary_doc("yueyang_app_sheet_doc.doc")
        line = next(p for p in doc.paragraphs() if p.text.startswith("申报单位"))
        assert len(line.pictures) == 1
        t, c = cell_with(doc, "联络人姓名及职务")
        assert right_of(t, c).paragraphs == ["薛斌", "政工科科长", "0730-8553929"]
        tables = list(doc.tables())
        assert len(tables) == 2 and tables[1].page == 2


class TestBadInput:
    def test_text_file_named_doc(self, tmp_path):
        """A text file renamed .doc is unreadable, without asking LibreOffice."""
        p = tmp_path / "a.doc"
        p.write_text("这不是 Word 文件", encoding="utf-8")
        with pytest.raises(ReadError) as e:
            read_word97(p, ctx())
        assert e.value.code == "file.unreadable"

    def test_damaged_compound_file(self, tmp_path):
        """A Word file cut short is unreadable."""
        p = tmp_path / "a.doc"
        p.write_bytes(sample("yueyang_sheet_wps.wps").read_bytes()[:1500])
        with pytest.raises(ReadError) as e:
            read_word97(p, ctx())
        assert e.value.code == "file.unreadable"


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice not installed")
def test_a_wedged_libreoffice_does_not_hold_up_a_read_binary(tmp_path, monkeypatch, caplog):
    """The binary read the file: LibreOffice's cross-check is waited `convert_check_timeout`,
    not the full conversion limit, and the reading comes back from the binary."""
    import logging
    import time

    from workers.extract import convert

    wedged = tmp_path / "soffice"
    wedged.write_text("#!/bin/sh\nsleep 120\n")
    wedged.chmod(0o755)
    src = tmp_path / "推荐表.docx"
    src.write_bytes(jinhua_form_docx())
    doc_file = soffice_convert(src, "doc", tmp_path)        # the real LibreOffice makes the .doc
    monkeypatch.setattr(convert, "soffice_binary", lambda: str(wedged))
    t0 = time.monotonic()
    with caplog.at_level(logging.WARNING):     # whatever level an earlier test left the root at
        doc = read_word97(doc_file, ctx(convert_timeout=120, convert_check_timeout=1))
    assert time.monotonic() - t0 < 30
    assert doc.method == "converted" and any(t.nrows > 5 for t in doc.tables())
    assert "timed out after 1s" in caplog.text


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice not installed")
class TestConverted:
    def test_keeps_converted_docx(self):
        """read_word97 reports `converted`, stores the .docx and keeps the binary's tables."""
        saved: dict[str, bytes] = {}
        doc = read_word97(sample("yueyang_sheet_wps.wps"), ctx("wps", saved))
        assert doc.method == "converted"
        assert saved["converted.docx"][:2] == b"PK"
        (table,) = list(doc.tables())
        assert table.nrows == 30

    def test_generated_doc(self, tmp_path):
        """A .doc written by LibreOffice from a python-docx table reads back with its merges."""
        import docx

        d = docx.Document()
        d.add_paragraph("填报单位：测试")
        t = d.add_table(rows=3, cols=3)
        t.cell(0, 0).text = "党组织名称"
        t.cell(0, 1).merge(t.cell(0, 2)).text = "中共测试支部委员会"
        t.cell(1, 0).merge(t.cell(2, 0)).text = "书记"
        t.cell(1, 1).text = "姓名"
        t.cell(1, 2).text = "张三"
        t.cell(2, 1).text = "民族"
        t.cell(2, 2).text = "汉族"
        src = tmp_path / "t.docx"
        d.save(src)
        soffice_convert(src, "doc", tmp_path)
        doc = read_word97(tmp_path / "t.doc", ctx())
        table = next(doc.tables())
        name = next(c for c in table.cells if c.text == "党组织名称")
        assert right_of(table, name).text == "中共测试支部委员会" and right_of(table, name).colspan == 2
        sec = next(c for c in table.cells if c.text == "书记")
        assert sec.rowspan == 2
        assert table.at(2, 2).text == "汉族"
