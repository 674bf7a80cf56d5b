"""An original as PDF pages to append: one converter per kind of file, chosen by sniffed format.

PDF pages go in as they are; images become pages; Word files (.docx, .doc,
.wps, .rtf) are printed to PDF by LibreOffice (workers/extract/convert.py: a
time limit and a throw-away profile).  What cannot be turned into pages comes
back as `Appended(pdf=None, note=…)`: the dossier then says so on a page of its
own and attaches the original itself to the PDF.  Originals are only read.
"""
from __future__ import annotations

import base64
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps
from pypdf import PdfReader

from dossier.settings import Settings
from workers.extract.convert import WORD_FORMATS, ConvertError, convert_to_pdf

from .pdf_style import pdf_bytes, render

log = logging.getLogger(__name__)

IMAGE_FORMATS = frozenset({"jpeg", "png", "tiff", "heic", "bmp", "webp"})
# an image page is drawn at most this many pixels on its long side: plenty for A4 at 200 dpi
IMAGE_LONG_SIDE = 2400
A4_PT = (595.28, 841.89)
IMAGE_MARGIN_PT = 24


@dataclass
class Appended:
    pdf: bytes | None          # the pages to append; None: nothing could be made
    how: str                   # 原PDF / 图片 / 已转换为PDF / 无法转换 (for the list of originals)
    note: str = ""             # why not, in Chinese, for the page that says so
    detail: str = ""           # English, for the log


class CannotAppend(Exception):
    def __init__(self, note: str, detail: str) -> None:
        super().__init__(detail)
        self.note, self.detail = note, detail


def _pdf(path: Path, settings: Settings) -> bytes:
    data = path.read_bytes()
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise CannotAppend("这份 PDF 设置了密码，无法附入汇编。", "encrypted pdf")
        if len(reader.pages) == 0:
            raise CannotAppend("这份 PDF 没有页面。", "pdf without pages")
    except CannotAppend:
        raise
    except Exception as e:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
        raise CannotAppend("这份 PDF 已损坏，无法读取其页面。", f"pdf unreadable: {e}") from e
    return data


def _frames(img: Image.Image) -> list[Image.Image]:
    out = []
    for i in range(getattr(img, "n_frames", 1)):
        img.seek(i)
        frame = ImageOps.exif_transpose(img.copy()) or img.copy()
        out.append(frame.convert("RGB"))
    return out


def _image(path: Path, settings: Settings) -> bytes:
    try:
        import pillow_heif
        pillow_heif.register_heif_opener()
    except ImportError:   # HEIC photos then fail below, like any unreadable image
        pass
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
    try:
        with Image.open(path) as img:
            frames = _frames(img)
    except Exception as e:  # noqa: BLE001 - PIL raises many kinds on a damaged or huge image
        raise CannotAppend("这张图片已损坏或过大，无法放入汇编。", f"image unreadable: {e}") from e
    return pdf_bytes(render("images.html", doc_title=path.name, images=[_placed(f) for f in frames]))


def _placed(frame: Image.Image) -> dict[str, Any]:
    """One frame as JPEG, scaled to fit its page inside the margins and centred on it."""
    frame.thumbnail((IMAGE_LONG_SIDE, IMAGE_LONG_SIDE))
    w, h = frame.size
    page_w, page_h = (A4_PT[1], A4_PT[0]) if w > h else A4_PT
    box_w, box_h = page_w - 2 * IMAGE_MARGIN_PT, page_h - 2 * IMAGE_MARGIN_PT
    scale = min((box_w - 1) / w, (box_h - 1) / h)     # a point to spare: a rounded-up size never spills onto a blank page
    jpeg = io.BytesIO()
    frame.save(jpeg, "JPEG", quality=85)
    return {"src": "data:image/jpeg;base64," + base64.b64encode(jpeg.getvalue()).decode("ascii"),
            "wide": w > h, "w": w * scale, "h": h * scale,
            "left": (box_w - w * scale) / 2, "top": (box_h - h * scale) / 2}


WordToPdf = Callable[[Path, Settings, "str | None"], bytes]


def _word(path: Path, settings: Settings, fmt: str | None = None,
          word_to_pdf: WordToPdf = convert_to_pdf) -> bytes:
    try:
        return word_to_pdf(path, settings, fmt)
    except ConvertError as e:
        raise CannotAppend("这份 Word 文件无法转换为 PDF（文件可能已损坏或格式不受支持），原件已作为附件嵌入本 PDF。",
                           f"LibreOffice could not convert: {e}") from e


CONVERTERS: dict[str, tuple[str, Callable[..., bytes]]] = {
    "pdf": ("原 PDF 页面", _pdf),
    **{f: ("图片", _image) for f in IMAGE_FORMATS},
    **{f: ("已转换为 PDF", _word) for f in WORD_FORMATS},
}


def append_original(path: Path, fmt: str | None, settings: Settings, *,
                    word_to_pdf: WordToPdf = convert_to_pdf) -> Appended:
    """The pages of one original, or why there are none.  `word_to_pdf` is LibreOffice's
    conversion; tests hand in another so that only one of them pays for LibreOffice."""
    found = CONVERTERS.get(fmt or "")
    if found is None:
        return Appended(None, "无法转换", "这种格式的文件无法转换为页面，原件已作为附件嵌入本 PDF。",
                        f"no converter for format {fmt!r}")
    how, convert = found
    try:
        data = _word(path, settings, fmt, word_to_pdf) if convert is _word else convert(path, settings)
    except CannotAppend as e:
        log.warning("original %s not appended as pages: %s", path.name, e.detail)
        return Appended(None, "无法转换", e.note + ("" if "附件" in e.note else "原件已作为附件嵌入本 PDF。"),
                        e.detail)
    return Appended(data, how)
