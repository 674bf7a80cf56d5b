"""Page furniture: running headers, footers and page numbers.

They are printed on the page but are no part of the material, so they must
never reach a narrative or a 字数 count (contract, “Counting 字”).  Word keeps
them apart from the body, but a PDF print, a scan or a photo has them as
ordinary lines at the top and bottom of every page.

`drop_page_furniture(doc)` removes, from the document's free paragraphs:
- page numbers anywhere (第 1 页 共 3 页, 第1页, - 2 -, 1/3, Page 2 of 3), and a
  bare number that is the first or last line of a page;
- a line that stands at the same edge (top or bottom) of two or more pages
  with the same text once its page number is taken out (a running header or
  footer: 某某局机关党支部 · 第 2 页).

A paragraph a reader took from a header or footer part (`source` "header" or
"footer") goes whatever it says.  Table cells are left alone: a form's own cells
are never furniture.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..extract.model import Document, Paragraph
from .normalise import nfkc

# 一 too: OCR reads a printed “— 2 —” as 一2一
_DASH = "-—–‐‑‒―─﹣−一"
# a page number as it is printed, alone or inside a header/footer line
_N = r"(?:\d+|[一二三四五六七八九十]+)"
_PAGE_TOKEN = re.compile(
    rf"第\s*{_N}\s*页(?:\s*[,，/、]?\s*共\s*{_N}\s*页)?"
    rf"|共\s*{_N}\s*页(?:\s*[,，/、]?\s*第\s*{_N}\s*页)?"
    rf"|[{_DASH}]\s*\d+\s*[{_DASH}]"
    rf"|(?<![\d/])\d{{1,3}}\s*/\s*\d{{1,3}}(?![\d/])"
    rf"|\bpage\s*\d+(?:\s*of\s*\d+)?\b",
    re.IGNORECASE)
_BARE_NUMBER = re.compile(r"\d{1,3}")
_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# a running header or footer is a short line
MAX_FURNITURE_CHARS = 60
# the band at the top and bottom of a page where headers and footers sit (share of its height)
EDGE_BAND = 0.1
# two header lines this alike are one header read twice (OCR misreads a character or two)
SAME_LINE = 0.85
# a reader that reads a page's header or footer part marks its paragraphs with one of these
FURNITURE_SOURCES = frozenset({"header", "footer"})


def _flat(text: str) -> str:
    return _SPACE.sub("", nfkc(text))


def is_page_number(text: str) -> bool:
    """Whether `text` is only a page number: 第 1 页 共 3 页, - 2 -, 第1页, 1/3, Page 2 of 3."""
    flat = _flat(text)
    return bool(flat) and not _PAGE_TOKEN.sub(_page_or_not, flat).strip("·|｜.,，")


def _page_or_not(m: re.Match[str]) -> str:
    """A page token taken out, but n/m only where page n of m can be: 1988/11 (入党时间) and 12/3
    are dates, not pages."""
    parts = m.group().split("/")
    if len(parts) == 2 and parts[0].strip().isdigit() and parts[1].strip().isdigit():
        n, of = int(parts[0]), int(parts[1])
        if not 1 <= n <= of:
            return m.group()
    return ""


def furniture_key(text: str) -> str:
    """The text of a header or footer line without its page number, for comparing pages."""
    return _PAGE_TOKEN.sub("#", _flat(text))


@dataclass
class _Edge:
    block: int
    page: int
    side: str          # "top" | "bottom"
    key: str


def _paragraph_lines(p: Paragraph) -> list[str]:
    return [ln for ln in p.text.split("\n") if ln.strip()]


def _in_band(doc: Document, p: Paragraph) -> str | None:
    """`top` or `bottom` when the paragraph lies in that band of its page (known geometry)."""
    size = doc.page_sizes.get(p.page)
    if p.box is None or not size:
        return None
    height = size[1]
    if p.box.y1 <= height * EDGE_BAND:
        return "top"
    if p.box.y0 >= height * (1 - EDGE_BAND):
        return "bottom"
    return None


def _edges(doc: Document) -> list[_Edge]:
    """The paragraphs that open or close a page (by order, or by lying in its edge band)."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for i, b in enumerate(doc.blocks):
        first.setdefault(b.page, i)
        last[b.page] = i
    out = []
    for i, b in enumerate(doc.blocks):
        if not isinstance(b, Paragraph) or not b.text.strip():
            continue
        side = _in_band(doc, b) or ("top" if first.get(b.page) == i else
                                    "bottom" if last.get(b.page) == i else None)
        if side is not None:
            out.append(_Edge(i, b.page, side, furniture_key(b.text)))
    return out


def _strip_line(p: Paragraph, is_furniture) -> bool:
    """Drop the furniture lines of a paragraph; True when nothing of it is left."""
    lines = _paragraph_lines(p)
    kept = [ln for ln in lines if not is_furniture(ln)]
    if len(kept) != len(lines):
        p.text = "\n".join(kept)
    # a reader that joined a footer to the last wrapped line keeps it as the last Line
    while p.lines and is_furniture(p.lines[-1].text) and p.text.rstrip().endswith(p.lines[-1].text.strip()):
        p.text = p.text.rstrip()[:-len(p.lines[-1].text.strip())].rstrip()
        p.lines.pop()
    p.lines = [ln for ln in p.lines if not is_furniture(ln.text)]
    return not p.text.strip()


def _alike(a: str, b: str) -> bool:
    """The same header or footer line, allowing for a character or two misread on a scan."""
    if a == b:
        return True
    if min(len(a), len(b)) < 6:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= SAME_LINE


def _running(edges: list[_Edge]) -> list[_Edge]:
    """The edge lines that stand, alike, at the same edge of two or more pages."""
    candidates = [e for e in edges if 0 < len(e.key) <= MAX_FURNITURE_CHARS]
    out = []
    for e in candidates:
        pages = {o.page for o in candidates if o.side == e.side and _alike(o.key, e.key)}
        if len(pages) >= 2:
            out.append(e)
    return out


def drop_page_furniture(doc: Document) -> Document:
    """Remove running headers, footers and page numbers from `doc`'s paragraphs, in place.

    Returns `doc`, so it can be used inline: `locate(drop_page_furniture(doc), campaign)`."""
    edges = _edges(doc)
    edge_blocks = {e.block for e in edges}
    furniture_blocks = {e.block for e in _running(edges)}

    drop: set[int] = set()
    for i, b in enumerate(doc.blocks):
        if not isinstance(b, Paragraph):
            continue
        if i in furniture_blocks or b.source in FURNITURE_SOURCES:
            drop.add(i)
            continue
        # a bare number is a page number only as a whole paragraph opening or closing a page
        if i in edge_blocks and _BARE_NUMBER.fullmatch(_flat(b.text)):
            drop.add(i)
            continue
        had_text = bool(b.text.strip())
        if _strip_line(b, is_page_number) and had_text:
            drop.add(i)
    if drop:
        doc.blocks = [b for i, b in enumerate(doc.blocks) if i not in drop]
    return doc
