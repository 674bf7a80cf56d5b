"""Every PDF we generate, from a Jinja template (templates/*.html, one stylesheet) laid out by WeasyPrint.

WeasyPrint embeds each font it sets text with, subsetted to the glyphs on the
pages, so a viewer or archive tool with no Chinese font of its own still shows
every character (the reportlab pages before named the CID font STSong-Light
and left the glyphs to the viewer: poppler without `poppler-data` showed none).
Chinese is set in Noto Serif CJK SC, which fontconfig finds (Debian's
`fonts-noto-cjk`).  `DOSSIER_PACKET_FONT` may name a font file to use first; one
that cannot be loaded is logged by WeasyPrint and Noto used, so a wrong setting
never stops a build.

What it costs: WeasyPrint lays pages out in Python and keeps a CID font's glyph ids,
so each PDF carries about 140 KB of Noto, and a dossier's own seven pages took 3.8 to
4.1 s and 240 KB where reportlab's took 0.65 s and 15 KB (one process, a loaded
two-core machine; bench/bench_packets.py measures the build).  A copy of Noto
Serif CJK SC cut to GB2312 (fontTools, once, at image build) named by
DOSSIER_PACKET_FONT brings a one-page PDF from about 140 KB to 34 KB and halves
its time; rarer characters then fall back to the full Noto, still embedded.

Only `data:` and `file:` URLs are fetched (the font file): the pages show what
units and reviewers typed, always escaped, and nothing in them reaches the network.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, path2url

from .record import china_date, china_time

# WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when it is imported.
# In a worker that also reads uploads, a truncated scan would then be read as half a page
# instead of being refused as file.unreadable; the images our templates embed are ones the
# readers already opened whole, so nothing here needs it.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATES = Path(__file__).parent / "templates"


def fmt_number(v: float | None) -> str:
    """A score as people write it: 5, 2.5; nothing for no score."""
    return "" if v is None else f"{v:g}"


def lines(text: Any) -> Markup:
    """Plain text, escaped, its line breaks kept."""
    return Markup("<br>").join(escape(str(text if text is not None else "")).split("\n"))


def css_string(text: Any) -> Markup:
    """Any text as a CSS string literal: everything but letters, digits and CJK is an escape,
    so a unit's name never ends the string or the <style> it sits in."""
    out = []
    for ch in str(text):
        out.append(ch if ch.isalnum() or ch in " ·" else f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(lines=lines, css_string=css_string, num=fmt_number, china_date=china_date,
                       china_time=china_time)
    return env


_local = threading.local()


def font_config() -> FontConfiguration:
    """This thread's font configuration, made once: building one reads fontconfig's whole font
    list, about half of a one-page PDF's time (a message page 0.98 s → 0.42 s on a loaded
    machine).  One per thread: the API renders the 汇总表 in its thread pool, and a
    configuration is not shared across threads."""
    fc = getattr(_local, "font_config", None)
    if fc is None:
        fc = _local.font_config = FontConfiguration()
    return fc


def render(template: str, *, doc_title: str, footer: str = "", font_path: str = "",
           **context: Any) -> Document:
    """Lay out one template as pages (WeasyPrint's document model: pages, anchors, bookmarks)."""
    font_url = path2url(str(Path(font_path).resolve())) if font_path else ""
    html = environment().get_template(template).render(doc_title=doc_title, footer=footer, font_url=font_url,
                                                       **context)
    fetcher = URLFetcher(allowed_protocols={"data", "file"})
    return HTML(string=html, base_url=str(TEMPLATES), url_fetcher=fetcher).render(font_config=font_config())


def pdf_bytes(document: Document) -> bytes:
    pdf = document.write_pdf()
    assert pdf is not None
    return pdf


def anchor_pages(document: Document, anchors: Iterable[str]) -> dict[str, int]:
    """The page index each element id first appears on (those not laid out are left out)."""
    wanted = set(anchors)
    found: dict[str, int] = {}
    for i, page in enumerate(document.pages):
        for name in page.anchors:
            if name in wanted and name not in found:
                found[name] = i
    return found

