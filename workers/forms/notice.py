"""A notice is not a submission.

Units sometimes upload the campaign's own notice (which carries the blank forms
as 附件), or another notice with a reply slip (回执) that has a table of names
and phones.  Neither is a form a unit filled in, nor its material: reading one
as a narrative would tell the unit about errors it does not have.  A file is a
notice when the campaign's notice title stands as a heading before any table,
when its first lines end like a notice's title (…的通知) or forward a document
(现将《…》印发给你们), or when it carries a reply slip.
"""
from __future__ import annotations

from dossier.campaigns import Campaign

from ..extract.model import Document, Paragraph, Table
from .labels import FORWARDING, NOTICE_TITLE, REPLY_SLIP, label_key

# the title is among the first few lines, each short
_TITLE_LINES = 4
_TITLE_CHARS = 60


def _lines_before_tables(doc: Document) -> list[str]:
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Table):
            break
        if isinstance(b, Paragraph):
            out.extend(k for k in map(label_key, b.text.split("\n")) if k)
    return out


def _short_lines(doc: Document) -> list[str]:
    out = []
    for b in doc.blocks:
        texts = [b.text] if isinstance(b, Paragraph) else [c.text for c in b.cells] if isinstance(b, Table) else []
        out.extend(k for k in map(label_key, texts) if 0 < len(k) <= 12)
    return out


def is_notice(doc: Document, campaign: Campaign) -> bool:
    """The campaign's notice, or another notice (a meeting's, with its 回执), not a submission."""
    lines = _lines_before_tables(doc)
    notice = label_key(str(campaign.raw.get("notice") or ""))
    for k in range(len(lines)):
        for n in (1, 2, 3):
            joined = "".join(lines[k:k + n])
            if len(joined) > _TITLE_CHARS:
                break
            # the campaign's notice title standing as a heading (over one to three lines)
            if notice and notice in joined and len(joined) <= len(notice) + 6:
                return True
            # a title that ends like a notice's, where a title stands: first in the file
            if k < _TITLE_LINES and NOTICE_TITLE.search(joined) and len(joined) >= 6:
                return True
    if any(FORWARDING.search(line) for line in lines[:_TITLE_LINES + 2]):
        return True
    return any(REPLY_SLIP.match(k) for k in _short_lines(doc))



