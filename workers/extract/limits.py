"""The input limits, checked in one place before any reader runs.

Size on disk, pages, pixels and a zip's inflated size are compared with the
settings from what the file declares about itself (a PDF's page tree, a Word
file's summary information, an image header, a zip's directory), read by the
reader's own `measure`: a 500-page PDF or a 30000×30000 PNG is refused before a
page is parsed or a pixel decoded.  A file whose page count only reading reveals
(a .doc without summary information, an .rtf) is checked once more, after its
reader, by `check_read`.
"""
from __future__ import annotations

from pathlib import Path

from dossier.settings import Settings

from .model import Document
from .readers import Measure, ReadContext, ReaderSpec, ReadError, spec_for

MSG_TOO_BIG = "文件过大（超过 {mb:g} MB 的大小限制），无法处理。请压缩图片或拆分文件后重新上传。"
MSG_TOO_LARGE = "图片尺寸过大（像素数超过系统上限），请缩小后重新上传。"
MSG_BOMB = "文件解压后过大（疑似压缩炸弹），无法处理。请另存为普通的 Word 文件后重新上传。"


def check_file(path: Path, ctx: ReadContext) -> Measure:
    """`check_input` for the reader of `ctx.format`: for a caller that reads the file its own
    way (the OCR split renders a scan's pages before any reader runs)."""
    return check_input(path, spec_for(ctx.format), ctx.settings)


def check_input(path: Path, spec: ReaderSpec, settings: Settings) -> Measure:
    """Raise ReadError(file.unreadable) when the file is over a limit; what it measured otherwise."""
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        raise ReadError("file.unreadable", MSG_TOO_BIG.format(mb=settings.max_upload_bytes / (1 << 20)),
                        f"{size} bytes > max_upload_bytes {settings.max_upload_bytes}")
    measured = spec.measure(path, settings) if spec.measure is not None else Measure()
    if measured.inflated_bytes is not None and measured.inflated_bytes > settings.max_unzipped_bytes:
        raise ReadError("file.unreadable", MSG_BOMB,
                        f"zip members inflate past {settings.max_unzipped_bytes} bytes")
    if measured.pixels is not None and measured.pixels > settings.max_image_pixels:
        raise ReadError("file.unreadable", MSG_TOO_LARGE,
                        f"{measured.pixels} px over max_image_pixels {settings.max_image_pixels}")
    if measured.pages is not None:
        _check_pages(measured.pages, spec, settings)
    return measured


def check_read(doc: Document, measured: Measure, spec: ReaderSpec, settings: Settings) -> None:
    """The page limit for a file that did not declare its pages before it was read."""
    if measured.pages is None:
        _check_pages(doc.pages, spec, settings)


def _check_pages(n: int, spec: ReaderSpec, settings: Settings) -> None:
    if n > settings.max_pages:
        raise ReadError("file.unreadable", spec.too_many_pages.format(n=n, limit=settings.max_pages),
                        f"{n} pages > max_pages {settings.max_pages}")
