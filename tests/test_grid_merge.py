"""Merged cells from the rules between grid slots (shared by the PDF and OCR readers)."""
from __future__ import annotations

from workers.extract.grid_merge import merged_spans


def test_every_rule_present_gives_single_slots() -> None:
    """A fully ruled 2×3 grid is six cells."""
    spans = merged_spans(2, 3, lambda r, c: True, lambda r, c: True)
    assert sorted(spans) == [(r, c, r, c) for r in range(2) for c in range(3)]


def test_missing_rules_merge() -> None:
    """No rule right of (0,0): a colspan; no rule under column 2: a rowspan over three rows."""
    spans = merged_spans(3, 3, lambda r, c: not (r == 0 and c == 0), lambda r, c: c != 2)
    assert (0, 0, 0, 1) in spans and (0, 2, 2, 2) in spans
    assert len(spans) == 1 + 1 + 4        # the merged pair, the tall cell, four single slots


def test_l_shape_is_its_bounding_box() -> None:
    """Slots merged in an L come out as the rectangle around them."""
    spans = merged_spans(2, 2, lambda r, c: r == 1, lambda r, c: c == 1)
    assert (0, 0, 1, 1) in spans
