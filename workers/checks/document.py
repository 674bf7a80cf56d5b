"""Checks on one extracted document → findings in plain Chinese.

Each message says what is wrong, names the field by its label on the form,
and says what to do.  Which checks apply is read from the campaign file
(required, type, choices, order of dates, limits, seals, dates, rubric).
"""
from __future__ import annotations

import re

from dossier.campaigns import DocumentSpec, FieldSpec

from ..forms.labels import APPENDIX_REF
from ..forms.normalise import phone_ok
from ..results import ExtractedDocument, Finding
from .evidence import MONTH, Reading, weigh

WORD_RULE = "按 Microsoft Word 字数统计口径"


def _label(f: FieldSpec) -> str:
    return f"「{f.label}」"


def _num(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _missing(doc: ExtractedDocument, spec: DocumentSpec, f: FieldSpec) -> Finding:
    return Finding("field.missing", "error", f.key,
                   f"{spec.title}中{_label(f)}未填写。请填写后重新上传。",
                   page=doc.fields[f.key].page if f.key in doc.fields else None, kind=spec.kind)


def _invalid(spec: DocumentSpec, f: FieldSpec, why: str, page: int | None, severity: str = "error") -> Finding:
    return Finding("field.invalid", severity, f.key, f"{spec.title}中{_label(f)}{why}", page=page,
                   kind=spec.kind)


def _value_checks(doc: ExtractedDocument, spec: DocumentSpec, f: FieldSpec) -> list[Finding]:
    fv = doc.fields.get(f.key)
    if fv is None:
        return []
    v = fv.value
    out: list[Finding] = []
    if v in ("", None):
        if f.required:
            out.append(_missing(doc, spec, f))
        return out
    page = fv.page
    if f.type == "enum" and f.choices and v not in f.choices:
        choices = "、".join(f.choices)
        if f.strict:
            out.append(_invalid(spec, f, f"填写为“{v}”，应为以下之一：{choices}。请按表格备注填写。", page))
        else:
            out.append(_invalid(spec, f, f"填写为“{v}”，不在通知列出的类型（{choices}）中，请评审人员留意。",
                                page, "warning"))
    elif f.type in ("count",) and not (isinstance(v, int) and v > 0):
        out.append(_invalid(spec, f, f"填写为“{v}”，应为正整数（如 52）。请更正。", page))
    elif f.type == "star_rating":
        if not isinstance(v, int) or not 1 <= v <= 5:
            out.append(_invalid(spec, f, f"填写为“{v}”，应为星级（如“四星级”）。请更正。", page))
        elif f.eligible_min is not None and v < f.eligible_min:
            cn = "一二三四五"[f.eligible_min - 1]
            out.append(Finding("eligibility.star_rating", "error", f.key,
                               f"{_label(f)}为{'一二三四五'[v - 1]}星级，通知要求在{cn}星级以上基层党组织中推荐，"
                               f"本单位不符合推荐条件。", page=page, kind=spec.kind))
    elif f.type == "month" and not re.fullmatch(r"\d{4}-\d{2}", str(v)):
        out.append(_invalid(spec, f, f"填写为“{v}”，无法识别为年月。请写成“2015年11月”或“2015.11”。", page))
    elif f.type == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(v)):
        out.append(_invalid(spec, f, f"填写为“{v}”，无法识别为日期。请写成“2017年4月20日”。", page))
    elif f.type == "phone" and not phone_ok(str(v)):
        out.append(_invalid(spec, f, f"填写为“{v}”，不是有效的手机号码（11位）或固定电话（区号-号码）。请核对后更正。",
                            page))
    return out


def _order_checks(doc: ExtractedDocument, spec: DocumentSpec) -> list[Finding]:
    out = []
    leaves = {f.key: f for f in spec.leaf_fields()}
    for f in leaves.values():
        if not f.after:
            continue
        a, b = doc.fields.get(f.after), doc.fields.get(f.key)
        if a is None or b is None:
            continue
        va, vb = str(a.value), str(b.value)
        if MONTH.fullmatch(va) and MONTH.fullmatch(vb) and vb[:7] <= va[:7]:
            before = leaves[f.after]
            out.append(_invalid(spec, f, f"（{vb}）不应早于{_label(before)}（{va}）。请核对两个时间后更正。",
                                b.page))
    return out


def _length_checks(doc: ExtractedDocument, spec: DocumentSpec, f: FieldSpec) -> list[Finding]:
    n = doc.counts.get(f.key)
    lim = f.length
    if n is None or lim is None:
        return []
    page = doc.fields[f.key].page if f.key in doc.fields else None
    if lim.kind == "about":
        lo, hi = lim.min or 0, lim.max
        if n < lo or n > hi:
            what = "删减" if n > hi else "补充"
            return [Finding("length.out_of_range", "warning", f.key,
                            f"{_label(f)}共 {n} 字（{WORD_RULE}），通知要求 {lim.target or hi} 字左右"
                            f"（{lo}–{hi} 字）。请{what}到这个范围内。", page=page, kind=spec.kind)]
    elif n > lim.max:
        return [Finding("length.over_limit", "error", f.key,
                        f"{_label(f)}共 {n} 字（{WORD_RULE}），超过“不超过 {lim.max} 字”的要求 {n - lim.max} 字。"
                        f"请删减到 {lim.max} 字以内后重新上传。", page=page, kind=spec.kind)]
    return []


def _mark_checks(doc: ExtractedDocument, spec: DocumentSpec) -> list[Finding]:
    out = []
    labels = {f.key: f for f in spec.leaf_fields()}
    for m in doc.marks:
        f = labels.get(m.field)
        if f is None or m.present:
            continue
        if m.kind == "seal":
            if m.certain:
                out.append(Finding("seal.missing", "error", m.field,
                                   f"{_label(f)}处没有盖章。请加盖公章后重新扫描上传。", page=m.page, box=m.box,
                                   kind=spec.kind))
            else:
                out.append(Finding("seal.uncertain", "warning", m.field,
                                   f"{_label(f)}处无法判断是否盖章（黑白或灰度扫描看不出红色印章，盖章处的痕迹无法辨认），请评审人员核对原件。",
                                   page=m.page, box=m.box, kind=spec.kind))
        elif m.kind == "date" and not m.certain:
            # a date line is there but could not be read (a seal over it, a poor scan): the unit
            # wrote it, so only the reviewer is asked to read it off the original
            out.append(Finding("date.unreadable", "warning", m.field,
                               f"{_label(f)}的落款处有日期，但未能识别（可能被印章遮住或扫描不清）。"
                               f"请评审人员对照原件核对日期。", page=m.page, box=m.box, kind=spec.kind,
                               extra={"evidence": "weak", "reason": "落款日期无法识别"}))
        elif m.kind == "date":
            out.append(Finding("date.missing", "error", m.field,
                               f"{_label(f)}的落款日期（年 月 日）未填写。请填写日期后重新上传。", page=m.page,
                               box=m.box, kind=spec.kind))
        elif m.kind == "signature":
            out.append(Finding("signature.missing", "error", m.field,
                               f"{_label(f)}处没有签字。请签字后重新上传。", page=m.page, box=m.box, kind=spec.kind))
    return out


def _rubric_checks(doc: ExtractedDocument, spec: DocumentSpec) -> list[Finding]:
    rubric = spec.rubric
    if rubric is None:
        return []
    out: list[Finding] = []
    total = 0.0
    for item in rubric.items:
        fv = doc.fields.get(item.key)
        name = f"评分细则第{item.group}项第{item.number}条（{item.text[:16]}…）"
        v = fv.extra.get("self_score") if fv else None
        if v is None:
            out.append(Finding("field.missing", "error", item.key, f"{name}的自评分未填写。请填写后重新上传。",
                               page=fv.page if fv else None, kind=spec.kind))
            continue
        if not isinstance(v, (int, float)):
            out.append(Finding("field.invalid", "error", item.key,
                               f"{name}的自评分“{v}”不是数字。请填写 0 到 {_num(item.max)} 之间的分数。",
                               page=fv.page, kind=spec.kind))
            continue
        total += float(v)
        if v < 0 or v > item.max:
            out.append(Finding("rubric.over_max", "error", item.key,
                               f"{name}的自评分 {_num(v)} 分超过该项分值 {_num(item.max)} 分。请更正为不超过 "
                               f"{_num(item.max)} 分。", page=fv.page, box=fv.box, kind=spec.kind))
        elif abs(v * 2 - round(v * 2)) > 1e-9:
            out.append(Finding("field.invalid", "error", item.key,
                               f"{name}的自评分 {_num(v)} 不符合评分规则（只能是整数或半分）。请更正。",
                               page=fv.page, kind=spec.kind))
    stated = doc.fields.get("rubric.total")
    if stated is not None and isinstance(stated.value, (int, float)) and abs(float(stated.value) - total) > 1e-6:
        out.append(Finding("rubric.total_mismatch", "error", "rubric.total",
                           f"评分细则“{rubric.total_label}”填写为 {_num(stated.value)} 分，各项自评分相加为 "
                           f"{_num(round(total, 1))} 分，两者不一致。请核对后更正。", page=stated.page,
                           box=stated.box, kind=spec.kind))
    return out


def _low_confidence(doc: ExtractedDocument, spec: DocumentSpec, threshold: float) -> list[Finding]:
    out = []
    for key, fv in doc.fields.items():
        if fv.value in ("", None) or fv.confidence >= threshold:
            continue
        label = fv.label if len(fv.label) <= 20 else fv.label[:20] + "…"
        out.append(Finding("ocr.low_confidence", "warning", key,
                           f"「{label}」识别为“{str(fv.value)[:30]}”，识别可信度较低（{fv.confidence:.0%}），"
                           f"请对照原件核对。", page=fv.page, box=fv.box, kind=spec.kind))
    return out


def check_document(doc: ExtractedDocument, spec: DocumentSpec, *, method: str = "docx",
                   low_confidence: float = 0.8, loose_seals: int = 0, unclaimed: int = 0,
                   printed: str = "", offpage: dict[int, int] | None = None) -> list[Finding]:
    """All findings for one extracted document, those on weak evidence as warnings for the
    reviewer (see `evidence`).  `loose_seals`: pictures in the file that may be a seal and
    that no field took; `unclaimed`: short pieces of its text that no field took; `printed`: the
    file's whole text (`evidence.printed_text`), where a label not found may still be; `offpage`:
    characters printed outside their page (cut off), per page."""
    out: list[Finding] = []
    for f in spec.leaf_fields():
        fv = doc.fields.get(f.key)
        # “见附页” whose 附页 is not in this file: the narrative is checked where it is
        if fv is not None and isinstance(fv.value, str) and f.continued_in and APPENDIX_REF.search(fv.value):
            continue
        out.extend(_value_checks(doc, spec, f))
        out.extend(_length_checks(doc, spec, f))
    out.extend(_order_checks(doc, spec))
    out.extend(_mark_checks(doc, spec))
    out.extend(_rubric_checks(doc, spec))
    if method == "ocr":
        out.extend(_low_confidence(doc, spec, low_confidence))
    return weigh(out, doc, spec, Reading(method=method, low_confidence=low_confidence, loose_seals=loose_seals,
                                         unclaimed=unclaimed, printed=printed,
                                         offpage=tuple(sorted((offpage or {}).items()))))
