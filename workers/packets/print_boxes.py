"""Where each value read from a Word original lies on its print: the boxes the desk draws.

A Word file is read without geometry (its values come from the document's XML), so its
values have no box.  Its print does have geometry: LibreOffice's PDF carries a text layer.
Each extracted value is looked for in that text layer (pdfplumber's characters, in the
order the PDF draws them, which keeps a value that wraps inside a table cell together),
and where it is found its box is kept in PDF points with the page's size:

    {"version": 1, "pages": [{"page": 1, "width": 612, "height": 792}],
     "fields": {"unit_name": {"page": 1, "box": [x0, top, x1, bottom]}}}

The boxes are a derived object beside the print (`{sha256}/print-boxes.json`), so the
file's contract JSON (its row's `result`) stays as the contract says.  A value found
several times is taken where it follows its label (right of it or below it), as a person
reads a form; a value that cannot be placed with confidence gets no box: no box is better
than a box on the wrong words.
"""
from __future__ import annotations

import io
import json
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from storage.models import StoredFile
from storage.objects import ObjectNotFound, ObjectStore, derived_key

VERSION = 1
PREFIX_CHARS = 12        # a long value is looked for by its start; the rest only extends the box
SHORT_CHARS = 2          # a value shorter than this (男, 5) is placed only beside its label
LABEL_REACH = 200.0      # points: how far from its label a short value may lie
_TOL = 2.0               # points: glyph edges that touch count as right of / below

Box = tuple[float, float, float, float]      # x0, top, x1, bottom in PDF points, top-left origin


@dataclass
class PageText:
    """One printed page's text, normalised, with one glyph box per character of `text`."""
    page: int
    width: float
    height: float
    text: str = ""
    glyphs: list[Box] = field(default_factory=list)


def normalise(text: str) -> str:
    """Full-width forms folded (NFKC: （ → (, ２ → 2) and every whitespace removed, as the values
    are normalised: Word's line breaks and spacing inside a cell are not part of a value."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def page_texts(pdf: bytes) -> list[PageText]:
    """The text layer of every page of a print (pdfplumber's characters in drawing order)."""
    import pdfplumber   # loaded only on the packets worker, where prints are made

    pages: list[PageText] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for n, p in enumerate(doc.pages, start=1):
            pt = PageText(page=n, width=float(p.width), height=float(p.height))
            for c in p.chars:
                norm = normalise(str(c.get("text") or ""))
                box = (float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"]))
                pt.text += norm
                pt.glyphs.extend([box] * len(norm))     # NFKC may widen one glyph: each part keeps its box
            pages.append(pt)
    return pages


def _union(boxes: Iterable[Box]) -> Box:
    xs0, ys0, xs1, ys1 = zip(*boxes)
    return min(xs0), min(ys0), max(xs1), max(ys1)


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _occurrences(page: PageText, needle: str) -> list[tuple[int, int]]:
    """(start, end) of each place the needle is on the page; an ASCII number or word must stand
    alone (31 is not the 31 inside a phone number 0731…)."""
    found, at = [], page.text.find(needle)
    while at >= 0:
        end = at + len(needle)
        before = page.text[at - 1] if at > 0 else ""
        after = page.text[end] if end < len(page.text) else ""
        if not ((_alnum(needle[0]) and _alnum(before)) or (_alnum(needle[-1]) and _alnum(after))):
            found.append((at, end))
        at = page.text.find(needle, at + 1)
    return found


def _extend(page: PageText, start: int, end: int, whole: str) -> int:
    """A long value found by its start: the box goes on while the print goes on as the value does."""
    n = end - start
    while n < len(whole) and end < len(page.text) and page.text[end] == whole[n]:
        end, n = end + 1, n + 1
    return end


def _after_label(label: Box, value: Box) -> tuple[float, float]:
    """How far a value lies after its label, in points: right of it on its line, or below it;
    infinite when it lies before (left of it on its line, or above it).  Second, how far its top
    is from the label's: a tall label (a column of characters) has many lines beside it, and the
    value starts on the first."""
    lx0, ltop, lx1, lbottom = label
    vx0, vtop, _, vbottom = value
    dy = abs(vtop - ltop)
    same_line = min(lbottom, vbottom) - max(ltop, vtop) > 0.5 * min(lbottom - ltop, vbottom - vtop)
    if same_line:
        return (max(0.0, vx0 - lx1) if vx0 >= lx1 - _TOL else math.inf), dy
    if vtop >= lbottom - _TOL:
        return math.hypot(max(0.0, vx0 - lx1), vtop - lbottom), dy
    return math.inf, dy


def _label_boxes(page: PageText, labels: Iterable[str]) -> list[Box]:
    boxes = []
    for label in {normalise(lb) for lb in labels if normalise(lb)}:
        for start, end in _occurrences(page, label):
            boxes.append(_union(page.glyphs[start:end]))
    return boxes


def locate(pages: list[PageText], text: str, labels: Iterable[str] = ()) -> dict[str, Any] | None:
    """Where one value lies on the print: {page, box}, or None when it is not there or cannot be
    told from its other occurrences."""
    whole = normalise(text)
    if not whole:
        return None
    needle = whole[:PREFIX_CHARS]
    labels = tuple(labels)
    hits: list[tuple[tuple[float, float], int, Box]] = []   # (how far after its label, page, box)
    for page in pages:
        spots = _occurrences(page, needle)
        if not spots:
            continue
        label_boxes = _label_boxes(page, labels)
        for start, end in spots:
            box = _union(page.glyphs[start:_extend(page, start, end, whole)])
            near = min((_after_label(lb, box) for lb in label_boxes), default=(math.inf, math.inf))
            hits.append((near, page.page, box))
    if len(needle) < SHORT_CHARS:      # one character is everywhere: only right beside its label
        hits = [h for h in hits if h[0][0] <= LABEL_REACH]
    if len(hits) > 1:                  # several: the one that follows its label, if one does
        placed = sorted((h for h in hits if math.isfinite(h[0][0])), key=lambda h: h[0])
        if not placed or (len(placed) > 1 and placed[0][0] == placed[1][0]):
            return None
        hits = placed[:1]
    if not hits:
        return None
    _, page_no, box = hits[0]
    x0, top, x1, bottom = box       # rounded outward: the box holds every glyph it was made of
    return {"page": page_no, "box": [math.floor(x0 * 100) / 100, math.floor(top * 100) / 100,
                                     math.ceil(x1 * 100) / 100, math.ceil(bottom * 100) / 100]}


def _texts(fv: Any) -> list[str]:
    """What to look for: the value as read, then the words as written (a date's 2017年4月20日
    is normalised to 2017-04-20, which the print does not show)."""
    if isinstance(fv, Mapping):
        out = [fv.get("value"), fv.get("raw")]
    else:
        out = [fv]
    return [str(v) for v in out if v is not None and not isinstance(v, (bool, dict, list)) and str(v).strip()]


def find_boxes(pages: list[PageText], result: Mapping[str, Any] | None,
               labels: Callable[[str], Iterable[str]]) -> dict[str, Any]:
    """The boxes of every value of a file's result that its print shows, as stored (module doc)."""
    fields: dict[str, Any] = {}
    for doc in (result or {}).get("documents") or []:
        for key, fv in (doc.get("fields") or {}).items():
            if key in fields:
                continue
            for text in _texts(fv):
                hit = locate(pages, text, labels(key))
                if hit is not None:
                    fields[key] = hit
                    break
    return {"version": VERSION,
            "pages": [{"page": p.page, "width": round(p.width, 2), "height": round(p.height, 2)} for p in pages],
            "fields": fields}


def campaign_labels(campaign: Any) -> Callable[[str], tuple[str, ...]]:
    """A field's labels on the form (and its whole cell's, for a part such as lead.phone)."""
    def labels(key: str) -> tuple[str, ...]:
        out: tuple[str, ...] = ()
        for d in getattr(campaign, "documents", ()):
            for f in d.fields:
                if f.key == key:
                    out += f.labels
                for part in f.parts:
                    if part.key == key:
                        out += part.labels + f.labels
        return out
    return labels


def print_boxes_key(row: StoredFile) -> str:
    """Beside the print (workers/packets/dossier_pdf.printed_key), under the original's sha256."""
    return derived_key(row.submission_id, f"{row.sha256}/print-boxes.json")


def record(store: ObjectStore, row: StoredFile, pdf: bytes, labels: Callable[[str], Iterable[str]]) -> dict[str, Any]:
    """Find the boxes of a row's values on its print and keep them beside it."""
    boxes = find_boxes(page_texts(pdf), row.result, labels)
    store.put_bytes(print_boxes_key(row), json.dumps(boxes, ensure_ascii=False).encode(),
                    content_type="application/json")
    return boxes


def read(store: ObjectStore, row: StoredFile) -> dict[str, Any] | None:
    """The kept boxes of a Word original's print, or None when there are none (yet)."""
    try:
        data = json.loads(store.get(print_boxes_key(row)))
    except (ObjectNotFound, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == VERSION else None
