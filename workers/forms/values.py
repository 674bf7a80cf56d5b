"""Located raw text → the contract's field values, counts and marks."""
from __future__ import annotations

import re
from typing import NamedTuple

from dossier.campaigns import FieldSpec
from dossier.counting import count_chars

from ..results import ExtractedDocument, FieldValue, Mark
from .labels import EMPTY_DATE, SEAL_MARK, SIGN_MARK
from .locate import Found, LocatedDocument
from .normalise import (NUMERALS, count_value, date_value, enum_value, find_date, find_phones, nfkc, phone_value,
                        score_value, squeeze, star_value, strip_footnote_mark, text_value, unread_date)

_SEP = re.compile(r"[\s,，、;；/|｜()（）]+")
_PHONE_LABEL = re.compile(r"(联系)?(电话|手机|座机|tel|Tel|TEL)[:：]?")
_NAME_LABEL = re.compile(r"(姓名|职务|负责人)[:：]")
# what is left of an empty 年 月 日 line when a seal hides part of it
_DATE_SKELETON = re.compile(r"[年月日]{2,3}")
_SHORT_BRACKETED = re.compile(r"\([^()]{0,4}\)")
# a post's first words: where a name run on into its title (贾梅办公室副主任, a scan that lost the
# space) parts.  A Chinese name is two to four characters, so the title is looked for there only
_TITLE_HEAD = re.compile(r"办公室|综合|党务|党办|党委|党支部|支部|组织|宣传|纪检|人事|政工|机关|副|主任|科长|科员|干事|书记|"
                         r"局长|处长|委员|秘书|专员|专干|调研员|部长|主席|经理|组长|职员")


def normalise(spec: FieldSpec, raw: str, *, year: int | None = None) -> object:
    """`raw` as the contract writes a value of `spec`'s type; `year` is the campaign's,
    for two-digit years (71年1月)."""
    t = spec.type
    if t == "star_rating":
        return star_value(raw)
    if t == "count":
        return count_value(raw)
    if t == "month":
        return date_value(raw, day=False, pivot_year=year)
    if t == "date":
        return date_value(raw, day=True, pivot_year=year)
    if t == "phone":
        return phone_value(raw)
    if t == "enum":
        return enum_value(text_value(strip_footnote_mark(raw)), spec.choices)
    if t == "text":
        return text_value(strip_footnote_mark(_strip_marks(raw) if spec.seal else raw))
    return text_value(_strip_marks(raw) if spec.seal else raw)


def _strip_marks(raw: str) -> str:
    return SEAL_MARK.sub("", raw)


def split_parts(raw: str) -> dict[str, str]:
    """One cell with several values: “秦丽华\\n党务干事\\n0730-8180410”, “丁国华，电话：180…”."""
    text = nfkc(raw)
    phone = ""
    phones = find_phones(text)
    if phones:
        # the last number is the phone; its area code in brackets or on the line
        # before stays with it (never 办公室主任0730)
        _value, start, end = phones[-1]
        phone = text[start:end]
        text = text[:start] + " " + text[end:]
    text = _PHONE_LABEL.sub(" ", text)
    text = _NAME_LABEL.sub(" ", text)
    tokens = [t for t in _SEP.split(text) if t and t not in ("及", "(", ")", "（", "）")]
    tokens = [t.strip("()（）:：") for t in tokens]
    tokens = [t for t in tokens if t]
    if len(tokens) == 1 or (tokens and len(tokens[0]) > 4):
        # a first token longer than a name ran on into its title, whose rest the reading may have
        # parted again where no space was (梁涛综合科科 | 长: the space moved, not lost)
        tokens = _name_and_title(tokens[0]) + tokens[1:]
    return {"name": tokens[0] if tokens else "",
            "title": "".join(tokens[1:]) if len(tokens) > 1 else "",
            "phone": phone}


def _name_and_title(token: str) -> list[str]:
    """A name and the title it ran on into, parted where a post's first word starts within a
    name's length (three characters first, the commonest: 王建党 | 办公室主任, not 王建 | 党办…); the
    token whole when none does."""
    for k in (3, 2, 4):
        if len(token) > k + 1 and _TITLE_HEAD.match(token, k):
            return [token[:k], token[k:]]
    return [token]


class OpinionParts(NamedTuple):
    text: str
    date: str | None                 # the date read, normalised
    blank: bool                      # a blank 年 月 日 line
    unread: str | None               # a date line that is there but could not be read


def split_opinion(raw: str, *, year: int | None = None) -> tuple[str, str | None, bool]:
    """An opinion cell → (opinion text, date or None, has a blank 年 月 日 line)."""
    return read_opinion(raw, year=year)[:3]


def read_opinion(raw: str, *, year: int | None = None) -> OpinionParts:
    """An opinion cell → its text, its date, whether its date line is blank, and a date line
    that is there but unreadable (not part of the text)."""
    lines = raw.split("\n")
    text_lines: list[str] = []
    date: str | None = None
    blank_date = False
    unread: str | None = None
    for line in lines:
        flat = squeeze(line)
        if not flat:
            continue
        found = find_date(line, year)
        # （盖章） printed under a seal is often misread (（真）, （盖）): any short bracketed
        # line in an opinion cell is that mark, never the opinion
        is_mark = bool(SEAL_MARK.fullmatch(flat) or SIGN_MARK.fullmatch(flat)
                       or _SHORT_BRACKETED.fullmatch(nfkc(flat)))
        if found and date is None:
            date = found[0]
            # find_date gives offsets in the NFKC form; cut the line as written where the two
            # line up, so the opinion keeps its full-width punctuation (，。 not ASCII)
            src = line if len(nfkc(line)) == len(line) else nfkc(line)
            rest = squeeze(SIGN_MARK.sub("", SEAL_MARK.sub("", src[:found[1]] + src[found[2]:])))
            if rest and not text_lines:
                text_lines.append(rest)
            continue
        if (EMPTY_DATE.search(flat) or _DATE_SKELETON.fullmatch(flat)) and not re.search(r"\d", nfkc(flat)):
            blank_date = True
            rest = "" if _DATE_SKELETON.fullmatch(flat) else \
                squeeze(EMPTY_DATE.sub("", SIGN_MARK.sub("", SEAL_MARK.sub("", flat))))
            if rest and text_lines and unread is None and NUMERALS.fullmatch(nfkc(rest)):
                unread = flat        # 二〇一五年 月 日: a year written, the rest hidden or unread
            elif rest:
                text_lines.append(rest)
            continue
        if is_mark:
            continue
        cleaned = squeeze(SIGN_MARK.sub("", SEAL_MARK.sub("", line)))
        if cleaned and date is None and unread is None and text_lines and unread_date(cleaned):
            # under the opinion's text, where its date stands: a damaged date, not words of the opinion
            unread = cleaned
            continue
        if cleaned:
            text_lines.append(cleaned)
    return OpinionParts("".join(text_lines), date, blank_date, unread)


def _seal_mark(key: str, found: Found, kind: str = "seal") -> Mark:
    wanted = ("picture", "seal") if kind == "seal" else ("picture", "signature", "seal")
    pics = [p for p in found.pictures if p.kind in wanted]
    unknown = [p for p in found.pictures if p.kind.endswith("_unknown")]
    if pics:
        best = max(pics, key=lambda p: p.confidence)
        return Mark(field=key, kind=kind, present=True, page=best.page, box=best.box,
                    confidence=best.confidence)
    return Mark(field=key, kind=kind, present=False, page=found.page, box=found.box,
                certain=not unknown)


def _fv(value: object, found: Found, spec_label: str) -> FieldValue:
    fv = FieldValue(value=value, confidence=found.confidence, page=found.page, box=found.box,
                    raw=found.raw if found.located else None, label=spec_label)
    if not found.located:
        # the label itself was not found: the checks weigh a missing value by this
        fv.extra["located"] = False
    elif found.no_place:
        fv.extra["no_place"] = True
    return fv


def build_document(located: LocatedDocument, *, year: int | None = None) -> ExtractedDocument:
    """Normalised fields, 字数 counts and seal/date marks of one located document;
    `year` is the campaign's (two-digit years are read against it)."""
    spec = located.spec
    out = ExtractedDocument(kind=spec.kind)
    for f in spec.fields:
        found = located.values.get(f.key) or Found(raw="", located=False)
        if f.parts:
            parts = split_parts(found.raw)
            for p in f.parts:
                out.fields[p.key] = _fv(normalise(p, parts.get(p.part or "name", ""), year=year), found, p.label)
            continue
        if f.type == "opinion":
            text, date, _blank, unread = read_opinion(found.raw, year=year)
            out.fields[f.key] = _fv(text, found, f.label)
            # a date line is looked for where the field is; where its label was not found at all
            # the field's own (weak) field.missing says so, not a date.missing.  A date line that is
            # there but unreadable is not certain to be missing: the reviewer looks, the unit is not told
            if f.date and found.located:
                out.marks.append(Mark(field=f.key, kind="date", present=date is not None,
                                      value=date or "", page=found.page, box=found.box,
                                      certain=date is not None or unread is None))
                if unread:
                    out.fields[f.key].extra["date_unread"] = unread
        else:
            out.fields[f.key] = _fv(normalise(f, found.raw, year=year), found, f.label)
        if f.seal and found.located:
            out.marks.append(_seal_mark(f.key, found))
        if f.signature and found.located:
            out.marks.append(_seal_mark(f.key, found, kind="signature"))
        if f.length is not None and found.located and out.fields[f.key].value:
            from .labels import APPENDIX_REF
            value = str(out.fields[f.key].value)
            # “见附页”: the count belongs to the text on the 附页, not to the reference
            if not (APPENDIX_REF.search(value) and len(value) <= 20):
                out.counts[f.key] = count_chars(found.raw)
        if f.type == "longtext" and found.located and found.raw:
            out.fields[f.key].extra.setdefault("lines", found.raw.count("\n") + 1)
    if spec.rubric is not None:
        for item in spec.rubric.items:
            found = located.rubric_rows.get(item.key)
            if found is None:
                out.fields[item.key] = FieldValue(value=None, confidence=0.0, label=item.text,
                                                  extra={"max": item.max, "self_score": None,
                                                         "review_score": None, "found": False})
                continue
            score = score_value(found.raw)
            out.fields[item.key] = FieldValue(
                value=score, confidence=found.confidence, page=found.page, box=found.box,
                raw=found.raw, label=item.text,
                extra={"max": item.max, "self_score": score if score != "" else None,
                       "review_score": None})
            printed = score_value(found.printed_max)
            if isinstance(printed, (int, float)) and abs(printed - item.max) > 1e-9:
                # the row's 分值 is not this item's: two rows read as one (4 and 3 as 43), or a
                # row paired with the wrong item; what was read on it is in doubt
                out.fields[item.key].extra["printed_max"] = printed
        if located.rubric_total is not None:
            t = located.rubric_total
            out.fields["rubric.total"] = FieldValue(value=score_value(t.raw), confidence=t.confidence,
                                                    page=t.page, box=t.box, raw=t.raw,
                                                    label=spec.rubric.total_label,
                                                    extra={"max": spec.rubric.total})
    pages = sorted({v.page for v in out.fields.values() if v.page})
    out.pages = pages
    return out
