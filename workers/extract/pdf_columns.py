"""Tables drawn without borders inside a ruled cell: a nested table, printed.

Word draws a table nested in a cell (the 党组织书记 block, 联络人 as 姓名|职务|电话)
without rulings unless its author adds them, so a text PDF shows only text in
columns.  Read line by line, narrow columns interleave: 入党时间 1995年7 担任书记
二〇一二 over 月 时间 年三月.  A person sees columns: every line leaves the same
gutters empty.  `borderless_table` finds those gutters and gives the cell's text as a
table, one row per line that starts a row; a line whose first column is empty goes
on with the row above (its other columns wrapped).  Which lines below a row of
printed words are its values is left to the locator, which knows the words.
"""
from __future__ import annotations

import statistics

from .model import Box, Cell, Table
from .pdf_layout import TextLine, is_wide

# an empty strip this wide (in font sizes) through every line parts two columns: Word puts
# 5.4 pt of padding on each side of an inner cell's text, so a gutter is at least 10.8 pt
GUTTER = 0.8


# a wrapped label's last line: a few characters
WRAP_TAIL = 3
# a line at most this far (in font sizes) under the one above, where some rows stand at least
# ROW_PAD further apart (cell padding), goes on with its row
WRAP_STEP = 1.5
ROW_PAD = 0.5


def gutters(lines: list[TextLine], width: float = GUTTER) -> list[float]:
    """x positions that part the lines into columns: gaps `width` font sizes wide or more that no
    character of any line crosses."""
    spans = sorted((c["x0"], c["x1"]) for ln in lines for c in ln.chars)
    if not spans:
        return []
    size = statistics.median(ln.size for ln in lines)
    cuts, end = [], spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - end >= width * size:
            cuts.append((end + x0) / 2)
        end = max(end, x1)
    return cuts


def _split(line: TextLine, cuts: list[float]) -> list[TextLine]:
    """The line's characters per column (an empty TextLine where the column is blank)."""
    parts = [TextLine([], line.top, line.bottom) for _ in range(len(cuts) + 1)]
    for c in line.chars:
        mid = (c["x0"] + c["x1"]) / 2
        parts[sum(1 for x in cuts if mid > x)].chars.append(c)
    return parts


def _join(a: str, b: str) -> str:
    """A wrapped cell's lines joined: CJK and digits without a space, Latin words with one."""
    if not a or not b:
        return a or b
    return a + b if is_wide(a[-1]) or is_wide(b[0]) or a[-1].isdigit() or b[0].isdigit() or a[-1] in "-—" \
        else f"{a} {b}"


def borderless_table(lines: list[TextLine], page: int, box: Box | None) -> Table | None:
    """The cell's lines as a table when they stand in columns (at least two lines with words in
    two columns or more), else None."""
    if len(lines) < 2:
        return None
    cuts = gutters(lines)
    if not cuts:
        # columns squeezed a character wide stand closer than padded cells do (the cell's width
        # shared out, the padding gone)
        narrow = gutters(lines, STACKED_GUTTER)
        stacked = _stacked_columns([_split(ln, narrow) for ln in lines], narrow, page, box) if narrow else None
        return stacked or _headed_table(lines, page, box)
    split = [_split(ln, cuts) for ln in lines]
    # rows of words in columns; a spaced-out line (签　　字, 年　　月　　日) leaves gutters too, but
    # between single characters
    if sum(1 for parts in split if sum(1 for p in parts if len(p.chars) >= 2) >= 2) < 2:
        return _stacked_columns(split, cuts, page, box)
    rows: list[list[list[TextLine]]] = []
    prev_filled: set[int] = set()
    # rows set further apart than lines (cell padding): a line closer under the one above wraps it
    steps = [b.top - a.top for a, b in zip(lines, lines[1:])]
    widest = max(steps, default=0.0)
    for n, parts in enumerate(split):
        filled = {k for k, p in enumerate(parts) if p.chars}
        # a line that only goes on with some of the line above's columns, in a few characters
        # each, is those columns wrapped (入党时|1988/1|担任书|1992/5 over 间||记时间|); so is one
        # set a line under the line above where rows stand further apart
        step = steps[n - 1] if n else 0.0
        tight = n > 0 and step < WRAP_STEP * lines[n].size and widest - step > ROW_PAD * lines[n].size
        tail = rows and filled <= prev_filled and (
            tight or (filled < prev_filled and all(len(parts[k].chars) <= WRAP_TAIL for k in filled)))
        prev_filled = filled
        if rows and (not parts[0].chars or tail):
            for k, p in enumerate(parts):
                if p.chars:
                    rows[-1][k].append(p)
            continue
        rows.append([[p] if p.chars else [] for p in parts])
    edges = [box.x0 if box else min(ln.x0 for ln in lines)] + cuts + [box.x1 if box else max(ln.x1 for ln in lines)]
    cells = []
    for r, row in enumerate(rows):
        for k, frags in enumerate(row):
            text = ""
            for f in frags:
                text = _join(text, f.text())
            top = min((f.top for f in frags), default=None)
            bottom = max((f.bottom for f in frags), default=None)
            cbox = Box(edges[k], top, edges[k + 1], bottom) if top is not None else None
            cells.append(Cell(row=r, col=k, paragraphs=[text] if text else [], page=page, box=cbox))
    return Table(cells=cells, page=page, box=box)


# a column whose lines hold this many characters or fewer is text wrapped a character a line
NARROW = 2
# ...and columns so wrapped may stand this close (in font sizes)
STACKED_GUTTER = 0.5
# a vertical gap this large (in line heights) between a narrow column's lines parts two of its cells
ROW_GAP = 0.6


def _stacked_columns(split: list[list[TextLine]], cuts: list[float], page: int, box: Box | None) -> Table | None:
    """A nested table squeezed into a narrow cell: each column wrapped a character or two a
    line (姓/名, blank, 陈/平 beside 职/务, blank, 综/合/科/科/长).  A person reads each column
    down; its cells part where a blank line falls.  None unless the cell reads so."""
    filled = [p for parts in split for p in parts if p.chars]
    if len(split) < 4 or not filled or any(len(p.chars) > NARROW for p in filled):
        return None
    columns: list[list[list[TextLine]]] = [[] for _ in range(len(cuts) + 1)]
    for k in range(len(cuts) + 1):
        prev: TextLine | None = None
        for parts in split:
            part = parts[k]
            if not part.chars:
                continue
            height = max(part.bottom - part.top, 1.0)
            if prev is None or part.top - prev.bottom > ROW_GAP * height:
                columns[k].append([])
            columns[k][-1].append(part)
            prev = part
    # a table: at least two columns of at least two cells each
    if sum(1 for col in columns if len(col) >= 2) < 2:
        return None
    edges = [box.x0 if box else min(p.x0 for p in filled)] + cuts + [box.x1 if box else max(p.x1 for p in filled)]
    cells = []
    for k, col in enumerate(columns):
        for r, frags in enumerate(col):
            text = "".join(f.text().replace(" ", "") for f in frags)
            cbox = Box(edges[k], frags[0].top, edges[k + 1], frags[-1].bottom)
            cells.append(Cell(row=r, col=k, paragraphs=[text], page=page, box=cbox))
    return Table(cells=cells, page=page, box=box)


# a head word of a column: short
HEAD_WORD = 4


def _headed_table(lines: list[TextLine], page: int, box: Box | None) -> Table | None:
    """A cell's title line, then a line of short words spaced into columns (姓名    职务    电话)
    and the values under them, set too close to leave gutters (LibreOffice prints an HTML form's
    inner table with little padding: 办公室副主任0730-8180410).  The head words' starts part the
    columns; the table starts at the head line (the title is the cell's own).  None unless the
    cell reads so."""
    for h in range(min(2, len(lines) - 1)):
        head = lines[h + 1]
        starts = [head.x0] + head.stops()
        cuts = [x - 0.5 for x in starts[1:]]
        if not cuts or any(not w.chars or len(w.chars) > HEAD_WORD for w in _split(head, cuts)):
            continue
        body = lines[h + 2:]
        if not body or any(ln.x0 < starts[0] - ln.size for ln in body):
            continue
        cells = []
        for r, ln in enumerate([head] + body):
            for k, part in enumerate(_split(ln, cuts)):
                cells.append(Cell(row=r, col=k, paragraphs=[part.text()] if part.chars else [], page=page,
                                  box=part.box if part.chars else None))
        # the table starts at its head line: the title above stays the cell's own text
        return Table(cells=cells, page=page, box=Box(box.x0 if box else head.x0, head.top,
                                                     box.x1 if box else head.x1, body[-1].bottom))
    return None


def rows_text(t: Table) -> list[str]:
    """The table's rows as lines of their cells' text, two spaces apart (as the Word reader
    writes a nested table into its cell's paragraphs)."""
    return ["  ".join(c.text for c in row if c.text.strip()) for row in t.rows()]
