"""LibreOffice conversion: .rtf read through .docx, time limit, parallel runs, failures."""
from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dossier.settings import Settings
from workers.extract import convert
from workers.extract.convert import ConvertError, convert_bytes_to_docx, convert_to_docx, read_converted
from workers.extract.readers import ReadContext, ReadError

HAVE_SOFFICE = shutil.which("soffice") is not None


def _u(s: str) -> str:
    """RTF escapes for non-ASCII text."""
    return "".join(c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in s)


RTF = ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 SimSun;}}\n"
       + "\\pard " + _u("填报单位：测试单位") + "\\par\n"
       + "\\trowd\\cellx2000\\cellx6000\n"
       + "\\intbl " + _u("党组织名称") + "\\cell " + _u("中共测试支部委员会") + "\\cell\\row\n"
       + "\\trowd\\cellx2000\\cellx6000\n"
       + "\\intbl " + _u("党员人数") + "\\cell 12\\cell\\row\n"
       + "\\pard\\par}")


def ctx(saved: dict | None = None, **settings) -> ReadContext:
    def save(name: str, data: bytes) -> str:
        assert saved is not None
        saved[name] = data
        return name
    return ReadContext(name="a.rtf", format="rtf", settings=Settings(**settings),
                       save_derived=save if saved is not None else None)


@pytest.fixture
def rtf(tmp_path: Path) -> Path:
    p = tmp_path / "a.rtf"
    p.write_text(RTF, encoding="ascii")
    return p


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice not installed")
class TestLibreOffice:
    def test_rtf_table(self, rtf):
        """An .rtf form reads as a table, method `converted`, its .docx kept."""
        saved: dict[str, bytes] = {}
        doc = read_converted(rtf, ctx(saved))
        assert doc.method == "converted"
        table = next(doc.tables())
        assert [[c.text for c in r] for r in table.rows()] == [["党组织名称", "中共测试支部委员会"],
                                                                ["党员人数", "12"]]
        assert saved["converted.docx"][:2] == b"PK"

    def test_parallel_conversions_do_not_collide(self, rtf, tmp_path):
        """Conversions at the same time each get their own profile and output."""
        other = tmp_path / "b.rtf"
        other.write_text(RTF.replace("12", "34"), encoding="ascii")
        with ThreadPoolExecutor(2) as pool:
            a, b = pool.map(lambda p: convert_bytes_to_docx(p, Settings(), "rtf"), [rtf, other])
        assert a != b and a[:2] == b[:2] == b"PK"

    def test_convert_to_docx_writes_file(self, rtf, tmp_path):
        """convert_to_docx writes the .docx where asked."""
        out = convert_to_docx(rtf, Settings(), "rtf", dest=tmp_path / "out.docx")
        assert out.read_bytes()[:2] == b"PK"

    def test_time_limit(self, rtf):
        """A conversion past convert_timeout is stopped."""
        with pytest.raises(ConvertError, match="timed out"):
            convert_bytes_to_docx(rtf, Settings(convert_timeout=0), "rtf")


def test_no_libreoffice(rtf, monkeypatch):
    """Without LibreOffice an .rtf is reported unreadable in Chinese, not a crash."""
    monkeypatch.setattr(convert, "soffice_binary", lambda: None)
    with pytest.raises(ReadError) as e:
        read_converted(rtf, ctx())
    assert e.value.code == "file.unreadable" and "无法打开" in e.value.message
