"""The original page as the reviewer sees it: the rendered page image of a scan with a box
around every value read from it and every seal found on it.

The extract result carries `page_images: [{page, width, height, key}]` and, at top
level, `seals: [{page, box, kind, confidence}]`; fields carry `page` and `box`.
Boxes are in the page image's pixels, so each becomes percentages of that image:
the desk draws absolutely positioned divs that scale with the image at any width.
A Word original's pages are its print's (page_images.printed_views): its values' boxes
are kept beside the print in PDF points with each page's size (workers/packets/print_boxes),
and become the same percentages, the same overlays tied to the same field rows.
Nothing here touches the store or the database; the keys never leave the server
(the page is fetched by file id and page number through an access-checked route).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
SEAL_LABELS = {"seal": "印章", "seal.round": "圆形印章", "seal.oval": "椭圆印章", "seal.square": "方形印章"}


@dataclass
class Overlay:
    kind: str          # "field" | "seal"
    label: str         # the field's label on the form, or 印章
    left: float        # percentages of the page image
    top: float
    width: float
    height: float
    key: str = ""      # the field key, so the desk can tie the box to its row
    low_confidence: bool = False


@dataclass
class PageView:
    file_id: str
    page: int
    width: int
    height: int
    overlays: list[Overlay] = field(default_factory=list)
    printed: bool = False      # a Word original's print: the page as LibreOffice prints it


def media_type(key: str) -> str:
    """The image type of a derived page, by its key's extension (rendered pages are PNG by default)."""
    ext = key.rsplit(".", 1)[-1].lower() if "." in key.rsplit("/", 1)[-1] else ""
    return MEDIA_TYPES.get(ext, "image/png")


def page_key(result: Mapping[str, Any] | None, page: int) -> str | None:
    """The object key of one rendered page of a file's result, or None when it has none."""
    for p in (result or {}).get("page_images") or []:
        if int(p.get("page") or 0) == page and p.get("key"):
            return str(p["key"])
    return None


def _overlay(box: Any, width: float, height: float, **kw: Any) -> Overlay | None:
    """Percent box clipped to the page; None for a box that is malformed or lies off the page."""
    try:
        x0, y0, x1, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        return None
    x0, x1 = sorted((max(0.0, min(x0, width)), max(0.0, min(x1, width))))
    y0, y1 = sorted((max(0.0, min(y0, height)), max(0.0, min(y1, height))))
    if x1 - x0 <= 0 or y1 - y0 <= 0:
        return None
    return Overlay(left=round(100 * x0 / width, 3), top=round(100 * y0 / height, 3),
                   width=round(100 * (x1 - x0) / width, 3), height=round(100 * (y1 - y0) / height, 3), **kw)


def page_views(file_id: str, result: Mapping[str, Any] | None, *, label: Callable[[str], str],
               low_confidence: float) -> list[PageView]:
    """One view per rendered page of a file, with the boxes of the fields and seals on it."""
    result = result or {}
    views: dict[int, PageView] = {}
    for p in result.get("page_images") or []:
        try:
            page, width, height = int(p["page"]), int(p["width"]), int(p["height"])
        except (KeyError, TypeError, ValueError):
            continue
        if p.get("key") and width > 0 and height > 0:
            views[page] = PageView(file_id=file_id, page=page, width=width, height=height)
    for doc in result.get("documents") or []:
        for key, fv in (doc.get("fields") or {}).items():
            if not isinstance(fv, dict) or fv.get("box") is None:
                continue
            view = views.get(int(fv.get("page") or 1))
            if view is None:
                continue
            conf = float(fv.get("confidence", 1.0) or 0.0)
            o = _overlay(fv["box"], view.width, view.height, kind="field", label=label(key), key=key,
                         low_confidence=conf < low_confidence)
            if o is not None:
                view.overlays.append(o)
    for seal in result.get("seals") or []:
        view = views.get(int(seal.get("page") or 1))
        if view is None:
            continue
        o = _overlay(seal.get("box"), view.width, view.height, kind="seal",
                     label=SEAL_LABELS.get(str(seal.get("kind")), "印章"))
        if o is not None:
            view.overlays.append(o)
    return [views[p] for p in sorted(views)]


def add_print_boxes(views: list[PageView], boxes: Mapping[str, Any] | None, *,
                    label: Callable[[str], str]) -> list[PageView]:
    """The boxes of a Word original's values on the pages of its print (no seals: a Word seal is
    a picture, not read); a box whose page the print no longer has is left out."""
    boxes = boxes or {}
    sizes: dict[int, tuple[float, float]] = {}
    for p in boxes.get("pages") or []:
        try:
            sizes[int(p["page"])] = (float(p["width"]), float(p["height"]))
        except (KeyError, TypeError, ValueError):
            continue
    by_page = {v.page: v for v in views}
    for key, fb in (boxes.get("fields") or {}).items():
        try:
            page = int(fb.get("page") or 0)
        except (AttributeError, TypeError, ValueError):
            continue
        view, size = by_page.get(page), sizes.get(page)
        if view is None or size is None or min(size) <= 0:
            continue
        # percentages of the page the box was measured on: the view's size is the print's too
        o = _overlay(fb.get("box"), size[0], size[1], kind="field", label=label(key), key=key)
        if o is not None:
            view.overlays.append(o)
    return views
