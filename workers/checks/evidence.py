"""How sure a finding is: strong evidence tells the unit, weak evidence asks the reviewer.

A unit must not be told about an error its form does not have.  A finding
rests on weak evidence when what it says may come from the reading rather than
from the form: a value not found where the form's layout was not understood
(its label not found at all, or only a few of the form's labels found), a
value read from a scan with low confidence, a seal or date not seen on a scan
that was hard to read, or a seal looked for beside its field while a floating
picture elsewhere in the file may be it.  Such a finding becomes a `warning`
with `evidence: "weak"` and a message that asks the reviewer to check the
original.  Strong evidence keeps `error`.

A code is a claim too, and a machine counts it (the desk's lists, the scorer,
an operator's figures): where the doubt is the reading's, not the form's, the
weak finding says what is known instead of what is not — `field.unread` (a
value not read) rather than `field.missing`, `field.uncertain` rather than
`field.invalid`, `seal.uncertain`, `signature.uncertain`, `date.unreadable`.
A label absent from a .docx file's own text is the form's doing (a row
deleted), so it keeps `field.missing`, weak: a print, a scan or a conversion
can hide a label from the reader, a .docx cannot.  A seal over a date line where no date was seen
keeps `date.missing`, weak: nothing was there that the reading failed on.
Limits, scores and sums keep their codes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from dossier.campaigns import DocumentSpec

from ..extract.model import Document, Picture, Table
from ..forms.labels import label_key
from ..forms.locate import LocatedDocument
from ..forms.seal_nearby import all_pictures
from ..results import ExtractedDocument, FieldValue, Finding
from .mixups import CUT_PHONE, cut_phone, header_scraps, interleaved, mixed_up, row_misread, scrap_of_label

# below this share of its labels found, a form's layout was not understood
FORM_CONFIDENT = 0.6
# this many pieces of text no field took: the layout was not understood where they stand
UNCLAIMED = 2
# an OCR count this close to a limit (share of the limit) may be on either side of it
COUNT_MARGIN = 0.05

_FIELD_CODES = ("field.missing", "field.invalid", "eligibility.star_rating", "rubric.over_max")
_MARK_CODES = ("seal.missing", "signature.missing", "date.missing")
_LENGTH_CODES = ("length.over_limit", "length.out_of_range")
# what a finding claims when the doubt is the reading's: it could not tell, not the form lacks;
# and what its message says of the field
DOUBT_CODES = {"field.missing": ("field.unread", "未能从文件中读出"),
               "field.invalid": ("field.uncertain", "读出的内容不一定准确"),
               "seal.missing": ("seal.uncertain", "未能确定是否盖章"),
               "signature.missing": ("signature.uncertain", "未能确定是否签字"),
               "date.missing": ("date.unreadable", "未能确定是否填写落款日期"),
               # a score above its maximum read from a row misread is a value in doubt
               "rubric.over_max": ("field.uncertain", "读出的内容不一定准确")}
# a total that cannot be checked (items not found or misread on a print or a scan) claims no mismatch
TOTAL_UNCHECKED = ("rubric.uncertain", "合计无法核对")
# a text cut off in print (run past the page's edge) has no 字数 to check: only then is a limit's
# finding a doubt; an OCR count near its limit keeps its claim, weak
CUT_OFF = "内容被截去"
CUT_LENGTH = ("length.uncertain", "字数无法核对")
_DOUBT_WORDS = dict([*DOUBT_CODES.values(), CUT_LENGTH, TOTAL_UNCHECKED])
NOT_FOUND = "表格中没有找到这一栏"
# the label's row ends with it: no cell for the value was printed (a table cut off at its edge)
NO_PLACE = "表格这一行到栏目名称就结束了，没有印出填写内容的格子，表格可能被文本框或页面边缘截去"
# the label is in the file's text, but the reading did not find its value beside it
LABEL_UNREAD = "文件中有这一栏，但未能确定它填写的内容"
# a seal over the date line may hide a date or stand where none was written: nothing was seen
# that the reading failed on, so the finding keeps its claim (weak) rather than becoming a doubt
UNDER_SEAL = "印章盖在落款处，可能遮住了日期"


@dataclass(frozen=True)
class Reading:
    """What is known of how the file was read, beside the values themselves."""
    method: str = "docx"              # docx | converted | pdf-text | ocr
    low_confidence: float = 0.8       # OCR confidence below this is low
    # pictures that may be a seal (a seal seen on a scan, a floating picture in Word)
    # that no field took: a seal looked for beside its field may be one of them
    loose_seals: int = 0
    # short pieces of a PDF's or a scan's text that no field took (workers/checks/unclaimed.py):
    # values the reading may have put nowhere
    unclaimed: int = 0
    # the file's whole text as `label_key` reduces it ("" when not known, or when every label was
    # found): whether a label the locator did not find is printed in the file all the same
    printed: str = ""
    # how many values hold another field's label (`mixups.interleaved`), counted once per document
    interleaved: int = 0
    # (page, characters printed outside it): part of the form or its text was cut off in print there
    offpage: tuple[tuple[int, int], ...] = ()

    @property
    def ocr(self) -> bool:
        return self.method == "ocr"


def located(fv: FieldValue | None) -> bool:
    """Whether the field's label was found on the form at all."""
    return fv is not None and fv.extra.get("located", True) is not False and fv.extra.get("found", True) is not False


def form_share(doc: ExtractedDocument, spec: DocumentSpec) -> float:
    """The share of the form's fields (or the rubric's items) whose label was found."""
    keys = [f.key for f in spec.leaf_fields()]
    if spec.rubric is not None:
        keys += [item.key for item in spec.rubric.items]
    keys = [k for k in keys if k in doc.fields]
    if not keys:
        return 1.0
    return sum(located(doc.fields[k]) for k in keys) / len(keys)


def _low(fv: FieldValue | None, reading: Reading) -> bool:
    # a scan's OCR confidence; a text PDF lowers it only where texts were printed over each other
    return fv is not None and fv.confidence < reading.low_confidence


def _low_reason(fv: FieldValue, reading: Reading) -> str:
    if reading.ocr:
        return f"扫描件此处识别可信度较低（{fv.confidence:.0%}）"
    return "文件此处有文字相互重叠（如文本框压在栏目上），读出的内容不可靠"


def _field_keys(f: Finding, spec: DocumentSpec) -> list[str]:
    """The fields a finding rests on: its own, and for an order of dates the one before it."""
    keys = [f.field] if f.field else []
    for leaf in spec.leaf_fields():
        if leaf.key == f.field and leaf.after and f.code == "field.invalid":
            keys.append(leaf.after)
    return keys


# words printed as column heads over values (a nested 姓名|职务|电话 table)
_HEAD_WORDS = frozenset({"姓名", "职务", "职称", "电话", "联系电话", "手机", "性别", "民族", "学历", "单位", "备注"})


def printed_label(value: object, spec: DocumentSpec) -> bool:
    """Whether a value read is a word printed on the form (a label or a column head), not a value."""
    if not isinstance(value, str) or not value:
        return False
    key = label_key(value)
    labels = {label_key(lbl) for f in spec.leaf_fields() for lbl in f.labels}
    labels |= {label_key(lbl) for f in spec.fields for lbl in f.labels}
    return key in labels or key in _HEAD_WORDS


def field_labels(spec: DocumentSpec, key: str) -> list[str]:
    """The labels a field is printed under: its own, and its compound's (联络人姓名及职务、电话 for
    contact.title)."""
    leaf, holder = spec.leaf(key), spec.holder(key)
    return list(leaf.labels if leaf else ()) + list(holder.labels if holder and holder is not leaf else ())


def printed_text(doc: Document, located: list[LocatedDocument]) -> str:
    """The file's whole text, `label_key`-reduced, cells in reading order (a label split over two
    cells, 党组 | 织名称, reads whole); "" when every label was found (nothing to look up)."""
    if all(v.located for d in located for v in d.values.values()):
        return ""
    parts: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Table):
            parts.extend(c.text for c in sorted(b.cells, key=lambda c: (c.row, c.col)))
        else:
            parts.append(b.text)
    return label_key("".join(parts))


def _not_found(key: str | None, spec: DocumentSpec, reading: Reading) -> str:
    """Why a field whose label the locator did not find is in doubt: its label is printed in the
    file all the same (the reading failed there), or is nowhere in it."""
    if key and reading.printed and any(label_key(lbl) in reading.printed for lbl in field_labels(spec, key)):
        return LABEL_UNREAD
    return NOT_FOUND


def _cut_off(f: Finding, doc: ExtractedDocument, reading: Reading) -> str | None:
    """Why a finding may be the print's doing: the page its field is on (or, not found, any page)
    ran past its edge, and what was cut there is not in the file to read."""
    fv = doc.fields.get(f.field or "")
    page = fv.page if fv is not None and located(fv) else None
    for p, n in reading.offpage:
        # a long text runs on over the pages after the one it starts on
        if page is None or p == page or (f.code in _LENGTH_CODES and p > page):
            if reading.ocr:
                return f"第 {p} 页的文字一直排到了纸张边缘（打印或扫描时{CUT_OFF}），此处内容可能在被截去的部分"
            return f"第 {p} 页有 {n} 个字印在页面之外（文本框或表格超出了页面，{CUT_OFF}），此处内容可能在被截去的部分"
    return None


def _field_reason(f: Finding, doc: ExtractedDocument, spec: DocumentSpec, reading: Reading) -> str | None:
    fvs = [doc.fields.get(k) for k in _field_keys(f, spec)]
    if f.code == "field.missing" and any(not located(fv) for fv in fvs):
        return _not_found(f.field, spec, reading)
    if f.code == "field.missing" and any(fv is not None and fv.extra.get("no_place") for fv in fvs):
        return NO_PLACE
    cut = _cut_off(f, doc, reading) if f.code in DOUBT_CODES and not _dates_read_whole(f, doc, spec) else None
    if cut:
        return cut
    if f.code == "field.invalid" and any(fv is not None and printed_label(fv.value, spec) for fv in fvs):
        return "读到的是表格上印的栏目名称，不是填写的内容"
    # a text PDF keeps a wrapped number's lines in its cell; a scan's lines may land anywhere
    if f.code == "field.invalid" and reading.ocr and any(
            (leaf := spec.leaf(k)) is not None and leaf.type == "phone" and cut_phone(k, doc, spec)
            for k in _field_keys(f, spec)):
        return CUT_PHONE
    if f.code in ("field.invalid", "eligibility.star_rating") and reading.method != "docx" and any(
            fv is not None and scrap_of_label(fv.value, field_labels(spec, k))
            for k, fv in zip(_field_keys(f, spec), fvs)):
        return "读到的只是栏目名称里的一两个字（如“星”），可能没有读到填写的内容"
    misread = row_misread(fvs) or (header_scraps(_field_keys(f, spec), doc, spec)
                                    if reading.method != "docx" else None)
    if misread:
        return misread
    share = form_share(doc, spec)
    if share < FORM_CONFIDENT:
        return f"表格版式未能完整识别（只找到约 {share:.0%} 的栏目）"
    # text astray may be this field's value; it says nothing of two dates both read whole
    if reading.unclaimed >= UNCLAIMED and f.code in ("field.missing", "field.invalid") \
            and not _dates_read_whole(f, doc, spec):
        return f"文件中有 {reading.unclaimed} 处文字未能对应到栏目，此栏内容可能印在别处"
    low = [fv for fv in fvs if _low(fv, reading)]
    if low:
        return _low_reason(min(low, key=lambda fv: fv.confidence), reading)   # type: ignore[arg-type,return-value]
    if f.code == "field.invalid" and reading.method != "docx":
        mixed = mixed_up(_field_keys(f, spec), doc, spec)
        if mixed:
            return mixed
    if reading.method != "docx" and reading.interleaved:
        return f"表格中有 {reading.interleaved} 栏读到的内容混有其他栏目的名称，版式未能完全识别"
    if f.code == "field.missing":
        # faint handwriting on an illegible scan reads as nothing
        return _illegible(doc, reading)
    return None


# a date or month as the normaliser writes it
MONTH = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def _dates_read_whole(f: Finding, doc: ExtractedDocument, spec: DocumentSpec) -> bool:
    """Whether `f` is an order of dates whose two dates were both read as dates."""
    keys = _field_keys(f, spec)
    return f.code == "field.invalid" and len(keys) == 2 and all(
        k in doc.fields and MONTH.fullmatch(str(doc.fields[k].value)) for k in keys)


def _illegible(doc: ExtractedDocument, reading: Reading) -> str | None:
    typical = scan_confidence(doc) if reading.ocr else None
    if typical is not None and typical < reading.low_confidence:
        return f"扫描件整体不够清晰（文字识别可信度约 {typical:.0%}）"
    return None


def _mark_reason(f: Finding, doc: ExtractedDocument, spec: DocumentSpec, reading: Reading) -> str | None:
    fv = doc.fields.get(f.field or "")
    if not located(fv):
        return _not_found(f.field, spec, reading)
    if f.code in ("seal.missing", "signature.missing") and reading.loose_seals:
        return "文件中另有印章或图片，未能确定是否盖在此处"
    cut = _cut_off(f, doc, reading)
    if cut:
        return cut
    if not reading.ocr:
        return _low_reason(fv, reading) if _low(fv, reading) else None   # type: ignore[arg-type]
    if f.code == "date.missing" and any(m.field == f.field and m.kind == "seal" and m.present for m in doc.marks):
        return UNDER_SEAL
    if _low(fv, reading):
        return _low_reason(fv, reading)   # type: ignore[arg-type]
    share = form_share(doc, spec)
    if share < FORM_CONFIDENT:
        return f"扫描件版式未能完整识别（只找到约 {share:.0%} 的栏目）"
    return _illegible(doc, reading)


def scan_confidence(doc: ExtractedDocument) -> float | None:
    """The median confidence of the values read from a document: how legible the scan is as a
    whole (a seal or a date not seen on an illegible scan proves little)."""
    values = sorted(fv.confidence for fv in doc.fields.values() if fv.value not in ("", None))
    return values[len(values) // 2] if values else None


def _length_reason(f: Finding, doc: ExtractedDocument, spec: DocumentSpec, reading: Reading) -> str | None:
    if not reading.ocr:
        return _cut_off(f, doc, reading)
    fv = doc.fields.get(f.field or "")
    if _low(fv, reading):
        return f"扫描件文字识别可信度较低（{fv.confidence:.0%}），字数可能不准"   # type: ignore[union-attr]
    n = doc.counts.get(f.field or "")
    leaf = spec.leaf(f.field)
    if n is not None and leaf is not None and leaf.length is not None:
        bounds = [b for b in (leaf.length.min, leaf.length.max) if b]
        if any(abs(n - b) <= COUNT_MARGIN * b for b in bounds):
            return "字数由扫描件识别得出，与限额相差很少"
    return None


def _total_reason(doc: ExtractedDocument, spec: DocumentSpec, reading: Reading) -> str | None:
    if spec.rubric is None:
        return None
    items = [doc.fields.get(i.key) for i in spec.rubric.items]
    if any(not located(fv) for fv in items):
        return "评分细则有的条目没有找到，合计无法核对完整"
    if any(fv is not None and "printed_max" in fv.extra for fv in items):
        return "评分细则有的行未能按行识别（印的分值与条目不符），合计无法核对完整"
    if any(_low(fv, reading) for fv in items + [doc.fields.get("rubric.total")]):
        return "扫描件中有的分数识别可信度较低"
    return None


def weak_reason(f: Finding, doc: ExtractedDocument, spec: DocumentSpec, reading: Reading) -> str | None:
    """Why `f` rests on weak evidence (Chinese, for the reviewer), or None when it is strong."""
    if f.code in _FIELD_CODES:
        return _field_reason(f, doc, spec, reading)
    if f.code in _MARK_CODES:
        return _mark_reason(f, doc, spec, reading)
    if f.code in _LENGTH_CODES:
        return _length_reason(f, doc, spec, reading)
    if f.code == "rubric.total_mismatch":
        return _total_reason(doc, spec, reading)
    return None


_TO_UNIT = re.compile(r"^请(?!评审)")


def for_reviewer(message: str, reason: str) -> str:
    """The finding's message without what it asks the unit to do, and the reviewer asked to check."""
    sentences = [s for s in message.split("。") if s.strip()]
    kept = [s for s in sentences if not _TO_UNIT.match(s.strip())] or sentences[:1]
    return ("。".join(kept) + f"。此项依据不足（{reason}），可能是识别问题：请评审人员对照原件核对，"
            f"确有问题再告知申报单位。")


def doubt_code(code: str, reason: str, reading: Reading) -> str:
    """The code a weak finding carries: the doubt's own code where the reading may be at fault."""
    if reason == NOT_FOUND and reading.method == "docx":
        # a .docx's structure is what it is: the label is not in it.  A file LibreOffice converted
        # first (.doc, .wps, .rtf) may have lost its frames' order on the way: a doubt there
        return code
    if reason == UNDER_SEAL:
        return code
    if code in _LENGTH_CODES:
        return CUT_LENGTH[0] if CUT_OFF in reason else code
    if code == "rubric.total_mismatch":
        # a .docx's rows are what the unit typed; elsewhere a row not found is the reading's
        return code if reading.method == "docx" else TOTAL_UNCHECKED[0]
    return DOUBT_CODES[code][0] if code in DOUBT_CODES else code


def _doubt_message(f: Finding, spec: DocumentSpec, reason: str) -> str:
    leaf = spec.leaf(f.field)
    name = f"{spec.title}中「{leaf.label}」" if leaf is not None else spec.title
    # what was read stays in the message (“填写为“4S”，应为正整数”); a claim that it is not there goes
    said = f.message.split("。")[0] + "。" if f.code == "field.uncertain" else ""
    return (f"{name}{_DOUBT_WORDS[f.code]}（{reason}）。{said}请评审人员对照原件核对，"
            f"确有问题再告知申报单位。")


def weigh(findings: list[Finding], doc: ExtractedDocument, spec: DocumentSpec, reading: Reading) -> list[Finding]:
    """`findings` with those on weak evidence turned into warnings for the reviewer."""
    if findings and reading.method != "docx":
        reading = replace(reading, interleaved=interleaved(doc, spec))
    for f in findings:
        reason = weak_reason(f, doc, spec, reading)
        if reason is None:
            continue
        claimed = f.code
        f.code = doubt_code(f.code, reason, reading)
        f.severity = "warning"
        f.message = _doubt_message(f, spec, reason) if f.code in _DOUBT_WORDS else for_reviewer(f.message, reason)
        f.extra.update({"evidence": "weak", "reason": reason})
        if f.code != claimed:
            f.extra["checked"] = claimed        # the check that raised it
    return findings


def _may_be_seal(p: Picture) -> bool:
    # a seal seen on a scan, or a picture floating over a Word or PDF page (a stamped 公章
    # placed by position); an inline picture is a logo or a photo in the text
    if p.kind.endswith("_unknown"):
        return False
    return p.kind.startswith("seal") or (p.kind == "picture" and p.placement == "anchor")


def loose_seals(doc: Document, located: list[LocatedDocument]) -> int:
    """How many pictures that may be a seal no located field took: while there is one,
    a seal not found beside its field may be that one (weak evidence for seal.missing)."""
    taken = {id(p) for d in located for v in d.values.values() for p in v.pictures}
    return sum(1 for p in all_pictures(doc) if _may_be_seal(p) and id(p) not in taken)
