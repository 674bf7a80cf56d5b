"""Find a campaign's documents and fields in the common model.

Works on `Document` only, so every reader (Word, PDF, OCR) gets the same
form location.  Tables are first read as a person reads them (a label split
over cells is one label: reshape.py).  A field is found by its label: the value
is the next cell to the right of the label cell (past empty spacer columns), or
the cell below when the label spans its row (申报创建材料), or a nested table's
values by their printed words (subtable.py); where no cell holds the label, the
text after it on a label line or in a label-and-value cell (lines.py).  Text
after the form (a 附页 after a page break), less the form's own lines under it
(联系人, 填表人), is the narrative or the material when the form says 见附页.  A
notice is not a submission (notice.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from dossier.campaigns import Campaign, DocumentSpec, FieldSpec

from ..extract.model import Box, Cell, Document, Paragraph, Picture, Table
from . import fuzzy
from .labels import APPENDIX_HEADER, APPENDIX_REF, PAGE_NUMBER, key_score, label_key
from .lines import LineIndex, line_labels
from .notice import is_notice
from .reshape import join_split_labels, own_text
from .rubric_header import header_roles
from .segments import Segmenter
from .subtable import parts_text


@dataclass
class Found:
    """A value located on the page, before normalising."""
    raw: str
    page: int = 1
    box: Box | None = None
    confidence: float = 1.0
    pictures: list[Picture] = field(default_factory=list)
    label: str = ""
    cell: Cell | None = None
    located: bool = True          # False: the label itself was not found
    blocks: list[int] = field(default_factory=list)   # blocks a value read from lines came from
    # (page, box) of each line a value read from lines came from: a seal beside any of them is its
    spots: list[tuple[int, Box]] = field(default_factory=list)


@dataclass
class LocatedDocument:
    spec: DocumentSpec
    values: dict[str, Found] = field(default_factory=dict)
    # rubric: item key -> (max cell text, self cell text, page, box, confidence)
    rubric_rows: dict[str, Found] = field(default_factory=dict)
    rubric_total: Found | None = None
    blocks: list[int] = field(default_factory=list)   # indexes of the blocks it occupies


@dataclass
class _LabelHit:
    block: int
    table: Table
    cell: Cell
    score: int
    rest: str


def _cell_box(cell: Cell) -> Box | None:
    return cell.box


def _paragraph_lines(doc: Document) -> list[tuple[int, Paragraph, str]]:
    out = []
    for i, b in enumerate(doc.blocks):
        if isinstance(b, Paragraph):
            for line in b.text.split("\n"):
                out.append((i, b, line))
    return out


def _nested(i: int, t: Table) -> list[tuple[int, Table, Cell]]:
    """The cells of `t` and of the tables nested in them, each with the outer block's index."""
    out = []
    for c in t.cells:
        out.append((i, t, c))
        for inner in c.tables:
            out.extend(_nested(i, inner))
    return out


def _tables_in(t: Table) -> list[Table]:
    """`t` and the tables nested in its cells, in reading order."""
    out = [t]
    for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
        for inner in c.tables:
            out.extend(_tables_in(inner))
    return out


class Locator:
    def __init__(self, doc: Document, campaign: Campaign) -> None:
        self.campaign = campaign
        # every label the campaign knows, so that a value never runs into a neighbour's label
        labels: list[str] = []
        for d in campaign.documents:
            labels.extend(line_labels(list(d.fields) + list(d.review_fields)))
            for f in d.fields:
                for p in f.parts:
                    labels.extend(p.labels)
            labels.extend(d.ignore_labels)
        self.all_label_keys = tuple(dict.fromkeys(label_key(lbl) for lbl in labels))
        # the tables as a person reads them (split labels joined); same blocks, same indexes
        self.doc = replace(doc, blocks=[join_split_labels(b, self.all_label_keys) if isinstance(b, Table) else b
                                        for b in doc.blocks])
        self.cells: list[tuple[int, Table, Cell]] = [
            x for i, b in enumerate(self.doc.blocks) if isinstance(b, Table) for x in _nested(i, b)]
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

    def find_label(self, spec: FieldSpec) -> _LabelHit | None:
        best: _LabelHit | None = None
        keys = tuple(label_key(lbl) for lbl in spec.labels)
        for i, t, c, ck in self.short_cells:
            score, rest = key_score(ck, keys)
            if score and (best is None or score > best.score):
                best = _LabelHit(i, t, c, score, rest)
        if best is None:
            # a label with words in front of it that no other label claims (党组织书记姓名), or its
            # group's title (党组织书记情况姓名: the title's cell joined to the first label's)
            group = label_key(spec.group) if spec.group else None
            for i, t, c in self.cells:
                ck = self.key_of(c)
                if any(ck.endswith(k) and (0 < len(ck) - len(k) <= 5 or ck[:-len(k)] == group)
                       for k in keys if len(k) >= 2) and not self.is_label(c):
                    return _LabelHit(i, t, c, 2, "")
        return best

    # -- values in tables -----------------------------------------------
    def right_of(self, t: Table, cell: Cell) -> Cell | None:
        """The value cell right of a label: the next cell, or past narrow empty spacer
        columns the first cell with text, unless that is the next label."""
        first = None
        for col in range(cell.col + cell.colspan, t.ncols):
            other = self.at(t, cell.row, col)
            if other is None or other is cell or other is first:
                continue
            if first is None:
                first = other
            if other.text.strip():
                return first if self.is_label(other) else other
        return first

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
        """Rows of the next table (a page break inside a long cell) that carry on this cell."""
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
            break
        return out

    def cell_value(self, spec: FieldSpec, hit: _LabelHit | None = None) -> Found | None:
        hit = hit or self.find_label(spec)
        if hit is None:
            return None
        label_text = label_key(hit.cell.text)
        if hit.score == 1:
            # the label's own cell may hold the values' table (LibreOffice reading an HTML form)
            rest = parts_text(hit.cell.tables[0]) if spec.parts and hit.cell.tables else None
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
        if value is None or self.is_label(value):
            return Found(raw="", page=hit.cell.page, box=hit.cell.box, label=label_text)
        raw = value.text
        if spec.parts and value.tables:
            # 联络人 as a table of its own: 姓名|职务|电话 over the values
            raw = parts_text(value.tables[0]) or raw
        cells = [value]
        if spec.type == "longtext":
            for extra in self.continuation(hit.block, hit.table, value):
                raw += "\n" + extra.text
                cells.append(extra)
        # a seal stamped across the label and its value may have been given to the label's cell
        pictures = [p for c in cells for p in c.pictures] + self.floating_over(value)
        pictures += [p for p in hit.cell.pictures if p not in pictures]
        return Found(raw=raw, page=value.page, box=value.box,
                     confidence=min(c.confidence for c in cells), pictures=pictures,
                     label=label_text, cell=value)

    def floating_over(self, cell: Cell | Paragraph) -> list[Picture]:
        """Pictures that float on the page (scans) and overlap this cell or line."""
        out = []
        for p in self.doc.pictures:
            if p.page != cell.page:
                continue
            if p.box is None:
                # “cannot tell on this page” (a greyscale scan): it applies to every spot on it
                if p.kind.endswith("_unknown"):
                    out.append(p)
                continue
            if cell.box is None:
                continue
            b, c = p.box, cell.box
            ix = min(b.x1, c.x1) - max(b.x0, c.x0)
            iy = min(b.y1, c.y1) - max(b.y0, c.y0)
            area = max(1e-6, (b.x1 - b.x0) * (b.y1 - b.y0))
            if ix <= 0 or iy <= 0:
                continue
            # most of the picture over a cell; or a stamp across a line of text (a line is far
            # thinner than a seal, so it never holds 30 % of one): the seal's middle is on the line
            mid = (b.y0 + b.y1) / 2
            quarter = (b.y1 - b.y0) / 4
            if ix * iy / area >= 0.3 or (c.y0 - quarter <= mid <= c.y1 + quarter and ix >= 0.3 * (b.x1 - b.x0)):
                out.append(p)
        return out

    # -- values in lines (填报单位：…) -------------------------------------
    def line_value(self, spec: FieldSpec) -> Found | None:
        """The value after the field's label on a label line (and the lines it goes on over)."""
        hit = self.lines.find(spec)
        if hit is None:
            return None
        raw, holders, blocks = self.lines.value(hit, spec)
        pictures = [p for h in holders for p in h.pictures]
        for h in holders:
            pictures += [p for p in self.floating_over(h) if p not in pictures]
        return Found(raw=raw, page=hit.holder.page, box=hit.holder.box,
                     confidence=min(h.confidence for h in holders), pictures=pictures,
                     label=label_key(hit.segment.label), blocks=blocks,
                     spots=[(h.page, h.box) for h in holders if h.box is not None])

    def inline_value(self, spec: FieldSpec, siblings: list[FieldSpec]) -> Found | None:
        found = self.line_value(spec)
        if found is not None and found.raw.strip():
            return found
        keys = [label_key(lbl) for lbl in spec.labels]
        stops = [label_key(lbl) for s in siblings if s is not spec for lbl in s.labels]
        sources: list[tuple[str, Paragraph | Cell, int]] = []
        for i, p, line in _paragraph_lines(self.doc):
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
                pictures = list(holder.pictures) + self.floating_over(holder)
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
                        found.raw = _cut_at_labels(found.raw, [s for s in inline_specs if s is not f])
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
                found = self.fuzzy_value(f)
                if found is not None:
                    located.values[f.key] = found
                    located.blocks.extend(i for i in found.blocks if i not in located.blocks)
        return located

    def fuzzy_value(self, spec: FieldSpec) -> Found | None:
        """The field's value where its label was read with one wrong glyph (fuzzy.py)."""
        hit = fuzzy.find_cell(spec, self.short_cells, self.is_label,
                              lambda t, c: self.at(t, c.row, c.col - 1) if c.col else None)
        if hit is not None:
            if hit.rest:
                c = hit.cell
                return Found(raw=hit.rest, page=c.page, box=c.box, confidence=c.confidence,
                             pictures=list(c.pictures), label=spec.label, cell=c, blocks=[hit.block])
            found = self.cell_value(spec, _LabelHit(hit.block, hit.table, hit.cell, 3, ""))
            if found is not None:
                found.blocks = found.blocks or [hit.block]
            return found
        line = fuzzy.find_line(spec, _paragraph_lines(self.doc))
        if line is None:
            return None
        i, p, key, repaired = line
        seg = next((s for s in self.segmenter.segments(repaired) if label_key(s.label) == key), None)
        raw = seg.value if seg is not None else repaired[len(key) + 1:]
        return Found(raw=raw, page=p.page, box=p.box, confidence=p.confidence, pictures=list(p.pictures),
                     label=key, blocks=[i])

    def locate_rubric(self, spec: DocumentSpec) -> LocatedDocument | None:
        rubric = spec.rubric
        assert rubric is not None
        cols = rubric.columns
        located = LocatedDocument(spec=spec)
        item_col = max_col = self_col = None
        # a sheet may sit in a layout table around it: nested tables are read in their place
        tables = [(i, t) for i, b in enumerate(self.doc.blocks) if isinstance(b, Table) for t in _tables_in(b)]
        rows: list[tuple[int, Table, int]] = []
        for i, t in tables:
            header = header_roles(t, cols)
            if "self_score" in header and "max" in header:
                item_col, max_col, self_col = header.get("item", max(0, header["max"] - 1)), header["max"], header["self_score"]
                ncols = t.ncols
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
            width = widths[id(t)]
            shift = width - ncols
            return self.at(t, r, col + shift) if 0 <= col + shift < width else None

        item_rows: list[tuple[str, Cell, Cell | None]] = []
        for _i, t, r in rows:
            first = self.at(t, r, 0)
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
        for item, (text, mc, sc) in zip(self._match_items(rubric.items, [r[0] for r in item_rows]),
                                        item_rows):
            if item is None:
                continue
            raw = sc.text if sc is not None else ""
            ref = sc or mc
            located.rubric_rows[item.key] = Found(raw=raw, page=ref.page, box=ref.box,
                                                  confidence=ref.confidence, label=item.text, cell=sc)
        return located

    @staticmethod
    def _match_items(items: tuple, texts: list[str]) -> list:
        """Pair table rows with rubric items: in order when the count agrees,
        otherwise by the closest criterion text (rows may be missing or split)."""
        import difflib
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

    # -- free text after a form (附页) ------------------------------------
    def text_between(self, start: int, end: int, after_form: bool = False) -> tuple[str, list[Paragraph]]:
        paras = [b for b in self.doc.blocks[start:end] if isinstance(b, Paragraph)]
        if after_form:
            paras = self._past_form_lines(paras)
        lines: list[str] = []
        kept: list[Paragraph] = []
        for p in paras:
            t = p.text.strip()
            if not t or APPENDIX_HEADER.match(t) or PAGE_NUMBER.match(t):
                continue
            lines.append(p.text)
            kept.append(p)
        return "\n".join(lines), kept

    def _past_form_lines(self, paras: list[Paragraph]) -> list[Paragraph]:
        """`paras` from where the material starts: the form's own lines under its table
        (联系人：… 联系电话：…, 填表人：…, 备注 and its notes) are left out, up to the page break."""
        later = {p.page for p in paras if p.text.strip()}
        k, form_page = 0, None
        while k < len(paras):
            p = paras[k]
            lines = [ln for ln in p.text.split("\n") if ln.strip()]
            if not lines:
                k += 1
                continue
            if any(self.segmenter.is_form_line(ln) for ln in lines):
                form_page = p.page
            elif form_page is None or p.page != form_page or not any(pg > form_page for pg in later):
                break
            k += 1
        return paras[k:]


def _cut_at_labels(raw: str, others: list[FieldSpec]) -> str:
    """`raw` up to the first of the other inline labels that is followed by a colon
    (申报单位 … 申报日期：… 编号：), or whole."""
    end = len(raw)
    for spec in others:
        for lbl in spec.labels:
            for m in re.finditer(r"\s*".join(map(re.escape, lbl)) + r"\s*[:：]", raw):
                end = min(end, m.start())
                break
    return raw[:end].rstrip()


def locate(doc: Document, campaign: Campaign) -> list[LocatedDocument]:
    """Every document of `campaign` found in `doc`, with its values located."""
    if is_notice(doc, campaign):
        return []
    loc = Locator(doc, campaign)
    found: list[LocatedDocument] = []
    for spec in campaign.documents:
        if spec.rubric is not None:
            d = loc.locate_rubric(spec)
        elif spec.fields and spec.appendix_of is None:
            d = loc.locate_form(spec)
        else:
            continue
        if d is not None:
            found.append(d)

    # where each found document starts, so that a 附页 stops at the next one
    def start_of(d: LocatedDocument) -> int:
        first = min(d.blocks) if d.blocks else len(doc.blocks)
        # its title and “附件N：” header just before its first table belong to it
        i = first
        title = label_key(d.spec.title)
        for j in range(first - 1, max(-1, first - 4), -1):
            b = doc.blocks[j]
            if isinstance(b, Paragraph) and (title and title in label_key(b.text) or APPENDIX_HEADER.match(b.text)):
                i = j
        return i

    starts = sorted(start_of(d) for d in found)
    for d in found:
        if not d.blocks:
            continue
        end_of_form = max(d.blocks) + 1
        nxt = min([s for s in starts if s >= end_of_form] + [len(doc.blocks)])
        for f in d.spec.fields:
            v = d.values.get(f.key)
            if v is None or not APPENDIX_REF.search(v.raw) or len(label_key(v.raw)) > 20:
                continue
            text, paras = loc.text_between(end_of_form, nxt, after_form=True)
            if not label_key(text):
                continue
            appendix = Found(raw=text, page=paras[0].page if paras else v.page,
                             box=paras[0].box if paras else None,
                             confidence=min([p.confidence for p in paras] or [1.0]), label=f.label)
            if f.continued_in:
                kind, _, key = f.continued_in.partition(".")
                spec = campaign.document(kind)
                nd = LocatedDocument(spec=spec, values={key: appendix})
                found.append(nd)
            elif f.appendix_in_file:
                v.extra_raw = v.raw            # type: ignore[attr-defined]
                d.values[f.key] = appendix

    # a file that holds only a narrative (no form): all its text is the narrative
    if not found:
        text, paras = loc.text_between(0, len(doc.blocks))
        cell_text = "\n".join(c.text for _i, _t, c in loc.cells)
        spec = _text_kind(campaign, text) \
            if len(label_key(text)) >= 100 and len(label_key(text)) > len(label_key(cell_text)) else None
        if spec is not None:
            key = spec.fields[0].key
            found.append(LocatedDocument(spec=spec, values={key: Found(
                raw=text, page=paras[0].page if paras else 1,
                confidence=min([p.confidence for p in paras] or [1.0]), label=spec.fields[0].label)}))
    return found


# a material's title and opening lines: where it says what it is (创建事迹介绍材料, 简介材料)
_HEAD_CHARS = 120


def _text_kind(campaign: Campaign, text: str) -> DocumentSpec | None:
    """The kind a file of free text is: the text kind whose markers its opening names.

    A kind's markers are the words its material is titled with; a text that names none of them
    is that kind only when the campaign requires it and has no other text kind (Jinhua's
    创建事迹介绍材料 may be titled by its theme alone).  An optional kind (Yueyang's 简介材料)
    takes no text that does not name it: a letter, a notice or another material sent beside
    the form is not a 简介."""
    kinds = [s for s in campaign.documents if s.appendix_of is not None and s.fields]
    head = label_key(text)[:_HEAD_CHARS]
    named = [s for s in kinds if any(label_key(m) in head for m in _names_of(campaign, s))]
    if named:
        return named[0]
    if len(kinds) == 1 and (kinds[0].required or not kinds[0].markers):
        return kinds[0]
    return None


def _names_of(campaign: Campaign, spec: DocumentSpec) -> list[str]:
    """What a text of this kind is titled: its markers, its title, and the label of the long
    text on its form that it stands for (申报创建材料 sent as a file of its own)."""
    names = list(spec.markers) + [spec.title]
    parent = next((d for d in campaign.documents if d.kind == spec.appendix_of), None)
    if parent is not None:
        names += [lbl for f in parent.fields if f.type == "longtext" for lbl in f.labels]
    return [n for n in names if len(label_key(n)) >= 2]
