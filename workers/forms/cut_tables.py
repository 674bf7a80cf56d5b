"""Tables cut off at a frame's or the page's edge: what a person still reads beside them.

A table wider than the frame that holds it (an HTML page's positioned block, a Word frame) is
printed cut at the frame's edge: the last column's cells are gone, or their text is printed past
the table's right edge, loose.  A label whose row ends with it has no place for its value; a line
printed just past the edge, level with it, is that value.
"""
from __future__ import annotations

from typing import Callable

from ..extract.model import Block, Cell, Paragraph, Table

At = Callable[[Table, int, int], "Cell | None"]
# a cell narrower than this (pt) and empty is a spacer, not a place for a value
_SPACER = 8.0


def _after(t: Table, cell: Cell, at: At) -> list[Cell]:
    """The cells in `cell`'s row after it."""
    return [o for col in range(cell.col + cell.colspan, t.ncols)
            if (o := at(t, cell.row, col)) is not None and o is not cell]


def row_ends_at(t: Table, cell: Cell, at: At) -> bool:
    """Whether nothing stands in `cell`'s row after it (narrow empty spacers aside)."""
    return not any(o.text.strip() or o.box is None or o.box.x1 - o.box.x0 >= _SPACER for o in _after(t, cell, at))


def beside_the_table(blocks: list[Block], t: Table, cell: Cell, at: At) -> Paragraph | None:
    """A line printed just past `t`'s right edge, level with the label `cell` whose row holds
    nothing written after it: the value's cell was cut off, its text printed all the same."""
    if cell.box is None or t.box is None or any(o.text.strip() for o in _after(t, cell, at)):
        return None
    for b in blocks:
        if isinstance(b, Paragraph) and b.page == t.page and b.box is not None and b.text.strip() \
                and t.box.x1 - 4 <= b.box.x0 <= t.box.x1 + 3 * (b.box.y1 - b.box.y0) \
                and cell.box.y0 <= (b.box.y0 + b.box.y1) / 2 <= cell.box.y1:
            return b
    return None
