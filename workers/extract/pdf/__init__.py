"""PDFs: text PDFs by pdfplumber (`pdf_reader`), scanned ones handed on to OCR.

The declaration lives here, beside the page count read before the reader runs;
`pdf_reader` and `pdf_layout` do the reading.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from dossier.settings import Settings

from .. import pdf_reader
from ..model import Document
from ..readers import Measure, ReadContext, ReaderSpec, ReadError

log = logging.getLogger(__name__)
T = TypeVar("T")

MSG_TOO_MANY_PAGES = "PDF 共 {n} 页，超过上限（{limit} 页）。请只上传推荐表（申报表）和相关材料。"


def count_pages(path: Path) -> int | None:
    """The pages in the PDF's page tree, without parsing a page (None: pypdf cannot tell;
    the reader then reports the damage in its own words)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            return None                      # the reader says it is encrypted
        return len(reader.pages)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
        log.debug("pypdf cannot count the pages of %s: %r", path.name, e)
        return None


def measure_pdf(path: Path, settings: Settings) -> Measure:
    return Measure(pages=count_pages(path))


def _unmasked(read: Callable[[Path, ReadContext], T], path: Path, ctx: ReadContext) -> T:
    """`read(path, ctx)`, with the ReadError it raised inside `with pdfplumber.open(...)`
    restored when pdfplumber's close() fails on the same broken page tree and hides it
    (fuzz: a damaged /Kids or /MediaBox gave a TypeError or PdfminerException, not
    file.unreadable).  Any other exception is a bug in the reader and goes on as it is."""
    try:
        return read(path, ctx)
    except ReadError:
        raise
    except Exception as e:
        hidden = e.__context__
        while hidden is not None and not isinstance(hidden, ReadError):
            hidden = hidden.__context__
        if hidden is None:
            raise
        log.info("pdfplumber's close() hid the reader's verdict on %s: %r", ctx.name, e)
        raise hidden from None


def read_pdf_unmasked(path: Path, ctx: ReadContext) -> Document:
    """`pdf_reader.read_pdf`, its ReadError never hidden by pdfplumber's close()."""
    return _unmasked(pdf_reader.read_pdf, path, ctx)


def needs_ocr(path: Path, ctx: ReadContext) -> bool:
    """`pdf_reader.needs_ocr` (would the reader hand this PDF to OCR?), its ReadError never
    hidden by pdfplumber's close(): the OCR split asks this before any page is read."""
    return _unmasked(pdf_reader.needs_ocr, path, ctx)


READS = ReaderSpec(formats=("pdf",), read=read_pdf_unmasked, measure=measure_pdf, too_many_pages=MSG_TOO_MANY_PAGES)
