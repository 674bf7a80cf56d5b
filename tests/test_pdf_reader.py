"""Text PDF reader: grids, text, seals, scans handed to OCR, bad files."""
from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path

import pytest

from dossier.settings import Settings
from workers.extract.model import Box, Document, Paragraph, Table
from workers.extract.pdf_layout import Edge, TextLine, build_grid, find_grids, paragraphs
from workers.extract.pdf_reader import read_pdf
from workers.extract.readers import ReadContext, ReadError
from tests.office import soffice_convert

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


def sample(name: str) -> Path:
    p = SAMPLES / name
    if not p.exists():
        pytest.skip(f"sample {name} not available")
    return p


def ctx(**settings) -> ReadContext:
    return ReadContext(name="x.pdf", format="pdf", settings=Settings(**settings))


def cell_with(doc: Document, text: str):
    for t in doc.tables():
        for c in t.cells:
            if text in "".join(c.text.split()):
                return t, c
    raise AssertionError(f"no cell with {text!r}")


def right_of(table: Table, cell):
    return table.at(cell.row, cell.col + cell.colspan)


# -- hand-made PDFs -------------------------------------------------------------

def make_pdf(objects: list[str], trailer_extra: str = "") -> bytes:
    """A minimal PDF with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for o in offsets:
        out += f"{o:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer_extra}>>\n"
            f"startxref\n{xref}\n%%EOF\n").encode("latin-1")
    return bytes(out)


BLANK_PAGE = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]


class TestLayout:
    def test_merged_cells_from_missing_borders(self):
        """A cell whose inner border is not drawn spans the grid columns/rows it covers."""
        # 3x2 grid; the middle vertical line stops after the first row
        edges = [Edge("h", y, 0, 200) for y in (0, 20, 40)]
        edges += [Edge("v", 0, 0, 40), Edge("v", 200, 0, 40), Edge("v", 100, 0, 20),
                  Edge("v", 150, 0, 40)]
        g = build_grid(edges)
        assert g is not None
        spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in g.cells}
        assert spans[(1, 0)] == (1, 2)          # no border at x=100 in row 1
        assert spans[(0, 0)] == (1, 1) and spans[(0, 2)] == (1, 1)

    def test_vertical_merge(self):
        """A missing horizontal border joins cells vertically."""
        edges = [Edge("h", 0, 0, 100), Edge("h", 20, 50, 100), Edge("h", 40, 0, 100),
                 Edge("v", 0, 0, 40), Edge("v", 50, 0, 40), Edge("v", 100, 0, 40)]
        g = build_grid(edges)
        spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in g.cells}
        assert spans[(0, 0)] == (2, 1)
        assert spans[(0, 1)] == (1, 1) and spans[(1, 1)] == (1, 1)

    def test_lone_underline_and_frame_are_not_tables(self):
        """A fill-in underline or a box around text makes no table."""
        assert find_grids([Edge("h", 100, 50, 300)]) == []
        frame = [Edge("h", 0, 0, 100), Edge("h", 50, 0, 100), Edge("v", 0, 0, 50), Edge("v", 100, 0, 50)]
        assert find_grids(frame) == []

    def test_cjk_joined_without_spaces(self):
        """Chinese characters join without spaces; a wide gap between fields keeps them apart."""
        def ch(t, x):
            return {"text": t, "x0": x, "x1": x + 10, "top": 0, "bottom": 10, "size": 10}
        line = TextLine([ch("党", 0), ch("员", 11), ch("2", 24), ch("名", 31), ch("编", 80)], 0, 10)
        assert line.text() == "党员2名    编"

    def test_wrapped_lines_make_one_paragraph(self):
        """Lines running to the right edge continue; an indented line starts a new paragraph."""
        def ln(x0, x1, top):
            return TextLine([{"text": "字", "x0": x0, "x1": x1, "top": top, "bottom": top + 10, "size": 10}],
                            top, top + 10)
        paras = paragraphs([ln(20, 200, 0), ln(0, 200, 12), ln(0, 80, 24), ln(20, 200, 36)], 0, 200)
        assert [len(p.lines) for p in paras] == [3, 1]


    def test_typed_space_between_chinese_characters(self):
        """Nothing sets a gap between two Chinese characters but a typed space: a cell's parts
        (name, title) stay apart; the autospace beside a digit is no space."""
        def ch(t, x):
            return {"text": t, "x0": x, "x1": x + 10, "top": 0, "bottom": 10, "size": 10}
        line = TextLine([ch("阎", 0), ch("萍", 10), ch("办", 23.5), ch("主", 33.5), ch("任", 43.5),
                         ch("0", 56), ch("7", 66)], 0, 10)
        assert line.text() == "阎萍 办主任07"

    def test_rows_of_a_borderless_table_stay_lines(self):
        """Two lines of fields spaced into the same columns (a nested table drawn without borders)
        are two rows, however far right the first runs; a line of label fields that wraps joins
        the line it wraps onto."""
        def row(top, starts, right=200):
            chars = []
            for x in starts:
                chars += [{"text": "字", "x0": x, "x1": x + 10, "top": top, "bottom": top + 10, "size": 10},
                          {"text": "字", "x0": x + 10, "x1": x + 20, "top": top, "bottom": top + 10, "size": 10}]
            chars[-1]["x1"] = right
            return TextLine(chars, top, top + 10)
        table = paragraphs([row(0, [0, 60, 120]), row(12, [0, 60, 120])], 0, 200)
        assert [len(p.lines) for p in table] == [1, 1]
        wrapped = paragraphs([row(0, [0, 60, 120]), row(12, [0, 90])], 0, 200)
        assert [len(p.lines) for p in wrapped] == [2]


class TestSamples:
    def test_jinhua_form(self):
        """The 推荐表 PDF: labels beside values, merged cells, the seal in the opinion cell."""
        doc = read_pdf(sample("jinhua_form_pdf.pdf"), ctx())
        assert doc.method == "pdf-text" and doc.pages == 2
        t, c = cell_with(doc, "党组织名称")
        assert right_of(t, c).text == "中共金东区人民法院机关支部委员会"
        t, c = cell_with(doc, "党员人数")
        assert right_of(t, c).text == ""
        t, c = cell_with(doc, "党组织书记情况")
        assert c.rowspan == 3
        t, c = cell_with(doc, "入党时间")
        assert right_of(t, c).text == "1991-06"
        t, c = cell_with(doc, "呈报单位党组织意见")
        opinion = right_of(t, c)
        assert opinion.page == 2 and len(opinion.pictures) == 1
        assert opinion.paragraphs[0] == "情况属实，同意推荐。"
        assert "2015年10月28日" in opinion.paragraphs
        # the other opinion cells have no seal
        assert sum(len(c.pictures) for t in doc.tables() for c in t.cells) == 1
        first = [b for b in doc.blocks if isinstance(b, Paragraph)]
        assert first[2].text.startswith("填报单位：中共金华市金东区直属机关工作委员会")
        assert first[2].box is not None and first[2].page == 1

    def test_yueyang_seal_on_applicant_line(self):
        """A seal over the 申报单位 line belongs to that line, not the table cell below it."""
        doc = read_pdf(sample("yueyang_app_appendix_pdf.pdf"), ctx())
        line = next(p for p in doc.paragraphs() if p.text.startswith("申报单位"))
        assert len(line.pictures) == 1 and line.pictures[0].box is not None
        t, c = cell_with(doc, "推荐理由及意见")
        assert right_of(t, c).pictures == []
        assert doc.pages == 4
        # the 附页 material is free text on pages 2-4
        assert {p.page for p in doc.paragraphs()} >= {2, 3, 4}

    def test_narrative(self):
        """A narrative-only PDF is paragraphs in reading order, no tables."""
        doc = read_pdf(sample("jinhua_narrative_long.pdf"), ctx())
        assert list(doc.tables()) == []
        paras = list(doc.paragraphs())
        # the title's two halves are parted by a typed space (a space glyph in the PDF)
        assert paras[0].text == "打造“阳光财政”品牌 争创机关党建示范点"
        assert paras[2].text == "一、围绕中心定主题，凝心聚力谋发展"


class TestBadInput:
    def test_encrypted(self, tmp_path):
        """A PDF that needs a password is unreadable, and the message says why."""
        p = tmp_path / "enc.pdf"
        enc = BLANK_PAGE + ["<< /Filter /Standard /V 1 /R 2 /O <" + "11" * 32 + "> /U <" + "22" * 32
                            + "> /P -4 >>"]
        p.write_bytes(make_pdf(enc, "/Encrypt 4 0 R /ID [<" + "33" * 16 + "> <" + "33" * 16 + ">] "))
        with pytest.raises(ReadError) as e:
            read_pdf(p, ctx())
        assert e.value.code == "file.unreadable" and "密码" in e.value.message

    @pytest.mark.parametrize("data", [b"%PDF-1.4\n" + b"\x00garbage" * 100, None])
    def test_damaged(self, tmp_path, data):
        """Garbage or a truncated file is unreadable."""
        if data is None:
            data = sample("jinhua_form_pdf.pdf").read_bytes()[:3000]
        p = tmp_path / "bad.pdf"
        p.write_bytes(data)
        with pytest.raises(ReadError) as e:
            read_pdf(p, ctx())
        assert e.value.code == "file.unreadable" and "损坏" in e.value.message

    def test_too_many_pages(self):
        """More pages than max_pages is refused, with the limit in the message."""
        with pytest.raises(ReadError) as e:
            read_pdf(sample("jinhua_form_pdf.pdf"), ctx(max_pages=1))
        assert e.value.code == "file.unreadable" and "1 页" in e.value.message

    def test_scan_goes_to_ocr(self, tmp_path, monkeypatch):
        """A PDF without a text layer is read by the OCR reader."""
        p = tmp_path / "scan.pdf"
        p.write_bytes(make_pdf(BLANK_PAGE))
        fake = types.ModuleType("workers.extract.ocr_reader")
        fake.read_scanned_pdf = lambda path, c: Document(method="ocr")
        monkeypatch.setitem(sys.modules, "workers.extract.ocr_reader", fake)
        assert read_pdf(p, ctx()).method == "ocr"

    def test_scan_with_text_layer_goes_to_ocr(self, tmp_path, monkeypatch):
        """Text over a full-page image (a scan with an OCR layer) is read as a scan."""
        content = "q 595 0 0 842 0 0 cm /Im1 Do Q BT /F1 12 Tf 72 720 Td (Scanned page text layer) Tj ET"
        objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                "/Resources << /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >> >>",
                f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
                "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                "/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
        p = tmp_path / "sandwich.pdf"
        p.write_bytes(make_pdf(objs))
        fake = types.ModuleType("workers.extract.ocr_reader")
        fake.read_scanned_pdf = lambda path, c: Document(method="ocr")
        monkeypatch.setitem(sys.modules, "workers.extract.ocr_reader", fake)
        assert read_pdf(p, ctx()).method == "ocr"

    def test_scan_without_ocr_reader(self, tmp_path, monkeypatch):
        """Without an OCR reader a scan is reported as unsupported, in Chinese."""
        p = tmp_path / "scan.pdf"
        p.write_bytes(make_pdf(BLANK_PAGE))
        monkeypatch.setitem(sys.modules, "workers.extract.ocr_reader", None)
        with pytest.raises(ReadError) as e:
            read_pdf(p, ctx())
        assert e.value.code == "file.unsupported" and "扫描件" in e.value.message


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_generated_table_with_image(tmp_path):
    """A docx table exported to PDF by LibreOffice: merged cells and an image in its cell."""
    import docx
    from PIL import Image

    png = tmp_path / "seal.png"
    Image.new("RGB", (120, 120), (220, 30, 30)).save(png)
    d = docx.Document()
    d.add_paragraph("申报单位：测试单位")
    t = d.add_table(rows=3, cols=3)
    t.style = "Table Grid"
    t.cell(0, 0).text = "单位名称"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "岳阳市测试中心"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "意见"
    t.cell(1, 1).text = "同意。"
    t.cell(1, 1).add_paragraph().add_run().add_picture(str(png), width=docx.shared.Cm(2))
    t.cell(2, 1).text = "年 月 日"
    src = tmp_path / "t.docx"
    d.save(src)
    soffice_convert(src, "pdf", tmp_path)
    doc = read_pdf(tmp_path / "t.pdf", ctx())
    table = next(doc.tables())
    name = next(c for c in table.cells if c.text == "单位名称")
    assert right_of(table, name).text == "岳阳市测试中心" and right_of(table, name).colspan == 2
    opinion = next(c for c in table.cells if c.text == "意见")
    assert opinion.rowspan == 2
    agree = next(c for c in table.cells if c.text.startswith("同意"))
    assert len(agree.pictures) == 1
    assert isinstance(agree.box, Box)


class TestInvisibleBoxes:
    """A box's white background (an HTML page's placed box, a text frame, printed by LibreOffice as a
    rectangle filled white and not stroked) is nothing a person sees: no ruling, no table."""

    @staticmethod
    def _edge(**style: object) -> dict:
        return {"x0": 30.0, "x1": 120.0, "top": 90.0, "bottom": 90.0, **style}

    def test_white_fill_is_no_ruling(self) -> None:
        from workers.extract.pdf_layout import edges_from_plumber
        for colour in [(1.0, 1.0, 1.0), (1.0,), 1.0, (0.0, 0.0, 0.0, 0.0)]:
            assert edges_from_plumber([self._edge(stroke=False, fill=True, non_stroking_color=colour)], []) == []

    def test_drawn_rules_stay(self) -> None:
        """A stroked border, and a thin rectangle filled black (how rules are often drawn), are rulings."""
        from workers.extract.pdf_layout import edges_from_plumber
        kept = [self._edge(stroke=True, fill=False, non_stroking_color=(1.0, 1.0, 1.0)),
                self._edge(stroke=False, fill=True, non_stroking_color=(0.0,)),
                self._edge(stroke=False, fill=True, non_stroking_color=(0.0, 0.0, 0.0, 1.0)),
                self._edge()]
        assert len(edges_from_plumber(kept, [])) == 4
