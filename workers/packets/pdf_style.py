"""Fonts and paragraph styles of the generated pages (reportlab).

Chinese text uses reportlab's CID font STSong-Light: the PDF names it and the
viewer supplies the glyphs, so nothing is embedded and no font file has to be
found on the machine.  (Poppler-based tools need the `poppler-data` package to
show it; Acrobat, Chrome and Firefox show it as is.)  Where a packet must carry
its own glyphs, `DOSSIER_PACKET_FONT` names a TrueType font (.ttf, or .ttc with
glyf outlines) to embed; one that cannot be loaded is logged and the CID font
used instead, so a wrong setting never stops a build.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

CID_FONT = "STSong-Light"
RED = colors.HexColor("#b3261e")
GREY = colors.HexColor("#666666")
RULE = colors.HexColor("#999999")
HEAD_BG = colors.HexColor("#eeeeee")


@lru_cache(maxsize=4)
def font_name(ttf_path: str = "") -> str:
    """The registered font to write Chinese with: the TrueType file when it loads, else STSong-Light."""
    if ttf_path:
        try:
            pdfmetrics.registerFont(TTFont("PacketFont", ttf_path, subfontIndex=0))
            return "PacketFont"
        except Exception as e:   # noqa: BLE001 - any font trouble falls back to the CID font
            log.warning("packet font %s could not be loaded (%s); using %s", ttf_path, e, CID_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


@dataclass(frozen=True)
class Styles:
    font: str
    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    corrected: ParagraphStyle     # a reviewer's value: red, so it stands out from the machine's
    note: ParagraphStyle


@lru_cache(maxsize=4)
def styles(ttf_path: str = "") -> Styles:
    font = font_name(ttf_path)

    def st(name: str, size: float, **kw: object) -> ParagraphStyle:
        # CJK wrapping breaks between any two characters, as Chinese text wraps
        kw.setdefault("leading", size * 1.45)
        return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap="CJK", **kw)  # type: ignore[arg-type]

    return Styles(
        font=font,
        title=st("title", 22, alignment=TA_CENTER, spaceAfter=18, leading=32),
        h1=st("h1", 15, spaceBefore=6, spaceAfter=8),
        h2=st("h2", 12, spaceBefore=8, spaceAfter=4),
        body=st("body", 10.5, spaceAfter=4),
        small=st("small", 8.5, textColor=GREY),
        cell=st("cell", 9),
        cell_head=st("cell_head", 9, textColor=colors.black),
        corrected=st("corrected", 9, textColor=RED),
        note=st("note", 10.5, textColor=RED, spaceAfter=4),
    )
