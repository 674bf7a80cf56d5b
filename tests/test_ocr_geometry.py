"""Page geometry before the grid is read: the skew of a photo is measured from the page itself,
and rules that no single warp levels (a sheet that is not flat) are levelled one by one."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.image_factory import jinhua_page, photographed, printed_askew
from workers.extract import ocr_geometry as geometry
from workers.extract.ocr_grid import find_grids, line_masks


def _grey(img: object) -> np.ndarray:
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2GRAY)


def _rule_tilts(rgb: np.ndarray) -> list[float]:
    """Across the page width, how many px each long horizontal rule climbs or falls."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    hmask, _ = line_masks(grey)
    return [abs(float(vy / vx)) * w for _, (vx, vy, _, _) in geometry._fit(hmask, True, 0.35 * w)]


@pytest.mark.parametrize("turned", [2.5, -4.0, 0.0])
def test_skew_is_measured_from_the_page(turned: float) -> None:
    """GIVEN a page turned by a known angle on a desk THEN the angle that levels it is found within
    0.3° (PIL turns counter-clockwise; undoing it is the opposite angle)."""
    page = photographed(jinhua_page(), angle=turned, bend=0.0)
    assert geometry.skew_angle(_grey(page)) == pytest.approx(-turned, abs=0.3)


def test_a_level_page_is_left_as_it_is() -> None:
    page = np.asarray(jinhua_page().convert("RGB"))
    out, angle = geometry.deskew(page)
    assert angle == 0.0 and out is page
    levelled, changed = geometry.level_rules(page)
    assert not changed and levelled is page


def test_rules_of_a_bent_sheet_are_levelled() -> None:
    """GIVEN a sheet whose rules slope more and more down the page (up to 40 px across it) THEN
    after levelling every long rule climbs less than 3 px across the page."""
    page = np.asarray(photographed(jinhua_page(), angle=0.0, bend=40.0))
    assert max(_rule_tilts(page)) > 20
    levelled, changed = geometry.level_rules(page)
    assert changed and levelled.shape == page.shape
    assert max(_rule_tilts(levelled)) < 3


def test_straighten_turns_then_levels_a_photo() -> None:
    """A photo turned by 3° and bent comes out with level rules."""
    page = np.asarray(photographed(jinhua_page(), angle=3.0, bend=40.0))
    assert max(_rule_tilts(geometry.straighten(page))) < 3


@pytest.mark.parametrize(("askew", "on_glass"), [(1.5, -1.0), (2.0, 0.0), (1.0, -1.5)])
def test_the_frame_is_the_tables_not_the_sheets_edge(askew: float, on_glass: float) -> None:
    """GIVEN a scan whose table is printed askew on a tinted sheet lying turned on a white lid (the
    sheet's edges are long straight lines at another angle) THEN the page is squared by the table's
    own rules: the grid read afterwards has every cell of the flat page."""
    flat = [len(g.cells) for g in find_grids(_grey(jinhua_page().convert("RGB")))]
    page = np.asarray(printed_askew(jinhua_page(), askew=askew, on_glass=on_glass))
    cells = [len(g.cells) for g in find_grids(cv2.cvtColor(geometry.straighten(page), cv2.COLOR_RGB2GRAY))]
    assert max(cells) == max(flat)


def test_a_lone_row_carried_over_is_levelled() -> None:
    """GIVEN the last row of a table carried over onto a page of its own (two long rules, no frame),
    turned by 3° THEN it comes out level, so that its text is read as the row it is."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (1240, 1754), (255, 255, 255))
    d = ImageDraw.Draw(page)
    d.rectangle((150, 200, 1090, 240), outline=(0, 0, 0), width=2)
    d.line((230, 200, 230, 240), fill=(0, 0, 0), width=2)
    turned = np.asarray(page.rotate(3.0, resample=Image.BICUBIC, fillcolor=(255, 255, 255)))
    assert max(_rule_tilts(geometry.straighten(turned)), default=99.0) < 3
