"""A borderless table inside a scanned cell: its columns told from the ink, not the detector's
boxes.  No OCR: the page is drawn, and the detector's boxes are given as it draws them."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.image_factory import _font, cjk_font_path
from workers.extract.ocr_cell_columns import split_at_cell_columns
from workers.extract.ocr_engine import OcrLine
from workers.extract.ocr_grid import Grid, GridCell
from workers.extract.ocr_reader import _page_blocks
from workers.forms.subtable import parts_text

pytestmark = pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font (fc-list :lang=zh)")

CELL = (100.0, 100.0, 330.0, 300.0)
SIZE = 26


def _page(rows: list[list[tuple[float, str]]]) -> tuple[np.ndarray, list[OcrLine]]:
    """A cell's rows of text drawn at (x, text) places, and one detector box per row run: pieces
    closer than a character are one box, as the detector joins them."""
    img = Image.new("L", (440, 400), 255)
    d = ImageDraw.Draw(img)
    d.rectangle(CELL, outline=0, width=2)
    lines: list[OcrLine] = []
    for k, row in enumerate(rows):
        y = 120 + 32 * k + (20 if k else 0)       # the head row stands apart from the values
        boxes = []
        for x, text in row:
            d.text((x, y), text, fill=0, font=_font(SIZE))
            x0, y0, x1, y1 = d.textbbox((x, y), text, font=_font(SIZE))
            if boxes and x0 - boxes[-1][2] < SIZE:
                boxes[-1] = [boxes[-1][0], min(boxes[-1][1], y0), x1, max(boxes[-1][3], y1), boxes[-1][4] + text]
            else:
                boxes.append([x0, y0, x1, y1, text])
        lines += [OcrLine(t, (float(a), float(b), float(c), float(e)), 0.99) for a, b, c, e, t in boxes]
    return np.asarray(img), lines


LABEL = (20.0, 100.0, 100.0, 300.0)


def _grid() -> Grid:
    """The 联络人 label's cell and the value cell beside it (cells[1])."""
    return Grid(box=(LABEL[0], CELL[1], CELL[2], CELL[3]), rows=[CELL[1], CELL[3]], cols=[LABEL[0], CELL[0], CELL[2]],
                cells=[GridCell(0, 0, 1, 1, LABEL), GridCell(0, 1, 1, 1, CELL)])


CONTACT = [[(112, "姓名"), (180, "职务"), (255, "电话")],
           [(112, "孟飞"), (180, "综合"), (255, "171")],
           [(112, "峰"), (180, "科科"), (255, "891")],
           [(180, "长"), (255, "571")],
           [(255, "04")]]


def test_a_contact_table_without_rules_is_cut_into_its_columns() -> None:
    """GIVEN a 联络人 cell holding 姓名|职务|电话 over wrapped values, no rules, the detector's boxes
    joining 姓名职务电话 and 孟飞综合171 WHEN its columns are looked for in the ink THEN every box
    over a column of paper is cut there, and the cell notes the two columns."""
    img, lines = _page(CONTACT)
    assert "姓名职务电话" in [ln.text for ln in lines]          # the detector's join, as drawn
    grid = _grid()
    out = split_at_cell_columns(img, [grid], lines)
    texts = [ln.text for ln in out]
    assert texts[:6] == ["姓名", "职务", "电话", "孟飞", "综合", "171"]
    assert len(grid.cells[1].columns) == 2
    assert all(ln.box[2] <= grid.cells[1].columns[0] for ln in out if ln.text in ("姓名", "孟飞", "峰"))


def test_the_cells_table_gives_the_parts() -> None:
    """…and the page read from its JSON gives the cell a table of its own, as Word nests one,
    from which the 联络人's name, title and phone are read whole."""
    img, lines = _page(CONTACT)
    grid = _grid()
    out = split_at_cell_columns(img, [grid], lines)
    page = {"page": 1, "width": 440, "height": 400, "grids": [grid.to_json()],
            "lines": [ln.to_json() for ln in out]}
    blocks, _ = _page_blocks(page)
    [table] = [b for _, b in blocks if hasattr(b, "cells")]
    cell = table.cells[1]
    assert len(cell.tables) == 1 and not table.cells[0].tables
    assert parts_text(cell.tables[0]) == "姓名：孟飞峰\n职务：综合科科长\n电话：17189157104"


def test_a_wrapped_phone_is_not_a_table() -> None:
    """A value wrapped in its cell (丁新 183 2527 over 1755) has paper between its words, but no
    column of rows starting after it: nothing is cut, the cell has no table."""
    img, lines = _page([[(112, "丁新"), (180, "183"), (240, "2527")], [(112, "1755")], [(112, "组织委员")]])
    grid = _grid()
    out = split_at_cell_columns(img, [grid], lines)
    assert [ln.text for ln in out] == [ln.text for ln in lines]
    assert grid.cells[1].columns == []


def test_a_label_value_table_keeps_its_wrapped_values_whole() -> None:
    """GIVEN the secretary's borderless table in a cell (入党时间 | 一九八七 | 担任书记 | 1998.06), a
    value and a label each wrapped onto a row of their own (年十月, 时间) THEN the wrapped row joins
    the row above: 一九八七年十月 and 担任书记时间, not a row of their own with 入党时间 left short."""
    from workers.extract.model import Box, Cell, Line
    from workers.extract.ocr_cell_columns import cell_table

    def ln(text: str, x0: float, y0: float) -> Line:
        return Line(text, page=1, box=Box(x0, y0, x0 + 26 * len(text), y0 + 28), confidence=0.99)
    lines = [ln("姓名", 20, 10), ln("罗琳", 150, 10), ln("性别", 280, 10), ln("男", 410, 10),
             ln("入党时间", 20, 60), ln("一九八七", 150, 60), ln("担任书记", 280, 60), ln("1998.06", 410, 60),
             ln("年十月", 150, 88), ln("时间", 280, 88)]
    cell = Cell(row=0, col=1, page=1, box=Box(10, 0, 560, 130))
    table = cell_table(cell, [140.0, 270.0, 400.0], lines)
    assert table is not None
    assert [[c.text for c in row] for row in table.rows()] == [["姓名", "罗琳", "性别", "男"],
                                                               ["入党时间", "一九八七年十月", "担任书记时间", "1998.06"]]


def test_label_value_rows_are_left_to_the_cells_reading() -> None:
    """A cell whose top row is no row of headings (姓名 罗琳 1965/9: a value with digits) keeps the
    detector's boxes: its label-value rows read well as they are."""
    img, lines = _page([[(112, "姓名"), (180, "罗琳"), (255, "1965/9")], [(112, "民族"), (180, "汉族"), (255, "大学")],
                        [(112, "学历"), (180, "本科"), (255, "主任")]])
    grid = _grid()
    assert [ln.text for ln in split_at_cell_columns(img, [grid], lines)] == [ln.text for ln in lines]
    assert grid.cells[1].columns == []
