"""The same form, built in many shapes, reads back as the same fields.

GIVEN one filled form (tests/form_shapes.py) written as a plain table, split or
stacked labels, label and value in one cell, nested tables, spacer columns, a
text frame, label lines (colons, ＿＿ blanks, tabs, ideographic spaces, several
fields to a line), values in text boxes, page furniture and a 联系人 line,
WHEN it is extracted for its campaign,
THEN every field is what the unit wrote, and no finding is made up.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document as NewDocx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.campaigns import get_campaign
from tests import form_shapes as fs
from tests.docx_factory import narrative
from dossier.counting import count_chars
from workers.extraction import extract_file

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def _read(path: Path, form: fs.Form) -> tuple[dict[str, dict[str, object]], set[tuple[str, str | None]], object]:
    r = extract_file(path, get_campaign(form.campaign))
    fields = {d.kind: {k: v.value for k, v in d.fields.items()} for d in r.documents}
    return fields, {(f.code, f.field) for f in r.findings}, r


def _wrong(got: dict[str, dict[str, object]], want: dict[str, dict[str, object]]) -> dict[str, tuple]:
    """Every expected field that did not come out as expected: key -> (got, wanted)."""
    out = {}
    for kind, fields in want.items():
        for key, value in fields.items():
            have = got.get(kind, {}).get(key)
            if have != value:
                out[f"{kind}.{key}"] = (have, value)
    return out


FORMS = {"jinhua": fs.jinhua, "yueyang": fs.yueyang}


class TestShapesInWord:
    @pytest.mark.parametrize("shape", fs.SHAPES, ids=lambda s: s.name)
    @pytest.mark.parametrize("campaign", sorted(FORMS))
    def test_every_shape_reads_the_same_fields(self, tmp_path: Path, shape: fs.Shape, campaign: str) -> None:
        """Each shape of the form gives the fields the unit typed, and no error finding."""
        form = FORMS[campaign]()
        got, codes, _ = _read(fs.write_docx(tmp_path / "form.docx", form, shape), form)
        assert _wrong(got, fs.expected(form)) == {}
        assert codes == set()

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(shape=fs.shapes(), campaign=st.sampled_from(sorted(FORMS)),
           org=st.text(st.sampled_from(list("中共金华岳阳市财政局司法机关第一二支部委员会")), min_size=4, max_size=20))
    def test_shapes_combined(self, tmp_path: Path, shape: fs.Shape, campaign: str, org: str) -> None:
        """Variations combined, with any organisation name, still read back whole."""
        form = FORMS[campaign]()
        form.rows[0][0].value = org
        want = fs.expected(form)
        kind, key = ("recommendation_form", "org_name") if campaign == "jinhua" else ("application_form", "unit_name")
        want[kind][key] = org
        got, _codes, _ = _read(fs.write_docx(tmp_path / "form.docx", form, shape), form)
        assert _wrong(got, want) == {}


class TestWhereTheMaterialEnds:
    def test_contact_line_under_the_form_is_not_material(self, tmp_path: Path) -> None:
        """GIVEN a form whose 主要创建事迹 says 见附页, a 联系人/联系电话 line under its table and the
        narrative after a page break THEN the narrative is counted without the contact line."""
        from docx.enum.text import WD_BREAK
        form = fs.jinhua()
        form.longs[1].value = "详见附页"
        path = fs.write_docx(tmp_path / "form.docx", form, fs.Shape(furniture=True))
        doc = NewDocx(str(path))
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        title, body = "创建事迹介绍材料", narrative(900, seed=7)
        doc.add_paragraph(title)
        doc.add_paragraph(body)
        doc.save(path)
        got, codes, r = _read(path, form)
        assert got["narrative"]["text"] == title + body
        narrative_doc = next(d for d in r.documents if d.kind == "narrative")
        assert narrative_doc.counts["text"] == count_chars(title + body)

    def test_text_box_in_the_material_counts(self, tmp_path: Path) -> None:
        """A text box inside the 申报创建材料 counts, as Word's 字数统计 counts it by default."""
        form = fs.yueyang(with_sheet=False)
        form.longs[0].value = "见附页"
        path = fs.write_docx(tmp_path / "form.docx", form, fs.Shape())
        doc = NewDocx(str(path))
        from docx.enum.text import WD_BREAK
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        body, boxed = narrative(600, seed=2), "支部党员全年开展志愿服务四十二次。"
        p = doc.add_paragraph(body)
        p._p.append(fs._box_run(fs._p_xml(boxed), 7, 6.0, 1.0))
        doc.save(path)
        _got, _codes, r = _read(path, form)
        form_doc = next(d for d in r.documents if d.kind == "application_form")
        assert form_doc.counts["material"] == count_chars(body + boxed)


class TestNotASubmission:
    def _notice(self, path: Path, title_lines: list[str], table_rows: list[list[str]], tail: str = "") -> Path:
        d = NewDocx()
        for line in title_lines:
            d.add_paragraph(line)
        d.add_paragraph("市直各机关党委、有关党委：")
        d.add_paragraph(narrative(300, seed=1))
        d.add_paragraph("附件：1、推荐表")
        d.add_paragraph("中共金华市直属机关工作委员会")
        d.add_paragraph("2015年10月10日")
        if tail:
            d.add_paragraph(tail)
        t = d.add_table(rows=len(table_rows), cols=max(len(r) for r in table_rows))
        for r, row in enumerate(table_rows):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
        d.save(path)
        return path

    def test_the_campaign_notice_with_its_blank_form(self, tmp_path: Path) -> None:
        """The campaign's own notice (title over two lines, the blank 推荐表 as 附件1) is form.unrecognised."""
        rows = [["党组织名称", "", "所在单位类别", ""], ["评定星级", "", "党员人数", ""],
                ["姓名", "", "性别", ""], ["民族", "", "学历", ""], ["主要创建事迹", "", "", ""]]
        path = self._notice(tmp_path / "通知.docx", ["关于组织开展", "机关党建示范点推荐评选的通知"], rows,
                            tail="附件1：市县机关党建示范点推荐表")
        _got, codes, r = _read(path, fs.jinhua())
        assert r.documents == [] and codes == {("form.unrecognised", None)}

    def test_a_meeting_notice_with_a_reply_slip(self, tmp_path: Path) -> None:
        """A meeting notice with its 回执 table is neither a form nor a narrative."""
        rows = [["单位名称", "姓名", "职务", "联系电话"], ["", "", "", ""]]
        path = self._notice(tmp_path / "会议.docx", ["关于召开全市机关党建工作推进会的通知"], rows, tail="回  执")
        for form in (fs.jinhua(), fs.yueyang()):
            _got, codes, r = _read(path, form)
            assert r.documents == [] and codes == {("form.unrecognised", None)}

    def test_a_narrative_that_cites_the_notice_is_still_a_narrative(self, tmp_path: Path) -> None:
        """A narrative that names the notice in a sentence is read as the narrative."""
        d = NewDocx()
        d.add_paragraph("某支部创建事迹材料")
        d.add_paragraph("根据《关于组织开展机关党建示范点推荐评选的通知》要求，" + narrative(900))
        path = tmp_path / "事迹.docx"
        d.save(path)
        _got, _codes, r = _read(path, fs.jinhua())
        assert [doc.kind for doc in r.documents] == ["narrative"]

    @pytest.mark.parametrize("shape", [fs.Shape(), fs.Shape(body="lines", per_line=3)], ids=lambda s: s.name)
    def test_a_blank_form_misses_every_required_field(self, tmp_path: Path, shape: fs.Shape) -> None:
        """A form nobody filled in gives field.missing for each of its required fields."""
        form = fs.jinhua()
        for row in form.rows + (form.group[1] if form.group else []):
            for p in row:
                p.value = ""
        for lg in form.longs:
            lg.value = ""
        for line in form.head:
            for p in line:
                p.value = ""
        form.opinions[0].text, form.opinions[0].date, form.opinions[0].seal = "", None, False
        _got, codes, _ = _read(fs.write_docx(tmp_path / "blank.docx", form, shape), form)
        required = {f.key for f in get_campaign("jinhua-2015").document("recommendation_form").fields if f.required}
        assert {field for code, field in codes if code == "field.missing"} == required


@pytest.mark.slow
@needs_soffice
class TestShapesMadeByLibreOffice:
    @pytest.mark.parametrize("shape,campaign", [
        (fs.Shape(nested=True), "yueyang"),
        (fs.Shape(split_labels=True), "jinhua"),
        (fs.Shape(body="frame"), "jinhua"),
        (fs.Shape(body="lines", sep="tab", per_line=3, furniture=True), "yueyang"),
        (fs.Shape(body="drawn", per_line=2), "jinhua"),
        (fs.Shape(body="placed", per_line=2), "yueyang"),
    ], ids=lambda v: v.name if isinstance(v, fs.Shape) else v)
    def test_html_converted_to_docx(self, tmp_path: Path, shape: fs.Shape, campaign: str) -> None:
        """A form authored as HTML and turned into .docx by LibreOffice reads the same fields."""
        form = FORMS[campaign]()
        form.scores = []
        path = fs.html_to(fs.write_html(tmp_path / "form.html", form, shape), tmp_path)
        got, _codes, _ = _read(path, form)
        assert _wrong(got, fs.expected(form)) == {}

    @pytest.mark.parametrize("body", ["placed", "drawn"])
    def test_boxes_placed_on_the_page_as_doc(self, tmp_path: Path, body: str) -> None:
        """Values (or labels and values) in boxes placed on the page, authored as HTML and saved as
        Word 97 (.doc): the binary keeps boxes outside its text, so LibreOffice's reading is used."""
        form = fs.yueyang(with_sheet=False)
        path = fs.html_to(fs.write_html(tmp_path / "form.html", form, fs.Shape(body=body, per_line=2)), tmp_path, "doc")
        got, _codes, _ = _read(path, form)
        assert _wrong(got, fs.expected(form)) == {}

    def test_text_frame_form_as_doc(self, tmp_path: Path) -> None:
        """The form inside a text frame, saved as Word 97 (.doc) by LibreOffice, still reads whole."""
        form = fs.jinhua()
        path = fs.write_docx(tmp_path / "frame.docx", form, fs.Shape(body="boxes", per_line=3))
        from tests.office import soffice_convert
        doc = soffice_convert(path, "doc", tmp_path)
        got, _codes, _ = _read(doc, form)
        assert _wrong(got, fs.expected(form)) == {}


SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the campaign notices (../shared/seeds) are not beside the project")
@pytest.mark.parametrize("seed,campaign", [("000_4e8eb852bb910dc0.txt", "jinhua"), ("003_e097b2b0423d1120.txt", "yueyang")])
def test_the_notices_themselves_are_not_submissions(tmp_path: Path, seed: str, campaign: str) -> None:
    """Each campaign's own notice, typed into Word line by line (its blank forms as lines), is
    form.unrecognised: neither a form with every field missing nor a narrative."""
    d = NewDocx()
    for line in (SEEDS / seed).read_text(encoding="utf-8").splitlines():
        d.add_paragraph(line.replace("|", "\t"))
    path = tmp_path / "notice.docx"
    d.save(path)
    _got, codes, r = _read(path, FORMS[campaign]())
    assert r.documents == [] and codes == {("form.unrecognised", None)}


@pytest.mark.slow
@needs_soffice
def test_footnotes_in_the_material_count(tmp_path: Path) -> None:
    """GIVEN a 创建事迹介绍材料 with a footnote (authored as HTML, made .docx by LibreOffice)
    THEN its 字数 counts the footnote's text, as Word's 字数统计 does by default."""
    title, body, note = "创建事迹介绍材料", narrative(900, seed=4), "数据来源于支部年度工作台账。"
    page = ('<html><head><meta charset="utf-8"></head><body>'
            f"<p>{title}</p><p>{body[:300]}"
            '<a class="sdfootnoteanc" name="sdfootnote1anc" href="#sdfootnote1sym"><sup>1</sup></a>'
            f"{body[300:]}</p>"
            '<div id="sdfootnote1"><p class="sdfootnote"><a class="sdfootnotesym" name="sdfootnote1sym" '
            f'href="#sdfootnote1anc">1</a>{note}</p></div></body></html>')
    src = tmp_path / "事迹.html"
    src.write_text(page, encoding="utf-8")
    _got, _codes, r = _read(fs.html_to(src, tmp_path), fs.jinhua())
    story = next(d for d in r.documents if d.kind == "narrative")
    assert story.counts["text"] == count_chars(title + body + note)


@pytest.mark.slow
@needs_soffice
def test_nested_tables_in_word97(tmp_path: Path) -> None:
    """GIVEN the 申报表 with 联络人 as a nested 姓名|职务|电话 table, saved as Word 97 (.doc)
    THEN the nested table is read from the binary as a table (not its printed words as values)."""
    form = fs.yueyang(with_sheet=False)
    path = fs.html_to(fs.write_html(tmp_path / "form.html", form, fs.Shape(nested=True)), tmp_path, "doc")
    got, _codes, _ = _read(path, form)
    assert _wrong(got, fs.expected(form)) == {}


def test_rows_and_values_in_content_controls(tmp_path: Path) -> None:
    """GIVEN a form whose rows sit in a repeating-section content control and whose values are
    typed into inline content controls (Word's fill-in forms) THEN the same fields come out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    form = fs.jinhua()
    path = fs.write_docx(tmp_path / "form.docx", form, fs.Shape())
    doc = NewDocx(str(path))
    table = doc.tables[0]._tbl
    rows = table.findall(qn("w:tr"))[:2]
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    sdt.append(content)
    rows[0].addprevious(sdt)
    for row in rows:
        content.append(row)
    for p in doc.element.body.iter(qn("w:p")):
        runs = p.findall(qn("w:r"))
        if len(runs) == 1 and runs[0].findtext(qn("w:t")) == "王建国":
            inline, inner = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
            inline.append(inner)
            runs[0].addprevious(inline)
            inner.append(runs[0])
    doc.save(path)
    got, _codes, _ = _read(path, form)
    assert _wrong(got, fs.expected(form)) == {}


@pytest.mark.parametrize("campaign", sorted(FORMS))
def test_form_inside_a_layout_table(tmp_path: Path, campaign: str) -> None:
    """GIVEN the form and its sheet each drawn inside a one-cell table (a box around them)
    THEN they read as if the box were not there."""
    import copy

    from docx.oxml.ns import qn

    form = FORMS[campaign]()
    path = fs.write_docx(tmp_path / "form.docx", form, fs.Shape())
    doc = NewDocx(str(path))
    for tbl in list(doc.element.body.iterchildren(qn("w:tbl"))):
        box = doc.add_table(rows=1, cols=1)
        cell = box.cell(0, 0)._tc
        tbl.addprevious(box._tbl)
        cell.append(tbl)
        cell.append(copy.deepcopy(cell.find(qn("w:p"))))    # a cell ends with a paragraph
    doc.save(path)
    got, codes, _ = _read(path, form)
    assert _wrong(got, fs.expected(form)) == {}
    assert codes == set()


def test_sheet_nested_in_a_cell_is_found() -> None:
    """A score sheet kept as a table inside another table's cell (a Word 97 reading) is found."""
    from workers.extract.model import Cell, Document, Table
    from workers.extraction import analyse

    form = fs.yueyang()
    path_rows = [["考评项目", "考评标准", "考评分值", "自评分", "考评分"]]
    items = get_campaign("yueyang-2017").document("score_sheet").rubric.items
    path_rows += [[f"{it.group}", it.text, f"{it.max:g}", f"{s:g}", ""] for it, s in zip(items, form.scores)]
    path_rows.append(["合计分", "", "100", f"{sum(form.scores):g}", ""])
    sheet = Table(cells=[Cell(r, c, paragraphs=[text]) for r, row in enumerate(path_rows) for c, text in enumerate(row)])
    doc = Document(blocks=[Table(cells=[Cell(0, 0, paragraphs=["评分细则"], tables=[sheet])])])
    documents, _ = analyse(doc, get_campaign("yueyang-2017"))
    got = {d.kind: {k: v.value for k, v in d.fields.items()} for d in documents}
    assert _wrong(got, {"score_sheet": fs.expected(form)["score_sheet"]}) == {}


@pytest.mark.parametrize("scale", [1.0, 0.93])
def test_sheet_continued_on_a_page_whose_grid_splits_differently(scale: float) -> None:
    """GIVEN a score sheet printed and scanned over two pages, its criterion column found as two
    grid columns on the first page (a cell's text read as a rule) and as one on the second, the
    second page photographed a little smaller and to the side (`scale`) WHEN it is read THEN
    every item's score comes from its own 自评分 column on both pages: the continuation's columns
    are known by where they stand across the table, not by their count."""
    from workers.extract.model import Box, Cell, Document, Table
    from workers.extraction import analyse

    form = fs.yueyang()
    items = get_campaign("yueyang-2017").document("score_sheet").rubric.items
    rows = [[f"{it.group}", it.text, f"{it.max:g}", f"{s:g}", ""] for it, s in zip(items, form.scores)]
    edges = [40.0, 120.0, 280.0, 360.0, 440.0, 520.0]          # 考评项目 | 考评标准 | 分值 | 自评分 | 考评分

    def cell(r: int, c: int, text: str, x0: float, x1: float, page: int, k: float = 1.0, dx: float = 0.0,
             span: int = 1) -> Cell:
        return Cell(r, c, colspan=span, paragraphs=[text], page=page,
                    box=Box(dx + k * x0, k * (60 + 30 * r), dx + k * x1, k * (88 + 30 * r)))

    first, second = rows[:12], rows[12:]
    head = ["考评项目", "考评标准", "考评分值", "自评分", "考评分"]
    # page 1: 考评标准 over two grid columns (a rule found inside it), page 2: over one
    top = [cell(0, 0, head[0], edges[0], edges[1], 1), cell(0, 1, head[1], edges[1], edges[2], 1, span=2)]
    top += [cell(0, c + 1, head[c], edges[c], edges[c + 1], 1) for c in (2, 3, 4)]
    for r, row in enumerate(first, start=1):
        top += [cell(r, 0, row[0], edges[0], edges[1], 1), cell(r, 1, row[1], edges[1], edges[2], 1, span=2)]
        top += [cell(r, c + 1, row[c], edges[c], edges[c + 1], 1) for c in (2, 3, 4)]
    rest = [cell(r, c, row[c], edges[c], edges[c + 1], 2, k=scale, dx=25.0 * (1 - scale) * 10)
            for r, row in enumerate(second + [["合计分", "", "100", f"{sum(form.scores):g}", ""]]) for c in range(5)]
    doc = Document(blocks=[Table(cells=top, page=1), Table(cells=rest, page=2)], method="ocr", pages=2)
    documents, _ = analyse(doc, get_campaign("yueyang-2017"))
    got = {d.kind: {k: v.value for k, v in d.fields.items()} for d in documents}
    assert _wrong(got, {"score_sheet": fs.expected(form)["score_sheet"]}) == {}
