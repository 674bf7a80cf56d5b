"""Prints whose page breaks, blanks and nested tables a page-by-page reading got wrong.

GIVEN a form printed by another tool than the Word writer (an HTML page LibreOffice printed) WHEN it
is read THEN the fields are what a person reads on the paper:
- a table row broken by a page break (half its label at a page's foot, half at the next page's head)
  is one row, and two rows that merely meet at a page break stay two;
- a value placed over a printed ＿＿ blank reads as written, not interleaved with the blank;
- a label after a narrative's last full line, on a page too short to measure its line spacing,
  starts a paragraph of its own (the spacing of the earlier pages applies);
- a table nested flush against its cell's borders keeps its own cells (the outer cell does not
  swallow them), and a 联络人 table under its label is read by its printed words.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from dossier.campaigns import get_campaign
from workers.extract.model import Box, Cell, Document, Paragraph, Table
from workers.extract.pdf_chars import text_chars
from workers.extract.pdf_layout import Edge, find_grids, group_lines, paragraphs
from workers.extract.pdf_textboxes import box_grid
from workers.extraction import analyse
from workers.forms.locate import locate

YUEYANG = get_campaign("yueyang-2017")

# the rulings LibreOffice printed for an HTML page's frame holding the form, the secretary's
# table nested flush in its cell (as pdfplumber gives them: each nested cell drawn on its own)
FRAME_RULINGS = [
    ("h", 90.50076377952803, 29.75, 510.4), ("h", 176.85076377952805, 29.75, 510.4),
    ("h", 262.85076377952805, 29.75, 510.4), ("h", 439.50076377952803, 29.75, 510.4),
    ("h", 281.650763779528, 31.15, 65.6), ("h", 282.150763779528, 31.65, 65.1), ("h", 281.650763779528, 64.85, 98.5),
    ("h", 282.150763779528, 65.35, 98.0), ("h", 281.650763779528, 97.75, 135.1),
    ("h", 282.150763779528, 98.25, 134.6), ("h", 281.650763779528, 134.35, 179.4),
    ("h", 282.150763779528, 134.85, 178.9), ("h", 281.650763779528, 178.65, 232.7),
    ("h", 282.150763779528, 179.15, 232.2), ("h", 281.650763779528, 231.95, 279.0),
    ("h", 282.150763779528, 232.45, 278.5), ("h", 333.75076377952803, 31.15, 279.0),
    ("h", 368.05076377952804, 31.15, 279.0), ("h", 437.05076377952804, 31.65, 65.1),
    ("h", 437.55076377952804, 31.15, 65.6), ("h", 437.05076377952804, 65.35, 98.0),
    ("h", 437.55076377952804, 64.85, 98.5), ("h", 437.05076377952804, 98.25, 134.6),
    ("h", 437.55076377952804, 97.75, 135.1), ("h", 437.05076377952804, 134.85, 178.9),
    ("h", 437.55076377952804, 134.35, 179.4), ("h", 437.05076377952804, 179.15, 278.5),
    ("h", 437.55076377952804, 178.65, 279.0), ("h", 90.05076377952798, 30.0, 510.0),
    ("h", 453.65076377952806, 30.0, 510.0), ("v", 30.1, 90.10076377952805, 439.85076377952805),
    ("v", 280.0, 90.10076377952805, 439.85076377952805), ("v", 344.3, 90.10076377952805, 262.900763779528),
    ("v", 399.6, 90.10076377952805, 262.900763779528), ("v", 437.9, 90.10076377952805, 262.900763779528),
    ("v", 469.2, 90.10076377952805, 262.900763779528), ("v", 510.0, 90.10076377952805, 439.85076377952805),
    ("v", 31.75, 282.00076377952803, 437.15076377952806), ("v", 31.25, 281.50076377952803, 437.65076377952806),
    ("v", 65.45, 282.00076377952803, 437.15076377952806), ("v", 64.95, 282.00076377952803, 437.15076377952806),
    ("v", 98.35, 282.00076377952803, 437.15076377952806), ("v", 97.85, 282.00076377952803, 437.15076377952806),
    ("v", 134.95, 282.00076377952803, 437.15076377952806), ("v", 134.45, 282.00076377952803, 437.15076377952806),
    ("v", 179.25, 282.00076377952803, 437.15076377952806), ("v", 178.75, 282.00076377952803, 437.15076377952806),
    ("v", 232.55, 282.00076377952803, 368.10076377952805), ("v", 232.05, 282.00076377952803, 368.10076377952805),
    ("v", 278.85, 281.50076377952803, 437.65076377952806), ("v", 278.35, 282.00076377952803, 437.15076377952806),
    ("v", 509.95, 90.00076377952803, 453.700763779528), ("v", 30.05, 90.00076377952803, 453.700763779528),
]



def _word(x: float, top: float, text: str, size: float = 12.0) -> list[dict]:
    return [{"text": ch, "x0": x + k * size, "x1": x + (k + 1) * size, "top": top, "bottom": top + size,
             "size": size, "doctop": top, "upright": True, "fontname": "F"} for k, ch in enumerate(text)]


def _cell(row: int, col: int, text: str, page: int, x0: float, x1: float, y0: float, y1: float, **kw: int) -> Cell:
    return Cell(row=row, col=col, paragraphs=text.split("\n") if text else [], page=page,
                box=Box(x0, y0, x1, y1), **kw)


def _values(doc: Document, kind: str = "application_form") -> dict[str, str]:
    found = {d.spec.kind: d for d in locate(doc, YUEYANG)}
    return {k: f.raw for k, f in found[kind].values.items()} if kind in found else {}


class TestRowBrokenByAPageBreak:
    def _doc(self, upper_label: str, lower_label: str) -> Document:
        rows = [("单位名称", "中共某某局机关支部委员会"), ("党组织类型", "机关党支部"), ("党员人数", "56名"),
                ("上年度党建考核等次", "好"), ("申报创建材料（1500字以内）", "我们坚持党建引领。" * 40)]
        cells = [c for r, (label, value) in enumerate(rows)
                 for c in (_cell(r, 0, label, 1, 57, 114, 60 + 30 * r, 90 + 30 * r),
                           _cell(r, 1, value, 1, 114, 567, 60 + 30 * r, 90 + 30 * r))]
        head = Table(cells=cells + [_cell(len(rows), 0, upper_label, 1, 57, 114, 760, 805),
                                    _cell(len(rows), 1, "经研究，同意推荐该支部参评。", 1, 114, 567, 760, 805)],
                     page=1, box=Box(57, 60, 567, 805))
        tail = Table(cells=[_cell(0, 0, lower_label, 2, 57, 114, 28, 119),
                            _cell(0, 1, "签 章\n二〇一七年四月一日", 2, 114, 567, 28, 119),
                            _cell(1, 0, "系统机关党委意见", 2, 57, 114, 119, 184),
                            _cell(1, 1, "签 字\n年 月 日", 2, 114, 567, 119, 184)], page=2, box=Box(57, 28, 567, 184))
        return Document(blocks=[head, Paragraph("- 1 -", page=1), tail], pages=2, method="pdf-text")

    @pytest.mark.parametrize("upper,lower", [("单位党组（党委）推荐理由", "及意见"), ("单位党组（党委）", "推荐理由及意见")])
    def test_the_label_split_by_the_break_is_read_whole_with_its_text_and_date(self, upper: str, lower: str) -> None:
        """GIVEN 单位党组（党委）推荐理由 at page 1's foot and 及意见 at page 2's head (or only the
        bracket above the break, the lower half a label's short form), the opinion's text above the
        break and its date below THEN the opinion is found, text and date both."""
        got = _values(self._doc(upper, lower))
        assert got["opinion.party_group"].split("\n")[0] == "经研究，同意推荐该支部参评。"
        assert "二〇一七年四月一日" in got["opinion.party_group"]
        assert "签 字" not in got["opinion.party_group"]         # the next row is its own

    def test_two_rows_that_meet_at_the_break_stay_apart(self) -> None:
        """GIVEN two whole labels, one ending page 1 and one starting page 2 THEN each keeps its row."""
        doc = self._doc("单位党组（党委）推荐理由及意见", "系统机关党委意见")
        assert _values(doc)["opinion.party_group"] == "经研究，同意推荐该支部参评。"


    @pytest.mark.parametrize("upper,lower", [("申报创建材料（1500", "字以内）"), ("申报创建\n材料", "（1500\n字以内）")])
    def test_a_label_cut_inside_its_note_joins_with_the_text_it_heads(self, upper: str, lower: str) -> None:
        """GIVEN 申报创建材料（1500 at page 1's foot beside the material's first lines, and 字以内）
        at page 2's head beside the rest (or the cut before the note: the lower row's first cell
        holds the note alone) THEN the material is both halves, not the first alone."""
        head = Table(cells=[_cell(0, 0, "单位名称", 1, 57, 114, 60, 90), _cell(0, 1, "中共某某局机关支部委员会", 1, 114, 567, 60, 90),
                            _cell(1, 0, "党组织类型", 1, 57, 114, 90, 120), _cell(1, 1, "机关党支部", 1, 114, 567, 90, 120),
                            _cell(2, 0, "党员人数", 1, 57, 114, 120, 150), _cell(2, 1, "56名", 1, 114, 567, 120, 150),
                            _cell(3, 0, upper, 1, 57, 114, 760, 805),
                            _cell(3, 1, "我们坚持党建引领。" * 3, 1, 114, 567, 760, 805)], page=1, box=Box(57, 60, 567, 805))
        tail = Table(cells=[_cell(0, 0, lower, 2, 57, 114, 28, 400), _cell(0, 1, "群众满意度不断提高。" * 30, 2, 114, 567, 28, 400),
                            _cell(1, 0, "单位党组（党委）推荐理由及意见", 2, 57, 114, 400, 480),
                            _cell(1, 1, "同意推荐。", 2, 114, 567, 400, 480)], page=2, box=Box(57, 28, 567, 480))
        got = _values(Document(blocks=[head, tail], pages=2, method="pdf-text"))
        assert got["material"].startswith("我们坚持党建引领。") and got["material"].endswith("群众满意度不断提高。")
        assert got["opinion.party_group"] == "同意推荐。"


class TestValueOverABlank:
    def test_the_blank_under_a_written_value_is_not_read_into_it(self) -> None:
        """GIVEN 联络人： then a ＿＿ blank, and a value set over the blank a little above its line,
        the PDF holding the glyphs interleaved THEN the line reads 联络人：吕军国 and the blank's
        rest, past the value, stays."""
        label = _word(30, 200, "联络人：")
        blank = _word(78, 200, "＿" * 6)
        value = _word(78, 198, "吕军国")
        chars = label + [c for pair in zip(blank, value + [None] * 3) for c in pair if c is not None]
        page = SimpleNamespace(chars=chars)
        line = group_lines(text_chars(page))
        assert len(line) == 1 and line[0].text().replace(" ", "") == "联络人：吕军国＿＿＿"


    def test_a_value_box_set_over_a_label_lines_blank_is_part_of_that_line(self) -> None:
        """GIVEN label lines each in a box (label：＿＿＿＿) and each value in a box of its own set
        over the blank, a little higher than the line, one value wrapped to a second line THEN each
        line's box holds its label and its whole value, a grid of one cell per line."""
        white = {"stroke": False, "fill": True, "non_stroking_color": (1.0, 1.0, 1.0)}
        rects, chars = [], []
        rows = [("党员人数：", "45人"), ("出生年月：", "1972.05"), ("党组织设置：", "1个党支部，下设3个党小组"),
                ("学历：", "大学")]
        for r, (label, value) in enumerate(rows):
            for k in range(2):
                x, top = 30 + 267 * k, 160 + 40 * r
                rects.append({"x0": x, "x1": x + 267, "top": top, "bottom": top + 17, **white})
                vx = x + 12 * len(label)
                lines = [value[:8], value[8:]] if len(value) > 8 else [value]
                rects.append({"x0": vx, "x1": vx + 100, "top": top - 2, "bottom": top - 2 + 15 * len(lines), **white})
                chars += _word(x, top + 1, label) + _word(vx + 112, top + 1, "＿＿")
                for n, text in enumerate(lines):
                    chars += _word(vx, top - 1 + 15 * n, text)
        grid, cell_chars, loose = box_grid(rects, chars, 595.0 * 842.0)
        assert grid is not None and loose == []
        held = sorted("".join(sorted(c["text"] for c in cs)) for cs in cell_chars)
        assert held == sorted("".join(sorted(f"{label}{value}＿＿")) for label, value in rows for _k in range(2))
        assert len(grid.cells) == 8


class TestLineSpacingCarriedOver:
    def _lines(self) -> list:
        # a narrative's last line, run full to the margin, then a label line one blank line below
        return group_lines(_word(57, 30, "群众满意度不断提高，深入开展廉政风险防控。支部书记带头讲党课。党员干部的")
                           + _word(57, 62, "呈报单位党组织意见：情况属实，同意推荐。"))

    def test_a_page_too_short_to_measure_uses_the_earlier_spacing(self) -> None:
        """GIVEN the earlier pages' lines stand 5 pt apart THEN the label line 20 pt below starts
        a paragraph of its own."""
        paras = paragraphs(self._lines(), 57.0, 57.0 + 36 * 12, spacing=5.0)
        assert [p.text() for p in paras][1].startswith("呈报单位党组织意见")

    def test_with_no_spacing_known_the_lines_near_enough_join(self) -> None:
        """The rule without a measure: a wrapped line and one at the margin near it are one paragraph
        (so the carried spacing is what parts them above)."""
        assert len(paragraphs(self._lines(), 57.0, 57.0 + 36 * 12)) == 1


class TestNestedFlush:
    def test_an_outer_cell_over_a_nested_table_gives_way_to_its_cells(self) -> None:
        """GIVEN the rulings of a form whose secretary's table is nested flush in its cell, under
        the cell's title (党组织书记情况) THEN no cell of the grid holds another (the outer cell
        would take the nested cells' text), and the nested table's 3 rows of cells are there."""
        grid = find_grids([Edge(*e) for e in FRAME_RULINGS])[0]
        for a in grid.cells:
            held = [b for b in grid.cells if b is not a and a.row <= b.row and b.row + b.rowspan <= a.row + a.rowspan
                    and a.col <= b.col and b.col + b.colspan <= a.col + a.colspan]
            assert not held, f"{a} holds {held}"
        nested_rows = {c.row for c in grid.cells if 281 <= c.box.y0 and c.box.y1 <= 438 and c.box.x1 <= 280}
        assert len(nested_rows) == 3

    @staticmethod
    def _contact(label: str, rest: str | None) -> dict[str, str]:
        """A form whose 联络人 label stands over 姓名|职务|电话 and the values, the cell beside all
        three left empty; `rest`: the label's rest under the values, if any."""
        low = 300 if rest else 260
        span = 4 if rest else 3
        cells = [_cell(0, 0, "单位名称", 1, 30, 120, 90, 140), _cell(0, 1, "中共某某局机关支部委员会", 1, 120, 280, 90, 140),
                 _cell(0, 2, "党员人数", 1, 280, 410, 90, 140, colspan=3), _cell(0, 5, "56名", 1, 410, 510, 90, 140),
                 _cell(1, 0, "分管党建工作负责人及电话", 1, 30, 120, 140, low, rowspan=span),
                 _cell(1, 1, "徐娟 15405544427", 1, 120, 280, 140, low, rowspan=span),
                 _cell(1, 2, label, 1, 280, 410, 140, 160, colspan=3),
                 _cell(1, 5, "", 1, 410, 510, 140, low, rowspan=span),
                 _cell(2, 2, "姓名", 1, 280, 316, 160, 190), _cell(2, 3, "职务", 1, 316, 356, 160, 190),
                 _cell(2, 4, "电话", 1, 356, 410, 160, 190),
                 _cell(3, 2, "孟飞峰", 1, 280, 316, 190, 260), _cell(3, 3, "综合科科长", 1, 316, 356, 190, 260),
                 _cell(3, 4, "176 5907 3476", 1, 356, 410, 190, 260)]
        if rest:
            cells.append(_cell(4, 2, rest, 1, 280, 410, 260, 300, colspan=3))
        return _values(Document(blocks=[Table(cells=cells, page=1, box=Box(30, 90, 510, low))], pages=1,
                                method="pdf-text"))

    def test_contact_table_under_its_label_beside_an_empty_cell(self) -> None:
        """GIVEN 联络人姓名及职务、电话 with 姓名|职务|电话 and the values in the rows under it, and
        the cell beside all three left empty THEN the parts are read from the rows under the label."""
        got = self._contact("联络人姓名及职务、电话", None)
        assert "孟飞峰" in got["contact"] and "综合科科长" in got["contact"] and "176 5907 3476" in got["contact"]

    def test_contact_table_between_the_halves_of_its_stacked_label(self) -> None:
        """GIVEN 联络人姓名 over 姓名|职务|电话 and the values, 及职务、电话 under them (LibreOffice
        set the values' table into a stacked label's column) THEN the parts are the values, and
        the label's rest is no part of them."""
        got = self._contact("联络人姓名", "及职务、电话")
        assert "孟飞峰" in got["contact"] and "综合科科长" in got["contact"] and "176 5907 3476" in got["contact"]
        assert "及职务" not in got["contact"]


class TestTableCutAtAFramesEdge:
    """A table wider than the frame holding it, printed cut at the frame's right edge."""

    def _doc(self, loose: str | None) -> Document:
        rows = [("单位名称", "中共某某局机关支部委员会", "党组织类型", "机关党支部"),
                ("党组织班子配备情况", "书记1名、委员3名", "党员人数", None),
                ("上年度党建考核等次", "好", "党组织设置（支部、党小组数）", "1个党支部"),
                ("分管党建工作负责人及电话", "徐娟 15405544427", "联络人姓名及职务、电话", "孟飞峰 综合科科长 17189157104")]
        cells = []
        for r, (l1, v1, l2, v2) in enumerate(rows):
            y0, y1 = 90 + 40 * r, 130 + 40 * r
            cells += [_cell(r, 0, l1, 1, 30, 120, y0, y1), _cell(r, 1, v1, 1, 120, 280, y0, y1),
                      _cell(r, 2, l2, 1, 280, 410, y0, y1)]
            if v2 is not None:
                cells.append(_cell(r, 3, v2, 1, 410, 510, y0, y1))
        cells += [_cell(4, 0, "申报创建材料（1500字以内）", 1, 30, 120, 250, 600),
                  _cell(4, 1, "我们坚持党建引领。" * 50, 1, 120, 510, 250, 600, colspan=3),
                  _cell(5, 0, "单位党组（党委）推荐理由及意见", 1, 30, 120, 600, 700),
                  _cell(5, 1, "同意推荐。\n（盖章）\n2017年4月1日", 1, 120, 510, 600, 700, colspan=3)]
        blocks: list = [Paragraph("申报单位：某某局（盖公章）　申报日期：2017年4月1日　编号：", page=1, box=Box(30, 60, 500, 72)),
                        Table(cells=cells, page=1, box=Box(30, 90, 410 if loose is not None else 510, 700))]
        if loose is not None:
            blocks.append(Paragraph(loose, page=1, box=Box(412, 142, 436, 154)))
        return Document(blocks=blocks, pages=1, method="pdf-text")

    def test_the_value_printed_past_the_edge_is_read(self) -> None:
        """GIVEN 党员人数 last in its row, 59名 printed just past the table's edge level with it
        THEN 党员人数 is 59名."""
        assert _values(self._doc("59名"))["member_count"] == "59名"

    def test_a_label_whose_row_ends_with_it_is_a_doubt_not_the_units_error(self) -> None:
        """GIVEN 党员人数 last in its row with no cell for its value and nothing printed beside it
        THEN the unit is not told it left 党员人数 blank: the reviewer is asked to look."""
        _docs, findings = analyse(self._doc(None), YUEYANG)
        about = [f for f in findings if f.field == "member_count"]
        assert [f.code for f in about] == ["field.unread"]
        assert "没有印出填写内容的格子" in about[0].message


class TestLabelsBrokenOverLines:
    """A narrow frame's form, round-tripped through RTF: labels broken over lines of their own, the
    values' table set under them, merges broken."""

    HEAD = [("单位名称", "中共某某局机关支部委员会"), ("党组织类型", "机关党支部"), ("党员人数", "56名"),
            ("上年度党建考核等次", "好")]

    def _doc(self, middle: list) -> Document:
        cells = [c for r, (label, value) in enumerate(self.HEAD)
                 for c in (Cell(row=r, col=0, paragraphs=[label]), Cell(row=r, col=1, paragraphs=[value]))]
        return Document(blocks=[Table(cells=cells), *middle,
                                Table(cells=[Cell(row=0, col=0, paragraphs=["申报创建材料（1500字以内）"]),
                                             Cell(row=0, col=1, paragraphs=["我们坚持党建引领。" * 40])])])

    @staticmethod
    def _parts(head: str = "姓名") -> Table:
        return Table(cells=[Cell(row=0, col=0, paragraphs=[head]), Cell(row=0, col=1, paragraphs=["职务"]),
                            Cell(row=0, col=2, paragraphs=["电话"]), Cell(row=1, col=0, paragraphs=["顾松俊"]),
                            Cell(row=1, col=1, paragraphs=["组织委员"]), Cell(row=1, col=2, paragraphs=["0571-78261305"])])

    def test_a_label_over_two_lines_then_its_value(self) -> None:
        """GIVEN 分管党建工作 / 负责人及电话 / 雷燕洋 172-9947-8408, each a line of its own THEN the
        label is one and the value under it is its."""
        got = _values(self._doc([Paragraph("分管党建工作"), Paragraph("负责人及电话"),
                                 Paragraph("雷燕洋 172-9947-8408")]))
        assert got["lead"].replace(" ", "").startswith("雷燕洋172")

    def test_a_label_line_over_the_values_table(self) -> None:
        """GIVEN 联络人姓名 / 及职务、电话 on two lines, then 姓名|职务|电话 over the values THEN the
        parts are the values."""
        got = _values(self._doc([Paragraph("联络人姓名"), Paragraph("及职务、电话"), self._parts()]))
        assert "顾松俊" in got["contact"] and "组织委员" in got["contact"] and "0571-78261305" in got["contact"]

    def test_a_label_line_glued_to_the_tables_first_head_word(self) -> None:
        """GIVEN 联络人姓名 on a line, then a table headed 及职务、电话姓名 | 职务 | 电话 (the label's
        rest run into the first head word) THEN the parts are the values."""
        got = _values(self._doc([Paragraph("联络人姓名"), self._parts("及职务、电话姓名")]))
        assert "顾松俊" in got["contact"] and "组织委员" in got["contact"] and "0571-78261305" in got["contact"]

    def test_a_stacked_label_whose_merge_broke(self) -> None:
        """GIVEN 分管党建工作 merged over two rows and 负责人及电话 starting in its second row (a merge
        an RTF round trip broke), the value beside THEN the label is one, its value read."""
        cells = [c for r, (label, value) in enumerate(self.HEAD)
                 for c in (Cell(row=r, col=0, colspan=2, paragraphs=[label]), Cell(row=r, col=2, paragraphs=[value]))]
        cells += [Cell(row=4, col=0, rowspan=2, colspan=2, paragraphs=["分管党建工作"]),
                  Cell(row=5, col=0, paragraphs=["负责人及电话"]), Cell(row=4, col=2, paragraphs=["苏伟 17456274308"]),
                  Cell(row=6, col=0, colspan=2, paragraphs=["申报创建材料（1500字以内）"]),
                  Cell(row=6, col=2, paragraphs=["我们坚持党建引领。" * 40])]
        got = _values(Document(blocks=[Table(cells=cells)]))
        assert got["lead"] == "苏伟 17456274308"
