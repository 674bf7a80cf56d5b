"""PDFs: text PDFs by pdfplumber (`pdf_reader`), scanned ones handed on to OCR.

The declaration lives here, beside the page count read before the reader runs;
`pdf_reader` and `pdf_layout` do the reading.
"""
from __future__ import annotations

import logging
from pathlib import Path

from dossier.settings import Settings

from ..pdf_reader import read_pdf
from ..readers import Measure, ReaderSpec

log = logging.getLogger(__name__)

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


READS = ReaderSpec(formats=("pdf",), read=read_pdf, measure=measure_pdf, too_many_pages=MSG_TOO_MANY_PAGES)
