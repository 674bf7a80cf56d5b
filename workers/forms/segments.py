"""Label lines: forms typed as lines of “标签：值” instead of table cells.

People type a form without a table: 党组织名称：中共某支部　　所在单位类别：机关, with
full-width colons, ＿＿ blanks, tabs or ideographic spaces between fields, several
fields on one line; or keep a label and its value in one table cell (书记姓名：王某).
`Segmenter` cuts such a line into (label, value) segments by the labels it knows
(the campaign's, plus the lines every form has: 联系人, 填表人, …), working on the
text as written so that a value keeps its characters (the 字数 count needs them).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .labels import FORM_LINE_LABELS, label_key
from .normalise import nfkc

# what a blank to write on looks like: ＿＿, ____, ……, and the space around it
_BLANK = re.compile(r"[_＿\uff3f…]+")
GAP = _GAP = re.compile(r"[\s\u3000\u00a0]+")
_COLON = "[:：]"
# a bracketed note after a label: 党组织设置（支部、党小组数）：
_NOTE = r"(?:[ \t\u3000]*[（(][^（()）\n]{0,24}[)）])?"
# words in front of a label that are part of it (书记姓名：, 党组织书记姓名：)
_PREFIX_MAX = 4
# a value a glued label may follow is short (a long text never ends at a label glued to it)
_GLUED_VALUE_MAX = 30
# a value of words glued to the only label of its line is this short at most
_GLUED_WORDS = 8
_CLAUSE = re.compile(r"[，。；：！？,.;:!?、]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# marks a value may start with: star ratings
_MARKS = "★☆"


@dataclass(frozen=True)
class Segment:
    """One “label：value” piece of a line."""
    label: str            # the known label it matched, as the campaign writes it
    value: str            # the value as written (blanks removed, ends stripped)
    start: int            # where the label starts in the line
    colon: bool           # a colon followed the label
    prefix: str = ""      # words in front of the label that belong to it (书记 in 书记姓名：)


# marks typed (or read by OCR) full width or half width alike: 单位党组（党委)推荐理由
_WIDE = {"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"}


def _either_width(c: str) -> str:
    forms = {c, nfkc(c)}
    forms |= {_WIDE[f] for f in list(forms) if f in _WIDE}
    return re.escape(c) if len(forms) == 1 else "[" + "".join(re.escape(f) for f in sorted(forms)) + "]"


def _spaced(label: str) -> str:
    """A label as a pattern that allows spaces between its characters (党 组 织 名 称), and its
    marks in either width."""
    chars = [c for c in label if not c.isspace()]
    return r"[ \t\u3000]*".join(_either_width(c) for c in chars)


def clean_value(text: str) -> str:
    """A value without the blank it was typed on and without spaces around it."""
    return _BLANK.sub(" ", text).strip(" \t\u3000\u00a0:：")


class Segmenter:
    """Cuts lines into label segments for one set of labels."""

    def __init__(self, labels: list[str], long_labels: list[str] | tuple[str, ...] = ()) -> None:
        self.labels = [lbl for lbl in dict.fromkeys(list(labels) + list(FORM_LINE_LABELS)) if len(lbl) >= 2]
        # longest first, so 联络人姓名及职务 wins over 联络人姓名
        alternation = "|".join(_spaced(lbl) for lbl in sorted(self.labels, key=len, reverse=True))
        self._re = re.compile(f"(?P<label>{alternation}){_NOTE}[ \\t\\u3000]*(?P<colon>{_COLON})?")
        self._by_flat = {label_key(lbl): lbl for lbl in self.labels}
        # a label line starts with its label (a few words may stand in front): a line that does
        # not is passed over without searching it whole (the narrative's long paragraphs)
        self._start = re.compile(f"[ \\t\\u3000\\u00a0]*[^ \\t\\u3000\\u00a0:：]{{0,{_PREFIX_MAX}}}?(?:{alternation})")
        self._form_line = set(FORM_LINE_LABELS)
        # labels of long texts (主要创建事迹, opinions, 备注): what follows them is prose, never cut
        # at a label glued into it
        self._long = {re.sub(r"\s+", "", lbl) for lbl in long_labels}

    def _hits(self, line: str) -> list[tuple[re.Match, str, bool]]:
        """Label matches in the line: (match, label, strict).  Strict: a colon follows it, or it
        stands between gaps.  A label glued to its neighbours (a text PDF keeps no gaps:
        党组织名称中共某支部所在单位类别机关) counts only where a short value precedes it and it
        is long (4 characters or more) or follows a digit or a mark, not another Han character."""
        out: list[tuple[re.Match, str, bool]] = []
        for m in self._re.finditer(line):
            label = self._by_flat.get(label_key(m.group("label")), m.group("label"))
            before = line[:m.start()]
            after = line[m.end("label"):]
            if m.group("colon"):
                out.append((m, label, True))
                continue
            left_ok = not before or before[-1] in " \t\u3000\u00a0_＿|｜"
            right_ok = not after or after[0] in " \t\u3000\u00a0_＿"
            # a label that starts the line, glued to a short value of figures or marks: the gap
            # the PDF printed there is the width of autospace, which no reader keeps (党员人数87名,
            # 评定星级★★★★, 入党时间1991年8月); running text goes on in words (党员人数达到…)
            figures = not before.strip() and (after[:1].isascii() and after[:1].isalnum() or after[:1] in _MARKS)
            # ...or a line that is only a label and a word or two after it (性别女, 民族汉族, 学历大专:
            # a scan whose gap was read as none); a sentence has more to it, or its marks
            words = not before.strip() and 0 < len(after.strip()) <= _GLUED_WORDS and not _CLAUSE.search(after)
            if left_ok and (right_ok or ((figures or words) and not out and len(after.strip()) <= _GLUED_VALUE_MAX)):
                out.append((m, label, True))
                continue
            since = line[out[-1][0].end():m.start()] if out else before
            if not after.strip() or len(since) > _GLUED_VALUE_MAX or (
                    out and re.sub(r"\s+", "", out[-1][1]) in self._long):
                continue
            # a label right after another with nothing between (党组织书记情况姓名 范春松: a group's
            # label, then its first part's) starts a segment as a long one does
            if (not out and not before.strip()) or len(re.sub(r"\s+", "", label)) >= 4 \
                    or (before and not _HAN.match(before[-1])) or (out and not since.strip()):
                out.append((m, label, False))
        return out

    def segments(self, line: str) -> list[Segment]:
        """The line's segments when it is a label line (it starts with a label), else []."""
        if not self._start.match(line):
            return []
        hits = self._hits(line)
        if not hits or (not all(strict for _m, _l, strict in hits) and len(hits) < 2):
            # glued labels make a label line only when there are several of them
            return []
        first = hits[0][0]
        lead = line[:first.start()]
        lead_flat = _GAP.sub("", lead)
        # a label line starts with its label; a few words in front belong to a label with a colon
        if lead_flat and not (first.group("colon") and len(lead_flat) <= _PREFIX_MAX
                              and not _GAP.search(lead.strip())):
            return []
        out: list[Segment] = []
        for k, (m, label, _strict) in enumerate(hits):
            end = hits[k + 1][0].start() if k + 1 < len(hits) else len(line)
            body = line[m.end():end]
            prefix = lead_flat if k == 0 else ""
            if k + 1 < len(hits) and hits[k + 1][0].group("colon") and body and not body[-1].isspace():
                # words glued to the next label after the last gap belong to it (…45　书记姓名：)
                gap = list(_GAP.finditer(body))
                if gap and 0 < len(body) - gap[-1].end() <= _PREFIX_MAX and clean_value(body[:gap[-1].start()]):
                    body = body[:gap[-1].start()]
            out.append(Segment(label=label, value=clean_value(body), start=m.start(),
                               colon=bool(m.group("colon")), prefix=prefix))
        return out

    @staticmethod
    @lru_cache(maxsize=16)
    def for_labels(labels: tuple[str, ...], long_labels: tuple[str, ...] = ()) -> "Segmenter":
        """One segmenter per set of labels (a campaign's): building its pattern is most of a
        short file's location time, and every file of a campaign asks for the same one."""
        return Segmenter(list(labels), long_labels)

    def is_form_line(self, line: str) -> bool:
        """A line of the form's own furniture or fields (联系人：… 联系电话：…, 填表人：…)."""
        segs = self.segments(line)
        return bool(segs) and (segs[0].colon or len(segs) > 1 or segs[0].label in self._form_line)
