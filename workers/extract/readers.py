"""One reader per format, one table from format to reader.

A reader is a function `read(path, ctx) -> Document`.  It raises `ReadError`
when the file cannot be read at all (damaged, encrypted, over a limit); a
partial failure (one bad page) goes into `Document.problems` instead, so one
bad page does not sink a file.  Adding a format is one module and one line in
`READERS`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from dossier.settings import Settings, get_settings

from .model import Document


class ReadError(Exception):
    """The file cannot be read at all.  `code` is a contract finding code."""

    def __init__(self, code: str, message: str, detail: str = "") -> None:
        super().__init__(detail or message)
        self.code = code            # file.unreadable | file.unsupported | form.unrecognised
        self.message = message      # Chinese, for the unit
        self.detail = detail        # English, for logs and the CLI


@dataclass
class ReadContext:
    """What a reader may use besides the file itself."""
    name: str                                   # the file name the unit gave
    format: str                                 # sniffed format (docx, doc, pdf, jpeg, …)
    settings: Settings = field(default_factory=get_settings)
    # store a derived file (converted .docx, page image) beside the original;
    # returns its object key.  None when run from the CLI with nowhere to keep it.
    save_derived: Callable[[str, bytes], str] | None = None
    # run one page's OCR somewhere else (a Celery chord on the `ocr` queue);
    # None: run in this process.
    ocr_pages: Callable[..., list] | None = None


class Reader(Protocol):
    def __call__(self, path: Path, ctx: ReadContext) -> Document: ...


# format -> "module:function"; imported lazily so that a Word-only worker never
# loads the OCR models.
READERS: dict[str, str] = {
    "docx": "workers.extract.docx_reader:read_docx",
    "doc": "workers.extract.word97:read_word97",
    "wps": "workers.extract.word97:read_word97",
    "rtf": "workers.extract.convert:read_converted",
    "pdf": "workers.extract.pdf_reader:read_pdf",
    "jpeg": "workers.extract.image_reader:read_image",
    "png": "workers.extract.image_reader:read_image",
    "tiff": "workers.extract.image_reader:read_image",
    "heic": "workers.extract.image_reader:read_image",
    "bmp": "workers.extract.image_reader:read_image",
    "webp": "workers.extract.image_reader:read_image",
}


def reader_for(fmt: str) -> Reader:
    try:
        target = READERS[fmt]
    except KeyError:
        raise ReadError("file.unsupported", "不支持的文件格式。", f"no reader for {fmt}") from None
    module, _, func = target.partition(":")
    try:
        return getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError) as e:
        raise ReadError("file.unsupported", "暂不支持读取这种格式的文件，请改交 Word（.docx）或 PDF 文件。",
                        f"reader {target} unavailable: {e}") from e
