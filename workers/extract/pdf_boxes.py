"""Free text in boxes side by side: a form drawn as label and value boxes, printed.

A form laid out with text boxes (标签 | 值 | 标签 | 值 across the page) prints as lines of
text with wide gaps between the boxes; a value too long for its box wraps to a second line
in its own column (中共台州市交通运输局 / 机关第四支部委员会), and so does a long label
(党组织班子配备情 / 况：).  Read as page lines, the wrapped halves land on a line of their own and
the row loses its values.  A person reads each box whole, then the boxes of a row left to right.

`join_box_columns` does the same: within each line, the segments between wide gaps are
boxes; a segment that starts where a box above it starts, right under it, while the box's
line above ran to its column's edge, is that box wrapped.  Each row of boxes comes back as
one line, box after box (their texts apart by a tab stop's gap).  Lines of a single
segment (running text) pass through unchanged.  A box also snaps onto the line it mostly
overlaps: a value box set half a line off its label's baseline is read on that line.
"""
from __future__ import annotations

from .pdf_layout import TextLine

# a segment starts where a box above starts within this many points
ALIGN = 2.5
# a box's line that ends this near (in font sizes) where the next box starts filled its box
FULL = 2.5
# a wrapped line of a box stands at most this many font sizes under the line above
WRAP_PITCH = 1.75
# ...and at least this many: a line closer under it overlaps it, a row of its own
MIN_PITCH = 0.85
# a box line that overlaps a line of the page by this share of its height is set on that line
SNAP = 0.2
# boxes side by side stand at least this far apart (in font sizes); typed spaces are narrower
BOX_GAP = 0.75


def _segments(line: TextLine) -> list[TextLine]:
    """The line cut at gaps wider than a typed space."""
    out: list[TextLine] = []
    for c in line.chars:
        if out and c["x0"] - out[-1].chars[-1]["x1"] <= BOX_GAP * max(c["size"], out[-1].chars[-1]["size"], 1.0):
            out[-1].chars.append(c)
            out[-1].top, out[-1].bottom = min(out[-1].top, c["top"]), max(out[-1].bottom, c["bottom"])
        else:
            out.append(TextLine([c], c["top"], c["bottom"]))
    return out


def _typed(segs: list[TextLine]) -> bool:
    """Whether every gap between the segments is typed blanks, not the space between boxes."""
    return len(segs) >= 2 and all(s.chars[0].get("typed_gap") for s in segs[1:])


def _snap(lines: list[TextLine]) -> list[TextLine]:
    """Lines set a little off each other's baseline, side by side, made one (a box placed over
    its blank, half a line high)."""
    out: list[TextLine] = []
    for ln in sorted(lines, key=lambda ln: ln.top):
        h = max(ln.bottom - ln.top, 1.0)
        best, share = None, 0.0
        for o in out[-3:]:
            ov = min(o.bottom, ln.bottom) - max(o.top, ln.top)
            if ov <= 0:
                continue            # lines of running text never overlap: the common case ends here
            part = ov / min(h, max(o.bottom - o.top, 1.0))
            if part > share and (ln.x1 < o.x0 or ln.x0 > o.x1 or all(
                    c["x1"] <= d["x0"] or c["x0"] >= d["x1"] for c in ln.chars for d in o.chars)):
                best, share = o, part
        if best is not None and share >= SNAP:
            best.chars = sorted(best.chars + ln.chars, key=lambda c: c["x0"])
            best.top, best.bottom = min(best.top, ln.top), max(best.bottom, ln.bottom)
        else:
            out.append(TextLine(list(ln.chars), ln.top, ln.bottom))
    return out


def join_box_columns(lines: list[TextLine], right: float) -> list[TextLine]:
    """Lines with boxes side by side re-read box by box (see the module's docstring); `right`:
    where the text area ends (the last box's column)."""
    lines = _snap(lines)
    # a line spaced out with typed blanks (单位名称　　中共…　　党组织类型) is one run of text, which
    # wraps as text does, however its pieces happen to line up with the line above
    cut = [[ln] if _typed(segs) else segs for ln, segs in ((ln, _segments(ln)) for ln in lines)]
    if sum(1 for segs in cut if len(segs) >= 2) < 2:
        return lines            # no rows of boxes here
    reach = _reach(cut)
    out: list[TextLine] = []
    # the boxes of the row being read: [start x, its lines (segments), the x where its column ends]
    row: list[list] = []
    prev: TextLine | None = None
    for ln, segs in zip(lines, cut):
        # a wrapped line stands a line below the last: not further, and not over it (boxes of the
        # next row placed a little higher than a line's pitch overlap it)
        step_ok = prev is not None and MIN_PITCH * max(ln.size, prev.size) <= ln.top - prev.top \
            <= WRAP_PITCH * max(ln.size, prev.size)
        # one segment under the row's first box reads on as running text does (a heading or a
        # line of fields wider than the page, wrapped): only other boxes wrap alone
        # — unless it fits the first box's column, that box ran full and the row's last box did not
        # run on to the margin: a label wrapped in its box (上年度党建考核等 / 次：)
        alone_first = len(segs) == 1 and row and abs(segs[0].x0 - row[0][0]) <= ALIGN and not (
            len(row) >= 2 and segs[0].x1 < row[1][0] and _full(row[0], segs[0])
            and not _full(row[-1], segs[0], last=True, end=right))
        wrapped = step_ok and row and not alone_first and all(
            any(abs(s.x0 - b[0]) <= ALIGN and _full(b, s, b is row[-1]) for b in row) for s in segs)
        if wrapped:
            for s in segs:
                box = next(b for b in row if abs(s.x0 - b[0]) <= ALIGN)
                box[1].append(s)
        else:
            _flush(row, out)
            row = []
            for k, s in enumerate(segs):
                end = segs[k + 1].x0 if k + 1 < len(segs) else max(_end(reach, s.x0, right), s.x1)
                row.append([s.x0, [s], end])
            if len(segs) < 2:
                _flush(row, out)
                row = []
        prev = ln
    _flush(row, out)
    return out


def _reach(cut: list[list[TextLine]]) -> list[list[float]]:
    """For each column where boxes start on several rows: [its x, the furthest any of its boxes
    reaches, how many rows]: a last box's own right edge, which the text area's can far exceed
    (boxes placed on a page with narrow margins)."""
    cols: list[list[float]] = []
    for segs in cut:
        if len(segs) < 2:
            continue
        for s in segs:
            col = next((c for c in cols if abs(c[0] - s.x0) <= ALIGN), None)
            if col is None:
                cols.append([s.x0, s.x1, 1])
            else:
                col[1], col[2] = max(col[1], s.x1), col[2] + 1
    return cols


def _end(reach: list[list[float]], x0: float, right: float) -> float:
    """Where the last box of a row, starting at x0, ends: its column's reach over several rows,
    else the text area's right edge."""
    col = next((c for c in reach if abs(c[0] - x0) <= ALIGN and c[2] >= 2), None)
    return min(right, col[1]) if col is not None else right


def _first_word(s: TextLine) -> float:
    """The width of what a wrap carried to `s`: its first character, or its first Latin word or
    number whole (13191396653, (0730)6738957 wrap as one)."""
    first = s.chars[0]
    end = first["x1"]
    if first["text"].isascii():
        for c in s.chars[1:]:
            if not c["text"].isascii() or c.get("typed_gap") or c["x0"] - end > 0.3 * max(c["size"], 1.0):
                break
            end = c["x1"]
    return end - first["x0"]


def _full(box: list, s: TextLine, last: bool = False, end: float | None = None) -> bool:
    """Whether `box`'s last line ran so near its column's end (`end`, else the box's own) that what
    `s` starts with did not fit: within FULL font sizes (a character and the gutter), more by a
    number wrapped whole.  The last box's end is its column's reach, not a next box's start: a box
    drawn short of it gets a size more."""
    slack = FULL + (1.0 if last else 0.0)
    return box[1][-1].x1 + max(0.0, _first_word(s) - s.size) >= (box[2] if end is None else end) - slack * s.size


def _flush(row: list[list], out: list[TextLine]) -> None:
    if not row:
        return
    chars = [c for _x, segs, _end in row for s in segs for c in s.chars]
    top = min(s.top for _x, segs, _e in row for s in segs)
    bottom = max(s.bottom for _x, segs, _e in row for s in segs)
    # boxes read with their wrapped lines are a form's row: the page's next line starts anew
    out.append(TextLine(chars, top, bottom, boxes=len(row) >= 2 and any(len(segs) > 1 for _x, segs, _e in row)))
