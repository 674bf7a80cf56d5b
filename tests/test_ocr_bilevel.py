"""1-bit scans and degenerate pages, without OCR: a hairline table whose rules the threshold broke
into dashes is still found as its grid, and a page too small to hold anything reads as empty."""
from __future__ import annotations

import numpy as np
import pytest

from tests.image_factory import cjk_font_path, jinhua_page, one_bit
from workers.extract.ocr_grid import find_grids

pytestmark = pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font (fc-list :lang=zh)")


def _grey(img) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(img.convert("L"))


def _cells(grids) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """Every cell's box, to 10 px (a grid boundary that splits no cell changes no cell)."""
    return sorted(tuple(round(v / 10) for v in c.box) for g in grids for c in g.cells)


def test_hairline_table_on_a_noisy_one_bit_scan_keeps_its_grid() -> None:
    """GIVEN a 推荐表 printed with hairline borders and scanned black-and-white (its rules broken into
    dashes) WHEN its grid is looked for as a 1-bit page THEN every cell of the clean page is there,
    merged cells included, where it is on the clean page."""
    clean = find_grids(_grey(jinhua_page(seal=False)))
    scan = _grey(one_bit(jinhua_page(seal=False, rule=(1, 110)), threshold=150, noise=30))
    assert find_grids(scan) == [] or _cells(find_grids(scan)) != _cells(clean)   # what it was before
    grids = find_grids(scan, broken=True)
    assert len(grids) == 1 and len(grids[0].cells) == len(clean[0].cells)
    for want in clean[0].cells:
        assert any(np.allclose(got.box, want.box, atol=8) for got in grids[0].cells), want


def test_looking_for_broken_rules_adds_no_cells_to_a_solid_table() -> None:
    """GIVEN a black-and-white scan whose rules came through whole THEN looking for broken rules
    finds the same cells (text and vertical labels are not taken for rules)."""
    scan = _grey(one_bit(jinhua_page(seal=False), threshold=150, noise=10))
    assert _cells(find_grids(scan, broken=True)) == _cells(find_grids(scan))


@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (40, 3000)])
def test_a_page_too_small_to_hold_a_form_reads_as_empty(shape: tuple[int, int]) -> None:
    """GIVEN a 1×1 image or a sliver THEN OCR gives an empty page, not an error."""
    from dossier.settings import get_settings
    from workers.extract.ocr_reader import ocr_page
    result, _ = ocr_page(np.full(shape + (3,), 255, np.uint8), 1, get_settings())
    assert result["lines"] == [] and result["grids"] == [] and result["seals"] == []


def test_a_glyph_touching_a_rule_does_not_carry_it_into_the_next_row() -> None:
    """GIVEN two rows, the upper one parted by a column rule, the lower one a single cell whose
    text sits close under the rule, a glyph's upright stroke touching it where the column rule
    ends (a low-resolution scan) THEN the lower row stays one cell."""
    import cv2
    page = np.full((1754, 1240), 255, np.uint8)                # A4 at 150 dpi
    cv2.rectangle(page, (100, 100), (1100, 300), 0, 2)
    cv2.line(page, (100, 200), (1100, 200), 0, 2)               # the rule between the rows
    cv2.line(page, (600, 100), (600, 200), 0, 2)                # the upper row's column rule
    cv2.line(page, (600, 202), (600, 245), 0, 3)                # a glyph's stroke right under it
    cv2.line(page, (585, 225), (615, 225), 0, 2)                # and the rest of the glyph
    grids = find_grids(page)
    assert len(grids) == 1
    lower = [c for c in grids[0].cells if c.row == 1]
    assert len(lower) == 1 and lower[0].colspan == 2
