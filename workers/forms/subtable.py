"""A compound value kept as a small table of its own inside its cell.

联络人姓名及职务、电话 | [姓名 | 职务 | 电话 / 阎亚萍 | 办公室副主任 | 0730-8180410]: the
printed words head the values (or stand left of them).  `parts_text` gives the
values in the order name, title, phone, each after its word, so that the
compound's parts come out as written and the printed 姓名 is never a value.
"""
from __future__ import annotations

from dataclasses import replace

from ..extract.model import Cell, Table
from .labels import PART_WORDS, label_key

_ORDER = ("name", "title", "phone")
_WORD = {"name": "姓名", "title": "职务", "phone": "电话"}


def _part_of(text: str) -> str | None:
    k = label_key(text)
    for part, words in PART_WORDS.items():
        if k in words:
            return part
    return None


def nested_cells(i: int, t: Table) -> list[tuple[int, Table, Cell]]:
    """The cells of `t` and of the tables nested in them, each with the outer block's index."""
    out = []
    for c in t.cells:
        out.append((i, t, c))
        for inner in c.tables:
            out.extend(nested_cells(i, inner))
    return out


def region_table(t: Table, label: Cell, first: Cell) -> Table | None:
    """The cells right of a tall `label` that lie within its rows, from `first` (its right
    neighbour) to the next cell as tall as the label, as a table of their own: a value table
    whose rulings met the outer table's, so the print shows one grid (联络人姓名 over three rows
    beside 姓名|职务|电话 and the values).  None when nothing there is shorter than the label."""
    top, bottom = label.row, label.row + label.rowspan
    if first.rowspan >= label.rowspan or first.row < top:
        return None
    right = max(c.col + c.colspan for c in t.cells)
    for c in t.cells:
        if c.row <= top and c.row + c.rowspan >= bottom and c.col >= first.col + first.colspan:
            right = min(right, c.col)
    inside = [c for c in t.cells if top <= c.row and c.row + c.rowspan <= bottom
              and first.col <= c.col and c.col + c.colspan <= right]
    if len({c.row for c in inside}) < 2:
        return None
    return Table(cells=[replace(c, row=c.row - top, col=c.col - first.col) for c in inside], page=t.page, box=None)


def table_under(t: Table, label: Cell) -> Table | None:
    """The cells under a `label` as wide as they are, down to the foot of the tallest cell in the
    label's row, as a table of their own: a value table nested flush in the label's cell, whose
    rulings joined the outer table's (联络人姓名及职务、电话 over 姓名|职务|电话 and the values,
    beside an empty cell as tall as all three).  None when nothing lies there."""
    bottom = max(c.row + c.rowspan for c in t.cells if c.row == label.row)
    left, right = label.col, label.col + label.colspan
    inside = [c for c in t.cells if label.row < c.row and c.row + c.rowspan <= bottom
              and left <= c.col and c.col + c.colspan <= right]
    if len({c.row for c in inside}) < 2:
        return None
    top = label.row + 1
    return Table(cells=[replace(c, row=c.row - top, col=c.col - left) for c in inside], page=t.page, box=None)


def parts_text(t: Table) -> str | None:
    """“姓名：…\\n职务：…\\n电话：…” read from a sub-table, or None when it is not one."""
    found: dict[str, str] = {}
    rows = t.rows()
    for r, row in enumerate(rows):
        heads = [(c, _part_of(c.text)) for c in row]
        if any(p for _c, p in heads) and all(p or not c.text.strip() for c, p in heads) and r + 1 < len(rows):
            # a row of words heads the rows below it, down to the next row of words: a printed
            # table without borders comes as one row per line, its narrow cells wrapped
            below = []
            for row_below in rows[r + 1:]:
                if any(_part_of(c.text) for c in row_below):
                    break
                below.append(row_below)
            for c, part in heads:
                if not part or part in found:
                    continue
                texts: list[str] = []
                seen: list[Cell] = []
                for b in below:
                    u = t.at(b[0].row, c.col) if b else None
                    if u is not None and not any(u is o for o in seen) and u.text.strip():
                        seen.append(u)
                        texts.append(u.text.strip())
                if texts:
                    found[part] = "".join(texts)
            continue
        for c, part in heads:
            right = t.at(c.row, c.col + c.colspan)
            if part and right is not None and _part_of(right.text) is None and part not in found:
                found[part] = right.text.strip()
    if not found:
        return None
    return "\n".join(f"{_WORD[p]}：{found[p]}" for p in _ORDER if found.get(p))
