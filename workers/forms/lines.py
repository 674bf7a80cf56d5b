"""Fields found in label lines: paragraphs, and the lines of table cells.

The locator asks here when a field's label is not a table cell of its own: a
form typed as lines (党组织名称：…　所在单位类别：…), a label and its value in
one cell (书记姓名：王某), a line under the table (联系人：… 联系电话：…).  A long
text or an opinion goes on over the following lines until the next label
line, a table, a new page, or (an opinion) the date that closes it.
"""
from __future__ import annotations

from dataclasses import dataclass

from dossier.campaigns import FieldSpec

from ..extract.model import Cell, Document, Paragraph, Table
from .labels import APPENDIX_HEADER, EMPTY_DATE, FORM_LINE_LABELS, PAGE_NUMBER, label_key
from .normalise import find_date
from .segments import Segment, Segmenter


@dataclass
class LineHit:
    """A field's label found on a line, with its value and where it stands."""
    segment: Segment
    block: int                       # index of the block holding the line
    holder: Paragraph | Cell
    line: int                        # the line's index in its holder
    siblings: list[Segment]          # every segment of that line, in order


def field_keys(spec: FieldSpec) -> set[str]:
    """The label keys that name this field on a line; a compound field (联络人姓名及职务、电话)
    is also named by what its parts' labels share (联络人)."""
    keys = {label_key(lbl) for lbl in spec.labels}
    if spec.parts:
        plabels = [label_key(lbl) for p in spec.parts for lbl in p.labels]
        common = plabels[0]
        for lbl in plabels[1:]:
            n = 0
            while n < min(len(common), len(lbl)) and common[n] == lbl[n]:
                n += 1
            common = common[:n]
        if len(common) >= 2:
            keys.add(common)
    return keys


def line_labels(specs: list[FieldSpec]) -> list[str]:
    """Every label a line may start with for these fields (their parts' shared words included)."""
    out: list[str] = []
    for f in specs:
        out.extend(f.labels)
        out.extend(k for k in field_keys(f) if k not in out)
        # a group's title (党组织书记情况) heads its fields' line and ends the value before it
        if f.group and f.group not in out:
            out.append(f.group)
    return out


class LineIndex:
    """Every label line of a document, found once."""

    def __init__(self, doc: Document, segmenter: Segmenter,
                 cells: list[tuple[int, Table, Cell]]) -> None:
        self.doc = doc
        self.segmenter = segmenter
        self.hits: list[LineHit] = []
        # (block, line) of every label line in a paragraph: a long value stops at one
        self.label_lines: set[tuple[int, int]] = set()
        for i, b in enumerate(doc.blocks):
            if isinstance(b, Paragraph):
                self._add(i, b, b.text.split("\n"))
        for i, _t, c in cells:
            self._add(i, c, [line for p in c.paragraphs for line in p.split("\n")])

    def _add(self, block: int, holder: Paragraph | Cell, lines: list[str]) -> None:
        for n, line in enumerate(lines):
            segs = self.segmenter.segments(line)
            if not segs:
                continue
            if isinstance(holder, Paragraph):
                self.label_lines.add((block, n))
            for s in segs:
                self.hits.append(LineHit(s, block, holder, n, segs))

    def find(self, spec: FieldSpec, holder: Paragraph | Cell | None = None) -> LineHit | None:
        """The first line that labels this field (in `holder` only, when given)."""
        keys = field_keys(spec)
        for h in self.hits:
            if holder is not None and h.holder is not holder:
                continue
            if label_key(h.segment.label) in keys:
                return h
        return None

    def value(self, hit: LineHit, spec: FieldSpec) -> tuple[str, list[Paragraph | Cell], list[int]]:
        """The value's text, the paragraphs or cells it came from, and their block indexes."""
        raw = hit.segment.value
        if spec.parts:
            # 联络人：…　职务：…　联系电话：… — the parts' own words stay with the value
            after = hit.siblings[hit.siblings.index(hit.segment) + 1:]
            for s in after:
                if s.label not in FORM_LINE_LABELS:
                    break
                raw += f" {s.label}：{s.value}"
        holders: list[Paragraph | Cell] = [hit.holder]
        blocks = [hit.block]
        last = hit.siblings[-1] is hit.segment
        if not last:
            return raw, holders, blocks
        if spec.type not in ("longtext", "opinion"):
            if isinstance(hit.holder, Cell) and hit.holder.tables:
                return raw, holders, blocks      # the lines below are a nested table's
            # a short value wrapped onto the next line of its own cell or paragraph
            for text in self._own_lines(hit)[hit.line + 1:]:
                if not text.strip() or self.segmenter.segments(text):
                    break
                raw += text
            return raw, holders, blocks
        lines = self._following(hit, spec)
        for text, holder, block in lines:
            raw += "\n" + text
            if holder not in holders:
                holders.append(holder)
            if block not in blocks:
                blocks.append(block)
        return raw, holders, blocks

    @staticmethod
    def _own_lines(hit: LineHit) -> list[str]:
        if isinstance(hit.holder, Cell):
            return [line for p in hit.holder.paragraphs for line in p.split("\n")]
        return hit.holder.text.split("\n")

    def _following(self, hit: LineHit, spec: FieldSpec) -> list[tuple[str, Paragraph | Cell, int]]:
        out: list[tuple[str, Paragraph | Cell, int]] = []
        if isinstance(hit.holder, Cell):
            lines = [line for p in hit.holder.paragraphs for line in p.split("\n")]
            for line in lines[hit.line + 1:]:
                if self.segmenter.segments(line):
                    break
                out.append((line, hit.holder, hit.block))
                if spec.type == "opinion" and _closes_opinion(line):
                    break
            return out
        page = hit.holder.page
        first = True
        for i in range(hit.block, len(self.doc.blocks)):
            b = self.doc.blocks[i]
            # a long text runs on over a page break (a PDF's page); an opinion ends on its page
            if not isinstance(b, Paragraph) or (b.page != page and spec.type != "longtext"):
                break
            lines = b.text.split("\n")
            for n, line in enumerate(lines):
                if first and n <= hit.line:
                    continue
                if (i, n) in self.label_lines or APPENDIX_HEADER.match(line) or PAGE_NUMBER.match(line):
                    return out
                out.append((line, b, i))
                if spec.type == "opinion" and _closes_opinion(line):
                    return out
            first = False
        return out


def _closes_opinion(line: str) -> bool:
    """The date line (filled or blank) that ends an opinion."""
    return bool(find_date(line) or EMPTY_DATE.search(line))
