"""Signs that a reading ran two cells of a form together, rather than that the unit wrote amiss.

On a print, a scan or a file LibreOffice converted, a value box set over a label line, or two
boxes set too close, is read as one piece of text: 党员84人人数, 1988/1担任书记1992/5时间.  A value
that breaks its rule there, or a blank elsewhere on such a form, may be the reading's doing; the
weighing of evidence (`evidence.py`) puts it to the reviewer.  A .docx is read from its own
structure, where such a value is what the unit typed.
"""
from __future__ import annotations

import re
from functools import lru_cache

from dossier.campaigns import DocumentSpec

from ..forms.labels import PART_WORDS, label_key
from ..forms.normalise import phone_ok, phone_value
from ..results import ExtractedDocument, FieldValue


# a date's units with the figures lost: no figure at all (年 月), or none before its first unit
# (年十二月: nobody writes a year's 年 without its year; the reading lost what stood before it)
_DATE_UNITS_ONLY = re.compile(r"[年月日\s./\-]+|[年月][^年]*")
# at least this much of another field's label inside a value: the reading ran on into that label
_LABEL_PART = 4
# a value this long is running text (a narrative), where words of a label occur by themselves
_SHORT_VALUE = 40
# a label's characters spread over at most this many more (a value run into it: 党员84人人数)
_SPREAD = 8


def _spread_in(label: str, value: str) -> bool:
    """Whether `label`'s characters stand in order in `value` within a few more than its length."""
    for start in (i for i, ch in enumerate(value) if ch == label[0]):
        pos, ok = start, True
        for ch in label[1:]:
            pos = value.find(ch, pos + 1, start + len(label) + _SPREAD)
            if pos < 0:
                ok = False
                break
        if ok:
            return True
    return False


@lru_cache(maxsize=64)
def _label_keys(spec: DocumentSpec) -> dict[str, tuple[str, ...]]:
    """Each leaf field's labels, `label_key`-reduced once per form."""
    return {leaf.key: tuple(label_key(lbl) for lbl in leaf.labels) for leaf in spec.leaf_fields()}


def _prose(key: str, spec: DocumentSpec) -> bool:
    """A field written in sentences (an opinion, a narrative), where a label's words occur as words."""
    leaf = spec.leaf(key)
    return leaf is None or bool(leaf.seal or leaf.date or leaf.signature or leaf.length)


def _holds_label(key: str, value: object, spec: DocumentSpec) -> bool:
    """Whether a short value read for `key` holds another field's label: most of it as written
    (党组织班子配备), or all of it with the value run into it (党员84人人数, 出生年1969年11月)."""
    if not isinstance(value, str) or not value or len(value) > _SHORT_VALUE or _prose(key, spec):
        return False
    v = label_key(value)
    return any(len(k) >= 3 and k[:max(_LABEL_PART, len(k) - 2)] in v or len(k) >= 4 and _spread_in(k, v)
               for other, keys in _label_keys(spec).items() if other != key for k in keys)


def interleaved(doc: ExtractedDocument, spec: DocumentSpec) -> int:
    """How many values hold another field's label: where one does, the reading ran labels and
    values together (boxes placed over label lines, a conversion that lost their places), so a
    blank or a bad value anywhere on the form may be the reading's."""
    return sum(1 for k, fv in doc.fields.items() if _holds_label(k, fv.value, spec))


def mixed_up(keys: list[str], doc: ExtractedDocument, spec: DocumentSpec) -> str | None:
    """Why a value that breaks its rule on a print or a scan may be the reading's mix-up rather
    than what the unit wrote: it holds another field's label (1988/1担任书记1992/5时间), it is
    the very text another field read (a row's value taken twice), or it is only a date's units."""
    for key in keys:
        fv = doc.fields.get(key)
        if fv is None or not isinstance(fv.value, str) or not fv.value:
            continue
        if _holds_label(key, fv.value, spec):
            return "读到的内容里混有其他栏目的名称，可能把相邻的两栏读在了一起"
        if _DATE_UNITS_ONLY.fullmatch(fv.value):
            return "只读到了日期的“年”“月”，前面的数字未能识别"
    for key in keys:
        raw = doc.fields[key].raw if key in doc.fields else None
        # the parts of one cell (联络人: name, title, phone) share its text: another field's is meant
        holder = spec.holder(key)
        mates = {leaf.key for leaf in holder.leaves()} if holder else {key}
        if raw and label_key(raw) and any(k != key and k not in mates and o.raw and label_key(o.raw) == label_key(raw)
                                          for k, o in doc.fields.items()):
            return "这一栏读到的内容与另一栏完全相同，可能把别栏的内容读到了这里"
    for key in keys:
        blank = _blank_neighbour(key, doc, spec)
        if blank:
            return f"相邻的「{blank}」一栏没有读到内容，此栏读到的可能是那一栏的（两栏错位）"
    return None


def _blank_neighbour(key: str, doc: ExtractedDocument, spec: DocumentSpec) -> str | None:
    """The label of a required field printed near `key` (next to it on the form, or in the same
    block: the secretary's 姓名 … 民族 …) that was read blank: a value slid over by one (性别 read
    回族 while 民族 is empty; 所在单位类别 read the 党组织名称 while that is empty) is the
    reading's, not a unit's wrong answer.  A blank optional field (no 曾受表彰情况) is no sign."""
    leaves = list(spec.leaf_fields())
    order = [f.key for f in leaves]
    if key not in order:
        return None
    i = order.index(key)
    holder = spec.holder(key)
    near = {order[j] for j in (i - 1, i + 1) if 0 <= j < len(order)}
    if holder is not None:
        near |= {leaf.key for leaf in holder.leaves()}
    if "." in key:      # the fields of one block share their key's head (secretary.*)
        near |= {k for k in order if k.split(".")[0] == key.split(".")[0] and "." in k}
    for f in leaves:
        if f.key == key or f.key not in near or not f.required:
            continue
        fv = doc.fields.get(f.key)
        if fv is not None and fv.value in ("", None) and fv.extra.get("located", True) is not False:
            return fv.label or f.label
    return None


# the words heading a compound cell's sub-table (姓名 | 职务 | 电话): two or more of their
# characters running together in a part's value are the header read across, a column at a time
_HEADER_CHARS = frozenset("".join(w for words in PART_WORDS.values() for w in words if len(w) == 2))
_HEADER_RUN = re.compile(f"[{''.join(sorted(_HEADER_CHARS))}]{{2,}}")


def header_scraps(keys: list[str], doc: ExtractedDocument, spec: DocumentSpec) -> str | None:
    """Why a part of a compound cell (联络人: name, title, phone) blank or bad may be the reading's:
    a part of the same cell holds scraps of its sub-table's header (姓职, 务话董东…), so the little
    table squeezed into the cell was read across, not column by column."""
    for key in keys:
        holder = spec.holder(key)
        if holder is None:
            continue
        for leaf in holder.leaves():
            fv = doc.fields.get(leaf.key)
            if fv is not None and isinstance(fv.value, str) and _HEADER_RUN.search(fv.value):
                return "同一栏里读到了小表格的表头文字（如“姓名”“职务”“电话”），表格未能按列识别"
    return None


def scrap_of_label(value: object, labels: list[str]) -> bool:
    """Whether a value read is a character or two of its own label (星 of 评定星级): a piece of the
    printed label taken for the value, or a value's reading that lost all but one glyph."""
    if not isinstance(value, str):
        return False
    key = label_key(value)
    return 0 < len(key) <= 2 and any(key in label_key(lbl) for lbl in labels)


def row_misread(fvs: list[FieldValue | None]) -> str | None:
    """Why a score sheet's row was not read as the row it was paired with: the 分值 printed on it
    is not the item's (two rows read as one: 4 and 3 as 43)."""
    for fv in fvs:
        if fv is not None and "printed_max" in fv.extra:
            return (f"这一行印的分值读作 {_num(fv.extra['printed_max'])}，与本条分值 {_num(fv.extra.get('max'))} "
                    f"不符，可能把相邻两行读成了一行")
    return None


def _num(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


# a number's first part: a mobile's 1 and network digit, or a trunk 0 and area code, then too few
# digits for the whole.  On a scan a phone wrapped in a narrow cell or a borderless line is read a
# line at a time, and its rest can land in the next field (综合科科长及7428 beside 152-2950)
_CUT_PHONE = re.compile(r"1[3-9]\d{4,8}|0\d{3,8}")
_DIGIT_RUN = re.compile(r"\d{2,}")
CUT_PHONE = "号码可能在格子里折行，只读到了前半部分，其余数字读进了别的栏目"


def cut_phone(key: str, doc: ExtractedDocument, spec: DocumentSpec) -> bool:
    """Whether the phone read for `key` is a number's first line, and its rest is in another
    short text field: the two together are a whole number (a unit's short number has no rest)."""
    fv = doc.fields.get(key)
    head = str(fv.value) if fv is not None else ""
    if not _CUT_PHONE.fullmatch(re.sub(r"\D", "", head)):
        return False
    for k, other in doc.fields.items():
        leaf = spec.leaf(k)
        if k == key or leaf is None or leaf.type != "text" or not isinstance(other.value, str):
            continue
        # whole by the same rule the phone check applies
        if any(phone_ok(phone_value(head + run)) for run in _DIGIT_RUN.findall(other.value)):
            return True
    return False
