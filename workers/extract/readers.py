"""The readers' contract and the one table from format to reader.

A reader module declares what it reads with a module-level `READS =
ReaderSpec(...)`: its formats, the function `read(path, ctx) -> Document`, and
how to measure a file cheaply (pages, pixels, inflated bytes) so that the
limits are checked once, in `limits.py`, before any reader runs.  The table is
built from those declarations: adding a format is one module and one line in
`READER_MODULES`.

A reader raises `ReadError` when the file cannot be read at all (damaged,
encrypted, over a limit); a partial failure (one bad page) goes into
`Document.problems` instead, so one bad page does not sink a file.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

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
    # run the pages' OCR somewhere else (a hook; the Celery pipeline fans pages out itself);
    # None: run in this process.
    ocr_pages: Callable[..., list] | None = None


class Reader(Protocol):
    def __call__(self, path: Path, ctx: ReadContext) -> Document: ...


@dataclass(frozen=True)
class Measure:
    """What a file says about its own size before it is read; None: it does not say."""
    pages: int | None = None
    pixels: int | None = None          # the largest frame's width × height
    inflated_bytes: int | None = None  # a zip's members once inflated, as its directory declares


# the pages message most formats give; {n}: the file's pages, {limit}: settings.max_pages
MSG_TOO_MANY_PAGES = "文件页数超过上限（{limit} 页），请拆分或精简后重新上传。"


@dataclass(frozen=True)
class ReaderSpec:
    """What one reader reads, and how its input is measured before it runs."""
    formats: tuple[str, ...]
    read: Reader
    # reads only as much of the file as it needs to say how big it is; may raise
    # ReadError for a file it cannot even measure
    measure: Callable[[Path, Settings], Measure] | None = None
    too_many_pages: str = MSG_TOO_MANY_PAGES

    @property
    def media_types(self) -> dict[str, str]:
        from .sniff import MEDIA_TYPES
        return {f: MEDIA_TYPES[f] for f in self.formats}


# modules with a `READS` declaration.  Imported on first use, not at import time,
# so that importing the contract never loads a reader; the image reader loads the
# OCR models only when it reads.
READER_MODULES: tuple[str, ...] = (
    "workers.extract.word.docx_reader",
    "workers.extract.word.word97",
    "workers.extract.convert",
    "workers.extract.pdf",
    "workers.extract.image_reader",
)

MSG_UNSUPPORTED = "不支持的文件格式。"


@lru_cache(maxsize=1)
def registry() -> dict[str, ReaderSpec]:
    """format -> its reader's declaration, from every module in READER_MODULES."""
    table: dict[str, ReaderSpec] = {}
    for module in READER_MODULES:
        spec: ReaderSpec = importlib.import_module(module).READS
        for fmt in spec.formats:
            if fmt in table:
                raise RuntimeError(f"{fmt} is declared by two readers ({module})")
            table[fmt] = spec
    return table


def spec_for(fmt: str) -> ReaderSpec:
    """The declaration of the reader for `fmt`, or ReadError(file.unsupported)."""
    try:
        return registry()[fmt]
    except KeyError:
        raise ReadError("file.unsupported", MSG_UNSUPPORTED, f"no reader for {fmt}") from None


def reader_for(fmt: str) -> Reader:
    """The reader function for `fmt` (limits not checked: `extraction.read_document` does)."""
    return spec_for(fmt).read
