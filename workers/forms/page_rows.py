"""A table row broken by a page break is one row, and a label broken over two lines one label.

Word and LibreOffice let a row break across pages: a tall opinion row whose label wraps in a
narrow column (单位党组（党委）推荐理由 / 及意见) leaves half its label, its text and its
value's first lines at the foot of one page and the rest at the head of the next.  Read page by
page, neither half is a label, and the opinion is lost.  `join_rows_across_pages` gives the
locator the row whole: the last row of a page's last table and the first row of the next page's
first table, drawn in the same columns, are joined where their first cells make a label better
than either makes alone.  Two rows that only happen to meet at a page break are left apart (each
first cell is a label, or the two make none).  `join_split_label_lines` does the same for a
label whose lines are paragraphs of their own (a narrow frame's hard line breaks).
"""
from __future__ import annotations

from dataclasses import replace

from ..extract.model import Block, Cell, Paragraph, Table
from .labels import key_score, label_key, unbracket

# column edges (pt, or pixels on a scan's scale) this close are the same column
_EDGE = 4.0
# text between the two tables that may stand there: a running footer or header, a page number
_FURNITURE_CHARS = 30


def _score(key: str, label_keys: tuple[str, ...]) -> int:
    return key_score(key, label_keys)[0]


def _last_row(t: Table) -> list[Cell]:
    return sorted((c for c in t.cells if c.row + c.rowspan == t.nrows), key=lambda c: c.col)


def _first_row(t: Table) -> list[Cell]:
    return sorted((c for c in t.cells if c.row == 0), key=lambda c: c.col)


def _aligned(upper: list[Cell], lower: list[Cell]) -> bool:
    if not upper or len(upper) != len(lower):
        return False
    for a, b in zip(upper, lower):
        if a.box is None or b.box is None or abs(a.box.x0 - b.box.x0) > _EDGE or abs(a.box.x1 - b.box.x1) > _EDGE:
            return False
    return True


def _next_table(blocks: list[Block], i: int) -> int | None:
    """The index of the table after block `i` on the next page, past a footer and a header."""
    page = blocks[i].page
    for j in range(i + 1, len(blocks)):
        b = blocks[j]
        if isinstance(b, Table):
            return j if b.page == page + 1 and b.cells else None
        if isinstance(b, Paragraph) and len(b.text.strip()) > _FURNITURE_CHARS:
            return None
    return None


def _joined(a: Cell, b: Cell, text: list[str] | None = None) -> Cell:
    """`a` carried on by `b`: one cell on `a`'s page and place, with both halves' text and marks."""
    return replace(a, paragraphs=text if text is not None else a.paragraphs + b.paragraphs,
                   confidence=min(a.confidence, b.confidence), pictures=a.pictures + b.pictures,
                   lines=a.lines + b.lines, tables=a.tables + b.tables)


def join_rows_across_pages(blocks: list[Block], label_keys: tuple[str, ...]) -> list[Block]:
    """`blocks`, with each row broken by a page break joined into the upper table's last row (the
    lower table loses its first row: an empty table stays, so block indexes keep their meaning)."""
    out = list(blocks)
    for i, upper in enumerate(out):
        if not isinstance(upper, Table) or not upper.cells:
            continue
        j = _next_table(out, i)
        if j is None:
            continue
        lower = out[j]
        assert isinstance(lower, Table)
        top, bottom = _last_row(upper), _first_row(lower)
        if not _aligned(top, bottom) or any(c.rowspan > 1 for c in bottom):
            continue
        ka, kb = label_key(top[0].text), label_key(bottom[0].text)
        # the two halves make a label, better than either makes alone (（党委）推荐理由及意见 is
        # a label by its unbracketed words; 单位党组（党委）推荐理由及意见 is the label itself), or
        # the upper half is none and the whole is as good a label as the lower (推荐理由及意见 is
        # a label's short form; 单位党组（党委） above it is no label of its own)
        joined = _score(ka + kb, label_keys) if ka and kb else 0
        sa, sb = _score(ka, label_keys), _score(kb, label_keys)
        # or the upper half stops inside its note's bracket, which the lower closes (申报创建材料
        # （1500 / 字以内）: a label by its words already, but cut)
        cut = ka.count("(") > ka.count(")") and sb < 2
        # or the lower half is the upper's note alone ((1500字以内) under 申报创建材料): a row's
        # first cell that is only a bracketed note labels nothing of its own
        note = sa >= 2 and bool(kb) and not unbracket(kb)
        if joined < 2 or not (joined > max(sa, sb) or (sa < 2 and joined >= sb) or cut or note):
            continue
        merged = {id(a): _joined(a, b, [ka + kb] if k == 0 else None) for k, (a, b) in enumerate(zip(top, bottom))}
        out[i] = Table(cells=[merged.get(id(c), c) for c in upper.cells], page=upper.page, box=upper.box)
        out[j] = Table(cells=[replace(c, row=c.row - 1) for c in lower.cells if c.row > 0],
                       page=lower.page, box=lower.box)
    return out


def _starts_label(head: str, joined: str, label_keys: tuple[str, ...], in_cells: set[str]) -> bool:
    """Whether `joined` starts with a label that runs past `head` (the label was cut after it),
    one no table cell holds already (else the lines are its pieces printed again: a note)."""
    return any(len(lk) > len(head) and joined.startswith(lk) and lk not in in_cells for lk in label_keys)


def join_split_label_lines(blocks: list[Block], label_keys: tuple[str, ...]) -> list[Block]:
    """`blocks`, with a label broken over two lines joined: a short line, and the next line or the
    first cell of the table right under it, which carry a longer label on
    (分管党建工作 / 负责人及电话; 联络人姓名 / 及职务、电话 heading a table).  The first line
    is left empty, so block indexes keep their meaning."""
    out = list(blocks)
    in_cells = {label_key(c.text) for t in blocks if isinstance(t, Table) for c in t.cells}
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if not isinstance(a, Paragraph) or b.page != a.page:
            continue
        ka = label_key(a.text)
        if not ka or len(ka) > 12 or "\n" in a.text.strip():
            continue
        if isinstance(b, Paragraph):
            kb = label_key(b.text)
            if kb and _score(kb, label_keys) < 2 and _starts_label(ka, ka + kb, label_keys, in_cells):
                out[i] = replace(a, text="")
                out[i + 1] = replace(b, text=a.text.strip() + b.text.strip(), lines=[])
        elif isinstance(b, Table) and b.cells:
            first = min(b.cells, key=lambda c: (c.row, c.col))
            kb = label_key(first.text)
            if kb and _starts_label(ka, ka + kb, label_keys, in_cells):
                joined = replace(first, paragraphs=[a.text.strip() + first.text.strip()], lines=[])
                out[i] = replace(a, text="")
                out[i + 1] = replace(b, cells=[joined if c is first else c for c in b.cells])
    return out
