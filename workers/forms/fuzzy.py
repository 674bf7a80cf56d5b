"""Labels OCR read with one wrong glyph (担任书讫时间 for 担任书记时间).

A scan's label may come back with one character misread, most often under a
seal, a fold or a speck.  A person still reads the label, because the rest of the
form is there around it.  The locator asks here only for a field whose label it
did not find, and only on a scan whose form it has already recognised by its other
labels: a label of three characters or more, the same length, one character
different, in a cell that is not a value of a label beside it, or at the start of a
line before a colon.  Text that is one glyph from a label elsewhere (a value, the
material) is not a label: it is never asked for.
"""
from __future__ import annotations

from dataclasses import dataclass

from dossier.campaigns import FieldSpec

from ..extract.model import Cell, Paragraph, Table
from .found import Found, LabelHit, LocatorView
from .labels import label_key
from .lines import paragraph_lines


# shorter labels (姓名, 学历) are one glyph from too many words
MIN_LABEL = 3


def one_off(text: str, label: str) -> bool:
    """Whether `text` is `label` with exactly one character replaced."""
    return len(text) == len(label) and sum(1 for a, b in zip(text, label) if a != b) == 1


@dataclass
class FuzzyCell:
    block: int
    table: Table
    cell: Cell
    rest: str            # the value typed after the label in the same cell, if any


def _label_keys(spec: FieldSpec) -> list[str]:
    return [k for k in dict.fromkeys(label_key(lbl) for lbl in spec.labels) if len(k) >= MIN_LABEL]


def _split(key: str, label: str) -> str | None:
    """What follows a misread `label` at the start of `key` (a note, a colon and a value), or
    None when `key` does not start with it."""
    head, tail = key[:len(label)], key[len(label):]
    if not one_off(head, label):
        return None
    if not tail:
        return ""
    if tail[0] in ":(":
        close = tail.find(")") if tail[0] == "(" else -1
        return tail[close + 1:].lstrip(":") if tail[0] == "(" and close >= 0 else tail.lstrip(":")
    return None


def find_cell(spec: FieldSpec, cells: list[tuple[int, Table, Cell, str]], is_label, left_of) -> FuzzyCell | None:
    """The cell that holds the field's label with one glyph misread: not itself a label, and not
    right of a label (there it is that label's value)."""
    for k in _label_keys(spec):
        for i, t, c, ck in cells:
            rest = _split(ck, k)
            if rest is None or is_label(c):
                continue
            left = left_of(t, c)
            if left is not None and is_label(left):
                continue
            return FuzzyCell(i, t, c, rest)
    return None


def find_line(spec: FieldSpec, paragraphs: list[tuple[int, Paragraph, str]]) -> tuple[int, Paragraph, str, str] | None:
    """A line that starts with the field's label, one glyph misread, and a colon: (block,
    paragraph, the label as the campaign writes it, the line with the label put right)."""
    for k in _label_keys(spec):
        for i, p, line in paragraphs:
            flat = label_key(line)
            if len(flat) > len(k) and flat[len(k)] == ":" and one_off(flat[:len(k)], k):
                return i, p, k, k + flat[len(k):]
    return None


def fuzzy_value(loc: LocatorView, spec: FieldSpec) -> Found | None:
    """The field's value where its label was read with one wrong glyph (fuzzy.py)."""
    hit = find_cell(spec, loc.short_cells, loc.is_label,
                          lambda t, c: loc.at(t, c.row, c.col - 1) if c.col else None)
    if hit is not None:
        if hit.rest:
            c = hit.cell
            return Found(raw=hit.rest, page=c.page, box=c.box, confidence=c.confidence,
                         pictures=list(c.pictures), label=spec.label, cell=c, blocks=[hit.block])
        found = loc.cell_value(spec, LabelHit(hit.block, hit.table, hit.cell, 3, ""))
        if found is not None:
            found.blocks = found.blocks or [hit.block]
        return found
    line = find_line(spec, paragraph_lines(loc.doc))
    if line is None:
        return None
    i, p, key, repaired = line
    seg = next((s for s in loc.segmenter.segments(repaired) if label_key(s.label) == key), None)
    raw = seg.value if seg is not None else repaired[len(key) + 1:]
    return Found(raw=raw, page=p.page, box=p.box, confidence=p.confidence, pictures=list(p.pictures),
                 label=key, blocks=[i])
