"""Two pages on one sheet are read as two pages; any other sheet as it comes.  No OCR."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dossier.settings import Settings
from tests.image_factory import cjk_font_path, jinhua_page, two_up
from workers.extract.ocr_grid import find_grids
from workers.extract.ocr_pages import image_pages
from workers.extract.ocr_twoup import split_two_up

pytestmark = pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font (fc-list :lang=zh)")


def _rgb(img) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(img.convert("RGB"))


def test_a_two_up_scan_is_two_pages_each_with_its_table(tmp_path: Path) -> None:
    """GIVEN two pages printed side by side on one landscape sheet, scanned to one PNG
    THEN the file has two pages, left first, and each holds one whole table."""
    page = jinhua_page()
    path = tmp_path / "two-up.png"
    two_up(page, jinhua_page(seal=False)).save(path)
    pages = image_pages(path, Settings())
    assert [p.page for p in pages] == [1, 2]
    for p in pages:
        assert p.height > p.width                       # each half is a portrait page
        grids = find_grids(p.image[..., 0])
        assert len(grids) == 1 and len(grids[0].cells) == len(find_grids(_rgb(page)[..., 0])[0].cells)
    # the seal was stamped on the left page only
    left_red = ((pages[0].image[..., 0].astype(int) - pages[0].image[..., 1]) > 80).sum()
    right_red = ((pages[1].image[..., 0].astype(int) - pages[1].image[..., 1]) > 80).sum()
    assert left_red > 1000 and right_red == 0


@pytest.mark.parametrize("sheet", ["portrait", "on_its_side", "one_page_and_a_blank_half"])
def test_other_sheets_stay_one_page(sheet: str) -> None:
    """A portrait page, the same page lying on its side (a wide table across the middle) and a
    two-up sheet with one blank half are not cut."""
    page = jinhua_page()
    img = {"portrait": page, "on_its_side": page.rotate(90, expand=True),
           "one_page_and_a_blank_half": two_up(page, None)}[sheet]
    parts = split_two_up(_rgb(img))
    assert len(parts) == 1 and parts[0].shape == _rgb(img).shape


def test_a_two_up_sheet_in_a_pdf_keeps_its_hairlines(tmp_path: Path) -> None:
    """GIVEN a two-up sheet just over the longest side read (MAX_SIDE), scanned into a PDF, its
    tables ruled with one-pixel lines WHEN its pages are prepared THEN each page keeps every rule:
    a renderer resampling the scan by a few per cent drops one row in forty, and a rule on it is
    gone from the grid (two rows of a score sheet then read as one cell: 4 over 3 as 43)."""
    from PIL import Image

    from workers.extract.ocr_pages import MAX_SIDE, pdf_pages
    w, h = (MAX_SIDE + 60) // 2, 1700
    page = np.full((h, w, 3), 255, np.uint8)
    rules = list(range(300, 1500, 7))
    for y in rules:
        page[y, 150:w - 150] = 0
    sheet = np.full((h, 2 * w, 3), 255, np.uint8)
    sheet[:, :w], sheet[:, w:] = page, page
    path = tmp_path / "two-up.pdf"
    Image.fromarray(sheet).save(path, resolution=150)
    pages = pdf_pages(path, Settings())
    assert len(pages) == 2
    for p in pages:
        img = p.image.min(axis=2)
        scale = p.height / h
        for y in rules:
            band = img[max(0, round(y * scale) - 1):round(y * scale) + 2, p.width // 3:2 * p.width // 3]
            assert band.min(axis=0).mean() < 140, y


def test_a_two_up_sheets_pages_know_it_and_keep_it_when_stored(tmp_path: Path) -> None:
    """Each half of a two-up sheet is marked as one, through the PNG a page task reads; a sheet
    of one page is not."""
    from PIL import Image

    from workers.extract.ocr_pages import png_two_up, to_png
    path = tmp_path / "two-up.png"
    two_up(jinhua_page(), jinhua_page(seal=False)).save(path)
    halves = image_pages(path, Settings())
    assert [p.two_up for p in halves] == [True, True]
    single = tmp_path / "one.png"
    jinhua_page().save(single)
    assert [p.two_up for p in image_pages(single, Settings())] == [False]
    for flag in (True, False):
        with Image.open(__import__("io").BytesIO(to_png(halves[0].image, flag))) as im:
            assert png_two_up(im) is flag


def _line(text: str, x0: float, x1: float, y: float) -> dict:
    return {"text": text, "box": [x0, y, x1, y + 24], "confidence": 0.95}


class TestPastTheMargin:
    """A line run past a two-up page's invisible edge: its end lies well right of the rest."""

    GRID = {"box": [100, 300, 1100, 900]}

    def _page(self, extra: list[dict], grids: list[dict] | None = None) -> dict:
        body = [_line("党组织名称" + "某" * k, 120, 400 + 40 * k, 320 + 40 * k) for k in range(10)]
        return {"lines": body + extra, "grids": [self.GRID] if grids is None else grids}

    def test_a_phone_run_past_the_page_is_counted(self) -> None:
        from workers.extract.ocr_signs import past_the_margin
        cut = _line("联络人电话：179-3804", 600, 1230, 1000)
        assert past_the_margin(self._page([cut])) == len(cut["text"])

    def test_lines_inside_the_tables_margin_are_not(self) -> None:
        from workers.extract.ocr_signs import past_the_margin
        # a title and a date line ending at the table's right rule or a little short of it
        assert past_the_margin(self._page([_line("推荐日期：2017年4月8日", 800, 1100, 1000),
                                           _line("编号：", 1000, 1120, 200)])) == 0

    def test_a_page_of_running_text_has_no_line_past_its_margin(self) -> None:
        from workers.extract.ocr_signs import past_the_margin
        prose = [_line("支部坚持三会一课制度" * 3, 120, 1100 - (k % 3), 100 + 40 * k) for k in range(30)]
        prose.append(_line("全年走访群众。", 120, 400, 1400))     # a paragraph's short last line
        assert past_the_margin({"lines": prose, "grids": []}) == 0


def test_a_form_whose_last_page_holds_a_few_lines_is_still_two_pages() -> None:
    """GIVEN a two-up sheet whose right page is the form's last: a few short lines at its top (the
    seal line, a date, the next level's opinion, a note) THEN it is still two pages — read as
    one, those lines would run on from the left page's lines at the same height (学校(盖章))."""
    from PIL import ImageDraw

    from tests.image_factory import _font
    page = jinhua_page()
    last = page.copy()
    last.paste((255, 255, 255), (0, 0, *last.size))
    d = ImageDraw.Draw(last)
    for k, text in enumerate(["（盖章）", "2015.10.10", "市直机关工委意见：", "（盖章）", "年    月    日",
                              "备注：1、单位类别指机关、事业、国有企业和国有金融机构。"]):
        d.text((160, 200 + 48 * k), text, fill=(0, 0, 0), font=_font(24))
    assert len(split_two_up(_rgb(two_up(page, last)))) == 2
