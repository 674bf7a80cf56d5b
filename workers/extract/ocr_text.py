"""OCR lines → the text of cells and paragraphs, laid out as a text PDF or Word gives it.

The detector returns pieces of lines.  Pieces on one visual row make one line of text, with a
space where the row has a gap (two parts of one cell: 阎亚萍  办公室副主任) and a wide one where it
has a tab-like gap (label fields spaced out on one line), as the text-PDF reader writes them.
Rows of loose text that wrap (one runs to the right margin, the next starts at the left one)
make one paragraph, as in the Word file: a label line whose value wrapped (评定星级： / 四星级)
reads as one line.
"""
from __future__ import annotations

import re

from .model import Box, Line

# gaps between two pieces of a row, in line heights
SPACE_GAP = 0.3
TAB_GAP = 1.5
# a row wraps onto the next when it ends this close to the right margin (line heights) and the
# next starts this close to the left one, no further below than this
WRAP_RIGHT = 2.0
WRAP_LEFT = 0.8
WRAP_BELOW = 1.2
# ...or this far above its bottom: on a photo lying askew the boxes of two rows overlap
WRAP_OVERLAP = 1.0
# a row that ends a sentence and a row that starts with a label and its colon (呈报单位党组织意见：…)
# part, however close to the margin the sentence ended: the next field begins there.  A label may
# be long: 单位党组（党委）推荐理由及意见 is fifteen characters
SENTENCE_END = re.compile(r"[。！？!?；;]\s*$")
# ...or a row of fields spaced out (联络人姓名及职务、电话：    韩磊霞 187 5043 0719): its last value
# ends where the row does, and running text has no such gap after a colon
FIELD_ROW = re.compile(r"[:：]\s{4}")
LABEL_START = re.compile(r"^\s*[\u4e00-\u9fff][\u4e00-\u9fff（）()、\d]{1,23}[:：]")   # a note's figures: （1500字以内）


# pieces of one row may overlap side by side this much (share of the narrower one's width)
SIDE_BY_SIDE = 0.2
# a dot opening a piece right after a label's colon, before a Chinese character: part of the colon
STRAY_MARK = re.compile(r"^[.·:,，。](?=[\u4e00-\u9fff])")
# a piece beside a row whose boxes it overlaps by this share of a line's height is on it: values
# typed a little above their labels' line (placed in a form by position) read with their labels
ROW_OVERLAP = 0.3


def _beside(ln: Line, row: list[Line]) -> bool:
    """Whether `ln` stands beside every piece of `row`, not over or under one: the pieces of one
    row never share their columns, the lines above and below do (a line bent on a curled page or
    turned on a photo has a box tall enough to reach its neighbours' middles)."""
    for o in row:
        shared = min(ln.box.x1, o.box.x1) - max(ln.box.x0, o.box.x0)
        if shared > SIDE_BY_SIDE * max(1.0, min(ln.box.x1 - ln.box.x0, o.box.x1 - o.box.x0)):
            return False
    return True


def rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into visual rows (side by side, each one's middle within the row's height or
    overlapping it by ROW_OVERLAP of a line), top to bottom."""
    out: list[list[Line]] = []
    for ln in sorted(lines, key=lambda l: (l.box.y0 + l.box.y1) / 2):
        cy = (ln.box.y0 + ln.box.y1) / 2
        if out:
            last = out[-1]
            top = min(l.box.y0 for l in last)
            bottom = max(l.box.y1 for l in last)
            h = min(ln.box.y1 - ln.box.y0, line_height(last))
            overlap = min(ln.box.y1, bottom) - max(ln.box.y0, top)
            if (top <= cy <= bottom or overlap >= ROW_OVERLAP * h) and _beside(ln, last):
                last.append(ln)
                continue
        out.append([ln])
    for r in out:
        r.sort(key=lambda l: l.box.x0)
    return out


def line_height(row: list[Line]) -> float:
    """The median height of the lines' boxes (at least 1)."""
    return max(1.0, sorted(l.box.y1 - l.box.y0 for l in row)[len(row) // 2])


def row_text(row: list[Line]) -> str:
    """The row's pieces left to right, parted where the row has a gap."""
    h = line_height(row)
    text, prev = "", None
    for ln in row:
        if prev is not None and text and ln.text:
            gap = ln.box.x0 - prev.box.x1
            if gap > TAB_GAP * h:
                text += "    "
            elif gap > SPACE_GAP * h or (text[-1].isascii() and text[-1].isalnum()
                                          and ln.text[0].isascii() and ln.text[0].isalnum()):
                text += " "
        piece = ln.text
        if prev is not None and prev.text.endswith(("：", ":")) and ln.box.x0 < prev.box.x1 + SPACE_GAP * h \
                and STRAY_MARK.match(piece):
            # the detector's box took in the colon's lower dot beside it (学历： / .大学)
            piece = piece[1:]
        text += piece
        prev = ln
    return text


def row_box(row: list[Line]) -> Box:
    box = row[0].box
    for ln in row[1:]:
        box = box.union(ln.box)
    return box


def _ends_a_field(text: str) -> bool:
    return bool(SENTENCE_END.search(text) or FIELD_ROW.search(text))


def paragraphs(loose: list[list[Line]]) -> list[list[list[Line]]]:
    """Rows of loose text (top to bottom) grouped into paragraphs: a row that runs to the right
    margin carries on into the next when that one starts at the left margin just below, unless
    the one ends a sentence and the next starts with a label and its colon."""
    if not loose:
        return []
    boxes = [row_box(r) for r in loose]
    left = min(b.x0 for b in boxes)
    right = max(b.x1 for b in boxes)
    out: list[list[list[Line]]] = []
    for r, b in zip(loose, boxes):
        if out:
            prev = out[-1][-1]
            pb, h = row_box(prev), line_height(prev)
            if (pb.x1 >= right - WRAP_RIGHT * h and b.x0 <= left + WRAP_LEFT * h
                    and -WRAP_OVERLAP * h <= b.y0 - pb.y1 < WRAP_BELOW * h
                    and not (_ends_a_field(row_text(prev)) and LABEL_START.match(row_text(r)))):
                out[-1].append(r)
                continue
        out.append([r])
    return out
