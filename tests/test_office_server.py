"""The warm office converter (workers/extract/office_server.py, DOSSIER_OFFICE_SERVER).

The conversion tests of test_convert.py, again through a warm unoserver; what a warm server adds
(a crash replaced by a fresh LibreOffice with a fresh profile, a file it cannot open reported as
the file's fault, the time limit); and the client's answers to a server that hangs, refuses or is
gone, against small fake XML-RPC servers (no LibreOffice needed for those).
"""
from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import xmlrpc.client
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xmlrpc.server import SimpleXMLRPCServer

import docx
import pytest

from dossier.settings import Settings
from tests.edges import REPO
from tests.test_convert import RTF, ctx
from workers.extract import office_server
from workers.extract.convert import ConvertError, convert_bytes_to_docx, convert_to_pdf, read_converted
from workers.extract.office_server import (LocalServer, OfficeServerUnavailable, WarmConverter,
                                             warm_converter)

SAMPLES = REPO.parent / "shared" / "samples"
HAVE_WARM = shutil.which("soffice") is not None and office_server.uno_python() is not None


def _text(data: bytes, tmp: Path) -> list[str]:
    p = tmp / "x.docx"
    p.write_bytes(data)
    d = docx.Document(str(p))
    return [c.text for t in d.tables for r in t.rows for c in r.cells] + [p.text for p in d.paragraphs]


@pytest.fixture
def fake_server() -> Iterator[tuple[SimpleXMLRPCServer, dict]]:
    """An XML-RPC server on a free port whose convert() does what the test says."""
    behaviour: dict = {}
    server = SimpleXMLRPCServer(("127.0.0.1", 0), allow_none=True, logRequests=False)

    def convert(*args: object) -> object:
        if behaviour.get("sleep"):
            time.sleep(behaviour["sleep"])
        if behaviour.get("fault"):
            raise RuntimeError(behaviour["fault"])
        return xmlrpc.client.Binary(b"PK-converted")

    server.register_function(convert, "convert")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, behaviour
    server.shutdown()
    server.server_close()


class TestChoice:
    def test_no_server_configured_means_the_cold_path(self) -> None:
        assert warm_converter(Settings()) is None

    def test_an_address_means_that_server(self) -> None:
        conv = warm_converter(Settings(office_server="office:2003", convert_timeout=30))
        assert conv is not None and conv.address == "office:2003" and conv.local is None
        assert warm_converter(Settings(office_server="office:2003", convert_timeout=30)) is conv


class TestClient:
    def test_bytes_come_back(self, fake_server) -> None:
        server, _ = fake_server
        conv = WarmConverter(f"127.0.0.1:{server.server_address[1]}", 5)
        assert conv.convert(b"doc", "docx:MS Word 2007 XML") == b"PK-converted"

    def test_a_hanging_server_is_cut_at_the_time_limit(self, fake_server) -> None:
        server, behaviour = fake_server
        behaviour["sleep"] = 5
        conv = WarmConverter(f"127.0.0.1:{server.server_address[1]}", 0.5)
        t0 = time.monotonic()
        with pytest.raises(ConvertError, match="timed out"):
            conv.convert(b"doc", "docx")
        assert time.monotonic() - t0 < 3

    def test_a_file_it_cannot_open_is_the_files_fault(self, fake_server) -> None:
        server, behaviour = fake_server
        behaviour["fault"] = "Could not load document"
        conv = WarmConverter(f"127.0.0.1:{server.server_address[1]}", 5)
        with pytest.raises(ConvertError, match="could not convert the file"):
            conv.convert(b"junk", "docx")

    def test_an_unreachable_server_is_an_outage_not_the_files_fault(self, tmp_path: Path) -> None:
        """The task waits it out (a ConnectionError is in its TRANSIENT list); the unit is not
        told its file is unreadable."""
        from workers.tasks import TRANSIENT

        conv = WarmConverter("127.0.0.1:1", 2)
        with pytest.raises(OfficeServerUnavailable, match="127.0.0.1:1 unreachable") as e:
            conv.convert(b"doc", "docx")
        assert isinstance(e.value, TRANSIENT) and not isinstance(e.value, ConvertError)
        src = tmp_path / "a.rtf"
        src.write_text(RTF, encoding="ascii")
        c = ctx()
        c.settings = Settings(office_server="127.0.0.1:1", convert_timeout=2)
        with pytest.raises(OfficeServerUnavailable):
            read_converted(src, c)


@pytest.fixture(scope="module")
def warm() -> Iterator[Settings]:
    settings = Settings(office_server="local", convert_timeout=90)
    yield settings
    conv = warm_converter(settings)
    assert conv is not None
    conv.close()


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_WARM, reason="LibreOffice or a Python with uno (python3-uno) missing")
class TestWarmLibreOffice:
    def test_rtf_table(self, warm: Settings, tmp_path: Path) -> None:
        """An .rtf form reads as a table through the warm server, exactly as through a cold one."""
        src = tmp_path / "a.rtf"
        src.write_text(RTF, encoding="ascii")
        saved: dict[str, bytes] = {}
        c = ctx(saved)
        c.settings = warm
        doc = read_converted(src, c)
        table = next(doc.tables())
        assert [[x.text for x in r] for r in table.rows()] == [["党组织名称", "中共测试支部委员会"],
                                                              ["党员人数", "12"]]
        assert saved["converted.docx"][:2] == b"PK"

    def test_parallel_conversions_do_not_collide(self, warm: Settings, tmp_path: Path) -> None:
        a, b = tmp_path / "a.rtf", tmp_path / "b.rtf"
        a.write_text(RTF, encoding="ascii")
        b.write_text(RTF.replace("12", "34"), encoding="ascii")
        with ThreadPoolExecutor(2) as pool:
            da, db = pool.map(lambda p: convert_bytes_to_docx(p, warm, "rtf"), [a, b])
        assert "12" in _text(da, tmp_path) and "34" in _text(db, tmp_path)

    @pytest.mark.skipif(not (SAMPLES / "yueyang_app_sheet_doc.doc").exists(), reason="no samples")
    def test_word97_reads_the_same_warm_and_cold(self, warm: Settings, tmp_path: Path) -> None:
        src = SAMPLES / "yueyang_app_sheet_doc.doc"
        cold = convert_bytes_to_docx(src, Settings(), "doc")
        hot = convert_bytes_to_docx(src, warm, "doc")
        assert _text(hot, tmp_path) == _text(cold, tmp_path)
        assert convert_to_pdf(src, warm, "doc")[:5] == b"%PDF-"

    def test_a_file_it_cannot_open_leaves_the_server_up(self, warm: Settings, tmp_path: Path) -> None:
        bad = tmp_path / "bad.doc"
        bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))   # an OLE header, nothing inside
        conv = warm_converter(warm)
        assert conv is not None
        with pytest.raises(ConvertError):
            convert_bytes_to_docx(bad, warm, "doc")
        starts = conv.local.starts
        good = tmp_path / "a.rtf"
        good.write_text(RTF, encoding="ascii")
        assert convert_bytes_to_docx(good, warm, "rtf")[:2] == b"PK"
        assert conv.local.starts == starts

    def test_a_crash_gets_a_fresh_libreoffice_and_profile(self, warm: Settings, tmp_path: Path) -> None:
        src = tmp_path / "a.rtf"
        src.write_text(RTF, encoding="ascii")
        convert_bytes_to_docx(src, warm, "rtf")
        conv = warm_converter(warm)
        assert conv is not None and conv.local is not None
        old_dir, starts = conv.local.workdir, conv.local.starts
        os.killpg(conv.local.proc.pid, signal.SIGKILL)     # LibreOffice and unoserver die
        conv.local.proc.wait()
        assert convert_bytes_to_docx(src, warm, "rtf")[:2] == b"PK"
        assert conv.local.starts == starts + 1
        assert conv.local.workdir != old_dir and not old_dir.exists()

    def test_time_limit(self, tmp_path: Path) -> None:
        """A conversion past convert_timeout is stopped, as on the cold path."""
        settings = Settings(office_server="local", convert_timeout=0)
        conv = warm_converter(settings)
        assert conv is not None
        try:
            src = tmp_path / "a.rtf"
            src.write_text(RTF, encoding="ascii")
            conv.local = LocalServer(90)          # start within a normal limit, then convert at ~0
            conv.local.start()
            with pytest.raises(ConvertError, match="timed out"):
                convert_bytes_to_docx(src, settings, "rtf")
        finally:
            conv.close()


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_WARM, reason="LibreOffice or a Python with uno (python3-uno) missing")
def test_a_pool_process_stopping_takes_its_libreoffice_along(tmp_path: Path) -> None:
    """Celery's worker_process_shutdown (a pool child leaving through os._exit) stops the server."""
    from celery import signals

    settings = Settings(office_server="local", convert_timeout=60, data_dir=tmp_path)
    src = tmp_path / "a.rtf"
    src.write_text(RTF, encoding="ascii")
    convert_bytes_to_docx(src, settings, "rtf")
    conv = warm_converter(settings)
    assert conv is not None and conv.local is not None and conv.local.alive()
    proc, workdir = conv.local.proc, conv.local.workdir
    signals.worker_process_shutdown.send(sender=None, pid=os.getpid(), exitcode=0)
    assert proc.poll() is not None and not workdir.exists()
