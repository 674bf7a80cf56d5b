"""Boxes the detector ran together over a gutter, parted where the page's ink shows the gutter.
No OCR: the page is drawn, and the detector's box is given as it draws one over a narrow gutter."""
from __future__ import annotations

import re
import subprocess
from functools import lru_cache

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.image_factory import _font, cjk_font_path
from workers.extract.ocr_engine import OcrLine
from workers.extract.ocr_grid import Grid, GridCell
from workers.extract.ocr_gutters import split_at_gutters

pytestmark = pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font (fc-list :lang=zh)")

SIZE = 22          # 10.5 pt at 150 dpi
GUTTER = 25        # 12 pt: the gap a form's boxes keep between them
NARRATIVE = "全年开展志愿服务26次，结对帮扶困难群众，帮扶困难家庭45户，群众满意度不断提高，"


@lru_cache(maxsize=1)
def _latin() -> ImageFont.FreeTypeFont:
    """The Latin face a word processor sets figures in beside Chinese text (DejaVu Sans: figures
    two thirds of a character wide), else the CJK face's own."""
    try:
        path = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True,
                              text=True, timeout=20).stdout.strip()
        return ImageFont.truetype(path, SIZE) if path else _font(SIZE)
    except (OSError, subprocess.SubprocessError):
        return _font(SIZE)


def _draw(d: ImageDraw.ImageDraw, x: float, y: float, text: str) -> float:
    """`text` drawn from x, its Chinese in the CJK face and its runs of figures in the Latin one;
    where it ends."""
    for run in re.findall(r"[0-9-]+|[^0-9-]+", text):
        font = _latin() if run[0] in "0123456789-" else _font(SIZE)
        d.text((x, y), run, fill=0, font=font)
        x = d.textbbox((x, y), run, font=font)[2]
    return x


def _page(lines: list[list[str]], gutter: int = GUTTER) -> tuple[np.ndarray, list[OcrLine]]:
    """Each line's boxes drawn left to right `gutter` pixels apart, and one detector box over the
    whole line (padded a few pixels, as the detector pads); the page's narrative under them."""
    img = Image.new("L", (1275, 400), 255)
    d = ImageDraw.Draw(img)
    out: list[OcrLine] = []
    for k, boxes in enumerate([*lines, [NARRATIVE], [NARRATIVE[::-1]]]):
        x, y = 180, 40 + 40 * k
        for text in boxes:
            x = _draw(d, x, y, text) + gutter
        x0, y0, _x1, y1 = d.textbbox((180, y), boxes[0], font=_font(SIZE))
        out.append(OcrLine("".join(boxes), (x0 - 3.0, y0 - 4.0, x - gutter + 4.0, y1 + 4.0), 0.98))
    return np.asarray(img), out


def _texts(lines: list[OcrLine]) -> list[str]:
    return [ln.text for ln in lines]


def test_boxes_run_together_are_parted_at_their_gutters() -> None:
    """GIVEN label and value boxes a gutter apart read as one line (党组织名称：中共金华市所在单位类)
    THEN the line is cut at each gutter, every character on its own side of it."""
    grey, lines = _page([["党组织名称：", "中共金华市", "所在单位类"], ["示范点类型：", "树人育人招", "党员人数："]])
    got = _texts(split_at_gutters(grey, [], lines))
    assert got[:6] == ["党组织名称：", "中共金华市", "所在单位类", "示范点类型：", "树人育人招", "党员人数："]
    parts = split_at_gutters(grey, [], lines)
    # each part's box starts where its ink does: the next box's column
    assert parts[1].box[0] > parts[0].box[2] and parts[2].box[0] > parts[1].box[2]


def test_figures_wider_than_half_a_character_stay_on_their_side() -> None:
    """GIVEN a label and a compound value with two phones (figures two thirds of a character wide
    in the Latin face) THEN the label keeps its last character (电), the value its first (孙): the
    figures are not taken for half a character each, which would shift every cut by one."""
    value = "孙娟国党务干事0734-3004438 13907301234"
    grey, lines = _page([["联络人姓名及职务、电", value]], gutter=35)
    assert _texts(split_at_gutters(grey, [], lines))[:2] == ["联络人姓名及职务、电", value]


def test_running_text_and_its_punctuation_are_not_cut() -> None:
    """The white beside a 、 a ， or a colon is no gutter: a line of text stays one line."""
    grey, lines = _page([["申报单位：中共郴州市委组织部、宣传部，二〇一七年：好"]])
    assert _texts(split_at_gutters(grey, [], lines)) == _texts(lines)


def test_a_line_inside_a_table_cell_is_left_to_the_cell() -> None:
    """A line inside a ruled cell is the cell's to read (its rules part it): not cut here."""
    grey, lines = _page([["党组织名称：", "中共金华市", "所在单位类"]])
    cell = GridCell(row=0, col=0, rowspan=1, colspan=1, box=(100.0, 20.0, 1200.0, 90.0))
    grid = Grid(box=(100.0, 20.0, 1200.0, 90.0), rows=[20.0, 90.0], cols=[100.0, 1200.0], cells=[cell])
    assert split_at_gutters(grey, [grid], lines)[0] == lines[0]      # not even its box moved


def test_a_title_spaced_out_letter_by_letter_stays_one_line() -> None:
    """GIVEN a title set with a character's space between its letters (申 报 表) THEN it is one line,
    not a box a letter: the gaps part letters, not boxes."""
    grey, lines = _page([list("推荐申报表")], gutter=SIZE)
    assert _texts(split_at_gutters(grey, [], lines)) == _texts(lines)


def test_a_value_of_one_character_is_a_box_of_its_own() -> None:
    """GIVEN 性别：| 女 | 民族：| 汉 run together THEN each is a box: one-character values are parted."""
    grey, lines = _page([["性别：", "女", "民族：", "汉族"]])
    assert _texts(split_at_gutters(grey, [], lines))[:4] == ["性别：", "女", "民族：", "汉族"]


def test_running_text_with_marks_side_by_side_is_not_cut() -> None:
    """GIVEN a narrative line where a comma meets an opening quote (活动，“三会一课”), set in a face
    whose marks leave a character's white between them (drawn here as a gap) THEN the line is
    left whole: no box ends with a comma or starts with a quote."""
    grey, lines = _page([["扎实开展党员志愿服务活动，", "“三会一课”和主题党日活动常态化"]], gutter=SIZE)
    assert _texts(split_at_gutters(grey, [], lines)) == _texts(lines)


def test_a_boxs_start_is_its_inks_even_where_the_detector_padded_it_into_its_neighbour() -> None:
    """GIVEN a short piece (别：) whose detector box starts inside the box before it on its row
    (the value's 司法局机关, ending over its last character) THEN its box starts where its own ink
    does, past the neighbour's: at the column its box was printed in."""
    img = Image.new("L", (800, 120), 255)
    d = ImageDraw.Draw(img)
    d.text((340, 40), "司法局机关", fill=0, font=_font(SIZE))
    d.text((480, 40), "别：", fill=0, font=_font(SIZE))
    _a, y0, x1, y1 = d.textbbox((340, 40), "司法局机关", font=_font(SIZE))
    value = OcrLine("司法局机关", (337.0, y0 - 4.0, x1 + 6.0, y1 + 4.0), 0.99)
    label = OcrLine("别：", (x1 - 8.0, y0 - 4.0, 525.0, y1 + 4.0), 0.99)     # padded 17 px to the left
    got = split_at_gutters(np.asarray(img), [], [value, label])
    assert [ln.text for ln in got] == ["司法局机关", "别："]
    assert abs(got[1].box[0] - 480) <= 3


def test_lines_of_a_turned_page_whose_boxes_overlap_keep_their_starts() -> None:
    """GIVEN two lines of a photographed page whose boxes, turned with the page, overlap by most of
    their height and their whole width THEN neither box's start moves to the other's end: only a
    padding's width is passed over."""
    img = Image.new("L", (1275, 160), 255)
    d = ImageDraw.Draw(img)
    short = NARRATIVE[:28]           # the paragraph's last line, ending short of the margin
    d.text((260, 40), short, fill=0, font=_font(SIZE))
    d.text((262, 62), NARRATIVE[::-1], fill=0, font=_font(SIZE))
    upper = OcrLine(short, (255.0, 36.0, d.textbbox((260, 40), short, font=_font(SIZE))[2] + 4.0, 76.0), 0.97)
    lower = OcrLine(NARRATIVE[::-1], (257.0, 52.0, 1155.0, 92.0), 0.97)
    got = split_at_gutters(np.asarray(img), [], [upper, lower])
    assert [ln.text for ln in got] == [short, NARRATIVE[::-1]]
    assert got[1].box[0] < 300
