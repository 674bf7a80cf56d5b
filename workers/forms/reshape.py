"""Tables as a person reads them: a label split over cells is one label.

A form's author may split a label over two or three cells, side by side
(党组织|名称, 评定|星级) or stacked (党组织 over 名称), to fit a narrow grid.  A
person reads one label; so does the locator after `join_split_labels`, which
returns a copy of the table with each such run of cells made one cell.  The
document's own tables are never changed (they are drawn on the reviewer's page).
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..extract.model import Cell, Table
from .labels import key_score, label_key

_MAX_PARTS = 3
_NOTE = re.compile(r"\([^()]*\)")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _is_label(key: str, label_keys: tuple[str, ...]) -> bool:
    return key_score(key, label_keys)[0] >= 2


def _joined(run: list[Cell], keys: dict[int, str], across: bool, label_keys: tuple[str, ...]) -> str | None:
    """The label the cells of `run` make together, or None.  Side by side cells of several lines
    may hold a label's lines cut in two (分管党建工|作 over 负责人及电|话): read row by row."""
    flat = "".join(keys[id(o)] for o in run)
    if _is_label(flat, label_keys):
        return flat
    lines = [[ln for ln in own_text(o).split("\n") if ln.strip()] for o in run]
    if across and len({len(ls) for ls in lines}) == 1 and len(lines[0]) > 1:
        by_row = label_key("".join("".join(ls[k] for ls in lines) for k in range(len(lines[0]))))
        if _is_label(by_row, label_keys):
            return by_row
    return None


def own_text(cell: Cell) -> str:
    """A cell's own text, without the rows of a table nested in it (LibreOffice puts an HTML
    form's nested value table into the label's cell)."""
    if not cell.tables:
        return cell.text
    nested = {"  ".join(c.text for c in row if c.text.strip()) for t in cell.tables for row in t.rows()}
    return "\n".join(p for p in cell.paragraphs if p not in nested)


def _merge(cells: list[Cell], across: bool, text: str = "") -> Cell:
    box = cells[0].box
    for c in cells[1:]:
        box = c.box.union(box) if c.box is not None else box
    text = text or "".join(label_key(c.text) for c in cells)
    # rows the pieces cover together (pieces of a broken merge overlap: not the sum of their spans)
    span = {"colspan": sum(c.colspan for c in cells)} if across else \
        {"rowspan": max(c.row + c.rowspan for c in cells) - cells[0].row}
    return replace(cells[0], paragraphs=[text], box=box, lines=[], tables=[t for c in cells for t in c.tables],
                   pictures=[p for c in cells for p in c.pictures], **span)


def join_split_labels(t: Table, label_keys: tuple[str, ...]) -> Table:
    """`t`, or a copy where every label split over adjacent cells is one cell."""
    keys = {id(c): label_key(own_text(c)) for c in t.cells}
    # a piece of a split label: short; only the first piece may be a label on its own
    # (联络人姓名 | 及职务、电话 is the longer label), and a bracketed note goes with its label
    piece = {id(c) for c in t.cells if keys[id(c)] and len(keys[id(c)]) <= 12 and _HAN.search(keys[id(c)])}
    alone = {id(c) for c in t.cells if id(c) in piece and _is_label(keys[id(c)], label_keys)}
    if len(piece) < 2:
        return t
    at = {(c.row, c.col): c for c in t.cells}
    merged: dict[int, Cell] = {}
    gone: set[int] = set()
    for across in (True, False):
        for c in t.cells:
            if id(c) not in piece or id(c) in gone or id(c) in merged:
                continue
            run = [c]
            while len(run) < _MAX_PARTS:
                prev = run[-1]
                # a stacked piece starting inside the one above's rows (no cell of a sound grid
                # does): a merge an RTF round trip broke
                inside = at.get((prev.row + 1, prev.col)) if not across and prev.rowspan > 1 else None
                nxt = inside or at.get((prev.row, prev.col + prev.colspan) if across
                                       else (prev.row + prev.rowspan, prev.col))
                if nxt is None or id(nxt) not in piece or id(nxt) in alone or id(nxt) in gone or id(nxt) in merged \
                        or (nxt.rowspan != prev.rowspan if across else nxt.colspan != prev.colspan and inside is None):
                    break
                run.append(nxt)
            for n in range(len(run), 1, -1):
                joined = _joined(run[:n], keys, across, label_keys)
                note = _NOTE.fullmatch(keys[id(run[n - 1])]) is not None and id(c) in alone
                if note or (joined and len(joined) > len(keys[id(c)])):
                    merged[id(c)] = _merge(run[:n], across, joined or "")
                    gone.update(id(o) for o in run[1:n])
                    break
    # a tall label whose second piece heads the shorter rows beside it (联络人姓名 over three
    # rows | 及职务、电话 over the 姓名|职务|电话 of the values' table): the label takes the
    # text and the piece's cell stays, empty, where the values' rows begin
    for c in t.cells:
        nxt = at.get((c.row, c.col + c.colspan))
        if id(c) not in piece or id(c) in merged or id(c) in gone or nxt is None or id(nxt) not in piece \
                or id(nxt) in merged or id(nxt) in gone or nxt.row != c.row or nxt.rowspan >= c.rowspan:
            continue
        joined = _joined([c, nxt], keys, True, label_keys)
        if joined and len(joined) > len(keys[id(c)]) and id(nxt) not in alone:
            merged[id(c)] = replace(c, paragraphs=[joined], lines=[])
            merged[id(nxt)] = replace(nxt, paragraphs=[], lines=[])
    if not merged:
        return t
    cells = [merged.get(id(c), c) for c in t.cells if id(c) not in gone]
    return Table(cells=cells, page=t.page, box=t.box)
