"""Build the common model from decoded Word 97 paragraphs (see word97_binary).

Cells end with \\x07; a row ends with its TTP (another \\x07 carrying the row's
cell edges).  Cell edges of all rows of a table are merged into one column
grid so a wide cell gets its colspan; a cell flagged as continuing a vertical
merge makes the cell above taller, as `vMerge="continue"` does in .docx (the
lead's docx reader follows the same rules, so form location sees one shape).
"""
from __future__ import annotations

from ..model import Block, Cell, Paragraph, Picture, Table
from .word97_binary import Para, RowDef

# characters with a meaning in Word's text stream
_FIELD_BEGIN, _FIELD_SEP, _FIELD_END = "\x13", "\x14", "\x15"
_PIC_INLINE, _PIC_ANCHOR = "\x01", "\x08"
_PAGE_BREAK = "\x0c"
_LINE_BREAK = "\x0b"
# other control characters: footnote/annotation refs, column break, hyphens
_DROP = {"\x02", "\x03", "\x04", "\x05", "\x0e", "\x1f", "\x00"}
_MAP = {"\x1e": "-", "\t": "\t", _LINE_BREAK: "\n"}

# edges closer than this (twips; 1 pt = 20 twips) are the same grid line
_EDGE_TOLERANCE = 40


class _FieldFilter:
    """Keeps field results, drops field instructions (\\x13 instr \\x14 result \\x15).

    State carries across paragraphs because a field may span several.
    """

    def __init__(self) -> None:
        self.stack: list[bool] = []          # per open field: still in instruction part?

    def hide(self, ch: str) -> bool:
        if ch == _FIELD_BEGIN:
            self.stack.append(True)
            return True
        if ch == _FIELD_SEP:
            if self.stack:
                self.stack[-1] = False
            return True
        if ch == _FIELD_END:
            if self.stack:
                self.stack.pop()
            return True
        return any(self.stack)


class ModelBuilder:
    """Walks the paragraphs once and emits Paragraph and Table blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.page = 1
        self.fields = _FieldFilter()
        # the table being built: rows of (cells' paragraphs, cells' pictures, page)
        self.rows: list[tuple[list[tuple[list[str], list[Picture], int]], RowDef | None]] = []
        self.row: list[tuple[list[str], list[Picture], int]] = []
        self.cell_paras: list[str] = []
        self.cell_pics: list[Picture] = []
        self.cell_page = 1
        self.table_page = 1
        # a table nested in the open cell (itap 2): its rows, its open row and cell
        self.inner_rows: list[tuple[list[tuple[list[str], list[Picture], int]], RowDef | None]] = []
        self.inner_row: list[tuple[list[str], list[Picture], int]] = []
        self.inner_paras: list[str] = []
        self.inner_pics: list[Picture] = []

    # -- text of one paragraph -------------------------------------------------
    def _clean(self, raw: str) -> tuple[list[str], list[Picture]]:
        """The paragraph's text (split where a page break falls) and its pictures."""
        parts: list[list[str]] = [[]]
        pics: list[Picture] = []
        for ch in raw:
            if self.fields.hide(ch):
                continue
            if ch == _PAGE_BREAK:
                parts.append([])
                self.page += 1
            elif ch == _PIC_INLINE or ch == _PIC_ANCHOR:
                pics.append(Picture(page=self.page, kind="picture",
                                    placement="inline" if ch == _PIC_INLINE else "anchor"))
            elif ch in _DROP:
                continue
            else:
                parts[-1].append(_MAP.get(ch, ch))
        return ["".join(p) for p in parts], pics

    # -- walking ---------------------------------------------------------------
    def feed(self, p: Para) -> None:
        if p.page_break_before and self.blocks_or_table():
            self.page += 1
        if p.in_table or p.ttp:
            self._table_para(p)
            return
        if self.rows or self.row or self.cell_paras:
            self._flush_table()
        start_page = self.page
        texts, pics = self._clean(p.text)
        # part k of the text lies on page start_page + k; a break at the start
        # (a new page beginning with this paragraph) moves the paragraph along
        parts = [(start_page + k, t) for k, t in enumerate(texts) if t.strip()]
        if len(parts) <= 1:
            page = parts[0][0] if parts else self.page
            self.blocks.append(Paragraph(text="".join(texts), page=page, pictures=pics))
            return
        for k, (page, t) in enumerate(parts):
            self.blocks.append(Paragraph(text=t, page=page,
                                         pictures=[x for x in pics if x.page == page]))

    def blocks_or_table(self) -> bool:
        """Whether anything came before (a break before the first paragraph makes no page)."""
        return bool(self.blocks or self.rows or self.row or self.cell_paras)

    def _table_para(self, p: Para) -> None:
        if not self.rows and not self.row and not self.cell_paras:
            self.table_page = self.page
            self.cell_page = self.page
        if p.ttp:
            # the row end: its own text is empty; close the row
            if self.cell_paras or self.cell_pics:     # a cell left open (damaged marks)
                self._end_cell()
            self.rows.append((self.row, p.row))
            self.row = []
            return
        if p.itap >= 2 and p.end != "\x07":
            self._inner_para(p)
            return
        texts, pics = self._clean(p.text)
        if not self.cell_paras and not self.cell_pics:
            self.cell_page = self.page - (len(texts) - 1)
        self.cell_paras.append("".join(texts))
        self.cell_pics.extend(pics)
        if p.end == "\x07":
            self._end_cell()

    def _inner_para(self, p: Para) -> None:
        """A paragraph of a table nested in the open cell: kept as that table's grid."""
        if p.inner_ttp:
            if self.inner_paras or self.inner_pics:
                self._end_inner_cell()
            self.inner_rows.append((self.inner_row, p.row))
            self.inner_row = []
            return
        texts, pics = self._clean(p.text)
        self.inner_paras.append("".join(texts))
        self.inner_pics.extend(pics)
        if p.inner_cell:
            self._end_inner_cell()

    def _end_inner_cell(self) -> None:
        self.inner_row.append((self.inner_paras, self.inner_pics, self.page))
        self.inner_paras, self.inner_pics = [], []

    def _end_cell(self) -> None:
        tables: list[Table] = []
        if self.inner_paras or self.inner_pics:
            self._end_inner_cell()
        if self.inner_row:
            self.inner_rows.append((self.inner_row, None))
            self.inner_row = []
        if self.inner_rows:
            # as the docx reader does: the nested table's text row by row, its grid beside
            nested = build_table(self.inner_rows, self.cell_page)
            tables.append(nested)
            for row in nested.rows():
                text = "  ".join(c.text for c in row if c.text.strip())
                if text:
                    self.cell_paras.append(text)
            self.cell_pics.extend(p for c in nested.cells for p in c.pictures)
            self.inner_rows = []
        self.row.append((self.cell_paras, self.cell_pics, self.cell_page, tables))
        self.cell_paras, self.cell_pics = [], []
        self.cell_page = self.page

    def _flush_table(self) -> None:
        if self.cell_paras or self.cell_pics:
            self._end_cell()
        if self.row:
            self.rows.append((self.row, None))
            self.row = []
        if self.rows:
            self.blocks.append(build_table(self.rows, self.table_page))
        self.rows = []

    def finish(self) -> list[Block]:
        self._flush_table()
        return self.blocks


def _grid(rows: list[tuple[list, RowDef | None]]) -> list[int]:
    """All cell edges of a table, clustered into grid lines (sorted)."""
    edges = sorted({e for _, rd in rows if rd for e in rd.centers})
    lines: list[int] = []
    for e in edges:
        if not lines or e - lines[-1] > _EDGE_TOLERANCE:
            lines.append(e)
    return lines


def _col_of(lines: list[int], x: int) -> int:
    return min(range(len(lines)), key=lambda i: abs(lines[i] - x))


def build_table(rows: list[tuple[list[tuple[list[str], list[Picture], int]], RowDef | None]],
                page: int) -> Table:
    """Cells with row/col/rowspan/colspan from the rows' cell edges and merge flags."""
    lines = _grid(rows)
    cells: list[Cell] = []
    grid: dict[tuple[int, int], Cell] = {}
    for r, (row, rd) in enumerate(rows):
        usable = rd is not None and len(rd.centers) == len(row) + 1 and len(lines) > 1
        col = 0
        prev: Cell | None = None
        for c, (paras, pics, cpage, *nested) in enumerate(row):
            if usable:
                c0, c1 = _col_of(lines, rd.centers[c]), _col_of(lines, rd.centers[c + 1])
                span = max(1, c1 - c0)
                col = c0
                vmerge = rd.vert_merge[c] if c < len(rd.vert_merge) else 0
                hmerge = rd.horz_merge[c] if c < len(rd.horz_merge) else 0
            else:
                # no layout for this row: one grid column per cell
                span, vmerge, hmerge = 1, 0, 0
            if hmerge == 2 and prev is not None:
                # old-style horizontal merge: this cell is part of the previous one
                prev.colspan = col + span - prev.col
                prev.paragraphs.extend(p for p in paras if p.strip())
                prev.pictures.extend(pics)
                for k in range(span):
                    grid[(r, col + k)] = prev
                col += span
                continue
            above = grid.get((r - 1, col))
            if vmerge == 1 and above is not None:
                above.rowspan = r - above.row + 1
                above.paragraphs.extend(p for p in paras if p.strip())
                above.pictures.extend(pics)
                for k in range(span):
                    grid[(r, col + k)] = above
                prev = above
            else:
                cell = Cell(row=r, col=col, colspan=span, paragraphs=paras, page=cpage,
                            pictures=pics, tables=nested[0] if nested else [])
                cells.append(cell)
                for k in range(span):
                    grid[(r, col + k)] = cell
                prev = cell
            col += span
    return Table(cells=cells, page=page)


def build_blocks(paras: list[Para]) -> tuple[list[Block], int]:
    """The model's blocks and the number of pages the explicit breaks make."""
    b = ModelBuilder()
    for p in paras:
        b.feed(p)
    blocks = b.finish()
    pages = max([blk.page for blk in blocks
                 if not isinstance(blk, Paragraph) or blk.text.strip()] or [1])
    return blocks, pages
