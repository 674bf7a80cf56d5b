"""Fuzz: damaged Word 97 and PDF files give a Document or a ReadError, never a crash or a hang.

Real files (the Word 97 samples in tests/golden/sources, a small ruled PDF written here,
the narrative PDF sample) are damaged by `tests.strategies.mutated` and read through
the registry as a worker reads them (limits, then the reader).  Bounded for CI: a
fixed number of examples, each stopped after EXAMPLE_SECONDS; more with
DOSSIER_TEST_FUZZ_EXAMPLES=500 for a longer hunt.
"""
from __future__ import annotations

import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings as hsettings

from dossier.settings import Settings
from tests.strategies import mutated
from workers.extract.convert import ConvertError
from workers.extract.model import Document
from workers.extract.pdf import needs_ocr
from workers.extract.readers import ReadContext, ReadError
from workers.extraction import read_document

SOURCES = Path(__file__).resolve().parent / "golden" / "sources"
# damaged files the fuzz found a bug with, kept so that the bug stays fixed
REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"
EXAMPLES = int(os.environ.get("DOSSIER_TEST_FUZZ_EXAMPLES", "0") or 0)
# one example's bound: a reader that takes longer on a damaged file is hanging
EXAMPLE_SECONDS = 30


class Hung(BaseException):
    """A reader past EXAMPLE_SECONDS.  Not an Exception: a reader's `except Exception`
    (one bad page must not sink a file) must not swallow it."""


@contextmanager
def time_limit(seconds: int) -> Iterator[list[float]]:
    """Interrupt the block after `seconds`; the list it gives holds the times it had to."""
    fired: list[float] = []

    def hung(signum: int, frame: object) -> None:
        fired.append(time.monotonic())
        raise Hung(f"reader still running after {seconds}s")
    old = signal.signal(signal.SIGALRM, hung)
    # then again every second: a library that swallows BaseException (olefile's property
    # parser did) must not turn a hang into a test that never ends
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def small_ruled_pdf() -> bytes:
    """A one-page text PDF written by hand: a title and a ruled 2×2 table (Helvetica)."""
    rules = b"".join(b"72 %d m 472 %d l S " % (y, y) for y in (700, 660, 620))
    rules += b"".join(b"%d 700 m %d 620 l S " % (x, x) for x in (72, 272, 472))
    text = (b"BT /F1 14 Tf 72 740 Td (Recommendation form) Tj ET BT /F1 11 Tf 80 675 Td (Org name) Tj "
            b"200 0 Td (Party branch of the bureau) Tj -200 -40 Td (Members) Tj 200 0 Td (48) Tj ET")
    content = b"0.5 w " + rules + text
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def read_mutated(data: bytes, fmt: str, read: Callable[[Path, ReadContext], object] = read_document) -> None:
    """Read `data` as `fmt` (through the registry, unless told): an answer or a ReadError, within the bound."""
    with tempfile.TemporaryDirectory(prefix="dossier-fuzz-") as tmp:
        path = Path(tmp) / f"fuzzed.{fmt}"
        path.write_bytes(data)
        ctx = ReadContext(name=path.name, format=fmt, settings=Settings())
        with time_limit(EXAMPLE_SECONDS) as fired:
            try:
                answer: object = read(path, ctx)
            except ReadError as e:
                assert e.code in ("file.unreadable", "file.unsupported") and e.message
                answer = e
        # an interrupt swallowed on the way (and the read finished after it) is a hang all the same
        assert not fired, f"the reader ran past {EXAMPLE_SECONDS}s"
        assert isinstance(answer, (Document, bool, ReadError))


def _no_libreoffice(*args: object, **kwargs: object) -> bytes:
    # LibreOffice is its own process with its own time limit; the fuzz is for our decoding
    raise ConvertError("LibreOffice left out of the fuzz")


def _no_ocr(path: Path, ctx: ReadContext) -> Document:
    # a damaged text PDF that has lost its text is handed to OCR: a minute a page, not fuzzed here
    return Document(method="ocr")


FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def no_subprocesses() -> Iterator[None]:
    with mock.patch("workers.extract.word.word97.convert_bytes_to_docx", _no_libreoffice), \
         mock.patch("workers.extract.ocr_reader.read_scanned_pdf", _no_ocr):
        yield


WPS = (SOURCES / "jinhua_form_wps_fullwidth.wps").read_bytes()
WPS_TABLES = (SOURCES / "yueyang_sheet_wps.wps").read_bytes()
NARRATIVE_PDF = (SOURCES / "jinhua_narrative_long.pdf").read_bytes()
RULED_PDF = small_ruled_pdf()


class TestWord97:
    @hsettings(max_examples=EXAMPLES or 60, **FUZZ)
    @given(data=mutated(WPS))
    def test_damaged_form(self, data: bytes) -> None:
        """A damaged Word 97 form reads, or is refused as unreadable."""
        read_mutated(data, "doc")

    @hsettings(max_examples=EXAMPLES or 40, **FUZZ)
    @given(data=mutated(WPS_TABLES))
    def test_damaged_tables(self, data: bytes) -> None:
        """A damaged Word 97 score sheet (rows, merges) reads, or is refused as unreadable."""
        read_mutated(data, "doc")


class TestPdf:
    def test_seed_is_a_text_pdf(self) -> None:
        """The hand-written seed is read as a text PDF with its table, so the fuzz starts from a real read."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ruled.pdf"
            path.write_bytes(RULED_PDF)
            doc = read_document(path, ReadContext(name="ruled.pdf", format="pdf", settings=Settings()))
        cells = [c.text for t in doc.tables() for c in t.cells]
        assert doc.method == "pdf-text" and "Members" in cells and "48" in cells

    @hsettings(max_examples=EXAMPLES or 80, **FUZZ)
    @given(data=mutated(RULED_PDF))
    def test_damaged_ruled_pdf(self, data: bytes) -> None:
        """A damaged small text PDF reads, or is refused as unreadable."""
        read_mutated(data, "pdf")

    @hsettings(max_examples=EXAMPLES or 40, **FUZZ)
    @given(data=mutated(RULED_PDF))
    def test_damaged_pdf_asked_for_ocr(self, data: bytes) -> None:
        """The OCR split's first question (is it a scan?) has an answer or a ReadError."""
        read_mutated(data, "pdf", needs_ocr)

    @hsettings(max_examples=EXAMPLES or 8, **FUZZ)
    @given(data=mutated(NARRATIVE_PDF))
    def test_damaged_sample_pdf(self, data: bytes) -> None:
        """A damaged real sample (embedded CJK fonts, two pages) reads, or is refused as unreadable."""
        read_mutated(data, "pdf")


class TestFoundByFuzzing:
    def test_summary_vector_count(self) -> None:
        """A .wps whose summary property set claims a vector of billions of items reads at once
        (it kept olefile's get_metadata looping for hours)."""
        read_mutated((REGRESSIONS / "summary_vector_count.doc").read_bytes(), "doc")

    def test_broken_page_tree(self) -> None:
        """A PDF whose /Kids is not an array is file.unreadable, both when read and when asked
        whether it is a scan (pdfplumber's close() raised over the reader's ReadError)."""
        data = RULED_PDF.replace(b"/Kids [3 0 R]", b"/Kids Z3 0 R]")
        read_mutated(data, "pdf")
        read_mutated(data, "pdf", needs_ocr)
