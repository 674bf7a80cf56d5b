"""字数 by the contract's rule (what Word shows as 字数 for Chinese text)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import narrow_runs, spaces, wide_chars
from dossier.counting import count_chars, is_wide


class TestContractExamples:
    @pytest.mark.parametrize("text,expected", [
        ("2015年共发展党员12名。", 10),
        ("２０１５年", 5),
        ("“三会一课”", 6),
        ("Hello 世界", 3),
        ("党员 100% 参加", 5),
    ])
    def test_examples(self, text: str, expected: int) -> None:
        """The contract's worked examples count as it says."""
        assert count_chars(text) == expected

    def test_whitespace_counts_nothing(self) -> None:
        """Spaces, tabs, newlines, U+3000 and no-break spaces are not 字."""
        assert count_chars(" \t\n\u3000\u00a0") == 0

    def test_emoji_run_is_one(self) -> None:
        """An emoji run counts once, like a word."""
        assert count_chars("好😀😀好") == 3


class TestProperties:
    @given(st.lists(wide_chars, max_size=50))
    def test_each_wide_char_is_one(self, chars: list[str]) -> None:
        """Every wide character counts one, whatever is next to it."""
        assert count_chars("".join(chars)) == len(chars)

    @given(st.lists(narrow_runs, max_size=20), spaces)
    def test_each_separated_run_is_one(self, runs: list[str], sep: str) -> None:
        """Runs of other characters separated by whitespace count one each."""
        assert count_chars(sep.join(runs)) == len(runs)

    @given(st.lists(st.one_of(wide_chars, narrow_runs, spaces), max_size=40))
    def test_whitespace_never_adds(self, parts: list[str]) -> None:
        """Inserting whitespace next to a wide character never changes the count."""
        text = "".join(parts)
        spaced = "".join(p + " " if len(p) == 1 and is_wide(p) else p for p in parts)
        assert count_chars(spaced) == count_chars(text)

    @given(st.lists(st.one_of(wide_chars, narrow_runs, spaces), max_size=40),
           st.lists(st.one_of(wide_chars, narrow_runs, spaces), max_size=40))
    def test_additive_across_a_wide_char(self, a: list[str], b: list[str]) -> None:
        """Joining two texts at a wide character adds their counts."""
        left, right = "".join(a), "".join(b)
        assert count_chars(left + "党" + right) == count_chars(left) + 1 + count_chars(right)


# -- what is counted: the material, not the page around it ---------------------

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

from docx import Document as DocxDocument  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

from dossier.campaigns import get_campaign  # noqa: E402
from tests.docx_factory import narrative  # noqa: E402
from workers.extract.model import Box, Document, Paragraph  # noqa: E402
from workers.extraction import extract_file  # noqa: E402
from workers.forms.furniture import drop_page_furniture, is_page_number  # noqa: E402

BODY = [narrative(300, seed=s) for s in range(4)]


def _page_doc(pages: list[list[str]], *, height: float = 842.0, header: str | None = None,
              footer: str | None = None) -> Document:
    """A read document whose pages hold these paragraphs, with a header/footer line at the page edges
    ({n} is the page number, {total} the page count)."""
    doc = Document(pages=len(pages), method="pdf-text")
    for n, paras in enumerate(pages, start=1):
        doc.page_sizes[n] = (595.0, height)
        if header is not None:
            doc.blocks.append(Paragraph(header.format(n=n, total=len(pages)), page=n, box=Box(70, 30, 520, 42)))
        for k, text in enumerate(paras):
            y = 100 + k * 120
            doc.blocks.append(Paragraph(text, page=n, box=Box(70, y, 520, y + 100)))
        if footer is not None:
            doc.blocks.append(Paragraph(footer.format(n=n, total=len(pages)), page=n, box=Box(250, 800, 350, 812)))
    return doc


def _texts(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


class TestPageFurniture:
    @pytest.mark.parametrize("text", ["第 1 页 共 3 页", "- 2 -", "— 12 —", "一 3 一", "第二页", "第1页", "1/3", "共3页 第2页", "Page 2 of 3",
                                      "第２页"])
    def test_page_numbers(self, text: str) -> None:
        """Every way a page number is printed is recognised as one."""
        assert is_page_number(text)

    @pytest.mark.parametrize("text", ["2015年共发展党员12名。", "3.5%", "完成率达1/3以上", "第一党支部", "2015-11-6",
                                      "一心一意", "1988/11", "1996/ 10", "2017/4/20", "12/3"])
    def test_material_is_not_a_page_number(self, text: str) -> None:
        """Text of the material that holds numbers is not a page number, nor is a date written with a
        slash (入党时间 1988/11 as the last piece of an OCR line was taken off as page 1988 of 11)."""
        assert not is_page_number(text)

    @pytest.mark.parametrize("footer", ["第 {n} 页 共 {total} 页", "- {n} -", "{n}/{total}", "{n}"])
    def test_page_numbers_dropped(self, footer: str) -> None:
        """Page numbers at the foot of each page leave the document; the material stays whole."""
        doc = drop_page_furniture(_page_doc([BODY[:2], BODY[2:]], footer=footer))
        assert _texts(doc) == BODY

    def test_running_header_and_footer_dropped(self) -> None:
        """A header and a footer repeated on every page (with the page number in it) are furniture."""
        doc = drop_page_furniture(_page_doc([BODY[:2], BODY[2:3], BODY[3:]], header="中共某某局机关支部委员会",
                                            footer="某某局机关党建示范点创建材料 第{n}页"))
        assert _texts(doc) == BODY

    def test_header_misread_on_a_scan(self) -> None:
        """A running header OCR reads a little differently on each page is still the header."""
        doc = _page_doc([BODY[:2], BODY[2:3], BODY[3:]])
        for n, text in ((1, "中共某某市司法局机关支部委员会"), (2, "中共某某市司法局机关支部委员合"),
                        (3, "中共某某市司法屆机关支部委员会")):
            doc.blocks.insert(next(i for i, b in enumerate(doc.blocks) if b.page == n),
                              Paragraph(text, page=n, box=Box(70, 30, 520, 42)))
        assert _texts(drop_page_furniture(doc)) == BODY

    def test_header_without_geometry(self) -> None:
        """Where the reader knows no positions, the first and last lines of each page are the edges."""
        doc = _page_doc([BODY[:2], BODY[2:]], header="某某局党建工作材料", footer="第{n}页")
        for b in doc.blocks:
            b.box = None
        doc.page_sizes.clear()
        assert _texts(drop_page_furniture(doc)) == BODY

    def test_one_page_title_is_kept(self) -> None:
        """A line at the top of one page only (the material's title) is not a header."""
        doc = drop_page_furniture(_page_doc([["创建事迹介绍材料", *BODY[:2]], BODY[2:]]))
        assert _texts(doc)[0] == "创建事迹介绍材料"

    def test_repeated_line_in_the_middle_is_kept(self) -> None:
        """The same sentence on two pages, but not at their edges, is material."""
        same = "坚持“三会一课”制度。"
        doc = drop_page_furniture(_page_doc([[BODY[0], same, BODY[1]], [BODY[2], same, BODY[3]]]))
        assert _texts(doc).count(same) == 2

    def test_marked_by_the_reader(self) -> None:
        """A paragraph the reader took from a header or footer part goes, even on a one-page file."""
        doc = Document(blocks=[Paragraph("某某局机关党支部简报", source="header"), Paragraph(BODY[0]),
                               Paragraph("联系电话：0579-82469328", source="footer")])
        assert _texts(drop_page_furniture(doc)) == [BODY[0]]

    def test_footer_joined_to_the_last_line(self) -> None:
        """A page number that a reader joined to the last paragraph's lines is cut from it."""
        from workers.extract.model import Line
        p = Paragraph(BODY[0] + "- 1 -", page=1, box=Box(70, 700, 520, 812),
                      lines=[Line(BODY[0], 1, Box(70, 700, 520, 790)), Line("- 1 -", 1, Box(280, 800, 310, 812))])
        doc = drop_page_furniture(Document(blocks=[p], page_sizes={1: (595.0, 842.0)}))
        assert _texts(doc) == [BODY[0]]


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _add_footnote(d: DocxDocument, paragraph, text: str) -> None:
    """A footnote on `paragraph`, as Word writes one (footnotes part, separators, a reference run)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    xml = (f'<w:footnotes xmlns:w="{_W}">'
           '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
           '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
           '</w:footnote><w:footnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
           f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote></w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml", xml.encode(),
                d.part.package)
    d.part.relate_to(part, RT.FOOTNOTES)
    paragraph._p.append(parse_xml(f'<w:r xmlns:w="{_W}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                                  '<w:footnoteReference w:id="1"/></w:r>'))


def _narrative_docx(path: Path, paras: list[str], *, header: str, textbox: str | None = None,
                    footnote: str | None = None) -> Path:
    """A 创建事迹介绍材料 in Word with a running header, a 第 X 页 共 Y 页 footer and page breaks."""
    d = DocxDocument()
    section = d.sections[0]
    section.header.paragraphs[0].text = header
    foot = section.footer.paragraphs[0]
    for text, field in (("第 ", "PAGE"), (" 页 共 ", "NUMPAGES"), (" 页", None)):
        foot.add_run(text)
        if field:
            fld = OxmlElement("w:fldSimple")
            fld.set(qn("w:instr"), field)
            run = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.text = "1"
            run.append(t)
            fld.append(run)
            foot._p.append(fld)
    d.add_paragraph("创建事迹介绍材料")
    for k, text in enumerate(paras):
        para = d.add_paragraph(text)
        if k == 0 and footnote:
            _add_footnote(d, para, footnote)
        if k == 0 and textbox:
            # a box of the material's own text, as units set off a slogan or a figure
            from tests.form_shapes import _box_run, _p_xml
            d.add_paragraph()._p.append(_box_run(_p_xml(textbox), 1, 14.0, 2.0))
        if k % 2 == 1 and k + 1 < len(paras):
            d.add_page_break()
    d.save(path)
    return path


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
class TestCountsTheMaterialOnly:
    def test_header_footer_and_page_numbers_not_counted(self, tmp_path: Path) -> None:
        """GIVEN a narrative with a running header and 第 X 页 共 Y 页 on each page, as .docx and printed to PDF
        WHEN it is extracted THEN its 字数 is the material's alone, in both formats."""
        from tests.office import soffice_convert
        src = _narrative_docx(tmp_path / "材料.docx", BODY, header="中共某某局机关支部委员会")
        expected = count_chars("创建事迹介绍材料" + "".join(BODY))
        campaign = get_campaign("jinhua-2015")
        for path in (src, soffice_convert(src, "pdf", tmp_path)):
            result = extract_file(path, campaign)
            narratives = [d for d in result.documents if d.kind == "narrative"]
            assert narratives, f"{path.suffix}: no narrative found"
            assert narratives[0].counts["text"] == expected, path.suffix

    def test_text_box_in_the_material_counts(self, tmp_path: Path) -> None:
        """GIVEN a narrative with a text box of its own text WHEN extracted THEN the box's 字 count,
        as Word's 字数统计 counts text boxes by default."""
        from tests.office import soffice_convert
        box = "支部坚持“三会一课”制度，全年开展主题党日活动12次。"
        src = _narrative_docx(tmp_path / "材料.docx", BODY, header="中共某某局机关支部委员会", textbox=box)
        expected = count_chars("创建事迹介绍材料" + "".join(BODY) + box)
        campaign = get_campaign("jinhua-2015")
        for path in (src, soffice_convert(src, "pdf", tmp_path)):
            narratives = [d for d in extract_file(path, campaign).documents if d.kind == "narrative"]
            assert narratives and narratives[0].counts["text"] == expected, path.suffix

    @pytest.mark.parametrize("fmt", ["docx", "pdf"])
    def test_footnote_in_the_material_counts(self, tmp_path: Path, fmt: str) -> None:
        """GIVEN a narrative with a footnote WHEN extracted THEN the footnote's text counts, as Word's 字数统计
        counts footnotes by default (its reference mark and number may count one each)."""
        from tests.office import soffice_convert
        note = "三会一课指支部党员大会、支部委员会、党小组会和党课。"
        src = _narrative_docx(tmp_path / "材料.docx", BODY, header="中共某某局机关支部委员会", footnote=note)
        path = src if fmt == "docx" else soffice_convert(src, "pdf", tmp_path)
        base = count_chars("创建事迹介绍材料" + "".join(BODY) + note)
        narratives = [d for d in extract_file(path, get_campaign("jinhua-2015")).documents if d.kind == "narrative"]
        assert narratives and base <= narratives[0].counts["text"] <= base + 2


class TestFurnitureKeepsNumbersOfTheMaterial:
    def test_number_line_inside_an_edge_paragraph_is_kept(self) -> None:
        """A line that is only a number inside the last paragraph of a page (a figure on its own line)
        is the material's; only a paragraph that is nothing but the number is a page number."""
        text = "全年发展党员\n12\n名，均按程序办理。"
        doc = drop_page_furniture(_page_doc([[BODY[0], text], [BODY[1]]]))
        assert text in _texts(doc)
