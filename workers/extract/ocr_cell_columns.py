"""A borderless table inside a scanned cell, its columns seen in the ink, not in the detector's boxes.

A 联络人 cell may hold a little table without rules (姓名 | 职务 | 电话 over 孟飞峰 | 综合科科长 | 171…),
squeezed so narrow that each value wraps under itself.  The text detector joins what stands
close on one row: 姓名职务电话 as one box, 孟飞综合 as another, and the cell's reading cannot tell
its columns apart.  The page's ink can: a column of paper runs down the whole cell between two
of the little table's columns, and the rows on its right start right after it.  A box laid over
such a column of paper is cut there, its characters shared out by their widths — only where
the cell's top row is then a row of headings: other cells (label-value rows, an opinion with its
date line) read well as the detector drew them.
"""
from __future__ import annotations

import unicodedata
from typing import Sequence

import numpy as np

from .model import Box, Cell, Line, Table
from .ocr_engine import OcrLine
from .ocr_grid import Grid, binarise
from .ocr_text import rows as text_rows

# a column of paper at least this wide (of the cell's line height) parts two columns; the gap
# between two characters of one word is far narrower
GAP = 0.3
# and this many of the cell's rows start right after it: a column shared by rows, not a space
# inside one row's text (丁新 183 2527 over 1755)
ROWS_AFTER = 2


def char_width(ch: str) -> float:
    """A character's printed width in Chinese characters: full-width ones 1, the rest about half."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


def _cut(line: OcrLine, a: float, b: float) -> tuple[OcrLine, OcrLine] | None:
    """The line cut at the column of paper a…b, its characters shared out by their widths along
    its box; each piece's box ends at the paper, as the detector would have drawn them apart."""
    x = (a + b) / 2
    x0, y0, x1, y1 = line.box
    widths = [char_width(ch) for ch in line.text]
    scale = (x1 - x0) / max(sum(widths), 1e-6)
    acc, k = 0.0, 0
    while k < len(widths) and x0 + (acc + widths[k] / 2) * scale < x:
        acc += widths[k]
        k += 1
    left, right = line.text[:k].strip(), line.text[k:].strip()
    if not left or not right:
        return None
    return (OcrLine(left, (x0, y0, a, y1), line.confidence, line.tilt),
            OcrLine(right, (b, y0, x1, y1), line.confidence, line.tilt))


def _gaps(ink: np.ndarray, rows: list[tuple[int, int]], height: float) -> list[tuple[int, int]]:
    """Columns of paper (start, end) in a cell's ink that run through all its rows, with ink on
    both sides, that ROWS_AFTER of its rows start right after."""
    clear = ~ink.any(axis=0)
    out: list[tuple[int, int]] = []
    w = ink.shape[1]
    inked = np.flatnonzero(~clear)
    if inked.size == 0:
        return out
    first, last = int(inked[0]), int(inked[-1])
    x = first
    while x <= last:
        if not clear[x]:
            x += 1
            continue
        end = x
        while end <= last and clear[end]:
            end += 1
        if end - x >= GAP * height:
            reach = slice(end, min(w, end + int(0.5 * height) + 1))
            starting = sum(1 for a, b in rows if ink[a:b, reach].any())
            if starting >= ROWS_AFTER:
                out.append((x, end))
        x = end
    return out


# a head row's words: this short, and no digits (a value row under them holds those)
HEAD_CHARS = 4


def _top_row(lines: list[OcrLine]) -> list[OcrLine]:
    """The lines level with the topmost one."""
    top = min(lines, key=lambda ln: ln.box[1])
    return [ln for ln in lines if top.box[1] <= (ln.box[1] + ln.box[3]) / 2 <= top.box[3]]


def _headed(pieces: list[OcrLine]) -> bool:
    """Whether the cell's top row, cut at its columns, is a row of headings (姓名 | 职务 | 电话): two or
    more short words without digits.  Only then are the columns taken for a table's: a cell of
    running text, an opinion with its date line, or label-value rows read well as they are."""
    row = _top_row(pieces)
    return len(row) >= 2 and all(len(ln.text) <= HEAD_CHARS and not any(ch.isdigit() for ch in ln.text)
                                 for ln in row)


def split_at_cell_columns(grey: np.ndarray, grids: Sequence[Grid], lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with every box laid over a column of paper inside its grid cell cut there, where the
    cell's top row is a row of headings; each such cell notes where its columns part
    (`GridCell.columns`)."""
    if not grids or not lines:
        return lines
    ink_page: np.ndarray | None = None
    cut: dict[int, list[OcrLine]] = {}
    for g in grids:
        for cell in g.cells:
            cx0, cy0, cx1, cy1 = cell.box
            inside = [i for i, ln in enumerate(lines)
                      if cx0 <= (ln.box[0] + ln.box[2]) / 2 <= cx1 and cy0 <= (ln.box[1] + ln.box[3]) / 2 <= cy1]
            if len(inside) < 3 or any(ch.isdigit() for ln in _top_row([lines[i] for i in inside]) for ch in ln.text):
                continue              # too few lines, or a top row with digits: no row of headings
            height = float(np.median([lines[i].box[3] - lines[i].box[1] for i in inside]))
            if ink_page is None:
                ink_page = binarise(grey) > 0
            # inside the cell's rules, over the rows of its lines
            m = 4
            ax0, ax1 = int(cx0 + m), int(cx1 - m)
            ay0 = int(max(cy0 + m, min(lines[i].box[1] for i in inside)))
            ay1 = int(min(cy1 - m, max(lines[i].box[3] for i in inside)))
            if ax1 - ax0 < 2 * height or ay1 - ay0 < height:
                continue
            ink = ink_page[ay0:ay1, ax0:ax1]
            rows = sorted({(max(0, int(lines[i].box[1]) - ay0), max(0, int(lines[i].box[3]) - ay0)) for i in inside})
            if len({a // max(1, int(height / 2)) for a, _ in rows}) < 2:
                continue              # one row of text: no column to share
            mine: dict[int, list[OcrLine]] = {}
            columns = []
            for a, b in _gaps(ink, rows, height):
                columns.append(ax0 + (a + b) / 2)
                for i in inside:
                    pieces = mine.get(i, [lines[i]])
                    out: list[OcrLine] = []
                    for ln in pieces:
                        parts = _cut(ln, ax0 + a, ax0 + b) if ln.box[0] < ax0 + a and ln.box[2] > ax0 + b else None
                        out.extend(parts or (ln,))
                    if len(out) > len(pieces):
                        mine[i] = out
            if columns and _headed([p for i in inside for p in mine.get(i, [lines[i]])]):
                cell.columns = columns
                cut.update(mine)
    if not cut:
        return lines
    return [piece for i, ln in enumerate(lines) for piece in cut.get(i, [ln])]


def cell_table(cell: Cell, columns: list[float], lines: list[Line]) -> Table | None:
    """The borderless table in a cell whose columns were seen (`GridCell.columns`), as Word gives a
    table nested in a cell (`Cell.tables`): a row per text row, a cell per column.  A text row whose
    first column is blank is the row above wrapped (一九八七 over 年十月, 担任书记 over 时间) and joins it."""
    if not columns or cell.box is None or not lines:
        return None
    edges = [cell.box.x0, *sorted(columns), cell.box.x1]
    grid: list[list[list[Line]]] = []
    for row in text_rows(lines):
        slots: list[list[Line]] = [[] for _ in range(len(edges) - 1)]
        for ln in sorted(row, key=lambda l: l.box.x0):
            cx = (ln.box.x0 + ln.box.x1) / 2
            j = next((j for j in range(len(edges) - 1) if cx < edges[j + 1]), len(edges) - 2)
            slots[j].append(ln)
        if grid and not slots[0]:
            for j, more in enumerate(slots):
                grid[-1][j].extend(more)
        else:
            grid.append(slots)
    cells: list[Cell] = []
    for r, slots in enumerate(grid):
        for j, slot in enumerate(slots):
            box = Box(edges[j], min(ln.box.y0 for ln in slot), edges[j + 1], max(ln.box.y1 for ln in slot)) if slot else None
            cells.append(Cell(row=r, col=j, paragraphs=["".join(ln.text for ln in slot)] if slot else [],
                              page=cell.page, box=box, confidence=cell.confidence))
    return Table(cells=cells, page=cell.page, box=cell.box)
