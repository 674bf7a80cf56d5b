"""The reading gaps left by issue 10, on generated forms (tests/form_shapes.py).

GIVEN the same filled form printed to PDF, read by OCR with a misread label, with its date
under a seal, or sent as a free text, WHEN it is extracted for its campaign, THEN the fields
are what the unit wrote, and where the evidence is weak the reviewer is asked, not the unit.
"""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document as NewDocx

from dossier.campaigns import get_campaign
from tests import form_shapes as fs
from tests.docx_factory import narrative
from tests.model_edits import all_cells, form_model, retext
from workers.extract.pdf_boxes import join_box_columns
from workers.extract.pdf_columns import borderless_table
from workers.extract.pdf_layout import group_lines, paragraphs
from workers.extraction import analyse, extract_file

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
FORMS = {"jinhua": fs.jinhua, "yueyang": fs.yueyang}


def _fields(documents: list) -> dict[str, dict[str, object]]:
    return {d.kind: {k: v.value for k, v in d.fields.items()} for d in documents}


def _wrong(got: dict[str, dict[str, object]], want: dict[str, dict[str, object]]) -> dict[str, tuple]:
    return {f"{kind}.{key}": (got.get(kind, {}).get(key), value)
            for kind, fields in want.items() for key, value in fields.items() if got.get(kind, {}).get(key) != value}


# ---------------------------------------------------------------- printed to PDF

@pytest.mark.slow
@needs_soffice
class TestPrintedShapes:
    @pytest.fixture(scope="class")
    @classmethod
    def printed(cls, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[fs.Form, Path]]:
        """The shapes the printed reading lost fields on, both campaigns, printed in one LibreOffice run."""
        folder = tmp_path_factory.mktemp("printed")
        made = {}
        for shape in (fs.Shape(nested=True), fs.Shape(body="lines", sep="tab", per_line=3),
                      fs.Shape(body="lines", sep="newline", per_line=1), fs.Shape(nested=True, in_cell=True),
                      fs.Shape(in_cell=True, spacers=True, furniture=True), fs.Shape(body="drawn", per_line=2),
                      fs.Shape(body="placed", per_line=2), fs.Shape(body="boxes", per_line=3),
                      fs.Shape(body="frame")):
            for name, make in FORMS.items():
                form = make()
                made[(shape.name, name)] = (form, fs.write_docx(folder / f"{shape.name}-{name}.docx", form, shape))
        # HTML pages printed by LibreOffice: another tool's tables (a nested one fused into the
        # outer grid, or set inside the label's cell with little padding)
        # and its positioned label and value boxes, or its label⇥value lines
        for shape in (fs.Shape(nested=True), fs.Shape(nested=True, split_labels=True),
                      fs.Shape(body="drawn", per_line=2), fs.Shape(body="lines", sep="tab", per_line=1),
                      fs.Shape(body="frame", nested=True), fs.Shape(body="placed", per_line=2)):
            for name, make in FORMS.items():
                form = fs.Form(**{**make().__dict__, "scores": []})
                made[("html-" + shape.name, name)] = (form, fs.write_html(folder / f"h-{shape.name}-{name}.html",
                                                                           form, shape))
        pdfs = fs.convert_all([p for _f, p in made.values()], folder / "pdf", "pdf")
        return {k: (form, pdf) for (k, (form, _p)), pdf in zip(made.items(), pdfs)}

    @pytest.mark.parametrize("shape", ["table-nested", "lines-tabx3", "lines-newlinex1", "table-nested-in_cell",
                                       "table-in_cell-spacers-furniture"])
    @pytest.mark.parametrize("campaign", sorted(FORMS))
    def test_printed_form_reads_whole(self, printed: dict, shape: str, campaign: str) -> None:
        """A nested table printed without borders (its narrow cells wrapped, its rows padded), tab-
        separated label lines whose print wraps a value under its label, labels with the value on
        the next line, and a material that runs on over three pages under running headers read as
        the Word file does, with no finding."""
        form, pdf = printed[(shape, campaign)]
        r = extract_file(pdf, get_campaign(form.campaign))
        assert r.file.method == "pdf-text"
        assert _wrong(_fields(r.documents), fs.expected(form)) == {}
        assert [(f.code, f.field) for f in r.findings] == []

    @pytest.mark.parametrize("shape,campaign", [("drawn-colonx2", "jinhua"), ("placed-colonx2", "jinhua"),
                                                ("placed-colonx2", "yueyang"), ("boxes-colonx3", "jinhua"),
                                                ("boxes-colonx3", "yueyang"), ("frame", "jinhua"), ("frame", "yueyang")])
    def test_printed_boxes_and_frames(self, printed: dict, shape: str, campaign: str) -> None:
        """Labels and values in text boxes side by side (a value wrapped to a second line in its
        box), values in boxes set half a line off their blanks, boxes typed into label lines, and
        the form in a frame with its narrative after it, printed: every field as written, and no
        finding."""
        form, pdf = printed[(shape, campaign)]
        r = extract_file(pdf, get_campaign(form.campaign))
        assert r.file.method == "pdf-text"
        assert _wrong(_fields(r.documents), fs.expected(form)) == {}
        assert [(f.code, f.field) for f in r.findings] == []

    @pytest.mark.parametrize("shape", ["html-table-nested", "html-table-split_labels-nested", "html-drawn-colonx2",
                                       "html-lines-tabx1", "html-frame-nested", "html-placed-colonx2"])
    @pytest.mark.parametrize("campaign", sorted(FORMS))
    def test_printed_html_form_reads_whole(self, printed: dict, shape: str, campaign: str) -> None:
        """An HTML form printed to PDF: 联络人 as 姓名|职务|电话 over the values, in the label's cell
        or fused into the outer grid beside a label split over two cells, gives the three parts;
        label and value boxes whose wrapped lines run over the next row, and label⇥value lines (the
        tab printed as an autospace-wide blank), read as written; the form in a frame with the
        secretary's and 联络人's tables nested flush in their cells; values in boxes set over the
        ＿＿ blanks of label lines, one wrapped to three lines; nothing but the seals this writer
        never stamps is reported."""
        form, pdf = printed[(shape, campaign)]
        r = extract_file(pdf, get_campaign(form.campaign))
        assert _wrong(_fields(r.documents), fs.expected(form)) == {}
        assert {f.code for f in r.findings} <= {"seal.missing"}


def _chars(rows: list[list[tuple[float, str]]], size: float = 10.5, top: float = 100.0) -> list[dict]:
    """Characters as pdfplumber gives them: each row a list of (x where a word starts, the word)."""
    out = []
    for r, words in enumerate(rows):
        y = top + r * 1.3 * size
        for x, word in words:
            for k, ch in enumerate(word):
                x0 = x + k * size
                out.append({"text": ch, "x0": x0, "x1": x0 + size, "top": y, "bottom": y + size,
                            "size": size, "doctop": y, "upright": True, "fontname": "F"})
    return out


class TestBoxColumns:
    def test_a_value_wrapped_in_its_box_is_read_whole(self) -> None:
        """GIVEN label and value boxes side by side, the first value wrapped to a second line in its
        own column THEN the row reads label, the whole value, label, value."""
        lines = group_lines(_chars([
            [(0, "单位名称："), (60, "中共某某市交通"), (140, "党组织类型："), (210, "机关党支部")],
            [(60, "运输局委员会")],
        ], size=10.0) + _chars([[(0, "党员人数："), (60, "45名"), (140, "上年度考核："), (210, "好")]],
                               size=10.0, top=140.0))
        out = join_box_columns(lines, right=300.0)
        assert [" ".join(ln.text().split()) for ln in out] == ["单位名称： 中共某某市交通运输局委员会 党组织类型： 机关党支部",
                                                               "党员人数： 45名 上年度考核： 好"]

    def test_a_box_half_a_line_off_its_label_is_read_on_it(self) -> None:
        """GIVEN a value box set a third of a line above its label's baseline THEN it is read on the
        label's line; the lines of running text around it are left as they are."""
        chars = _chars([[(0, "单位名称：")]], size=10.0, top=104.0) + _chars([[(60, "中共某某局机关支部")]], size=10.0,
                                                                           top=100.0)
        chars += _chars([[(0, "我们坚持党建引领围绕中心")]], size=10.0, top=130.0)
        out = join_box_columns(group_lines(chars), right=450.0)
        assert [ln.text() for ln in out] == ["单位名称： 中共某某局机关支部", "我们坚持党建引领围绕中心"]

    def test_a_typed_space_at_a_line_break_parts_the_words(self) -> None:
        """GIVEN 高俊芳 at the end of a line and 办公室主任 starting the next, a space typed between
        them (the PDF holds it, the print does not show it) THEN the joined text keeps them apart;
        words wrapped without a space join."""
        chars = _chars([[(300, "高俊芳")], [(0, "办公室主任")]], size=10.0)
        chars[2]["space_after"] = True
        paras = paragraphs(group_lines(chars), 0.0, 330.0)
        assert [p.text() for p in paras] == ["高俊芳 办公室主任"]
        chars[2].pop("space_after")
        assert [p.text() for p in paragraphs(group_lines(chars), 0.0, 330.0)] == ["高俊芳办公室主任"]

    def test_a_label_wrapped_alone_in_its_box(self) -> None:
        """GIVEN a label too long for its box (上年度党建考核等 / 次：), the row's other boxes on one line
        THEN the label reads whole, on its row."""
        lines = group_lines(_chars([[(0, "上年度党建考核等"), (100, "良好"), (200, "支部数："), (300, "四十一")],
                                    [(0, "次：")], [], [(0, "党员人数："), (100, "45"), (200, "书记："), (300, "王建国")]], size=10.0))
        out = join_box_columns(lines, right=450.0)
        assert [" ".join(ln.text().split()) for ln in out][0] == "上年度党建考核等次： 良好 支部数： 四十一"

    def test_a_line_of_fields_run_on_is_no_wrapped_label(self) -> None:
        """GIVEN a line of fields that ran on to the margin and went on at the next line's start (as
        typed label lines wrap on a page) THEN that next line is not taken into the first box."""
        lines = group_lines(_chars([[(0, "分管负责人"), (70, "邹华"), (120, "联络人"), (180, "金艳综合科")],
                                    [(0, "科长")], [], [(0, "党员人数"), (70, "45"), (120, "书记"), (180, "王建国")]],
                                   size=10.0))
        out = join_box_columns(lines, right=230.0)
        assert [" ".join(ln.text().split()) for ln in out][1] == "科长"

    def test_a_number_wraps_whole(self) -> None:
        """GIVEN a value box whose phone number did not fit after the name and went whole to the next
        line (廖国 1319 / 6653), its line ending further from the box's edge than a character THEN
        the number is still read as that box's wrap."""
        lines = group_lines(_chars([[(0, "负责人电话"), (100, "廖国"), (125, "1319"), (200, "联络人："), (300, "方娟华")],
                                    [(100, "6653")], [], [(0, "党员人数："), (100, "45"), (200, "书记："), (300, "王建国")]], size=10.0))
        out = join_box_columns(lines, right=450.0)
        assert len(out) == 2 and "13196653" in "".join(out[0].text().split())

    def test_the_last_box_short_of_the_margin_wraps(self) -> None:
        """GIVEN the row's last box drawn short of the text's right edge, its value wrapped (方娟华 办公
        室副主 / 任) THEN the value reads whole."""
        lines = group_lines(_chars([[(0, "分管党建工作负责"), (100, "廖国"), (200, "联络人姓名及职务"), (300, "方娟华办公室副主")],
                                    [(0, "人及电话："), (200, "、电话："), (300, "任")], [], [(0, "党员人数："), (100, "45"), (200, "书记："), (300, "王建国")]], size=10.0))
        out = join_box_columns(lines, right=410.0)
        assert ["".join(ln.text().split()) for ln in out][0] == \
            "分管党建工作负责人及电话：廖国联络人姓名及职务、电话：方娟华办公室副主任"

    def test_a_last_box_far_short_of_the_page_edge(self) -> None:
        """GIVEN boxes placed on a page with narrow margins, the last column's boxes ending far short of
        the text area's right edge, one of its values wrapped THEN the column's own reach tells that
        the box ran full: the value reads whole."""
        lines = group_lines(_chars([[(0, "单位名称："), (100, "中共某某"), (200, "党组织类型："), (300, "机关党支部委员会")],
                                    [(0, "分管党建工作负责"), (100, "姜东"), (200, "联络人姓名及职务"), (300, "袁伟综合科科长")],
                                    [(0, "人及电话："), (200, "、电话："), (300, "3736521")]], size=10.0))
        out = join_box_columns(lines, right=600.0)
        assert "".join(out[-1].text().split()) == "分管党建工作负责人及电话：姜东联络人姓名及职务、电话：袁伟综合科科长3736521"

    def test_a_row_placed_over_the_last_line_is_a_row(self) -> None:
        """GIVEN boxes placed a little closer than a line's pitch (the next row's boxes overlap the
        last line of a wrapped value) THEN that row is a row of its own, not the wrap of the last."""
        chars = _chars([[(0, "党组织名称填写："), (100, "中共某某市卫生健康委员")], [(100, "会机关第一支部委员")]],
                       size=10.0, top=100.0)
        chars += _chars([[(0, "所在单位类别："), (100, "事业单位")]], size=10.0, top=119.0)
        chars += _chars([[(0, "评定星级："), (100, "四星")]], size=10.0, top=140.0)
        out = join_box_columns(group_lines(chars), right=450.0)
        assert ["".join(ln.text().split()) for ln in out][:2] == ["党组织名称填写：中共某某市卫生健康委员会机关第一支部委员",
                                                                  "所在单位类别：事业单位"]

    def test_a_paragraph_after_a_full_line_starts_anew(self) -> None:
        """GIVEN a narrative whose last line ran full, then a label line set below it by paragraph
        spacing THEN the label is a paragraph of its own, not the narrative's last words."""
        body = [[(0, "我们坚持党建引领围绕中心服务大局")] for _ in range(4)]
        chars = _chars(body, size=10.0, top=100.0) + _chars([[(0, "推荐理由及意见：同意推荐。")]], size=10.0, top=162.0)
        paras = paragraphs(group_lines(chars), 0.0, 160.0)
        assert [p.text() for p in paras][-1] == "推荐理由及意见：同意推荐。"

    def test_running_text_is_left_alone(self) -> None:
        lines = group_lines(_chars([[(0, "我们坚持党建引领，围绕中心")], [(0, "服务大局，扎实开展示范创建")]], size=10.0))
        assert [ln.text() for ln in join_box_columns(lines, right=450.0)] == [ln.text() for ln in lines]


class TestBorderlessTable:
    def test_wrapped_columns_do_not_interleave(self) -> None:
        """GIVEN a borderless 3-row table whose narrow cells wrap (入党时间 | 1995年7 / 月 | 担任书记 /
        时间) THEN its rows read cell by cell: 1995年7月 and 担任书记时间 whole."""
        lines = group_lines(_chars([
            [(0, "姓名"), (80, "王建国"), (160, "性别"), (240, "男")],
            [(0, "民族"), (80, "汉族"), (160, "学历"), (240, "大学")],
            [(0, "入党时间"), (80, "1995年7"), (160, "担任书记"), (240, "二〇一二")],
            [(80, "月"), (160, "时间"), (240, "年三月")],
        ], size=10.0))
        t = borderless_table(lines, 1, None)
        assert t is not None
        assert [[c.text for c in row] for row in t.rows()][2] == ["入党时间", "1995年7月", "担任书记时间", "二〇一二年三月"]

    def test_padded_rows_wrapped_in_every_column(self) -> None:
        """GIVEN rows set apart by cell padding, the last wrapped in every column (入党时 | 1995年 |
        担任书 | 二〇一 over 间 | 7月 | 记时间 | 二年三月) THEN the wrapped line goes on with its row."""
        chars = _chars([[(0, "姓名"), (80, "王建国"), (160, "性别"), (240, "男")]], size=10.0, top=100.0) \
            + _chars([[(0, "民族"), (80, "汉族"), (160, "学历"), (240, "大学")]], size=10.0, top=128.0) \
            + _chars([[(0, "入党时"), (80, "1995年"), (160, "担任书"), (240, "二〇一")],
                      [(0, "间"), (80, "7月"), (160, "记时间"), (240, "二年三月")]], size=10.0, top=156.0)
        t = borderless_table(group_lines(chars), 1, None)
        assert t is not None
        assert [[c.text for c in row] for row in t.rows()][2] == ["入党时间", "1995年7月", "担任书记时间", "二〇一二年三月"]

    def test_columns_squeezed_a_character_a_line(self) -> None:
        """GIVEN 姓名|职务|电话 over the values in a cell so narrow that every line holds one
        character of each column THEN each column reads down: 姓名 over 陈平, 职务 over 综合科科长."""
        rows = [[(0, "姓"), (30, "职"), (60, "电")], [(0, "名"), (30, "务"), (60, "话")], [],
                [(0, "陈"), (30, "综"), (60, "1")], [(0, "平"), (30, "合"), (60, "3")],
                [(30, "科"), (60, "5")], [(30, "科"), (60, "0")], [(30, "长"), (60, "7")]]
        t = borderless_table(group_lines(_chars(rows, size=10.0)), 1, None)
        assert t is not None
        assert [[c.text for c in row] for row in t.rows()] == [["姓名", "职务", "电话"], ["陈平", "综合科科长", "13507"]]

    def test_head_words_part_columns_set_close(self) -> None:
        """GIVEN a cell's title, then 姓名 职务 电话 spaced out, and values set too close to leave a
        gutter (办公室副主任0730-…) THEN the head words' places part the columns; the title is no row."""
        rows = [[(0, "联络人姓名及职务、电话（均须填写）")], [(0, "姓名"), (60, "职务"), (122, "电话")],
                [(0, "阎亚萍"), (60, "办公室副主任"), (122, "0730-8180410")]]
        chars = _chars(rows, size=10.0)
        t = borderless_table(group_lines(chars), 1, None)
        assert t is not None
        assert [[c.text for c in row] for row in t.rows()] == [["姓名", "职务", "电话"],
                                                                ["阎亚萍", "办公室副主任", "0730-8180410"]]

    def test_spaced_out_marks_are_not_a_table(self) -> None:
        """签　　字 over 年　　月　　日 (single characters spaced out) is not a table."""
        lines = group_lines(_chars([[(200, "签"), (260, "字")], [(150, "年"), (200, "月"), (250, "日")]]))
        assert borderless_table(lines, 1, None) is None

    def test_prose_is_not_a_table(self) -> None:
        """Lines of running text leave no gutter."""
        lines = group_lines(_chars([[(0, "我们坚持党建引领围绕中心")], [(0, "服务大局扎实开展示范创建")]]))
        assert borderless_table(lines, 1, None) is None


# ---------------------------------------------------------------- OCR: one wrong glyph in a label

class TestMisreadLabels:
    @pytest.mark.parametrize("label,misread", [("担任书记时间", "担任书讫时间"), ("党组织名称", "党组织名祢"),
                                               ("所在单位类别", "所在单位类刖")])
    def test_one_wrong_glyph_in_a_scanned_label(self, tmp_path: Path, label: str, misread: str) -> None:
        """GIVEN a scan whose form is recognised but one label came back with one glyph wrong
        THEN its value is still read, and no field is missing."""
        form = fs.jinhua()
        doc = form_model(tmp_path, form)
        retext(doc, label, misread)
        documents, findings = analyse(replace(doc, method="ocr"), get_campaign(form.campaign))
        assert _wrong(_fields(documents), fs.expected(form)) == {}
        assert not [f for f in findings if f.code in ("field.missing", "field.unread")]

    def test_a_value_one_glyph_from_a_label_is_not_taken(self, tmp_path: Path) -> None:
        """GIVEN the 担任书记时间 label lost, and a value elsewhere that is one glyph from it (right of
        its own label) THEN that value is not read as the lost label: the field was not read, a weak
        warning for the reviewer (field.unread), not field.missing for the unit."""
        form = fs.jinhua()
        doc = form_model(tmp_path, form)
        retext(doc, "担任书记时间", "")
        retext(doc, "服务民生关爱群众", "担任书讫时间")
        documents, findings = analyse(replace(doc, method="ocr"), get_campaign(form.campaign))
        assert _fields(documents)["recommendation_form"]["secretary.since"] == ""
        assert not [f for f in findings if (f.code, f.field) == ("field.missing", "secretary.since")]
        missing = [f for f in findings if (f.code, f.field) == ("field.unread", "secretary.since")]
        assert missing and missing[0].severity == "warning" and missing[0].extra.get("evidence") == "weak"

    def test_word_files_are_read_as_written(self, tmp_path: Path) -> None:
        """A typed file is not guessed at: a misspelt label in a .docx is not taken for the campaign's."""
        form = fs.jinhua()
        doc = form_model(tmp_path, form)
        retext(doc, "担任书记时间", "担任书讫时间")
        documents, _ = analyse(doc, get_campaign(form.campaign))
        assert _fields(documents)["recommendation_form"]["secretary.since"] == ""


# ---------------------------------------------------------------- a seal over the date

class TestDateUnderSeal:
    @pytest.mark.parametrize("damaged", ["2O15年 月5日", "二〇一五年十■月五日", "2015年11■"])
    def test_an_unreadable_date_is_for_the_reviewer(self, tmp_path: Path, damaged: str) -> None:
        """GIVEN the opinion's date line damaged by a seal (a 1-bit scan: digits and 年/月/日 with
        gaps) THEN it is date.unreadable, a weak warning for the reviewer; no date.missing, and the
        opinion's text does not take the fragment."""
        form = fs.jinhua()
        doc = form_model(tmp_path, form)
        for c in all_cells(doc):
            if "2015年11月5日" in c.text:
                c.paragraphs = [p.replace("2015年11月5日", damaged) for p in c.paragraphs]
        documents, findings = analyse(replace(doc, method="ocr"), get_campaign(form.campaign))
        codes = {(f.code, f.field): f for f in findings}
        assert ("date.missing", "opinion.submitting_org") not in codes
        weak = codes[("date.unreadable", "opinion.submitting_org")]
        assert weak.severity == "warning" and weak.extra["evidence"] == "weak"
        assert _fields(documents)["recommendation_form"]["opinion.submitting_org"] == "情况属实，同意推荐。"

    def test_a_blank_date_line_is_still_missing(self, tmp_path: Path) -> None:
        """GIVEN the date line left blank (年　月　日) THEN date.missing stays an error for the unit."""
        form = fs.jinhua()
        form.opinions[0].date = None
        documents, findings = analyse(form_model(tmp_path, form), get_campaign(form.campaign))
        assert [(f.code, f.severity) for f in findings if f.field == "opinion.submitting_org"] == \
            [("date.missing", "error")]


# ---------------------------------------------------------------- free text and its kind

class TestFreeTextKind:
    def _text_file(self, tmp_path: Path, title: str, chars: int = 1200) -> Path:
        d = NewDocx()
        if title:
            d.add_paragraph(title)
        d.add_paragraph(narrative(chars, seed=7))
        path = tmp_path / "text.docx"
        d.save(path)
        return path

    @pytest.mark.parametrize("title", ["关于召开党建工作会议的说明", ""])
    def test_yueyang_text_that_names_no_brief_is_not_one(self, tmp_path: Path, title: str) -> None:
        """GIVEN a Yueyang file of free text that does not say it is the 简介材料 (an optional kind)
        THEN it is not taken as the brief: the file is unrecognised, not counted against its limit."""
        r = extract_file(self._text_file(tmp_path, title, 1600), get_campaign("yueyang-2017"))
        assert r.documents == []
        assert [f.code for f in r.findings] == ["form.unrecognised"]

    @pytest.mark.parametrize("title", ["简介材料", "中共某局机关支部申报创建材料"])
    def test_yueyang_text_named_as_the_brief_or_its_material(self, tmp_path: Path, title: str) -> None:
        """A text titled 简介材料 (its marker), or 申报创建材料 (the form's long text it stands for), is the brief."""
        r = extract_file(self._text_file(tmp_path, title), get_campaign("yueyang-2017"))
        assert [d.kind for d in r.documents] == ["brief"]

    def test_jinhua_narrative_titled_by_its_theme(self, tmp_path: Path) -> None:
        """Jinhua's narrative is required and the campaign's only text kind: titled by its theme
        alone (no 事迹), it is still the narrative."""
        r = extract_file(self._text_file(tmp_path, "凝心聚力促发展　服务群众树品牌", 1000), get_campaign("jinhua-2015"))
        assert [d.kind for d in r.documents] == ["narrative"]


# ---------------------------------------------------------------- blanks beside text no label took

class TestBlankBesideLooseText:
    def _printed_lines(self, tmp_path: Path, loose: str | None) -> tuple[list, list]:
        """The label-line form as a print reads (method pdf-text), 党员人数 blank, and `loose` (a row of
        values printed off their lines) just under it."""
        form = fs.jinhua()
        doc = form_model(tmp_path, form, fs.Shape(body="lines", sep="colon", per_line=1))
        k = next(i for i, b in enumerate(doc.blocks) if getattr(b, "text", "").startswith("党员人数"))
        doc.blocks[k] = replace(doc.blocks[k], text="党员人数：")
        if loose is not None:
            doc.blocks.insert(k + 1, replace(doc.blocks[k], text=loose))
        return analyse(replace(doc, method="pdf-text"), get_campaign(form.campaign))

    def test_blank_beside_a_row_of_values_is_for_the_reviewer(self, tmp_path: Path) -> None:
        """GIVEN a printed blank with a row of values beside it that no label took THEN 党员人数 is
        not read, a weak warning (the value may be in that row), and the row is not read as its value."""
        documents, findings = self._printed_lines(tmp_path, "45人    王建国")
        assert _fields(documents)["recommendation_form"]["member_count"] == ""
        [f] = [f for f in findings if f.field == "member_count"]
        assert (f.code, f.severity, f.extra.get("evidence")) == ("field.unread", "warning", "weak")

    def test_a_plain_blank_is_the_units_error(self, tmp_path: Path) -> None:
        """GIVEN the same blank among label lines only THEN field.missing is an error for the unit."""
        _, findings = self._printed_lines(tmp_path, None)
        assert [(f.code, f.severity) for f in findings if f.field == "member_count"] == [("field.missing", "error")]
