"""Seal detection on page images, without OCR: red ink on colour pages, ring shape on greyscale
ones, and whether a page is greyscale at all (which decides seal.missing against seal.uncertain)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.image_factory import cjk_font_path, greyscale, jinhua_page, seal_box
from workers.extract.ocr_seal import find_red_seals, find_shape_seals, is_greyscale

pytestmark = pytest.mark.skipif(cjk_font_path() is None, reason="no CJK font (fc-list :lang=zh)")


def _iou(a: tuple[float, ...], b: tuple[int, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union


def test_red_seal_is_one_seal_where_stamped() -> None:
    """Ring, star and arc text make one seal, boxed where it was stamped."""
    seals = find_red_seals(np.asarray(jinhua_page()))
    assert len(seals) == 1 and seals[0].method == "red"
    assert _iou(seals[0].box, seal_box()) > 0.8 and seals[0].confidence >= 0.9


def test_no_red_no_seal() -> None:
    assert find_red_seals(np.asarray(jinhua_page(seal=False))) == []


def test_colour_scan_without_red_is_colour() -> None:
    """A colour scan of an unstamped page (tinted paper) is not greyscale: no seal there is missing."""
    assert not is_greyscale(np.asarray(jinhua_page(seal=False)))
    assert not is_greyscale(np.asarray(jinhua_page()))


def test_greyscale_scan() -> None:
    """The same page scanned in greyscale carries no colour: whether it was stamped is told by shape."""
    grey = np.asarray(greyscale(jinhua_page()))
    assert is_greyscale(grey)
    rings = find_shape_seals(grey[..., 0])
    assert len(rings) == 1 and rings[0].method == "shape" and rings[0].confidence < 0.95
    assert _iou(rings[0].box, seal_box()) > 0.7
    assert find_shape_seals(np.asarray(greyscale(jinhua_page(seal=False)))[..., 0]) == []


@pytest.mark.parametrize("scan", ["colour", "greyscale", "one_bit"])
def test_a_seal_ring_is_no_rule_of_the_table(scan: str) -> None:
    """GIVEN a seal stamped in the opinion cell, scanned in colour, greyscale or black-and-white
    THEN the table's grid is that of the unstamped page: the ring's sides and top, straight over a
    glyph's length, do not cut the cell into an opinion part and a date part."""
    from tests.image_factory import one_bit
    from workers.extract.ocr_grid import find_grids

    def page(seal: bool) -> np.ndarray:
        img = jinhua_page(seal=seal)
        img = {"colour": img, "greyscale": greyscale(img), "one_bit": one_bit(img)}[scan]
        return np.asarray(img.convert("RGB"))

    stamped = page(True)
    seals = find_red_seals(stamped) if scan == "colour" else find_shape_seals(stamped[..., 0])
    assert len(seals) == 1
    grids = find_grids(stamped[..., 0], broken=scan == "one_bit", seals=[s.box for s in seals])
    bare = find_grids(page(False)[..., 0], broken=scan == "one_bit")
    assert len(grids) == len(bare) == 1
    assert np.allclose(grids[0].rows, bare[0].rows, atol=4) and np.allclose(grids[0].cols, bare[0].cols, atol=4)


def test_stray_ink_is_where_a_seal_is_and_not_on_clean_paper() -> None:
    """On a greyscale page, ink of a seal's size that no rule explains marks where a seal may be
    (the ring finder may miss it: a broken or filled ring); an unstamped page has none there."""
    from workers.extract.ocr_stray_ink import stray_ink

    def over_seal(img: object) -> list[float]:
        boxes = stray_ink(np.asarray(greyscale(img)), lines=[])      # type: ignore[arg-type]
        return [_iou(b, seal_box()) for b in boxes]

    assert max(over_seal(jinhua_page()), default=0.0) > 0.6
    assert max(over_seal(jinhua_page(seal=False)), default=0.0) < 0.1
