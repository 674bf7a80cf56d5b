"""Fields found in label lines: paragraphs, and the lines of table cells.

The locator asks here when a field's label is not a table cell of its own: a
form typed as lines (党组织名称：…　所在单位类别：…), a label and its value in
one cell (书记姓名：王某), a line under the table (联系人：… 联系电话：…).  A long
text or an opinion goes on over the following lines until the next label
line, a table, a new page, or (an opinion) the date that closes it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dossier.campaigns import Campaign, FieldSpec

from ..extract.model import Cell, Document, Paragraph, Table
from .labels import APPENDIX_HEADER, EMPTY_DATE, FORM_LINE_LABELS, PAGE_NUMBER, SEAL_MARK, SIGN_MARK, label_key
from .normalise import find_date, unread_date
from .segments import GAP, Segment, Segmenter


# a value on the line under its label is short (a long text has its own rules), and one: a line of
# several values spaced apart is a row of values of other labels
_UNDER_MAX = 30
_SEVERAL = re.compile(r"[ \t\u3000]{2,}")


@dataclass
class LineHit:
    """A field's label found on a line, with its value and where it stands."""
    segment: Segment
    block: int                       # index of the block holding the line
    holder: Paragraph | Cell
    line: int                        # the line's index in its holder
    siblings: list[Segment]          # every segment of that line, in order


def paragraph_lines(doc: Document) -> list[tuple[int, Paragraph, str]]:
    """Every line of every paragraph, with its block's index."""
    return [(i, b, line) for i, b in enumerate(doc.blocks) if isinstance(b, Paragraph) for line in b.text.split("\n")]


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


def campaign_labels(campaign: Campaign) -> list[str]:
    """Every label the campaign's forms print: fields' (their groups and line variants
    included), their parts', and the labels the forms carry that are no field's."""
    labels: list[str] = []
    for d in campaign.documents:
        labels.extend(line_labels(list(d.fields) + list(d.review_fields)))
        for f in d.fields:
            for p in f.parts:
                labels.extend(p.labels)
        labels.extend(d.ignore_labels)
    return labels


class LineIndex:
    """Every label line of a document, found once."""

    def __init__(self, doc: Document, segmenter: Segmenter,
                 cells: list[tuple[int, Table, Cell]]) -> None:
        self.doc = doc
        self.segmenter = segmenter
        self.hits: list[LineHit] = []
        # (block, line) of every label line in a paragraph: a long value stops at one
        self.label_lines: set[tuple[int, int]] = set()
        # (block, line) -> the short value that leads a label line (see _after_lead)
        self.leads: dict[tuple[int, int], str] = {}
        for i, b in enumerate(doc.blocks):
            if isinstance(b, Paragraph):
                self._add(i, b, b.text.split("\n"))
        for i, _t, c in cells:
            self._add(i, c, [line for p in c.paragraphs for line in p.split("\n")])

    def _add(self, block: int, holder: Paragraph | Cell, lines: list[str]) -> None:
        for n, line in enumerate(lines):
            segs = self.segmenter.segments(line)
            if not segs and isinstance(holder, Paragraph):
                segs = self._after_lead(block, n, line)
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
            if not raw.strip() and isinstance(hit.holder, Paragraph):
                # a label that ends its line (no colon, or its line wrapped in print) with the
                # value on the line under it: 评定星级 / 四星级
                under = self._line_beside(hit) or self._line_under(hit)
                if under is not None:
                    raw = under[0]
                    holders.append(under[1])
                    blocks.append(under[2])
            return raw, holders, blocks
        lines = self._following(hit, spec)
        for text, holder, block in lines:
            raw += "\n" + text
            if holder not in holders:
                holders.append(holder)
            if block not in blocks:
                blocks.append(block)
        return raw, holders, blocks

    def _after_lead(self, block: int, n: int, line: str) -> list[Segment]:
        """A label line that a short value leads, the value of the label that ended the line above
        (a printed tab line wrapped: …上年度党建考核等次 / 优秀　党员人数　31名): its segments, the
        lead kept for that label."""
        for gap in GAP.finditer(line.strip()):
            lead, rest = line.strip()[:gap.start()], line.strip()[gap.end():]
            if len(label_key(lead)) > _UNDER_MAX:
                return []
            segs = self.segmenter.segments(rest)
            if segs:
                self.leads[(block, n)] = lead
                return segs
        return []

    def _line_beside(self, hit: LineHit) -> tuple[str, Paragraph, int] | None:
        """Text printed right after the label, a little above or below its line (a value typed in a
        text box that sits raised on the label's line): the nearest such line of a paragraph
        next to the label's, when the page gives positions."""
        p = hit.holder
        own = p.lines[hit.line].box if len(p.lines) > hit.line else None
        if own is None:
            return None
        height = own.y1 - own.y0
        best: tuple[float, tuple[str, Paragraph, int]] | None = None
        for i in range(max(0, hit.block - 2), min(hit.block + 3, len(self.doc.blocks))):
            b = self.doc.blocks[i]
            if i == hit.block or not isinstance(b, Paragraph) or b.page != p.page or not b.lines:
                continue
            first = b.lines[0]
            box = first.box
            if box is None or box.x0 < own.x1 - 1.0 or box.y1 < own.y0 - 0.75 * height \
                    or box.y0 > own.y1 + 0.75 * height or (i, 0) in self.label_lines \
                    or len(label_key(first.text)) > _UNDER_MAX or _SEVERAL.search(first.text.strip()):
                continue
            if best is None or box.x0 < best[0]:
                best = (box.x0, (first.text, b, i))
        return best[1] if best else None

    def _line_under(self, hit: LineHit) -> tuple[str, Paragraph, int] | None:
        """The next paragraph's line when it is a short value of its own: on the same page, close
        under the label (where positions are known), not a label line, a page number or a mark."""
        p = hit.holder
        if hit.line + 1 < len(p.text.split("\n")):
            return None            # the paragraph's own next line was looked at already
        for i in range(hit.block + 1, min(hit.block + 3, len(self.doc.blocks))):
            b = self.doc.blocks[i]
            # the label last on its page, its value first on the next: read across the break
            turned = i == hit.block + 1 and b.page == p.page + 1
            if not isinstance(b, Paragraph) or (b.page != p.page and not turned):
                return None
            line = b.text.split("\n")[0]
            if not line.strip():
                continue
            if (i, 0) in self.leads:
                return self.leads[(i, 0)], b, i
            if (i, 0) in self.label_lines or APPENDIX_HEADER.match(line) or PAGE_NUMBER.match(line) \
                    or len(label_key(line)) > _UNDER_MAX or EMPTY_DATE.search(line) or _SEVERAL.search(line.strip()):
                return None
            if not turned and p.box is not None and b.box is not None and b.box.y0 - p.box.y1 > 1.5 * (p.box.y1 - p.box.y0):
                return None        # far below: the next thing on the page, not this label's value
            return line, b, i
        return None

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
            if not isinstance(b, Paragraph) or (b.page != page and spec.type != "longtext"
                                                and not _opinion_tail(b.text.split("\n")[0])):
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


def _opinion_tail(line: str) -> bool:
    """A line that ends an opinion, its seal mark or its date: printed at the top of the next
    page, it still belongs to the opinion above it."""
    flat = line.strip()
    return bool(SEAL_MARK.fullmatch(flat) or SIGN_MARK.fullmatch(flat) or _closes_opinion(flat))


def _closes_opinion(line: str) -> bool:
    """The date line (filled, blank, or there but unreadable) that ends an opinion."""
    return bool(find_date(line) or EMPTY_DATE.search(line) or unread_date(line))
