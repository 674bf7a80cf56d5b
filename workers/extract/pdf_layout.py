"""Geometry for text PDFs: table grids from ruling lines, text lines, paragraphs.

All coordinates are PDF points with the origin at the top left (pdfplumber's
`x0, top, x1, bottom`).  Pure functions over plain dicts and tuples so they can
be tested without a PDF.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from .model import Box, Line
from .grid_merge import merged_spans

# positions closer than this are the same ruling line (borders are often drawn
# twice, or as thin rectangles with two edges)
SNAP = 2.0
# a ruling must cover this share of a grid segment to count as a border there
COVER = 0.6
# edges shorter than this are ticks or glyph parts, not rulings
MIN_EDGE = 3.0
# side rules that run on this far below a table's last rule frame a row whose bottom rule is cut
OPEN_ROW = 12.0


@dataclass
class Edge:
    orientation: str          # "h" or "v"
    pos: float                # y of an h edge, x of a v edge
    start: float              # x0 (h) or top (v)
    end: float                # x1 (h) or bottom (v)


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: Box


@dataclass
class Grid:
    xs: list[float]
    ys: list[float]
    cells: list[GridCell]

    @property
    def box(self) -> Box:
        return Box(self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


def unseen(e: dict) -> bool:
    """An edge of a shape filled white and not stroked: a box's background (an HTML page's placed
    box, a text frame), invisible on the paper, so no ruling."""
    if e.get("stroke", True) or not e.get("fill", False):
        return False
    colour = e.get("non_stroking_color")
    if isinstance(colour, (int, float)):
        colour = (colour,)
    if not isinstance(colour, (tuple, list)) or not colour or not all(isinstance(c, (int, float)) for c in colour):
        return False
    if len(colour) == 4:                                # CMYK: white is no ink at all
        return all(c <= 0.02 for c in colour)
    return all(c >= 0.98 for c in colour)              # grey or RGB white


def edges_from_plumber(h_edges: list[dict], v_edges: list[dict]) -> list[Edge]:
    out = []
    for e in h_edges:
        if e["x1"] - e["x0"] >= MIN_EDGE and not unseen(e):
            out.append(Edge("h", (e["top"] + e["bottom"]) / 2, e["x0"], e["x1"]))
    for e in v_edges:
        if e["bottom"] - e["top"] >= MIN_EDGE and not unseen(e):
            out.append(Edge("v", (e["x0"] + e["x1"]) / 2, e["top"], e["bottom"]))
    return out


def _touch(a: Edge, b: Edge) -> bool:
    t = SNAP + 1.0
    if a.orientation != b.orientation:
        h, v = (a, b) if a.orientation == "h" else (b, a)
        return (h.start - t <= v.pos <= h.end + t) and (v.start - t <= h.pos <= v.end + t)
    return abs(a.pos - b.pos) <= t and a.start - t <= b.end and b.start - t <= a.end


def connected_groups(edges: list[Edge]) -> list[list[Edge]]:
    """Edges that touch each other, transitively: one group per drawn table."""
    parent = list(range(len(edges)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # sweep over x so only edges whose x-ranges meet are compared (pages with
    # thousands of tiny rulings, e.g. dotted leaders, stay fast)
    t = SNAP + 1.0

    def xr(e: Edge) -> tuple[float, float]:
        return (e.start, e.end) if e.orientation == "h" else (e.pos, e.pos)

    order = sorted(range(len(edges)), key=lambda i: xr(edges[i])[0])
    active: list[int] = []
    for i in order:
        x0 = xr(edges[i])[0]
        active = [j for j in active if xr(edges[j])[1] + t >= x0]
        for j in active:
            if _touch(edges[i], edges[j]):
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[ri] = rj
        active.append(i)
    groups: dict[int, list[Edge]] = {}
    for i, e in enumerate(edges):
        groups.setdefault(find(i), []).append(e)
    return list(groups.values())


def _cluster(values: list[float]) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= SNAP:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _covered(edges: list[Edge], pos: float, a: float, b: float) -> bool:
    """Whether rulings at `pos` cover at least COVER of the segment [a, b]."""
    need = (b - a) * COVER
    spans = sorted((max(a, e.start), min(b, e.end)) for e in edges
                   if abs(e.pos - pos) <= SNAP and e.end > a and e.start < b)
    total, cur_end = 0.0, a
    for s, t in spans:
        s = max(s, cur_end)
        if t > s:
            total += t - s
            cur_end = t
    return total >= need


def build_grid(group: list[Edge]) -> Grid | None:
    """The table a group of rulings draws, merged cells resolved; None if not a table."""
    hs = [e for e in group if e.orientation == "h"]
    vs = [e for e in group if e.orientation == "v"]
    xs, ys = _cluster([e.pos for e in vs]), _cluster([e.pos for e in hs])
    if len(xs) < 2 or len(ys) < 2:
        return None
    # a last row whose bottom rule is not drawn (a frame or the page cut the table there): its
    # side rules run on below the last rule, and the row ends where they end
    bottoms = [e.end for e in vs if e.end > ys[-1] + OPEN_ROW]
    if len(bottoms) >= 2 and any(abs(e.pos - xs[0]) <= SNAP for e in vs if e.end > ys[-1] + OPEN_ROW) \
            and any(abs(e.pos - xs[-1]) <= SNAP for e in vs if e.end > ys[-1] + OPEN_ROW):
        ys.append(min(bottoms))
    spans = merged_spans(len(ys) - 1, len(xs) - 1,
                         lambda r, c: _covered(vs, xs[c + 1], ys[r], ys[r + 1]),
                         lambda r, c: _covered(hs, ys[r + 1], xs[c], xs[c + 1]))
    cells = [GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, Box(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
             for r0, c0, r1, c1 in spans]
    cells = _without_holders(cells, xs, ys)
    if len(cells) < 2:
        return None           # a frame around text (a box, a shaded block), not a form table
    cells.sort(key=lambda g: (g.row, g.col))
    return Grid(xs, ys, cells)


def _without_holders(cells: list[GridCell], xs: list[float], ys: list[float]) -> list[GridCell]:
    """Cells less the part of each that holds others: a table nested flush against its cell's
    borders joins the outer table's rulings, and the outer cell comes out over the nested table's
    cells (and would take their text).  The holder keeps the rows above them (its own words, 联络人
    姓名 over its 姓名|职务|电话), or goes where they start at its top."""
    big = [c for c in cells if c.rowspan > 1 or c.colspan > 1]
    if not big:
        return cells
    out = {id(c): c for c in cells}
    for c in big:
        held = [o for o in cells if o is not c and c.row <= o.row and o.row + o.rowspan <= c.row + c.rowspan
                and c.col <= o.col and o.col + o.colspan <= c.col + c.colspan]
        if not held:
            continue
        first = min(o.row for o in held)
        if first == c.row:
            del out[id(c)]
        else:
            out[id(c)] = GridCell(c.row, c.col, first - c.row, c.colspan,
                                  Box(xs[c.col], ys[c.row], xs[c.col + c.colspan], ys[first]))
    return list(out.values())


def find_grids(edges: list[Edge]) -> list[Grid]:
    grids = [g for g in (build_grid(grp) for grp in connected_groups(edges)) if g is not None]
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids


# -- text ----------------------------------------------------------------------

def is_wide(ch: str) -> bool:
    """CJK ideographs, kana, full-width forms and CJK punctuation: joined without spaces."""
    return unicodedata.east_asian_width(ch) in ("W", "F") or ch in "“”‘’—…·"


# a gap wider than this (in font sizes) between two characters is a tab stop, or fields spaced out
TAB_GAP = 1.5
# a character this much (share of its width) under its left neighbour is printed over it (kerning
# and Chinese punctuation squeezed by autospace never take half a glyph)
OVERPRINT = 0.5
# the confidence of a text read from overprinted lines: it may not say what was written
OVERPRINTED_CONFIDENCE = 0.5


@dataclass
class TextLine:
    chars: list[dict] = field(default_factory=list)
    top: float = 0.0
    bottom: float = 0.0
    # a row of boxes side by side read box by box with their wrapped lines (pdf_boxes): a form's
    # row, which no running text continues
    boxes: bool = False

    @property
    def x0(self) -> float:
        return min(c["x0"] for c in self.chars)

    @property
    def x1(self) -> float:
        return max(c["x1"] for c in self.chars)

    @property
    def size(self) -> float:
        return max((c["size"] for c in self.chars), default=10.0) or 10.0

    @property
    def box(self) -> Box:
        return Box(self.x0, self.top, self.x1, self.bottom)

    def overprinted(self) -> int:
        """How many characters are printed over their left neighbour (two texts laid over each
        other: a box placed over a label line).  Such a line cannot be read as written."""
        n = 0
        for a, b in zip(self.chars, self.chars[1:]):
            width = min(a["x1"] - a["x0"], b["x1"] - b["x0"])
            if abs(a["top"] - b["top"]) > 0.5 * max(a["size"], b["size"], 1.0):
                continue            # a box's wrapped line read after its first (pdf_boxes): not over it
            if width > 0 and a["x1"] - b["x0"] > OVERPRINT * width:
                n += 1
        return n

    def stops(self) -> list[float]:
        """Where the text starts again after a gap of a tab stop (fields spaced out on one line)."""
        return [b["x0"] for a, b in zip(self.chars, self.chars[1:])
                if b["x0"] - a["x1"] > TAB_GAP * max(a["size"], b["size"], 1.0)]

    def text(self) -> str:
        out: list[str] = []
        prev = None
        for c in self.chars:
            if prev is not None:
                gap = c["x0"] - prev["x1"]
                size = max(prev["size"], c["size"], 1.0)
                wide = is_wide(prev["text"][-1:]), is_wide(c["text"][:1])
                if gap > TAB_GAP * size:
                    out.append("    ")     # a tab stop or spaced-out fields on one line
                elif gap > (0.6 if wide[0] != wide[1] else 0.2) * size:
                    # Chinese text is set with small gaps around digits and Latin words
                    # (autospace): those are not typed spaces, even where a PDF writer puts a
                    # blank glyph in them (2015 年 10 月).  Between two Chinese
                    # characters nothing is inserted, so a gap there is a typed space (阎亚萍
                    # 办公室副主任: two parts of one cell)
                    out.append(" ")
            out.append(c["text"])
            prev = c
        return "".join(out)


def group_lines(chars: list[dict]) -> list[TextLine]:
    """Characters (whitespace excluded) into lines, top to bottom, left to right."""
    lines: list[TextLine] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        mid = (c["top"] + c["bottom"]) / 2
        for ln in reversed(lines[-4:]):
            # same line when the char's middle falls inside the line's band
            if ln.top - 0.5 <= mid <= ln.bottom + 0.5:
                ln.chars.append(c)
                ln.top, ln.bottom = min(ln.top, c["top"]), max(ln.bottom, c["bottom"])
                break
        else:
            lines.append(TextLine([c], c["top"], c["bottom"]))
    for ln in lines:
        ln.chars.sort(key=lambda c: c["x0"])
    # lines whose bands overlap heavily were split by a raised glyph: merge them
    lines.sort(key=lambda ln: ln.top)
    return lines


@dataclass
class TextPara:
    lines: list[TextLine]

    def text(self) -> str:
        # wrapped lines of one paragraph join without a break; CJK without a space
        out = ""
        prev_last = None
        for ln in self.lines:
            t = ln.text()
            typed = prev_last is not None and (prev_last.get("space_after") or ln.chars[0].get("typed_gap"))
            if out and t and (not (is_wide(out[-1]) or is_wide(t[0])) or typed):
                out += " "
            out += t
            prev_last = ln.chars[-1]
        return out

    @property
    def box(self) -> Box:
        b = self.lines[0].box
        for ln in self.lines[1:]:
            b = b.union(ln.box)
        return b

    @property
    def confidence(self) -> float:
        """1.0, or less where characters were printed over each other."""
        return OVERPRINTED_CONFIDENCE if any(ln.overprinted() for ln in self.lines) else 1.0

    def model_lines(self, page: int) -> list[Line]:
        return [Line(ln.text(), page, ln.box) for ln in self.lines]


def paragraphs(lines: list[TextLine], left: float, right: float,
               spacing: float | None = None) -> list[TextPara]:
    """Lines into paragraphs within a column from `left` to `right`.

    A line continues the paragraph above when that line ran to the right edge
    (it wrapped) and this one starts at the left margin, or is centred under
    a full-width line; an indented or right-aligned line, or one after a
    short line, starts anew.  `spacing`: the running text's line spacing, where the caller knows it
    (an earlier page's, for a page with too few wrapped lines to measure its own: a narrative's
    last lines); None measures it on these lines.
    """
    out: list[TextPara] = []
    if spacing is None:
        spacing = wrap_spacing(lines, right)
    for ln in lines:
        if out:
            prev = out[-1].lines[-1]
            size = prev.size
            wrapped = prev.x1 >= right - 3.0 * size
            at_margin = ln.x0 <= left + 0.5 * size
            # centred text (labels, values in form cells) wraps around the
            # middle: a full-width line, then one centred under it
            full = prev.x0 <= left + 0.5 * size
            centred = full and abs((ln.x0 + ln.x1) - (prev.x0 + prev.x1)) / 2 < size
            near = ln.top - prev.bottom < 2.5 * size
            # wrapped lines stand evenly: a line set further below than they stand from each other
            # starts a paragraph of its own (a label under a narrative whose last line ran full)
            if near and spacing is not None:
                near = ln.top - prev.bottom <= spacing + 0.6 * size
            if wrapped and (at_margin or centred) and near and not prev.boxes and not _rows_of_columns(prev, ln):
                out[-1].lines.append(ln)
                continue
        out.append(TextPara([ln]))
    return out


def wrap_spacing(lines: list[TextLine], right: float) -> float | None:
    """How far below a full line the next line of running text stands (the median over lines that
    ran to the right edge), or None when too few lines wrapped to tell."""
    gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:])
                  if a.x1 >= right - 3.0 * a.size and 0 <= b.top - a.bottom < 2.5 * a.size)
    return max(gaps[len(gaps) // 2], 0.0) if len(gaps) >= 3 else None


def _rows_of_columns(a: TextLine, b: TextLine) -> bool:
    """Two lines of fields spaced out into the same columns: rows of a table drawn without
    borders (a nested one), each a line of its own however far right it runs.  A wrapped line of
    label fields starts its next line at other places, and joins it."""
    sa, sb = a.stops(), b.stops()
    tol = max(a.size, b.size)
    return sum(1 for x in sb if any(abs(x - y) <= tol for y in sa)) >= 2


def overlap(a: Box, b: Box) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0
