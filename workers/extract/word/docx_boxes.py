"""Text boxes and frames in a .docx paragraph, put back into reading order.

Word, WPS and LibreOffice keep the text of a text box (`wps:txbx`, VML
`v:textbox`, a LibreOffice frame) in a `w:txbxContent` inside the run that
anchors it; python-docx's paragraph text leaves it out.  A person reads a box
where it stands, so:

* a small box (a value typed into a box beside its label: 党组织名称：[中共某支部])
  is read into the anchoring paragraph's text, at the place its horizontal
  offset points to (or at its anchor when it has none);
* a large box (a whole form drawn in a frame, tables inside) becomes blocks of
  its own, right after the anchoring paragraph, in the order the boxes stand
  on the page (top to bottom, then left to right).

A shape written twice (`mc:AlternateContent`: DrawingML choice, VML fallback)
is read once, from the choice.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from docx.oxml.ns import qn
from lxml import etree

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TXBX = qn("w:txbxContent")
_W_P, _W_TBL, _W_T, _W_TAB, _W_BR, _W_CR = (qn("w:p"), qn("w:tbl"), qn("w:t"), qn("w:tab"), qn("w:br"),
                                              qn("w:cr"))
_WP_ANCHOR, _WP_INLINE = qn("wp:anchor"), qn("wp:inline")
_BR_TYPE = qn("w:type")
_EMU_PER_PT = 12700.0
_COLON = re.compile(r"[:：]")
# a blank to fill: a label's colon followed by spaces or the end of the line
_BLANK_SLOT = re.compile(r"[:：](?=[ \t\u3000\u00a0]*(?:$|[ \t\u3000\u00a0]))")
# a box with at most this much text and no table is a value in a line, not a block of its own
SMALL_BOX_CHARS = 80
SMALL_BOX_PARAS = 1
_VML_NUM = re.compile(r"(-?[\d.]+)(pt|in|cm|mm|px)?")
_VML_UNITS = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "px": 0.75, None: 1 / _EMU_PER_PT}


@dataclass
class TextBox:
    """One box found in a paragraph: its content and where it stands."""
    content: etree._Element      # the w:txbxContent
    at: int                      # offset in the paragraph's own text where its anchor run stands
    x: float | None = None       # horizontal offset in points from its reference, when given
    y: float = 0.0               # vertical offset in points from its reference
    inline: bool = False         # in the line (wp:inline, or a VML shape not positioned absolutely)
    x_from_page: bool = False    # x is measured from the page's edge, not the text's left margin

    def one_line(self) -> str | None:
        """The box's text when it is one short paragraph (a label or a value drawn in a box)."""
        if self.content.find(".//" + _W_TBL) is not None:
            return None
        paras = [t.strip() for t in (box_paragraph_text(p) for p in self.content.iter(_W_P)) if t.strip()]
        return paras[0] if len(paras) == 1 and len(paras[0]) <= SMALL_BOX_CHARS else None

    def in_line(self, em: float) -> bool:
        """A value typed in a box on its label's line: one short paragraph, no table, standing in
        the line (inline, or anchored within about a line's height of its top)."""
        if self.content.find(".//" + _W_TBL) is not None:
            return False
        if not (self.inline or abs(self.y) <= 1.2 * em):
            return False
        paras = [t for t in (box_paragraph_text(p) for p in self.content.iter(_W_P)) if t.strip()]
        return len(paras) <= SMALL_BOX_PARAS and sum(len(t.strip()) for t in paras) <= SMALL_BOX_CHARS


def has_boxes(p: etree._Element) -> bool:
    return next(p.iter(_TXBX), None) is not None


_PTAB, _NB_HYPHEN = qn("w:ptab"), qn("w:noBreakHyphen")
_TEXT_TAGS = (_W_T, _W_TAB, _W_BR, _W_CR, _NB_HYPHEN, _PTAB, _TXBX)


def plain_text(p: etree._Element) -> str | None:
    """The paragraph's text in one pass over its elements (runs in hyperlinks, content
    controls, smart tags, simple fields and insertions included), or None when it holds a
    text box (then `split_paragraph` places the boxes)."""
    out = []
    for el in p.iter(_TEXT_TAGS):
        tag = el.tag
        if tag == _W_T:
            out.append(el.text or "")
        elif tag == _TXBX:
            return None
        elif tag == _W_BR:
            if el.get(_BR_TYPE) in (None, "textWrapping"):
                out.append("\n")
        elif tag == _W_CR:
            out.append("\n")
        elif tag == _W_TAB or tag == _PTAB:
            out.append("\t")
        else:
            out.append("-")
    return "".join(out)


def _vml_offsets(shape: etree._Element) -> tuple[float | None, float, bool, bool]:
    style = shape.get("style", "")
    props = dict(kv.split(":", 1) for kv in style.replace(" ", "").split(";") if ":" in kv)

    def pt(name: str) -> float | None:
        m = _VML_NUM.fullmatch(props.get(name, ""))
        try:
            return float(m.group(1)) * _VML_UNITS[m.group(2)] if m else None
        except ValueError:           # "1.2.3pt"
            return None

    absolute = props.get("position") == "absolute"
    x = pt("margin-left") if pt("margin-left") is not None else pt("left")
    y = pt("margin-top") if pt("margin-top") is not None else pt("top")
    return x, y or 0.0, not absolute, props.get("mso-position-horizontal-relative") == "page"


def _offset(pos: etree._Element | None) -> float | None:
    """A wp:positionH/V's offset in points, None when it is aligned instead (or unreadable)."""
    off = pos.find(qn("wp:posOffset")) if pos is not None else None
    try:
        return int((off.text or "0").strip()) / _EMU_PER_PT if off is not None else None
    except ValueError:
        return None


def _placement(box: etree._Element) -> tuple[float | None, float, bool, bool]:
    """(x, y, inline, x from the page edge) of the shape holding this w:txbxContent."""
    el = box.getparent()
    while el is not None:
        if el.tag == _WP_INLINE:
            return None, 0.0, True, False
        if el.tag == _WP_ANCHOR:
            ph, pv = el.find(qn("wp:positionH")), el.find(qn("wp:positionV"))
            if ph is not None and ph.get("relativeFrom") == "character":
                ph = None            # placed at its anchor character: where the anchor run is
            return _offset(ph), _offset(pv) or 0.0, False, ph is not None and ph.get("relativeFrom") == "page"
        if isinstance(el.tag, str) and el.tag.startswith("{urn:schemas-microsoft-com:vml}") \
                and el.get("style") is not None:
            return _vml_offsets(el)
        el = el.getparent()
    return None, 0.0, True, False


def _char_text(el: etree._Element) -> str:
    if el.tag == _W_T:
        return el.text or ""
    if el.tag == _W_TAB or el.tag == _PTAB:
        return "\t"
    if el.tag == _W_CR or (el.tag == _W_BR and el.get(_BR_TYPE) in (None, "textWrapping")):
        return "\n"
    if el.tag == _NB_HYPHEN:
        return "-"
    return ""


def split_paragraph(p: etree._Element) -> tuple[str, list[TextBox]]:
    """The paragraph's own text and the boxes anchored in it (each once, outermost only)."""
    parts: list[str] = []
    boxes: list[TextBox] = []
    length = 0

    def walk(el: etree._Element) -> None:
        nonlocal length
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag == _MC_FALLBACK:
                continue
            if tag == _TXBX:
                x, y, inline, from_page = _placement(child)
                boxes.append(TextBox(content=child, at=length, x=x, y=y, inline=inline, x_from_page=from_page))
                continue
            s = _char_text(child)
            if s:
                parts.append(s)
                length += len(s)
            else:
                walk(child)

    walk(p)
    return "".join(parts), boxes


def box_paragraph_text(p: etree._Element) -> str:
    """A paragraph's text with the text of boxes inside it read in (nested boxes)."""
    text, boxes = split_paragraph(p)
    return merge_small(text, boxes, em=10.5) if boxes else text


def _width(ch: str) -> float:
    if ch == "\t":
        return 2.0
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5


def index_at(text: str, x: float, em: float) -> int:
    """Where in `text` a box that starts `x` points from the left of the line stands, with
    every wide character one em and every other half of one (forms are typed in CJK fonts)."""
    pos = 0.0
    for i, ch in enumerate(text):
        if ch == "\n":
            pos = 0.0
            continue
        w = _width(ch) * em
        if pos + w / 2 > x:
            return i
        pos += w
    return len(text)


def merge_small(text: str, boxes: list[TextBox], em: float, left_margin: float = 72.0) -> str:
    """`text` with the small boxes' text read in where each stands on the line
    (`left_margin`: the page's, for a box placed from the page's edge)."""
    inserts: list[tuple[int, float, int, str]] = []
    for n, b in enumerate(boxes):
        inner = " ".join(t.strip() for t in (box_paragraph_text(p) for p in b.content.iter(_W_P)) if t.strip())
        if not inner:
            continue
        # a box placed by an offset stands where that offset falls; an inline one at its anchor
        x = None if b.x is None else b.x - (left_margin if b.x_from_page else 0.0)
        at = b.at if b.inline or x is None else index_at(text, x, em)
        inserts.append((at, x or 0.0, n, inner))
    slots = blank_slots(text)
    if len(inserts) > 1 and len({(a, x) for a, x, _n, _t in inserts}) == 1 and len(slots) == len(inserts):
        # every box at one spot (a converter that lost their places): one to each blank after a
        # label's colon, in order, as the form was laid out to be filled
        inserts = [(slot, 0.0, n, t) for slot, (_a, _x, n, t) in zip(slots, inserts)]
    elif len(inserts) > 1 and len(slots) == len(inserts) and all(boxes[n].x is not None for _a, _x, n, _t in inserts):
        # as many boxes placed over the line as it has blanks: one to each blank, left to right,
        # wherever our measure of the line put them (another font, a converter's offsets)
        inserts = [(slot, x, n, t) for slot, (_a, x, n, t) in zip(slots, sorted(inserts, key=lambda i: i[1]))]
    elif slots:
        # a box measured into the middle of a word (党员 | 人数：) stands over the blank beside it
        inserts = [(_snap_to_slot(text, at, slots) if x else at, x, n, t) for at, x, n, t in inserts]
    out = text
    for at, _x, _n, inner in sorted(inserts, reverse=True):
        out = out[:at] + " " + inner + " " + out[at:]
    return out


# how far (in characters) a box measured into a word may be from the blank it stands over
SNAP_CHARS = 6


def _snap_to_slot(text: str, at: int, slots: list[int]) -> int:
    """`at`, or the nearest blank after a label's colon when `at` falls between two characters of
    a word, that blank within SNAP_CHARS."""
    inside = 0 < at < len(text) and not text[at - 1].isspace() and not text[at].isspace()
    if not inside:
        return at
    near = min(slots, key=lambda s: abs(s - at))
    return near if abs(near - at) <= SNAP_CHARS else at


def blank_slots(text: str) -> list[int]:
    """Where a value is to be written in a line: after each label's colon with nothing after it."""
    return [m.end() for m in _BLANK_SLOT.finditer(text)]


def fill_slots(texts: list[str], rows: list[list[str]]) -> list[str] | None:
    """`texts` (lines in reading order) with each row of values written into the blanks of the
    next line that waits for them (every label on it blank, as many blanks as values), or None
    when a row finds no such line (then the values were not typed over these blanks)."""
    out = list(texts)
    k = 0
    for row in rows:
        while k < len(out):
            slots = blank_slots(out[k])
            if slots and len(slots) == len(row) and len(slots) == len(_COLON.findall(out[k])):
                break
            k += 1
        if k == len(out):
            return None
        for at, value in sorted(zip(blank_slots(out[k]), row), reverse=True):
            out[k] = out[k][:at] + " " + value + " " + out[k][at:]
        k += 1
    return out


def font_size(p: etree._Element, default: float) -> float:
    """The paragraph's first run size in points (w:sz is in half points), else `default`."""
    sz = p.find(".//" + qn("w:rPr") + "/" + qn("w:sz"))
    if sz is not None:
        try:
            return int(sz.get(qn("w:val"), "0")) / 2 or default
        except ValueError:
            return default
    return default


def ordered(boxes: list[TextBox]) -> list[TextBox]:
    """Large boxes in the order a person reads them: top to bottom, then left to right."""
    return sorted(boxes, key=lambda b: (round(b.y / 6), b.x or 0.0))


def rows_of(boxes: list[TextBox], em: float) -> list[str | TextBox]:
    """Boxes in reading order, where one-line boxes standing side by side at the same height
    (a form drawn as positioned labels and values) are one line of text, tab between them."""
    out: list[str | TextBox] = []
    row: list[tuple[float, str]] = []
    row_y = 0.0

    def flush() -> None:
        if row:
            out.append("\t".join(t for _x, t in sorted(row)))
            row.clear()

    for b in ordered(boxes):
        text = b.one_line()
        if text is None:
            flush()
            out.append(b)
            continue
        if row and abs(b.y - row_y) > 0.6 * em:
            flush()
        if not row:
            row_y = b.y
        row.append((b.x or 0.0, text))
    flush()
    return out
