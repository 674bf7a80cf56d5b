"""A score sheet (评分细则) in the common model: its columns by their role, its items by order or text.

The sheet's header names its columns (考评分值 / 分值 / 满分, 自评分 / 自评得分: rubric_header.py);
a sheet continued on the next page keeps its columns, or the last ones; rows are paired with the
campaign's items in order when the count agrees, otherwise by the closest criterion text.
"""
from __future__ import annotations

import difflib

from dossier.campaigns import DocumentSpec

from ..extract.model import Cell, Table
from .found import Found, LocatedDocument, LocatorView
from .labels import label_key
from .rubric_header import header_roles


def tables_in(t: Table) -> list[Table]:
    """`t` and the tables nested in its cells, in reading order."""
    out = [t]
    for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
        for inner in c.tables:
            out.extend(tables_in(inner))
    return out


def locate_rubric(loc: LocatorView, spec: DocumentSpec) -> LocatedDocument | None:
    rubric = spec.rubric
    assert rubric is not None
    cols = rubric.columns
    located = LocatedDocument(spec=spec)
    item_col = max_col = self_col = None
    # a sheet may sit in a layout table around it: nested tables are read in their place
    tables = [(i, t) for i, b in enumerate(loc.doc.blocks) if isinstance(b, Table) for t in tables_in(b)]
    rows: list[tuple[int, Table, int]] = []
    places: dict[str, float] = {}
    head: Table | None = None
    for i, t in tables:
        header = header_roles(t, cols)
        if "self_score" in header and "max" in header:
            item_col, max_col, self_col = header.get("item", max(0, header["max"] - 1)), header["max"], header["self_score"]
            ncols = t.ncols
            head = t
            places = _places(t, {"item": item_col, "max": max_col, "self": self_col})
            located.blocks.append(i)
            rows.extend((i, t, r) for r in range(t.nrows))
        elif located.blocks and max_col is not None:
            # a continuation on the next page: same columns, or the last ones
            if t.ncols != ncols:
                shift = t.ncols - ncols
                if shift < 0 and t.ncols < 3:
                    continue
            located.blocks.append(i)
            rows.extend((i, t, r) for r in range(t.nrows))
    if item_col is None:
        return None

    widths = {id(t): t.ncols for _i, t, _r in rows}

    def cell_at(t: Table, r: int, col: int) -> Cell | None:
        if t is not head and len(places) == 3 and _extent(t) is not None:
            # a continuation on another page: its columns by where they stand across the table,
            # not by their count (a spurious split of one column must not move the others)
            role = {item_col: "item", max_col: "max", self_col: "self"}[col]
            return _cell_over(t, r, places[role])
        width = widths[id(t)]
        shift = width - ncols
        return loc.at(t, r, col + shift) if 0 <= col + shift < width else None

    item_rows: list[tuple[str, Cell, Cell | None]] = []
    for _i, t, r in rows:
        first = loc.at(t, r, 0)
        if first is not None and label_key(first.text).startswith(label_key(rubric.total_label)[:2]) \
                and first.row == r:
            total_cell = cell_at(t, r, self_col)
            if total_cell is not None:
                located.rubric_total = Found(raw=total_cell.text, page=total_cell.page,
                                             box=total_cell.box, confidence=total_cell.confidence,
                                             label=rubric.total_label, cell=total_cell)
            continue
        mc, sc, ic = cell_at(t, r, max_col), cell_at(t, r, self_col), cell_at(t, r, item_col)
        if mc is None or ic is None or mc.row != r:
            continue
        try:
            float(label_key(mc.text).rstrip("分"))
        except ValueError:
            continue
        if len(label_key(ic.text)) < 2 or ic is mc:
            continue
        item_rows.append((ic.text, mc, sc if sc is not None and sc is not mc else None))
    if len(item_rows) < len(rubric.items) // 3:
        return None
    for item, (text, mc, sc) in zip(_match_items(rubric.items, [r[0] for r in item_rows]),
                                    item_rows):
        if item is None:
            continue
        raw = sc.text if sc is not None else ""
        ref = sc or mc
        located.rubric_rows[item.key] = Found(raw=raw, page=ref.page, box=ref.box,
                                              confidence=ref.confidence, label=item.text, cell=sc,
                                              printed_max=mc.text)
    return located

def _extent(t: Table) -> tuple[float, float] | None:
    """The table's left and right edge, where its cells have boxes (a print or a scan)."""
    boxes = [c.box for c in t.cells if c.box is not None]
    if len(boxes) < len(t.cells) or not boxes:
        return None
    x0, x1 = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    return (x0, x1) if x1 > x0 else None


def _places(t: Table, roles: dict[str, int]) -> dict[str, float]:
    """Each role's header cell's middle as a share of the table's width (0 left edge, 1 right):
    the same on every page of one sheet, whatever the page's scale or offset (photos)."""
    ext = _extent(t)
    if ext is None:
        return {}
    out: dict[str, float] = {}
    for role, col in roles.items():
        heads = sorted((c for c in t.cells if c.col == col and c.box is not None), key=lambda c: c.row)
        if heads:
            b = heads[0].box
            out[role] = ((b.x0 + b.x1) / 2 - ext[0]) / (ext[1] - ext[0])   # type: ignore[union-attr]
    return out


def _cell_over(t: Table, r: int, place: float) -> Cell | None:
    """The cell of row `r` that stands over `place` (a share of the table's width)."""
    ext = _extent(t)
    assert ext is not None
    x = ext[0] + place * (ext[1] - ext[0])
    for c in t.cells:
        if c.row <= r < c.row + c.rowspan and c.box is not None and c.box.x0 <= x <= c.box.x1:
            return c
    return None


def _match_items(items: tuple, texts: list[str]) -> list:
    """Pair table rows with rubric items: in order when the count agrees,
    otherwise by the closest criterion text (rows may be missing or split)."""
    if len(texts) == len(items):
        return list(items)
    out: list = []
    used: set[str] = set()
    for text in texts:
        k = label_key(text)
        best, best_r = None, 0.0
        for it in items:
            if it.key in used:
                continue
            r = difflib.SequenceMatcher(None, k, label_key(it.text), autojunk=False).ratio()
            if r > best_r:
                best, best_r = it, r
        if best is not None and best_r >= 0.5:
            used.add(best.key)
            out.append(best)
        else:
            out.append(None)
    return out
