"""Forms printed to PDF by other tools than the Word writer: an HTML page's positioned boxes, label
lines spaced out with blanks that wrap, a nested table squeezed a
character wide, a box placed past the page's edge.

GIVEN such a print WHEN it is read THEN the fields are what a person reads on the paper.  (The same
shapes printed by LibreOffice: tests/test_form_shapes_gaps.py; a frame cut off at the page's foot:
tests/test_findings_evidence.py.)
"""
from __future__ import annotations


import pytest

from workers.extract.pdf_boxes import join_box_columns
from workers.extract.pdf_columns import borderless_table
from workers.extract.pdf_layout import group_lines, paragraphs
from workers.extract.pdf_chars import mark_blanks
from workers.extract.pdf_reader import _right_margin
from workers.extract.pdf_textboxes import box_grid

WHITE = {"stroke": False, "fill": True, "non_stroking_color": (1.0, 1.0, 1.0)}


def _word(x: float, top: float, text: str, size: float = 10.0) -> list[dict]:
    return [{"text": ch, "x0": x + k * size, "x1": x + (k + 1) * size, "top": top, "bottom": top + size,
             "size": size, "doctop": top, "upright": True, "fontname": "F"} for k, ch in enumerate(text)]


def _rect(x0: float, top: float, x1: float, bottom: float, **style: object) -> dict:
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, **WHITE, **style}


class TestTextBoxes:
    def _form(self) -> tuple[list[dict], list[dict]]:
        """Two rows of label | value boxes 17 pt high; the first row's label and value wrap to a
        second line that runs over the second row's boxes, which start 7 pt lower."""
        rects = [_rect(30, 90, 120, 107), _rect(127, 90, 262, 124), _rect(270, 90, 360, 107), _rect(367, 90, 502, 107),
                 _rect(30, 114, 120, 148), _rect(127, 114, 262, 131), _rect(270, 114, 360, 131), _rect(367, 114, 502, 131)]
        chars = (_word(31, 92, "单位名称：") + _word(128, 92, "中共某某市交通运输") + _word(128, 109, "局机关支部")
                 + _word(271, 92, "党组织类型：") + _word(368, 92, "机关党支部")
                 + _word(31, 116, "党组织设置（支") + _word(31, 133, "部、党小组数）：") + _word(128, 116, "3个党支部")
                 + _word(271, 116, "党员人数：") + _word(368, 116, "57名"))
        return rects, chars

    def test_each_box_reads_whole_as_a_cell(self) -> None:
        """GIVEN boxes filled white, unstroked, whose wrapped lines run over the next row THEN each
        box's text is one cell, the boxes a grid of rows and columns."""
        rects, chars = self._form()
        grid, cell_chars, loose = box_grid(rects, chars, 595.0 * 842.0)
        assert grid is not None and loose == []
        cells = {(c.row, c.col): "".join(ch["text"] for ch in sorted(cs, key=lambda ch: (ch["top"], ch["x0"])))
                 for c, cs in zip(grid.cells, cell_chars)}
        assert cells == {(0, 0): "单位名称：", (0, 1): "中共某某市交通运输局机关支部", (0, 2): "党组织类型：",
                         (0, 3): "机关党支部", (1, 0): "党组织设置（支部、党小组数）：", (1, 1): "3个党支部",
                         (1, 2): "党员人数：", (1, 3): "57名"}

    def test_loose_labels_beside_boxed_values_are_no_grid(self) -> None:
        """GIVEN only the values boxed, the labels printed loose beside them THEN no grid: the
        label lines read them (a grid of values alone would lose every label)."""
        rects = [_rect(127, 90, 262, 107), _rect(127, 114, 262, 131), _rect(367, 90, 502, 107), _rect(367, 114, 502, 131)]
        chars = (_word(31, 92, "单位名称：") + _word(128, 92, "中共某某支部") + _word(271, 92, "党组织类型：")
                 + _word(368, 92, "机关") + _word(31, 116, "党员人数：") + _word(128, 116, "57名")
                 + _word(271, 116, "上年度考核：") + _word(368, 116, "好"))
        grid, _cells, loose = box_grid(rects, chars, 595.0 * 842.0)
        assert grid is None and loose == chars

    def test_stroked_or_coloured_boxes_are_rulings_not_text_boxes(self) -> None:
        """GIVEN the same boxes drawn with a border THEN they are no text boxes (a ruled table's
        cells are read from its rulings)."""
        rects, chars = self._form()
        grid, _cells, _loose = box_grid([{**r, "stroke": True} for r in rects], chars, 595.0 * 842.0)
        assert grid is None


class TestTypedGaps:
    def test_blanks_are_placed_by_position_not_by_the_files_order(self) -> None:
        """GIVEN a blank printed after 建 but written into the file before it THEN 建 has a space
        after it, and the blank does not count as typed before it."""
        chars = _word(90, 306, "建") + _word(103.9, 306, "办公室")
        blank = {"text": "\u3000", "x0": 100.0, "x1": 103.9, "top": 306.0, "bottom": 316.0, "size": 10.0}
        mark_blanks(chars, [blank])
        assert chars[0].get("space_after") and not chars[0].get("typed_gap")
        assert chars[1].get("typed_gap")

    def test_a_line_spaced_out_with_blanks_wraps_as_text(self) -> None:
        """GIVEN 单位名称　　中共…　　党组织类型　　机关党总支　　党组织班子 / 配备情况　　书记1名 — a line
        of fields spaced out with typed blanks, wrapped, its second line's pieces standing by chance
        where the first line's start THEN it is read as one run of text, not as boxes in columns."""
        first = _word(57, 62, "单位名称") + _word(129, 62, "中共某某审计局支部") + _word(243, 62, "党组织类型") \
            + _word(317, 62, "机关党总支") + _word(391, 62, "党组织班子")
        second = _word(57, 79, "配备情况") + _word(129, 79, "书记1名")
        for c in first[4:5] + first[13:14] + first[18:19] + first[23:24] + second[4:5]:
            c["typed_gap"] = True
        out = join_box_columns(group_lines(first + second), right=441.0)
        text = "".join(p.text() for p in paragraphs(out, 57.0, 441.0))
        assert "党组织班子配备情况" in text.replace(" ", "")


class TestNarrowColumns:
    def test_columns_squeezed_closer_than_padding(self) -> None:
        """GIVEN 姓名|职务|电话 over the values in a cell so narrow that each line holds one
        character per column, the columns 7.5 pt apart THEN each column reads down."""
        rows = [("姓职电", 397), ("名务话", 410), ("陶党1", 435), ("杰务8", 449), ("燕干7", 464)]
        chars: list[dict] = []
        for text, top in rows:
            for k, ch in enumerate(text):
                chars += _word(474 + 18 * k, top, ch, size=10.5)
        chars += _word(492, 478, "事", size=10.5) + _word(510, 478, "8", size=10.5)
        t = borderless_table(group_lines(chars), 1, None)
        assert t is not None
        assert [[c.text for c in row] for row in t.rows()] == [["姓名", "职务", "电话"], ["陶杰燕", "党务干事", "1878"]]


class TestRightMargin:
    def test_one_line_past_the_margin_does_not_move_it(self) -> None:
        """GIVEN a page with a 90 pt left margin and one line of boxes run past the right edge
        THEN the text ends where the left margin mirrors; several lines ending alike further out
        move it there."""
        lines = group_lines(_word(90, 100, "单位名称中共某某局") + _word(90, 120, "联络人" + "某" * 60))
        assert _right_margin(lines, 505.0) == 505.0
        lines = group_lines(_word(90, 100, "某" * 44) + _word(90, 120, "某" * 44) + _word(90, 140, "某"))
        assert _right_margin(lines, 505.0) == 530.0
