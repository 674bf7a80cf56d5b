"""Matching a form's printed labels against the text of cells and lines.

Labels are written in many ways: one character per line (主/要/创/建/事/迹),
spaced out (党 组 织 名 称), with a note in brackets (申报创建材料（1500字以内）),
or broken over lines (单位党组\n（党委）推荐\n理由及意见).  All of them compare
equal after `label_key`.
"""
from __future__ import annotations

import re
from functools import lru_cache

from dossier.campaigns import FieldSpec

from .normalise import nfkc

_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_BRACKETED = re.compile(r"\([^()]*\)")


@lru_cache(maxsize=1 << 13)
def label_key(text: str) -> str:
    """Text reduced for label comparison: NFKC, no whitespace, no trailing colon."""
    s = _SPACE.sub("", nfkc(text))
    return s.strip(":").strip()


@lru_cache(maxsize=1 << 12)
def unbracket(s: str) -> str:
    return _BRACKETED.sub("", s)


def label_score(cell_text: str, labels: tuple[str, ...]) -> tuple[int, str]:
    """How well `cell_text` is one of `labels`: 3 exact, 2 up to a bracketed note,
    1 the label followed by a value in the same cell; 0 not a label.  Returns the
    score and, for 1, the remainder (the value written after the label)."""
    return key_score(label_key(cell_text), tuple(label_key(lbl) for lbl in labels))


@lru_cache(maxsize=1 << 16)
def key_score(ck: str, label_keys: tuple[str, ...]) -> tuple[int, str]:
    """`label_score` on text already reduced by `label_key` (for hot loops; a worker meets
    the same printed labels in every file, so the answers are kept)."""
    if not ck:
        return 0, ""
    best, rest = 0, ""
    for lk in label_keys:
        if not lk:
            continue
        if ck == lk:
            return 3, ""
        if unbracket(ck) == unbracket(lk):
            best = max(best, 2)
            continue
        if ck.startswith(lk) and ck[len(lk):].startswith("("):
            close = ck.find(")", len(lk))
            remainder = ck[close + 1:].lstrip(":") if close >= 0 else ""
            if not remainder:
                # the label with a note of its own (申报创建材料（1500字以内）)
                best = max(best, 2)
                continue
            if best < 1:
                # label, note and the value typed after them in one cell
                best, rest = 1, remainder
            continue
        if best < 1 and ck.startswith(lk) and len(lk) >= 2:
            remainder = ck[len(lk):].lstrip(":")
            if remainder:
                best, rest = 1, remainder
    return best, rest


# marks printed in the seal and date spaces of an opinion cell
SEAL_MARK = re.compile(r"[（(]?\s*(盖\s*公?\s*章|签\s*章|公\s*章)\s*[)）]?")
SIGN_MARK = re.compile(r"[（(]?\s*签\s*字\s*[)）]?")
EMPTY_DATE = re.compile(r"年\s*月\s*日")
APPENDIX_REF = re.compile(r"(详见|见|另)\s*附\s*(页|件|后)|另\s*附")
APPENDIX_HEADER = re.compile(r"^\s*(附\s*[页件](\s*[0-9一二三四五六七八九十]+)?|续\s*页)\s*[:：]?\s*$")
PAGE_NUMBER = re.compile(r"^\s*([-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")

# lines every form has besides its fields (above or under its table): they are the form's,
# never the material, and a value typed on such a line stops where one of them starts
FORM_LINE_LABELS = ("联系人", "联系电话", "联系方式", "填表人", "填报人", "填表日期", "填报日期", "填表时间",
                    "审核人", "经办人", "制表人", "负责人签字", "电子邮箱", "邮箱")

# the printed words of a compound cell's sub-table (联络人: 姓名|职务|电话) → the part they head
PART_WORDS = {"name": ("姓名", "名字", "联络人", "联系人", "负责人"),
              "title": ("职务", "职位", "职称", "岗位"),
              "phone": ("电话", "手机", "联系电话", "联系方式", "手机号码", "电话号码", "办公电话")}

# a score sheet's columns as people head them: the campaign's own words first, then these
RUBRIC_ROLE_WORDS = {
    "self_score": re.compile(r"自(评|查|测|我评)"),
    "review_score": re.compile(r"(考评|考核|评审|核定|复核|审核|评定)(得)?分(数)?$"),
    "max": re.compile(r"(分值|满分|标准分|应得分|总分|权重|^分数$)"),
    "item": re.compile(r"(标准|内容|细则|要求|指标)"),
}

# a notice or a letter, not a submission: its title says so, or it carries a reply slip (回执)
NOTICE_TITLE = re.compile(r"(通知|通告|公告|启事|会议纪要)$")
# a covering notice that sends a document on: 现将《…》印发给你们
FORWARDING = re.compile(r"现将.{0,80}(印发|下发|转发|发)给你们")
REPLY_SLIP = re.compile(r"^(附件\d*:?)?(参会|报名|会议)?回\s*执(表|单)?$")


def cut_at_labels(raw: str, others: list[FieldSpec]) -> str:
    """`raw` up to the first of the other inline labels that is followed by a colon
    (申报单位 … 申报日期：… 编号：), or whole."""
    end = len(raw)
    for spec in others:
        for lbl in spec.labels:
            for m in re.finditer(r"\s*".join(map(re.escape, lbl)) + r"\s*[:：]", raw):
                end = min(end, m.start())
                break
    return raw[:end].rstrip()
