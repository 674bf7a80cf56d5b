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


def test_on_a_turned_photo_the_mark_is_found_between_the_lines_around_it() -> None:
    """GIVEN lines set close and turned 3° (a phone photo), the detector's box of the middle line
    grown tall enough to take in its neighbours' ends THEN its dropped mark is still read back."""
    import math

    font = _font(22)
    img = Image.new("RGB", (760, 200), (255, 255, 255))
    d = ImageDraw.Draw(img)
    texts = ["到革命传统教育基地重温入党誓词，开展党员志", "群众满意度不断提高，我们坚持党建引领，围绕中心、",
             "服务大局，全年开展志愿服务五十七次，党员干部"]
    for k, t in enumerate(texts):
        d.text((30, 50 + 32 * k), t, fill=(25, 25, 25), font=font)
    x1 = 30 + d.textlength(texts[1], font=font)
    turned = img.rotate(-3, resample=Image.BICUBIC, fillcolor=(255, 255, 255), center=(0, 0))
    a = math.radians(3)
    corners = [(x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a))
               for x in (28, x1 + 3) for y in (80, 108)]
    box = (min(c[0] for c in corners), min(c[1] for c in corners), max(c[0] for c in corners),
           max(c[1] for c in corners))
    arr = numpy.asarray(turned)
    read = texts[1][:-1]
    [got] = restore_line_end_marks(arr, binarise(arr[..., 0].copy()), [OcrLine(read, box, 0.99, 3.0)])
    assert got.text == texts[1]
