"""Boxes side by side on a scan or a photo, read box by box as on a text PDF (`pdf_boxes`).

A form laid out in label and value boxes without rulings (标签 | 值 | 标签 | 值) comes back from
the detector as pieces of lines: a value too long for its box wraps under itself
(中共台州市交通运 / 输局机关第四支部 / 委员会), and a piece may run over from one box into the next
(党组织设置（支部、3个党支部，下设6) where the gutter is narrow.  The pieces are cut where the
page's columns start (the places several rows start a piece), laid out as characters, and read
by `pdf_boxes.join_box_columns`, which puts each box's wrapped lines back under it.  Only the rows
of boxes it joined are replaced; every other piece is left as the detector gave it.
"""
from __future__ import annotations

import re

from .model import Box, Line
from .pdf_boxes import join_box_columns
from .ocr_text import WRAP_BELOW, line_height
from .pdf_layout import group_lines

# pieces start in one column within this many line heights; a column is where this many rows start one
ALIGN = 0.5
MIN_ROWS = 3
# marks that end a clause of running text
CLAUSE_END = re.compile(r"[，。；！？,;!?]")


def _columns(rows: list[list[Line]], h: float, least: int = MIN_ROWS) -> list[float]:
    """Where pieces start on `least` rows or more, beyond each row's first piece."""
    starts: list[list[float]] = []
    for row in rows:
        for ln in row[1:]:
            col = next((c for c in starts if abs(c[0] - ln.box.x0) <= ALIGN * h), None)
            if col is None:
                starts.append([ln.box.x0, 1])
            else:
                col[1] += 1
    return sorted(c[0] for c in starts if c[1] >= least)


def _widths(text: str) -> list[float]:
    """Each character's share of a printed line: a Chinese glyph (and full-width mark) is square,
    a Latin letter, a figure or a blank half as wide."""
    return [0.5 if ch.isascii() else 1.0 for ch in text]


def _at(text: str, share: float) -> int:
    """How many characters of `text` fill `share` of its width (the nearest boundary)."""
    ws = _widths(text)
    total, run = sum(ws) or 1.0, 0.0
    for i, w in enumerate(ws):
        if run + w / 2 >= share * total:
            return i
        run += w
    return len(text)


def _cut(ln: Line, cols: list[float], h: float) -> list[Line]:
    """The piece cut where a column starts inside it, in proportion to its characters; the part
    before ends a character short of the column, where the gutter the detector read over was (so
    does a piece that ends at a column's start, the next piece read a narrow gutter away)."""
    inside = [x for x in cols if ln.box.x0 + h < x < ln.box.x1 - h]
    near = [x for x in cols if ln.box.x1 - h <= x < ln.box.x1 + h and x > ln.box.x0 + 2 * h]
    if near and not inside:
        return [Line(ln.text, page=ln.page, box=Box(ln.box.x0, ln.box.y0, near[0] - h, ln.box.y1),
                     confidence=ln.confidence)]
    if not inside or len(ln.text) < 2:
        return [ln]
    out, start, x0 = [], 0, ln.box.x0
    width = max(1e-6, ln.box.x1 - ln.box.x0)
    for x in inside + [ln.box.x1]:
        end = len(ln.text) if x == ln.box.x1 else _at(ln.text, (x - ln.box.x0) / width)
        if ln.text[start:end].strip():
            right = x if x == ln.box.x1 else max(x0 + 1.0, x - h)
            out.append(Line(ln.text[start:end].strip(), page=ln.page, box=Box(x0, ln.box.y0, right, ln.box.y1),
                            confidence=ln.confidence))
        start, x0 = end, x
    return out


def _at_column(ln: Line, cols: list[float], h: float) -> Line:
    """A piece that starts a little left of its column (the detector's box takes in a margin)
    starts at the column: the gutter before it is then as wide as printed, and the box before it
    is not read as running on into it."""
    col = next((x for x in cols if 0 < x - ln.box.x0 <= ALIGN * h), None)
    if col is None or col >= ln.box.x1:
        return ln
    return Line(ln.text, page=ln.page, box=Box(col, ln.box.y0, ln.box.x1, ln.box.y1), confidence=ln.confidence)


def _label_wraps(ln: Line, below: list[Line], cols: list[float], h: float) -> bool:
    """Whether `ln` runs a label box over into its value's (no gutter seen) while the label goes on
    under it: the row below is one short piece under the label's start, ending with a colon
    before the column, and nothing before the column in `ln` ends a clause (running text does)."""
    inside = [x for x in cols if ln.box.x0 + h < x < ln.box.x1 - h]
    if not inside or len(below) != 1:
        return False
    b = below[0]
    return (abs(b.box.x0 - ln.box.x0) <= ALIGN * h and b.box.x1 < inside[0]
            and 0 <= b.box.y0 - ln.box.y1 < WRAP_BELOW * h and b.text.rstrip().endswith(("：", ":"))
            and not CLAUSE_END.search(ln.text[:_at(ln.text, (inside[0] - ln.box.x0) / max(1e-6, ln.box.x1 - ln.box.x0))]))


# `pdf_boxes` measures in points, its text a size this large: pixels are scaled to it
POINT_SIZE = 10.5


def _glyph(pieces: list[Line]) -> float | None:
    """The width of a Chinese character on the page (the median over pieces of two or more): the
    font's size, smaller than a detector's box is high (it takes in a margin above and below)."""
    ems = sorted((ln.box.x1 - ln.box.x0) / sum(_widths(ln.text)) for ln in pieces if len(ln.text.strip()) >= 2)
    return ems[len(ems) // 2] if ems else None


def _as_chars(k: int, ln: Line, em: float) -> list[dict]:
    """A piece as characters of equal width, set on its middle, in points: a character `em`
    pixels wide is POINT_SIZE, so that the printed page's measures (gutters, pitches, in font
    sizes) hold."""
    s = POINT_SIZE / em
    ws = _widths(ln.text)
    unit = (ln.box.x1 - ln.box.x0) / (sum(ws) or 1.0)
    mid = (ln.box.y0 + ln.box.y1) / 2
    out, x = [], ln.box.x0
    for ch, w in zip(ln.text, ws):
        if not ch.isspace():
            out.append({"text": ch, "x0": s * x, "x1": s * (x + w * unit), "top": s * mid - POINT_SIZE / 2,
                        "bottom": s * mid + POINT_SIZE / 2, "size": POINT_SIZE, "piece": k})
        x += w * unit
    return out


def join_ocr_boxes(rows: list[list[Line]], least: int = MIN_ROWS) -> list[Line]:
    """The loose pieces of a page (in rows, `ocr_text.rows`), boxes side by side read box by box;
    a column is where `least` rows start a piece (in a cell, whose few rows are all its own, two)."""
    pieces = [ln for row in rows for ln in row]
    if len(pieces) < 4:
        return pieces
    h = line_height(pieces)
    cols = _columns(rows, h, least)
    if not cols:
        return pieces
    # a piece alone on its row (running text, a box's wrapped line) is no piece run over its box,
    # unless its label box goes on, with its colon, on the row under it (联络人姓名及职务、电宋芳英… / 话：)
    shared = {id(ln) for row in rows if len(row) >= 2 for ln in row}
    shared |= {id(row[0]) for row, below in zip(rows, rows[1:]) if len(row) == 1 and _label_wraps(row[0], below, cols, h)}
    origin = [(k, _at_column(p, cols, h)) for k, ln in enumerate(pieces)
              for p in (_cut(ln, cols, h) if id(ln) in shared else [ln])]
    cut = [p for _k, p in origin]
    em = _glyph(pieces) or h
    chars = [c for k, ln in enumerate(cut) for c in _as_chars(k, ln, em)]
    lines = group_lines(chars)
    right = max(ln.box.x1 for ln in cut) * POINT_SIZE / em
    joined = join_box_columns(lines, right)
    taken: set[int] = set()         # pieces of `pieces` read into a row of boxes
    out: list[Line] = []
    for tl in joined:
        if not tl.boxes:
            continue
        ks = {c["piece"] for c in tl.chars}
        taken |= {origin[k][0] for k in ks}
        parts = [cut[k] for k in sorted(ks)]
        box = parts[0].box
        for p in parts[1:]:
            box = box.union(p.box)
        out.append(Line(tl.text(), page=parts[0].page, box=box, confidence=min(p.confidence for p in parts)))
    if not out:
        return pieces
    return out + [ln for k, ln in enumerate(pieces) if k not in taken]
