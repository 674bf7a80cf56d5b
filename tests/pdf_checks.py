"""What a PDF we generate must be: every font it sets text with carried inside it, so that a viewer
or archive tool with no Chinese font of its own still shows the Chinese."""
from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _embedded(font: DictionaryObject) -> bool:
    # a Type0 (composite) font keeps its glyphs in its descendant CIDFont's descriptor
    if font.get("/Subtype") == "/Type0":
        return all(_embedded(d.get_object()) for d in font["/DescendantFonts"])
    if font.get("/Subtype") == "/Type3":
        return True          # glyphs drawn by the PDF's own content streams
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor.get_object() for k in FONT_FILES)


def _fonts(resources: Any, seen: set[int]) -> Iterable[tuple[str, DictionaryObject]]:
    if resources is None:
        return
    resources = resources.get_object()
    for name, ref in (resources.get("/Font") or {}).items():
        font = ref.get_object()
        yield str(font.get("/BaseFont", name)), font
    # text may also sit in form XObjects with resources of their own
    for ref in (resources.get("/XObject") or {}).values():
        xobject = ref.get_object()
        if id(xobject) not in seen and xobject.get("/Subtype") == "/Form":
            seen.add(id(xobject))
            yield from _fonts(xobject.get("/Resources"), seen)


def fonts(pdf: bytes, pages: range | None = None) -> dict[str, bool]:
    """Each font the pages use, by its PostScript name: whether its glyphs are in the file."""
    reader = PdfReader(io.BytesIO(pdf))
    out: dict[str, bool] = {}
    seen: set[int] = set()
    for i in pages if pages is not None else range(len(reader.pages)):
        for name, font in _fonts(reader.pages[i].get("/Resources"), seen):
            out[name] = out.get(name, True) and _embedded(font)
    return out


def not_embedded(pdf: bytes, pages: range | None = None) -> list[str]:
    """The fonts the pages name but leave to the viewer (STSong-Light, Helvetica, …)."""
    return sorted(name for name, inside in fonts(pdf, pages).items() if not inside)
