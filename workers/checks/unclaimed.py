"""Text on a printed or scanned form that no field took: where a value may have gone.

When the reader did not understand how a form was laid out (boxes placed off their blanks,
an HTML page printed with its values on a page of their own, a frame over a table), the
values are still on the page, only not beside their labels.  Then a field found blank, or a
value that does not fit its field, may be the reading's mistake, not the unit's: such a
finding is weak evidence (workers/checks/evidence.py), a question for the reviewer.

`unclaimed_values` counts the short pieces of text in a PDF or scan that are no label, no
value any field took, no title, page number or printed mark (签字, 盖章, 年 月 日).  A
form read whole leaves none; one whose values drifted leaves several.
"""
from __future__ import annotations

import re
from collections.abc import Collection

from dossier.campaigns import Campaign

from ..extract.model import Document, Paragraph, Table
from ..forms.furniture import is_page_number
from ..forms.labels import APPENDIX_REF, key_score, label_key
from ..forms.lines import campaign_labels
from ..forms.locate import LocatedDocument

# a value is short; a longer piece is running text (a narrative, a note)
_MAX_KEY = 30
_MIN_KEY = 2
# pieces of one line: apart by a tab stop's gap or more
_PIECES = re.compile(r"\s{2,}|\t|\n")
# a numbered note (1、单位类别指…; 3. 主要创建事迹…), a sentence, a length note ((1500字以 | 内)):
# the form's own print
_NOTE = re.compile(r"^(\d+\s*[、.．]|注[:：])|[。;；]|\d+\s*字|^[（(]?[以左]?[内右][)）]$")
_MARKS = re.compile(r"^(签字|签章|盖章|盖公章|公章|年月日|附件\d*|编号|第\d+页|[（(]?盖章[)）]?)$")
# a piece that names itself (联系人:李四, 填表人:张三): a label of the form's own, not a value astray
_SELF_LABELLED = re.compile(r"^([^:：]{2,8})[:：](.+)$")


def _pieces(doc: Document, skip: Collection[int] = ()) -> list[str]:
    out: list[str] = []

    def cell_texts(t: Table) -> None:
        for c in t.cells:
            out.extend(_PIECES.split(c.text))
            for inner in c.tables:
                cell_texts(inner)
    for i, b in enumerate(doc.blocks):
        if i in skip:
            continue
        if isinstance(b, Paragraph):
            out.extend(_PIECES.split(b.text))
        elif isinstance(b, Table):
            cell_texts(b)
    return out


def unclaimed_values(doc: Document, located: list[LocatedDocument], campaign: Campaign) -> int:
    """How many short pieces of a PDF's or a scan's text no field took and no label explains."""
    return len(unclaimed_pieces(doc, located, campaign))


def unclaimed_pieces(doc: Document, located: list[LocatedDocument], campaign: Campaign) -> list[str]:
    """The short pieces of a PDF's or a scan's text no field took and no label explains."""
    if doc.method not in ("pdf-text", "ocr") or not located:
        return []
    taken = [label_key(v.raw) for d in located for v in d.values.values() if v.raw and v.raw.strip()]
    taken = [t for t in taken if t]
    titles = [label_key(campaign.title)] + [label_key(d.title) for d in campaign.documents]
    # a score sheet's printed standards are no values
    sheets = {i for d in located if d.spec.rubric is not None for i in d.blocks}
    label_keys = tuple(dict.fromkeys(label_key(lbl) for lbl in campaign_labels(campaign)))
    out: list[str] = []
    for piece in _pieces(doc, skip=sheets):
        k = label_key(piece)
        if not (_MIN_KEY <= len(k) <= _MAX_KEY) or _MARKS.match(k) or is_page_number(piece) \
                or _NOTE.search(piece.strip()) or APPENDIX_REF.search(piece):
            continue
        # a piece of a value taken (a wrapped line of it), or a line holding one whole; a short
        # value (机关, 男) inside a piece proves nothing
        if any(k in t or (len(t) >= 4 and t in k) for t in taken) or any(k in t or t in k for t in titles if t):
            continue
        # a label, or a piece of one split over two cells (党组 | 织类型)
        if key_score(k, label_keys)[0] >= 1 or any(k in lk for lk in label_keys):
            continue
        named = _SELF_LABELLED.match(k)
        if named and not any(named.group(1) in lk or lk in named.group(1) for lk in label_keys):
            continue
        out.append(k)
    return out
