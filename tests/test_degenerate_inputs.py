"""Tiny or degenerate files give their finding, never a traceback in the log."""
from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image

from dossier.campaigns import get_campaign
from workers.degenerate import degenerate_image
from workers.extraction import extract_file

JINHUA = get_campaign("jinhua-2015")


def _image(size: tuple[int, int], fmt: str = "PNG", mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, "white" if mode == "RGB" else 1).save(buf, fmt)
    return buf.getvalue()


CASES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "1x1 png": ("one.png", lambda: _image((1, 1)), "form.unrecognised"),
    "empty png": ("zero.png", lambda: b"", "file.unreadable"),
    "10x10000 strip": ("strip.png", lambda: _image((10, 10000)), "form.unrecognised"),
    "10000x10 strip": ("wide.png", lambda: _image((10000, 10)), "form.unrecognised"),
    "3x3 1-bit tiff": ("bw.tif", lambda: _image((3, 3), "TIFF", "1"), "form.unrecognised"),
    "tiny jpeg": ("small.jpg", lambda: _image((20, 30), "JPEG"), "form.unrecognised"),
    "truncated png": ("cut.png", lambda: _image((300, 400))[:60], "file.unreadable"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_finding_without_traceback(case: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """GIVEN a degenerate image WHEN it is extracted THEN one finding says what is wrong, in Chinese,
    and nothing in the log carries a traceback."""
    name, data, code = CASES[case]
    path = tmp_path / name
    path.write_bytes(data())
    with caplog.at_level(logging.DEBUG):
        result = extract_file(path, JINHUA)
    codes = [f.code for f in result.findings]
    assert codes == [code]
    assert result.documents == []
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.findings[0].message)
    # this extraction's records only: a thread another test left behind may log meanwhile
    mine = [r for r in caplog.records if r.thread == threading.get_ident()]
    tracebacks = [r for r in mine if r.exc_info or "Traceback" in r.getMessage()]
    assert tracebacks == []


class TestGuard:
    @pytest.mark.parametrize("size", [(1, 1), (10, 10000), (63, 900), (5000, 400)])
    def test_degenerate(self, size: tuple[int, int], tmp_path: Path) -> None:
        """Too small on a side, or far longer than wide: not a page anyone could read."""
        path = tmp_path / "x.png"
        path.write_bytes(_image(size))
        assert degenerate_image(path, "png") == size

    @pytest.mark.parametrize("size", [(64, 64), (1240, 1754), (1754, 1240), (800, 3000)])
    def test_plausible_pages_pass(self, size: tuple[int, int], tmp_path: Path) -> None:
        """A small but whole page, an A4 scan either way up, a long phone screenshot: read as usual."""
        path = tmp_path / "x.png"
        path.write_bytes(_image(size))
        assert degenerate_image(path, "png") is None

    def test_other_formats_untouched(self, tmp_path: Path) -> None:
        """The guard looks at images only."""
        path = tmp_path / "x.pdf"
        path.write_bytes(b"%PDF-1.4\n")
        assert degenerate_image(path, "pdf") is None


@pytest.mark.slow
def test_pipeline_answers_without_fanning_out(settings, sqlite_engine, caplog: pytest.LogCaptureFixture) -> None:
    """GIVEN a 1×1 PNG uploaded WHEN the OCR step takes it THEN it is answered in that task with
    form.unrecognised (no page sent to OCR) and no traceback is logged."""
    import io as _io

    from services.files.service import submission_status
    from services.submissions.service import accept_upload, create_submission
    from storage.db import make_sessionmaker
    from storage.objects import open_store
    from workers import steps
    rt = steps.Runtime(settings=settings, sessions=make_sessionmaker(sqlite_engine), store=open_store(settings))
    with rt.session() as s:
        sub = create_submission(s, campaign_id="jinhua-2015", organisation="金华市某局机关党委")
        row = accept_upload(s, rt.store, settings, submission_id=sub.id, filename="照片.png",
                            stream=_io.BytesIO(_image((1, 1))))
        sub_id, file_id = sub.id, row.id
    with caplog.at_level(logging.DEBUG):
        assert steps.ingest_file(rt, file_id) == "queued"
        assert steps.ocr_file(rt, file_id) == "done"
    with rt.session() as s:
        [f] = submission_status(s, sub_id)["files"]
    assert [x["code"] for x in f["findings"]] == ["form.unrecognised"]
    assert [r for r in caplog.records if r.exc_info] == []


def test_a_truncated_scan_is_refused_in_a_process_that_draws_packets(tmp_path: Path) -> None:
    """GIVEN a process that has loaded the packet PDF code (WeasyPrint turns on Pillow's
    truncated-image loading when imported) WHEN a truncated PNG is extracted THEN it is still
    file.unreadable, not half a page."""
    import workers.packets.pdf_style  # noqa: F401
    name, data, code = CASES["truncated png"]
    path = tmp_path / name
    path.write_bytes(data())
    assert [f.code for f in extract_file(path, JINHUA).findings] == ["file.unreadable"]
