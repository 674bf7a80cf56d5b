"""Boxes the text detector ran together over a gutter, parted where the page shows the gutter.

A form laid out in label and value boxes without rules, printed with gutters about a character
wide, comes back from the detector with neighbouring boxes read as one line wherever the gutter
was narrow: 党组织名称：中共金华市所在单位类 for 党组织名称： | 中共金华市 | 所在单位类(别：).  The
reading of the page's rows of boxes (`ocr_boxes`) can only guess where such a piece parts, from
its characters' count; the page's ink shows it: a column of paper as wide as a character runs
through the line there, wider than any space inside a line of text (the white beside a 、 or a
colon is under one character).  A line read outside the tables is cut at such columns of paper,
its characters shared out by their widths along its ink, as the detector would have drawn the
boxes apart; and every line outside the tables starts where its ink does, not where the
detector's padding put its box (别： 17 pixels to the left of its column, over its neighbour).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .ocr_cell_columns import char_width
from .ocr_engine import OcrLine
from .ocr_grid import Grid, binarise

# a column of paper inside a line at least this wide (in the line's characters) is a gutter
GUTTER = 0.9
# no box ends with a clause's mark, or starts with a closing one or a colon: a column of paper
# there is the white of two marks side by side in running text (，“ — the comma's right, the
# quote's left), as wide as a gutter
NO_END = tuple("，、。；,;“‘（(《")
NO_START = tuple("，、。；：,;:”’）)》")
# a line shorter than this is not looked at (a gutter parts two boxes of two characters or more)
MIN_CHARS = 4


def _in_a_cell(line: OcrLine, grids: Sequence[Grid]) -> bool:
    cx, cy = (line.box[0] + line.box[2]) / 2, (line.box[1] + line.box[3]) / 2
    return any(c.box[0] <= cx <= c.box[2] and c.box[1] <= cy <= c.box[3] for g in grids for c in g.cells)


def _runs(clear: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of the runs of True in `clear`."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], clear.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _gutters(ink: np.ndarray, units: float, em: float | None = None) -> list[tuple[int, int]]:
    """The gutters across a line's ink (columns of its box, first to last inked column): runs of
    paper at least GUTTER characters wide, a character `em` wide (the page's), else as wide as
    the line's ink less the gutters themselves tells (twice: a first guess counts them in)."""
    clear = ~ink.any(axis=0)
    inked = np.flatnonzero(~clear)
    if inked.size == 0 or units <= 0:
        return []
    first, last = int(inked[0]), int(inked[-1])
    inner = [(first + a, first + b) for a, b in _runs(clear[first:last + 1])]
    if em:
        return [(a, b) for a, b in inner if b - a >= GUTTER * em]
    found: list[tuple[int, int]] = []
    for _ in range(2):
        width = (last + 1 - first - sum(b - a for a, b in found)) / units
        found = [(a, b) for a, b in inner if b - a >= GUTTER * width]
    return found


def _parts(line: OcrLine, ink: np.ndarray, left: int, gutters: list[tuple[int, int]],
           em: float | None) -> list[OcrLine] | None:
    """`line` cut at its gutters (columns of `ink`, whose first is the page's `left`), each
    character given to the part of the ink its middle falls in, the ink counted without the
    gutters.  A Chinese character is the page's `em` wide; a Latin letter or figure takes what
    the line's ink leaves them (in one font figures are half a character, in another two thirds:
    0734-3004438 beside 党务干事).  None where a part would get no character, where most parts
    would be one (letter spacing), or where a part would end or start with a mark (running text)."""
    x0, y0, x1, y1 = line.box
    inked = np.flatnonzero(ink.any(axis=0))
    first, last = int(inked[0]), int(inked[-1]) + 1
    spans = list(zip([first] + [b for _a, b in gutters], [a for a, _b in gutters] + [last]))
    total = sum(b - a for a, b in spans)
    narrow = [ch for ch in line.text if char_width(ch) < 1.0]
    wide = len(line.text) - len(narrow)
    if em and narrow and wide:
        half = min(0.8 * em, max(0.4 * em, (total - wide * em) / len(narrow)))
        widths = [em if char_width(ch) >= 1.0 else half for ch in line.text]
    else:
        widths = [char_width(ch) for ch in line.text]
    scale = total / max(sum(widths), 1e-6)
    texts: list[str] = ["" for _ in spans]
    acc = 0.0
    for ch, w in zip(line.text, widths):
        middle, run, k = (acc + w / 2) * scale, 0.0, 0
        while k < len(spans) - 1 and middle > run + spans[k][1] - spans[k][0]:
            run += spans[k][1] - spans[k][0]
            k += 1
        texts[k] += ch
        acc += w
    if any(not t.strip() for t in texts):
        return None
    if sum(1 for t in texts if len(t.strip()) == 1) > len(texts) / 2:
        return None         # a title or a label spaced out letter by letter (姓　名, 申 报 表), not boxes
    if any(a.rstrip().endswith(NO_END) or b.lstrip().startswith(NO_START) for a, b in zip(texts, texts[1:])):
        return None         # running text: the white of two marks side by side (活动，“三会一课”)
    out = []
    for k, ((a, b), text) in enumerate(zip(spans, texts)):
        bx0 = x0 if k == 0 else left + a
        bx1 = x1 if k == len(spans) - 1 else left + b
        out.append(OcrLine(text.strip(), (float(bx0), y0, float(bx1), y1), line.confidence, line.tilt))
    return out


def _em(inks: list[tuple[OcrLine, np.ndarray]]) -> float | None:
    """A Chinese character's printed width on the page: the median over its lines of Chinese text
    (twice MIN_CHARS or more, at most one in five Latin) of their ink's width over their characters."""
    per = []
    for ln, ink in inks:
        text = ln.text.strip()
        if len(text) < 2 * MIN_CHARS or sum(1 for ch in text if char_width(ch) < 1.0) > len(text) / 5:
            continue
        inked = np.flatnonzero(ink.any(axis=0))
        if inked.size:
            per.append((int(inked[-1]) + 1 - int(inked[0])) / sum(char_width(ch) for ch in text))
    return float(np.median(per)) if per else None


def _reach_over(line: OcrLine, others: list[OcrLine]) -> float:
    """Where the boxes on `line`'s row that its box starts inside end (its own start where none):
    the detector pads a short piece's box into its neighbour's ink (别： over 司法局机关's 关)."""
    x0, y0, x1, y1 = line.box
    # by a padding's width: no more than a line's height, nor half the piece (on a photo the boxes
    # of two lines, turned with the page, overlap over their whole width)
    reach = min(y1 - y0, 0.5 * (x1 - x0))
    ends = [o.box[2] for o in others if o is not line and o.box[0] < x0 < o.box[2] <= x0 + reach
            and min(y1, o.box[3]) - max(y0, o.box[1]) >= 0.5 * min(y1 - y0, o.box[3] - o.box[1])]
    return max(ends, default=x0)


def split_at_gutters(grey: np.ndarray, grids: Sequence[Grid], lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with every line outside the tables that runs over a gutter cut there, and every line
    outside them starting where its ink does: the detector pads its boxes, a short piece's most
    (into its neighbour's ink, at times), and a box's start is where the rows of boxes find their
    columns."""
    loose = [i for i, ln in enumerate(lines) if not _in_a_cell(ln, grids)]
    if not loose:
        return lines
    ink_page = binarise(grey) > 0
    h, w = ink_page.shape
    row = [lines[i] for i in loose]
    inks: dict[int, tuple[OcrLine, np.ndarray, int]] = {}
    for i in loose:
        ln = lines[i]
        left = max(0, int(round(_reach_over(ln, row))))
        x0, y0, x1, y1 = (int(round(v)) for v in ln.box)
        ink = ink_page[max(0, y0):min(h, y1), left:min(w, x1)]
        inked = np.flatnonzero(ink.any(axis=0)) if ink.size else np.empty(0, dtype=int)
        if inked.size == 0:
            continue
        start = left + int(inked[0])
        if start > ln.box[0]:
            ln = OcrLine(ln.text, (float(start), ln.box[1], ln.box[2], ln.box[3]), ln.confidence, ln.tilt)
        inks[i] = (ln, ink[:, int(inked[0]):], start)
    em = _em([(ln, ink) for ln, ink, _x in inks.values()])
    cut: dict[int, list[OcrLine]] = {}
    for i, (ln, ink, x0) in inks.items():
        cut[i] = [ln]
        if len(ln.text.strip()) < MIN_CHARS:
            continue
        gutters = _gutters(ink, sum(char_width(ch) for ch in ln.text), em)
        parts = _parts(ln, ink, x0, gutters, em) if gutters else None
        if parts:
            cut[i] = parts
    return [p for i, ln in enumerate(lines) for p in cut.get(i, [ln])]
