"""Text boxes printed as shapes filled white and not stroked (an HTML page's positioned blocks, drawn
text boxes), read as the cells of a table without rulings.

A box's text belongs to the box, whatever it runs over: a label that wraps grows its box past the
row below, and read as lines across the page its second line and the next row's first would mix
(党组织设置（支 / 部、党小组数）：小组 …).  So when the form's labels and values are all boxed, each
character goes to the box it is printed in, and the boxes, set out in rows and columns, are read as
a grid: a label's box, then its value's box to the right, as in any table.
"""
from __future__ import annotations

from .model import Box
from .pdf_layout import Grid, GridCell, unseen

# fewer boxes than this holding text are a frame or a note, not a form laid out in boxes
MIN_BOXES = 4
# boxes whose tops lie this close (pt) stand in one row; their left edges this close, in one column
ALIGN = 3.0
# a box smaller than this (pt) holds no text; one covering this share of the page is a background
MIN_SIDE = 6.0
MAX_PAGE_SHARE = 0.5
# the boxes must hold this share of the loose characters in their band: where labels are printed
# loose and only the values boxed, the labels' lines read them (pdf_boxes), not a grid of values
MIN_HELD = 0.9


def _boxes(rects: list[dict], page_area: float) -> list[Box]:
    out = []
    for r in rects:
        w, h = r["x1"] - r["x0"], r["bottom"] - r["top"]
        if w >= MIN_SIDE and h >= MIN_SIDE and w * h <= MAX_PAGE_SHARE * page_area and unseen(r):
            out.append(Box(float(r["x0"]), float(r["top"]), float(r["x1"]), float(r["bottom"])))
    return out


def _owner(boxes: list[Box], c: dict) -> int | None:
    """The box a character is printed in: of the boxes its top left corner lies in (text starts
    inside its box, and may run out past the right or bottom edge), the one that starts lowest (a
    box grown over the row below lies under that row's boxes), then furthest right (a box pushed
    back onto the page lies over its left neighbour), then the smallest."""
    x, y = c["x0"], c["top"]
    # a glyph may stand a little above its box's top (a value set over a blank, a tall font)
    lift = max(1.0, 0.3 * c.get("size", 0.0))
    best, key = None, None
    for i, b in enumerate(boxes):
        if b.x0 - 1 <= x < b.x1 and b.y0 - lift <= y < b.y1:
            k = (b.y0, b.x0, -(b.x1 - b.x0) * (b.y1 - b.y0))
            if key is None or k > key:
                best, key = i, k
    return best


def _without_overlays(boxes: list[Box]) -> list[Box]:
    """The boxes with each one set over part of another's line taken into it: a value's box placed
    on the blank of a label line's box (单位名称：＿＿＿＿ with the name typed in a box over the ＿＿)
    is part of that line, not a cell of its own (apart, the rows and columns of label and value
    boxes would not align).  The line's box grows to hold the value's wrapped lines."""
    def over(inner: Box, outer: Box) -> bool:
        shared = min(inner.y1, outer.y1) - max(inner.y0, outer.y0)
        return inner is not outer and outer.x0 - 1 <= inner.x0 and inner.x1 <= outer.x1 + 1 \
            and (inner.x1 - inner.x0) < (outer.x1 - outer.x0) - 2 \
            and shared >= 0.5 * min(inner.y1 - inner.y0, outer.y1 - outer.y0)
    grown: dict[int, Box] = {}
    gone: set[int] = set()
    for i, b in enumerate(boxes):
        host = next((j for j, o in enumerate(boxes) if j not in gone and over(b, o)), None)
        if host is not None:
            gone.add(i)
            grown[host] = grown.get(host, boxes[host]).union(b)
    return [grown.get(i, b) for i, b in enumerate(boxes) if i not in gone]


def _starts(values: list[float]) -> list[float]:
    """Values within ALIGN of each other as one: the first of each run."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > ALIGN:
            out.append(v)
    return out


def box_grid(rects: list[dict], chars: list[dict], page_area: float) -> tuple[Grid | None, list[list[dict]], list[dict]]:
    """The boxed form among the loose characters `chars`: (its grid, each cell's characters, the
    characters left loose), or (None, [], chars) when the page is not laid out in boxes."""
    boxes = _without_overlays(_boxes(rects, page_area))
    if len(boxes) < MIN_BOXES:
        return None, [], chars
    held: dict[int, list[dict]] = {}
    loose: list[dict] = []
    for c in chars:
        i = _owner(boxes, c)
        if i is None:
            loose.append(c)
        else:
            held.setdefault(i, []).append(c)
    if len(held) < MIN_BOXES:
        return None, [], chars
    top = min(boxes[i].y0 for i in held)
    bottom = max(boxes[i].y1 for i in held)
    in_band = sum(1 for c in loose if top <= (c["top"] + c["bottom"]) / 2 <= bottom)
    if sum(len(v) for v in held.values()) < MIN_HELD * (sum(len(v) for v in held.values()) + in_band):
        return None, [], chars
    # the boxes of the rows that hold text; an empty box in such a row is a blank value
    rows = _starts([boxes[i].y0 for i in held])
    used = [i for i, b in enumerate(boxes)
            if i in held or any(abs(b.y0 - y) <= ALIGN for y in rows)]
    # a box that holds the others (a frame around the form) is no cell
    used = [i for i in used if not any(j != i and _inside(boxes[j], boxes[i]) for j in used)]
    if sum(1 for i in used if i in held) < MIN_BOXES:
        return None, [], chars
    cols = _starts([boxes[i].x0 for i in used])
    rows = _starts([boxes[i].y0 for i in used])
    if len(rows) < 2 or len(cols) < 2:
        return None, [], chars
    cells, cell_chars = [], []
    for i in sorted(used, key=lambda i: (boxes[i].y0, boxes[i].x0)):
        b = boxes[i]
        row = max(k for k, y in enumerate(rows) if y <= b.y0 + ALIGN)
        col = max(k for k, x in enumerate(cols) if x <= b.x0 + ALIGN)
        span = max(1, sum(1 for x in cols if b.x0 + ALIGN < x < b.x1 - ALIGN) + 1)
        cells.append(GridCell(row=row, col=col, rowspan=1, colspan=span, box=b))
        cell_chars.append(held.get(i, []))
    right = max(boxes[i].x1 for i in used)
    low = max(boxes[i].y1 for i in used)
    for i in set(held) - set(used):        # a frame's own text, outside the grid's cells
        loose.extend(held[i])
    return Grid(xs=cols + [right], ys=rows + [low], cells=cells), cell_chars, loose


def _inside(inner: Box, outer: Box) -> bool:
    return outer.x0 - 1 <= inner.x0 and inner.x1 <= outer.x1 + 1 and outer.y0 - 1 <= inner.y0 \
        and inner.y1 <= outer.y1 + 1 and (inner.x1 - inner.x0) * (inner.y1 - inner.y0) \
        < (outer.x1 - outer.x0) * (outer.y1 - outer.y0)
