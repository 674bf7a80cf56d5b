"""`.docx` → the common model, from the main document's XML (docx_package).

Tables keep their grid: `gridSpan` widens a cell, `vMerge="continue"` makes
the cell above taller, `gridBefore` shifts a row.  Pictures (DrawingML inline
or anchored, VML) are attached to the paragraph or cell whose XML holds them:
Word anchors a floating seal in the paragraph it was dropped on, which is the
盖章 line it covers.  Pages are counted from explicit breaks (page breaks,
`pageBreakBefore`, next-page section breaks): Word lays out the rest itself.
"""
from __future__ import annotations

from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from dossier.settings import Settings

from ..model import Cell, Document, Paragraph, Picture, Table
from ..readers import Measure, ReadContext, ReaderSpec
from .docx_boxes import (box_paragraph_text, fill_slots, font_size, merge_small, plain_text, rows_of,
                         split_paragraph)
from .docx_package import inflated_size, open_package

_W_P, _W_TBL, _W_TR, _W_TC, _W_SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_PICTURE_TAGS = (qn("w:drawing"), qn("w:pict"), qn("w:object"))


_W_DRAWING, _WP_ANCHOR = qn("w:drawing"), qn("wp:anchor")


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# what a drawing holds that may be a seal: an image, or a drawn circle (a 公章 made of an ellipse
# and curved WordArt); a text box, a frame, a rule or a rectangle is none
_IMAGE_NAMES = frozenset({"blip", "imagedata", "oval"})


def _drawn_kind(d: etree._Element) -> str:
    for e in d.iter():
        name = etree.QName(e).localname if isinstance(e.tag, str) else ""
        if name in _IMAGE_NAMES or (name == "prstGeom" and e.get("prst") == "ellipse") \
                or (name == "shape" and "ellipse" in (e.get("type") or "").lower()):
            return "picture"
    # VML's own picture shape (v:shape type=#_x0000_t75) holds its image in v:imagedata, seen above
    return "shape"


def _pictures(el: etree._Element, page: int) -> list[Picture]:
    out = []
    for d in el.iter(_PICTURE_TAGS):
        # a drawing's VML fallback is the same drawing again, for older readers
        if any(a.tag == _MC_FALLBACK for a in d.iterancestors()):
            continue
        placement = "anchor" if d.tag == _W_DRAWING and len(d) and d[0].tag == _WP_ANCHOR else "inline"
        kind = "picture" if d.tag == qn("w:object") else _drawn_kind(d)
        out.append(Picture(page=page, kind=kind, placement=placement))
    return out


_CUSTOM_XML = qn("w:customXml")
_WRAPPERS = (qn("w:sdt"), qn("w:sdtContent"), _CUSTOM_XML)


def _children(el: etree._Element, tag: str):
    """`el`'s children with this tag, looking through content controls and custom XML that
    wrap them (a repeating section wraps table rows, a control may wrap a cell)."""
    for child in el.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _layout_cell(tbl: etree._Element) -> etree._Element | None:
    """The only cell of a one-cell table that holds a table of its own, else None."""
    rows = list(_children(tbl, _W_TR))
    cells = list(_children(rows[0], _W_TC)) if len(rows) == 1 else []
    if len(cells) == 1 and cells[0].find(_W_TBL) is not None:
        return cells[0]
    return None


_W_PPR, _W_PAGE_BREAK_BEFORE = qn("w:pPr"), qn("w:pageBreakBefore")


def _breaks_before(p: etree._Element) -> bool:
    ppr = p.find(_W_PPR)
    return ppr is not None and ppr.find(_W_PAGE_BREAK_BEFORE) is not None


_W_BR, _W_TYPE, _W_SECT, _W_VAL = qn("w:br"), qn("w:type"), qn("w:sectPr"), qn("w:val")


def _page_breaks_in(p: etree._Element) -> int:
    n = sum(1 for br in p.iter(_W_BR) if br.get(_W_TYPE) == "page")
    ppr = p.find(_W_PPR)
    if ppr is not None:
        sect = ppr.find(_W_SECT)
        if sect is not None:
            t = sect.find(_W_TYPE)
            if t is None or t.get(_W_VAL) in ("nextPage", "oddPage", "evenPage"):
                n += 1
    return n


def _para_text(p: etree._Element) -> str:
    text = plain_text(p)
    return box_paragraph_text(p) if text is None else text


def _left_margin(body: etree._Element) -> float:
    """The page's left margin in points (from the last section), for boxes placed from the page edge."""
    sect = body.find(qn("w:sectPr"))
    mar = sect.find(qn("w:pgMar")) if sect is not None else None
    try:
        return int(mar.get(qn("w:left"), "1800")) / 20 if mar is not None else 90.0
    except ValueError:
        return 90.0


class _Walker:
    def __init__(self, left_margin: float = 90.0, em: float = 10.5,
                 notes: dict[tuple[str, str], str] | None = None) -> None:
        self.page = 1
        self.notes = notes or {}
        # one-line boxes placed away from their anchor: (anchor block, y, x, text), in order
        self.floating: list[tuple[int, float, float, str]] = []
        self.blocks: list = []
        self.left_margin = left_margin
        self.em = em
        self.source = "body"

    def body(self, parent: etree._Element) -> None:
        for el in parent.iterchildren():
            if el.tag == _W_P:
                self.paragraph(el)
            elif el.tag == _W_TBL:
                box = _layout_cell(el)
                if box is not None:
                    # a table of one cell is a box drawn around what it holds (a form, a sheet)
                    self.body(box)
                else:
                    self.blocks.append(self.table(el))
            elif el.tag == _W_SDT:
                content = el.find(qn("w:sdtContent"))
                if content is not None:
                    self.body(content)
            elif el.tag == _CUSTOM_XML:
                self.body(el)

    def paragraph(self, p: etree._Element) -> None:
        if _breaks_before(p):
            self.page += 1
        pics = _pictures(p, self.page)
        plain = plain_text(p)
        if plain is not None:
            # text before a page break belongs to the page it is on; the rest follows it
            self.blocks.append(Paragraph(text=plain, page=self.page, pictures=pics, source=self.source))
            self.note_texts(p)
            self.page += _page_breaks_in(p)
            return
        text, boxes = split_paragraph(p)
        em = font_size(p, self.em)
        small = [b for b in boxes if b.in_line(em)]
        text = merge_small(text, small, em, self.left_margin)
        self.blocks.append(Paragraph(text=text, page=self.page, pictures=pics,
                                     source="textbox" if small else self.source))
        # a large box (a form in a frame) is read as blocks of its own, where it stands; boxes of
        # one line side by side at one height are one line (a form drawn as positioned boxes)
        outer = self.source
        self.source = "textbox"
        anchor = len(self.blocks) - 1
        placed = [b for b in boxes if b not in small]
        self.floating += [(anchor, b.y, b.x or 0.0, t) for b in placed if (t := b.one_line()) is not None]
        for item in rows_of(placed, em):
            if isinstance(item, str):
                self.blocks.append(Paragraph(text=item, page=self.page, source="floating"))
            else:
                self.body(item.content)
        self.source = outer
        self.note_texts(p)
        self.page += _page_breaks_in(p)

    def fill_blanks(self) -> None:
        """Values typed in boxes placed over a form's blanks (党组织名称：[box]) away from their
        anchor: each row of such boxes (top to bottom, one height) is read into the next line
        below their anchor whose labels all wait blank, as many as the row's boxes; when any
        row finds none, the boxes stay lines of their own."""
        if len(self.floating) < 2:
            return
        anchor = min(a for a, _y, _x, _t in self.floating)
        rows: list[list[tuple[float, str]]] = []
        last_y = None
        for _a, y, x, text in sorted(self.floating):
            if last_y is None or abs(y - last_y) > 0.6 * self.em:
                rows.append([])
            rows[-1].append((x, text))
            last_y = y
        lines = [b for i, b in enumerate(self.blocks)
                 if i >= anchor and isinstance(b, Paragraph) and b.source == "body"]
        filled = fill_slots([b.text for b in lines], [[t for _x, t in sorted(r)] for r in rows])
        if filled is None:
            return
        for b, text in zip(lines, filled):
            if text != b.text:
                b.text, b.source = text, "textbox"
        self.blocks = [b for b in self.blocks if not (isinstance(b, Paragraph) and b.source == "floating")]

    def note_texts(self, p: etree._Element) -> None:
        """The footnotes and endnotes this paragraph refers to, after it: Word's 字数 counts them
        with the text (a note on a form's cell stays out of the cell's value)."""
        if not self.notes:
            return
        for kind in ("footnote", "endnote"):
            for ref in p.iter(qn(f"w:{kind}Reference")):
                text = self.notes.get((kind, ref.get(qn("w:id"), "")))
                if text:
                    self.blocks.append(Paragraph(text=text, page=self.page, source=kind))

    def table(self, tbl: etree._Element) -> Table:
        start_page = self.page
        cells: list[Cell] = []
        # (row, col) -> cell, for vertical merges
        grid: dict[tuple[int, int], Cell] = {}
        for r, tr in enumerate(_children(tbl, _W_TR)):
            col = 0
            trpr = tr.find(qn("w:trPr"))
            if trpr is not None:
                gb = trpr.find(qn("w:gridBefore"))
                if gb is not None:
                    col = int(gb.get(qn("w:val"), "0") or 0)
            for tc in _children(tr, _W_TC):
                tcpr = tc.find(qn("w:tcPr"))
                span, vmerge = 1, None
                if tcpr is not None:
                    gs = tcpr.find(qn("w:gridSpan"))
                    if gs is not None:
                        span = max(1, int(gs.get(qn("w:val"), "1") or 1))
                    vm = tcpr.find(qn("w:vMerge"))
                    if vm is not None:
                        vmerge = vm.get(qn("w:val"), "continue")
                nested: list[Table] = []
                paras, pics = self.cell_content(tc, nested)
                # pictures of a nested table belong to its cells, and to this cell as well
                pics += [p for t in nested for c in t.cells for p in c.pictures]
                above = grid.get((r - 1, col))
                if vmerge == "continue" and above is not None:
                    above.rowspan = r - above.row + 1
                    above.paragraphs.extend(p for p in paras if p.strip())
                    above.pictures.extend(pics)
                    above.tables.extend(nested)
                    for k in range(span):
                        grid[(r, col + k)] = above
                else:
                    cell = Cell(row=r, col=col, colspan=span, paragraphs=paras, page=self.page,
                                pictures=pics, tables=nested)
                    cells.append(cell)
                    for k in range(span):
                        grid[(r, col + k)] = cell
                col += span
        return Table(cells=cells, page=start_page)

    def cell_content(self, tc: etree._Element, nested: list[Table] | None = None
                     ) -> tuple[list[str], list[Picture]]:
        paras: list[str] = []
        pics: list[Picture] = []
        for el in tc.iterchildren():
            if el.tag == _W_P:
                paras.append(_para_text(el))
                pics.extend(_pictures(el, self.page))
                self.page += _page_breaks_in(el)
            elif el.tag == _W_TBL:
                # a nested table: its text row by row inside this cell, and its grid kept beside
                # (a 联络人 cell holding 姓名|职务|电话 over the values is read by its sub-labels)
                for tr in _children(el, _W_TR):
                    texts = []
                    for inner in _children(tr, _W_TC):
                        texts.append("".join(_para_text(p) for p in inner.iter(_W_P)))
                    paras.append("  ".join(t for t in texts if t))
                if nested is not None:
                    page = self.page
                    nested.append(self.table(el))
                    self.page = page
                else:
                    for inner in el.iter(_W_TC):
                        pics.extend(_pictures(inner, self.page))
            elif el.tag == _W_SDT:
                for p in el.iter(_W_P):
                    paras.append(_para_text(p))
                    pics.extend(_pictures(p, self.page))
        return paras, pics


def read_docx(path: Path, ctx: ReadContext) -> Document:
    """Read a .docx into the common model."""
    package = open_package(path)
    w = _Walker(_left_margin(package.body), package.default_font_size, package.notes)
    w.body(package.body)
    w.fill_blanks()
    # a trailing break with nothing after it does not make a page
    pages = max([b.page for b in w.blocks if not isinstance(b, Paragraph) or b.text.strip()] or [1])
    return Document(blocks=w.blocks, pages=pages, method="docx", media_type=ctx.format)


def measure_docx(path: Path, settings: Settings) -> Measure:
    """A .docx declares its inflated size; its pages are known once read (explicit breaks)."""
    return Measure(inflated_bytes=inflated_size(path))


READS = ReaderSpec(formats=("docx",), read=read_docx, measure=measure_docx)
