"""The readers' contract: one table from format to reader, built from what each reader
declares; the limits checked once, before the reader runs (workers/extract/limits.py)."""
from __future__ import annotations

import importlib
import io
import struct
from pathlib import Path
from unittest import mock

import pytest
from docx import Document as WordDocument
from docx.enum.text import WD_BREAK
from PIL import Image
from pypdf import PdfWriter

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from tests import docx_factory as make
from tests.edges import SAMPLES
from workers.extract.limits import check_file, check_input
from workers.extract.readers import READER_MODULES, ReadContext, ReadError, registry, spec_for
from workers.extract.sniff import MEDIA_TYPES
from workers.extract.word.word97_binary import summary_page_count
from workers.extraction import extract_file, read_document

def _pdf(pages: int) -> bytes:
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


class TestRegistry:
    def test_every_format_has_one_reader(self) -> None:
        """Every format sniffing can name is read by exactly one declared reader."""
        assert sorted(registry()) == sorted(MEDIA_TYPES)

    def test_table_is_the_declarations(self) -> None:
        """The table holds what the modules declare, nothing else: a format is one module and one line."""
        declared = {f: importlib.import_module(m).READS for m in READER_MODULES
                    for f in importlib.import_module(m).READS.formats}
        assert registry() == declared

    def test_declared_media_types(self) -> None:
        """A reader's declaration names the media types it reads."""
        assert spec_for("doc").media_types == {"doc": "application/msword", "wps": "application/vnd.ms-works"}

    def test_unknown_format(self) -> None:
        """A format nobody declares is file.unsupported."""
        with pytest.raises(ReadError) as e:
            spec_for("xlsx")
        assert e.value.code == "file.unsupported"


class TestLimitsBeforeReading:
    def test_file_over_the_size_limit(self, tmp_path: Path) -> None:
        """A file past max_upload_bytes is unreadable, with the limit in megabytes in its message."""
        path = make.jinhua_form(tmp_path / "f.docx")
        settings = Settings(max_upload_bytes=path.stat().st_size - 1)
        r = extract_file(path, get_campaign("jinhua-2015"),
                         ctx=ReadContext(name=path.name, format="docx", settings=settings))
        assert not r.readable and [f.code for f in r.findings] == ["file.unreadable"]
        assert "MB" in r.findings[0].message and "大小限制" in r.findings[0].message

    def test_pdf_pages_counted_from_its_page_tree(self, tmp_path: Path) -> None:
        """A PDF with more pages than the limit is refused from its page count, in the PDF's words."""
        path = tmp_path / "three.pdf"
        path.write_bytes(_pdf(3))
        with pytest.raises(ReadError) as e:
            check_input(path, spec_for("pdf"), Settings(max_pages=2))
        assert e.value.code == "file.unreadable" and "PDF 共 3 页" in e.value.message
        assert "2 页" in e.value.message

    def test_tiff_frames_are_pages(self, tmp_path: Path) -> None:
        """A multi-page TIFF is refused by its frame count before a frame is decoded."""
        path = tmp_path / "scan.tif"
        frames = [Image.new("L", (80, 80), 255) for _ in range(3)]
        frames[0].save(path, save_all=True, append_images=frames[1:])
        with pytest.raises(ReadError) as e:
            check_file(path, ReadContext(name=path.name, format="tiff", settings=Settings(max_pages=2)))
        assert e.value.code == "file.unreadable" and "超过 2 页" in e.value.message

    def test_word97_page_count_in_its_summary(self) -> None:
        """The page count Word writes in a .doc's SummaryInformation (PIDSI_PAGECOUNT) is read alone."""
        props = [(2, b"\x1e\x00\x00\x00" + struct.pack("<I", 4) + b"abc\x00"), (14, struct.pack("<Ii", 3, 7))]
        table, body = b"", b""
        for pid, value in props:
            table += struct.pack("<II", pid, 8 + 8 * len(props) + len(body))
            body += value
        section = struct.pack("<II", 8 + len(table) + len(body), len(props)) + table + body
        stream = b"\xfe\xff\x00\x00" + b"\x00" * 20 + struct.pack("<I", 1) + b"\x00" * 16 + struct.pack("<I", 48)
        ole = mock.Mock(exists=lambda name: True, openstream=lambda name: io.BytesIO(stream + section))
        assert summary_page_count(ole) == 7


class TestLimitsAfterReading:
    def test_docx_pages_checked_once_read(self, tmp_path: Path) -> None:
        """A .docx declares no pages: its explicit page breaks are counted against the limit once read."""
        doc = WordDocument()
        for n in range(3):
            run = doc.add_paragraph(f"第 {n + 1} 页").add_run()
            if n < 2:
                run.add_break(WD_BREAK.PAGE)
        path = tmp_path / "three.docx"
        doc.save(str(path))
        ctx = ReadContext(name=path.name, format="docx", settings=Settings(max_pages=2))
        with pytest.raises(ReadError) as e:
            read_document(path, ctx)
        assert e.value.code == "file.unreadable" and "2 页" in e.value.message
        assert read_document(path, ReadContext(name=path.name, format="docx", settings=Settings())).pages == 3

    @pytest.mark.slow
    def test_word97_without_a_page_count(self) -> None:
        """A .doc whose summary holds no page count (LibreOffice's) is checked by the pages read."""
        path = SAMPLES / "yueyang_app_sheet_doc.doc"
        if not path.is_file():
            pytest.skip("../shared/samples is not beside the project")
        assert check_input(path, spec_for("doc"), Settings()).pages is None
        with pytest.raises(ReadError) as e:
            read_document(path, ReadContext(name=path.name, format="doc", settings=Settings(max_pages=1)))
        assert e.value.code == "file.unreadable" and "文件页数超过上限（1 页）" in e.value.message
