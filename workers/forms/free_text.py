"""Free text: the 附页 after a form, and a file that is only a text (a narrative, a brief).

A form that says 见附页 has its long text on the pages after it, less the form's own lines under
its table (联系人, 填表人, 备注), up to the next document found.  A file without a form is a text
kind of the campaign when its opening names it (its markers, or the form's long text it stands
for); only a required kind that is the campaign's one text kind takes a text that names none.
"""
from __future__ import annotations

from dossier.campaigns import Campaign, DocumentSpec

from ..extract.model import Document, Paragraph
from .found import Found, LocatedDocument, LocatorView
from .labels import APPENDIX_HEADER, APPENDIX_REF, PAGE_NUMBER, label_key


def text_between(loc: LocatorView, start: int, end: int, after_form: bool = False) -> tuple[str, list[Paragraph]]:
    paras = [b for b in loc.doc.blocks[start:end] if isinstance(b, Paragraph)]
    if after_form:
        paras = _past_form_lines(loc, paras)
    lines: list[str] = []
    kept: list[Paragraph] = []
    for p in paras:
        t = p.text.strip()
        if not t or APPENDIX_HEADER.match(t) or PAGE_NUMBER.match(t):
            continue
        lines.append(p.text)
        kept.append(p)
    return "\n".join(lines), kept

def _past_form_lines(loc: LocatorView, paras: list[Paragraph]) -> list[Paragraph]:
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
        if any(loc.segmenter.is_form_line(ln) for ln in lines):
            form_page = p.page
        elif form_page is None or p.page != form_page or not any(pg > form_page for pg in later):
            break
        k += 1
    return paras[k:]


def attach_free_text(loc: LocatorView, doc: Document, campaign: Campaign, found: list[LocatedDocument]) -> None:
    """Add to `found` the 附页 texts its forms refer to, or, where no form was found, the file's
    text as the text kind it names."""
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
            text, paras = text_between(loc, end_of_form, nxt, after_form=True)
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
        text, paras = text_between(loc, 0, len(doc.blocks))
        cell_text = "\n".join(c.text for _i, _t, c in loc.cells)
        spec = _text_kind(campaign, text) \
            if len(label_key(text)) >= 100 and len(label_key(text)) > len(label_key(cell_text)) else None
        if spec is not None:
            key = spec.fields[0].key
            found.append(LocatedDocument(spec=spec, values={key: Found(
                raw=text, page=paras[0].page if paras else 1,
                confidence=min([p.confidence for p in paras] or [1.0]), label=spec.fields[0].label)}))


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
