"""Find a campaign's documents and fields in the common model.

Works on `Document` only, so every reader (Word, PDF, OCR) gets the same
form location.  Tables are first read as a person reads them (a label split
over cells is one label: reshape.py; a row broken by a page break is one row:
page_rows.py).  A field is found by its label: the value
is the next cell to the right of the label cell (past empty spacer columns), or
the cell below when the label spans its row (申报创建材料), or a nested table's
values by their printed words (subtable.py); where no cell holds the label, the
text after it on a label line or in a label-and-value cell (lines.py).  Text
after the form (a 附页 after a page break), less the form's own lines under it
(联系人, 填表人), is the narrative or the material when the form says 见附页.  A
notice is not a submission (notice.py).  A score sheet is found by its columns
(rubric.py), free text after a form or alone by free_text.py, and a label OCR misread by
one glyph by fuzzy.py.
"""
from __future__ import annotations

import re
from dataclasses import replace

from dossier.campaigns import Campaign, DocumentSpec, FieldSpec

from ..extract.model import Cell, Document, Paragraph, Table
from . import fuzzy
from .cut_tables import beside_the_table, row_ends_at
from .floating import floating_over
from .found import Found, LabelHit, LocatedDocument
from .free_text import attach_free_text
from .labels import cut_at_labels, key_score, label_key
from .lines import LineIndex, campaign_labels, paragraph_lines
from .notice import is_notice
from .page_rows import join_rows_across_pages, join_split_label_lines
from .reshape import join_split_labels, own_text
from .rubric import locate_rubric
from .segments import Segmenter
from .subtable import nested_cells, parts_text, region_table, table_under

__all__ = ["Found", "LocatedDocument", "Locator", "locate"]

# the confidence of a blank read beside text no label took (see Locator._loose_text_near)
LOOSE_TEXT_CONFIDENCE = 0.5


class Locator:
    def __init__(self, doc: Document, campaign: Campaign) -> None:
        self.campaign = campaign
        # every label the campaign knows, so that a value never runs into a neighbour's label
        labels = campaign_labels(campaign)
        self.all_label_keys = tuple(dict.fromkeys(label_key(lbl) for lbl in labels))
        # the tables as a person reads them (split labels joined, a row broken by a page break one
        # row); same blocks, same indexes
        self.doc = replace(doc, blocks=join_split_label_lines(join_rows_across_pages(
            [join_split_labels(b, self.all_label_keys) if isinstance(b, Table) else b for b in doc.blocks],
            self.all_label_keys), self.all_label_keys))
        self.cells: list[tuple[int, Table, Cell]] = [
            x for i, b in enumerate(self.doc.blocks) if isinstance(b, Table) for x in nested_cells(i, b)]
        self._grids: dict[int, dict[tuple[int, int], Cell]] = {}
        long_labels = [lbl for d in campaign.documents for f in list(d.fields) + list(d.review_fields)
                       if f.type in ("longtext", "opinion") or f in d.review_fields for lbl in f.labels]
        long_labels += [lbl for d in campaign.documents for lbl in d.ignore_labels]
        self.segmenter = Segmenter.for_labels(tuple(labels), tuple(long_labels))
        self.lines = LineIndex(self.doc, self.segmenter, self.cells)
        # label_key of every cell, once: form location asks for them many times
        self.cell_keys: dict[int, str] = {id(c): label_key(c.text) for _i, _t, c in self.cells}
        # a label is short: only these cells are asked whether they are one
        self.short_cells = [(i, t, c, self.cell_keys[id(c)]) for i, t, c in self.cells
                            if len(self.cell_keys[id(c)]) <= 40]
        # a cell that holds a nested table and, under it, a label of its own (an RTF round trip
        # moves the next row's label there): the label is judged by the cell's own text
        for i, t, c in self.cells:
            if c.tables and len(self.cell_keys[id(c)]) > 40:
                own = label_key(own_text(c))
                if own and len(own) <= 40:
                    self.short_cells.append((i, t, c, own))
        self._is_label: dict[int, bool] = {}

    def at(self, t: Table, row: int, col: int) -> Cell | None:
        """`t.at(row, col)` through a grid index built once per table (location asks often)."""
        grid = self._grids.get(id(t))
        if grid is None:
            grid = self._grids[id(t)] = {}
            for c in t.cells:
                for r in range(c.row, c.row + c.rowspan):
                    for k in range(c.col, c.col + c.colspan):
                        grid.setdefault((r, k), c)
        return grid.get((row, col))

    # -- labels ---------------------------------------------------------
    def key_of(self, cell: Cell) -> str:
        k = self.cell_keys.get(id(cell))
        if k is None:
            k = self.cell_keys[id(cell)] = label_key(cell.text)
        return k

    def is_label(self, cell: Cell) -> bool:
        hit = self._is_label.get(id(cell))
        if hit is None:
            hit = self._is_label[id(cell)] = key_score(self.key_of(cell), self.all_label_keys)[0] >= 2
        return hit

    def find_label(self, spec: FieldSpec) -> LabelHit | None:
        best: LabelHit | None = None
        keys = tuple(label_key(lbl) for lbl in spec.labels)
        for i, t, c, ck in self.short_cells:
            score, rest = key_score(ck, keys)
            if score and (best is None or score > best.score):
                best = LabelHit(i, t, c, score, rest)
        if best is None:
            # a label with words in front of it that no other label claims (党组织书记姓名), or its
            # group's title (党组织书记情况姓名: the title's cell joined to the first label's)
            group = label_key(spec.group) if spec.group else None
            for i, t, c in self.cells:
                ck = self.key_of(c)
                if any(ck.endswith(k) and (0 < len(ck) - len(k) <= 5 or ck[:-len(k)] == group)
                       for k in keys if len(k) >= 2) and not self.is_label(c):
                    return LabelHit(i, t, c, 2, "")
        return best

    # -- values in tables -----------------------------------------------
    def right_of(self, t: Table, cell: Cell) -> Cell | None:
        """The value cell right of a label: the next cell, or past narrow empty spacer
        columns the first cell with text, unless that is the next label."""
        empty: list[Cell] = []
        for col in range(cell.col + cell.colspan, t.ncols):
            other = self.at(t, cell.row, col)
            if other is None or other is cell or (empty and other is empty[-1]):
                continue
            if other.text.strip():
                if not self.is_label(other):
                    return other
                break
            empty.append(other)
        # no text before the next label: of the empty cells, one whose ink no line was read from
        # (a scan's faint name: its confidence says so) rather than a spacer beside it
        return min(empty, key=lambda c: c.confidence) if empty else None

    def below(self, block: int, t: Table, cell: Cell) -> Cell | None:
        row = cell.row + cell.rowspan
        if row < t.nrows:
            for col in range(cell.col, cell.col + cell.colspan):
                other = self.at(t, row, col)
                if other is not None and other is not cell:
                    return other
            return None
        # the table ends here: the value row may be the first row of the next table (next page)
        for b in self.doc.blocks[block + 1:]:
            if isinstance(b, Table):
                first = [c for c in b.cells if c.row == 0]
                if first and not any(self.is_label(c) for c in first):
                    return max(first, key=lambda c: len(c.text))
                return None
            if isinstance(b, Paragraph) and b.text.strip():
                return None
        return None

    def continuation(self, block: int, t: Table, cell: Cell) -> list[Cell]:
        """Rows of the next tables (page breaks inside a long cell) that carry on this cell: a
        table wholly of such rows passes on to the next (1500 字 in a narrow cell fills three
        pages); a label row or a row of several texts ends it."""
        if cell.row + cell.rowspan < t.nrows:
            return []
        out = []
        for b in self.doc.blocks[block + 1:]:
            if isinstance(b, Paragraph) and not b.text.strip():
                continue
            if not isinstance(b, Table):
                break
            for row in b.rows():
                if not row:
                    continue
                if any(self.is_label(c) for c in row):
                    return out
                texts = [c for c in row if c.text.strip()]
                if len(texts) == 1:
                    out.append(texts[0])
                else:
                    return out
        return out

    def cell_value(self, spec: FieldSpec, hit: LabelHit | None = None) -> Found | None:
        hit = hit or self.find_label(spec)
        if hit is None:
            return self._parts_under_label_head(spec) if spec.parts else None
        label_text = label_key(hit.cell.text)
        if hit.score == 1:
            # the label's own cell may hold the values' table (LibreOffice reading an HTML form)
            rest = parts_text(hit.cell.tables[0]) if spec.parts and hit.cell.tables else None
            if spec.parts and not rest:
                # …or the label glued to the first head word of the values' table (联络人姓名及职务、
                # 电话姓名 | 职务 | 电话 over the values: a frame's table lost its outer cells)
                rest = parts_text(replace(hit.table, cells=[replace(c, paragraphs=[hit.rest]) if c is hit.cell else c
                                                            for c in hit.table.cells]))
            if not rest:
                line = self.lines.find(spec, hit.cell)
                rest = self.lines.value(line, spec)[0] if line is not None else hit.rest
            return Found(raw=rest, page=hit.cell.page, box=hit.cell.box,
                         confidence=hit.cell.confidence, pictures=list(hit.cell.pictures),
                         label=label_text, cell=hit.cell)
        value = None if spec.below else self.right_of(hit.table, hit.cell)
        if value is None or self.is_label(value):
            # labels in a header row with their values in the row below
            under = self.below(hit.block, hit.table, hit.cell)
            if under is not None and not self.is_label(under):
                value = under
        if spec.parts and hit.cell.tables and (value is None or self.is_label(value) or not value.text.strip()):
            # the values' table sits in the label's own cell (LibreOffice reading an HTML form)
            raw = parts_text(hit.cell.tables[0])
            if raw:
                return Found(raw=raw, page=hit.cell.page, box=hit.cell.box, confidence=hit.cell.confidence,
                             label=label_text, cell=hit.cell)
        if value is None or not value.text.strip():
            beyond = beside_the_table(self.doc.blocks, hit.table, hit.cell, self.at)
            if beyond is not None:
                return Found(raw=beyond.text, page=beyond.page, box=beyond.box, confidence=beyond.confidence,
                             pictures=list(beyond.pictures), label=label_text)
        if value is None or self.is_label(value):
            return Found(raw="", page=hit.cell.page, box=hit.cell.box, label=label_text,
                         no_place=value is None and row_ends_at(hit.table, hit.cell, self.at))
        raw = value.text
        if spec.parts and value.tables:
            # 联络人 as a table of its own: 姓名|职务|电话 over the values
            raw = parts_text(value.tables[0]) or raw
        elif spec.parts and hit.cell.rowspan > value.rowspan:
            # …or one whose rulings joined the outer grid: the rows beside the tall label
            region = region_table(hit.table, hit.cell, value)
            raw = (parts_text(region) if region is not None else None) or raw
        elif spec.parts and not raw.strip():      # …or the rows under the label, beside them empty
            region = table_under(hit.table, hit.cell)
            raw = (parts_text(region) if region is not None else None) or raw
        cells = [value]
        if spec.type in ("longtext", "opinion"):
            # a page break inside the cell: an opinion's seal and date often fall on the next page
            for extra in self.continuation(hit.block, hit.table, value):
                raw += "\n" + extra.text
                cells.append(extra)
        # a seal stamped across the label and its value may have been given to the label's cell
        pictures = [p for c in cells for p in c.pictures] + floating_over(self.doc.pictures, value)
        pictures += [p for p in hit.cell.pictures if p not in pictures]
        return Found(raw=raw, page=value.page, box=value.box,
                     confidence=min(c.confidence for c in cells), pictures=pictures, label=label_text, cell=value,
                     no_place=not raw.strip() and value.row != hit.cell.row and row_ends_at(hit.table, hit.cell, self.at))

    def _parts_under_label_head(self, spec: FieldSpec) -> Found | None:
        """A compound value's table under the head of its label, the label's rest below the table
        (联络人姓名 / 姓名|职务|电话 and the values / 及职务、电话: an HTML form's stacked label
        whose values' table LibreOffice set into the label's column)."""
        keys = [label_key(lbl) for lbl in spec.labels]
        for _i, t, c, ck in self.short_cells:
            ck = label_key(own_text(c)) if c.tables else ck
            if len(ck) >= 4 and any(k.startswith(ck) and k != ck for k in keys):
                raw = parts_text(c.tables[0]) if c.tables else None     # the table in its own cell
                region = None if raw else table_under(t, c)
                if region is not None:      # …or under it, less the label's rest
                    rest = [k[len(ck):] for k in keys if k.startswith(ck)]
                    raw = parts_text(replace(region, cells=[o for o in region.cells if self.key_of(o) not in rest]))
                if raw:
                    return Found(raw=raw, page=c.page, box=c.box, confidence=c.confidence, label=ck, cell=c)
        return None

    # -- values in lines (填报单位：…) -------------------------------------
    def line_value(self, spec: FieldSpec) -> Found | None:
        """The value after the field's label on a label line (and the lines it goes on over)."""
        hit = self.lines.find(spec)
        if hit is None:
            return None
        raw, holders, blocks = self.lines.value(hit, spec)
        nxt = self.doc.blocks[hit.block + 1] if hit.block + 1 < len(self.doc.blocks) else None
        if spec.parts and not raw.strip() and isinstance(nxt, Table):     # a label line over the values' table
            raw = parts_text(nxt) or raw
        pictures = [p for h in holders for p in h.pictures]
        for h in holders:
            pictures += [p for p in floating_over(self.doc.pictures, h) if p not in pictures]
        confidence = min(h.confidence for h in holders)
        if not raw.strip() and isinstance(hit.holder, Paragraph) and self._loose_text_near(hit.block):
            confidence = min(confidence, LOOSE_TEXT_CONFIDENCE)
        return Found(raw=raw, page=hit.holder.page, box=hit.holder.box,
                     confidence=confidence, pictures=pictures,
                     label=label_key(hit.segment.label), blocks=blocks,
                     spots=[(h.page, h.box) for h in holders if h.box is not None])

    def _loose_text_near(self, block: int) -> bool:
        """Whether a blank on a printed or scanned label line has text near it that no label took:
        a short line of values, or text printed over other text.  Where it has, the value may be
        there (a box printed off its line), and a finding that it is missing rests on weak evidence."""
        if self.doc.method not in ("pdf-text", "ocr"):
            return False
        page = self.doc.blocks[block].page
        for i in range(max(0, block - 2), min(block + 3, len(self.doc.blocks))):
            b = self.doc.blocks[i]
            if i == block or not isinstance(b, Paragraph) or b.page != page or not b.text.strip():
                continue
            if b.confidence < 1.0 or ((i, 0) not in self.lines.label_lines and len(label_key(b.text)) <= 60):
                return True
        return False

    def inline_value(self, spec: FieldSpec, siblings: list[FieldSpec]) -> Found | None:
        found = self.line_value(spec)
        if found is not None and found.raw.strip():
            return found
        keys = [label_key(lbl) for lbl in spec.labels]
        stops = [label_key(lbl) for s in siblings if s is not spec for lbl in s.labels]
        sources: list[tuple[str, Paragraph | Cell, int]] = []
        for i, p, line in paragraph_lines(self.doc):
            sources.append((line, p, i))
        for i, _t, c in self.cells:
            sources.append((c.text, c, i))
        for text, holder, _i in sources:
            flat = label_key(text)
            for k in keys:
                pos = flat.find(k)
                if pos < 0:
                    continue
                after = flat[pos + len(k):]
                if not after.startswith(":") and holder in [c for _, _, c in self.cells]:
                    continue   # a table cell that merely mentions the label
                if not after.startswith(":") and after and not isinstance(holder, Paragraph):
                    continue
                after = after.lstrip(":")
                end = len(after)
                for s in stops:
                    j = after.find(s)
                    if 0 <= j < end and (after[j + len(s):j + len(s) + 1] in (":", "")):
                        end = j
                raw = after[:end]
                pictures = list(holder.pictures) + floating_over(self.doc.pictures, holder)
                return Found(raw=raw, page=holder.page, box=holder.box, confidence=holder.confidence,
                             pictures=pictures, label=k)
        return None

    # -- documents ------------------------------------------------------
    def locate_form(self, spec: DocumentSpec) -> LocatedDocument | None:
        located = LocatedDocument(spec=spec)
        hits = 0
        inline_specs = [f for f in spec.fields if f.layout == "inline"]
        for f in spec.fields:
            found = None
            if f.layout == "inline":
                found = self.inline_value(f, inline_specs)
                if found is None or not found.raw.strip():
                    blank = found or self.line_value(f)
                    # the line read as a row of cells (a photo whose table frame took in the
                    # line above it): the value cell runs on into the next inline label
                    found = self.cell_value(f)
                    if found is not None and found.raw:
                        found.raw = cut_at_labels(found.raw, [s for s in inline_specs if s is not f])
                    if found is None or (not found.raw.strip() and blank is not None):
                        found = blank
            else:
                found = self.cell_value(f)
                if found is None or not found.raw.strip():
                    # no table cell holds it: a label line (党组织名称：…), or label and value in one cell
                    in_line = self.line_value(f)
                    if in_line is not None and (found is None or in_line.raw.strip()):
                        found = in_line
            if found is None:
                located.values[f.key] = Found(raw="", located=False, label=f.label)
                continue
            hits += 1
            located.values[f.key] = found
            located.blocks.extend(i for i in found.blocks if i not in located.blocks)
            if found.cell is not None:
                for i, _t, c in self.cells:
                    if c is found.cell and i not in located.blocks:
                        located.blocks.append(i)
        # a form is there when a good share of its labels are
        if hits < max(3, len(spec.fields) // 3):
            return None
        if self.doc.method == "ocr":
            # the form is recognised: a label still missing may be there with one glyph misread
            for f in spec.fields:
                if located.values[f.key].located or f.layout == "inline":
                    continue
                found = fuzzy.fuzzy_value(self, f)
                if found is not None:
                    located.values[f.key] = found
                    located.blocks.extend(i for i in found.blocks if i not in located.blocks)
        return located


def locate(doc: Document, campaign: Campaign) -> list[LocatedDocument]:
    """Every document of `campaign` found in `doc`, with its values located."""
    if is_notice(doc, campaign):
        return []
    loc = Locator(doc, campaign)
    found: list[LocatedDocument] = []
    for spec in campaign.documents:
        if spec.rubric is not None:
            d = locate_rubric(loc, spec)
        elif spec.fields and spec.appendix_of is None:
            d = loc.locate_form(spec)
        else:
            continue
        if d is not None:
            found.append(d)

    attach_free_text(loc, doc, campaign, found)
    return found
