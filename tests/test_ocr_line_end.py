"""A low mark the recogniser dropped at a line's end is read back from the page; nothing else is."""
from __future__ import annotations

import numpy
import pytest
from PIL import Image, ImageDraw

from tests.image_factory import _font, cjk_font_path
from workers.extract.ocr_engine import OcrLine
from workers.extract.ocr_grid import binarise
from workers.extract.ocr_line_end import restore_line_end_marks

pytestmark = pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font (fc-list :lang=zh)")


def _line(printed: str, speck: bool = False) -> tuple[numpy.ndarray, numpy.ndarray, tuple[float, ...]]:
    """A line printed at body size (as a 150 dpi scan shows it), its ink, and the box a detector
    draws round it (a little past the ink)."""
    img = Image.new("RGB", (520, 90), (255, 255, 255))
    d = ImageDraw.Draw(img)
    font = _font(22)
    d.text((30, 30), printed, fill=(25, 25, 25), font=font)
    x1 = 30 + d.textlength(printed, font=font)
    if speck:                                     # a fleck of dust where a mark would be
        d.rectangle((x1 + 6, 46, x1 + 8, 48), fill=(40, 40, 40))
        x1 += 12
    arr = numpy.asarray(img)
    grey = arr[..., 0].copy()
    return arr, binarise(grey), (26.0, 24.0, float(x1 + 4), 60.0)


@pytest.mark.parametrize("mark", ["、", "，", "。"])
def test_a_dropped_mark_at_the_line_end_is_put_back(mark: str) -> None:
    """GIVEN a line whose printed last mark the recogniser left out THEN it is read back: the
    narrative's 字数 and its text are what was printed."""
    img, ink, box = _line("我们坚持党建引领围绕中心" + mark)
    [got] = restore_line_end_marks(img, ink, [OcrLine("我们坚持党建引领围绕中心", box, 0.99)])
    assert got.text == "我们坚持党建引领围绕中心" + mark


@pytest.mark.parametrize(("printed", "speck"), [("开展党员志愿服务活动点", False), ("我们坚持党建引领围绕中心", True),
                                                ("我们坚持党建引领围绕中心。", False)])
def test_nothing_is_added_that_was_not_printed(printed: str, speck: bool) -> None:
    """GIVEN a line ending in a character whose last stroke stands apart (点), a speck of dust
    after a line, or a line read whole THEN its reading is left as it is."""
    img, ink, box = _line(printed, speck)
    [got] = restore_line_end_marks(img, ink, [OcrLine(printed, box, 0.99)])
    assert got.text == printed
