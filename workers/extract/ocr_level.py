"""A page turned a little, with no rules to level it by, levelled by its lines of text.

`ocr_geometry.straighten` squares a page by its table's rules; a form laid out without rules (label
and value boxes, label lines) photographed a degree or three askew keeps its turn, and then a
label and its value, set level on the paper, stand at different heights: the value of one row
reaches the middle of the next.  The detector's quadrilaterals say how the text slopes; the page
and everything read on it (the lines' and the seals' boxes) are turned back by the lines' median
slope.  No OCR is run again: the turn is a rotation of the coordinates, and of the image kept for
the reviewer, so the boxes drawn over it still fit.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from .ocr_geometry import rotate

# a page turned less than this (degrees) reads well as it is; one turned more than this is not a
# slight turn (a line the detector read sideways)
MIN_TURN = 0.4
MAX_TURN = 8.0
# lines this long (characters) say how the page lies; this many of them are needed
LONG = 6
MIN_LINES = 5


def text_turn(lines: list[Any]) -> float:
    """The median slope of the page's long lines (degrees, y down), or 0.0 when there are too few
    or the page is level."""
    tilts = sorted(ln.tilt for ln in lines if len(ln.text) >= LONG and abs(ln.tilt) < MAX_TURN)
    if len(tilts) < MIN_LINES:
        return 0.0
    turn = tilts[len(tilts) // 2]
    return turn if abs(turn) >= MIN_TURN else 0.0


def _turned(box: tuple[float, float, float, float], m: np.ndarray, slope: float) -> tuple[float, float, float, float]:
    """A box turned by `m` about its middle, its height less what the slope had added to it."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    nx, ny = m @ np.array([cx, cy, 1.0])
    w = x1 - x0
    h = max(1.0, (y1 - y0) - abs(w * slope))
    return (float(nx - w / 2), float(ny - h / 2), float(nx + w / 2), float(ny + h / 2))


def level_by_text(image: np.ndarray, lines: list[Any], seals: list[Any]) -> tuple[np.ndarray, list[Any], list[Any]]:
    """The page, its lines and its seals turned level by the text's slope (unchanged when level)."""
    turn = text_turn(lines)
    if not turn:
        return image, lines, seals
    image, m = rotate(image, turn)
    slope = math.tan(math.radians(turn))
    lines = [replace(ln, box=_turned(ln.box, m, slope), tilt=ln.tilt - turn) for ln in lines]
    seals = [replace(s, box=_turned(s.box, m, 0.0)) for s in seals]
    return image, lines, seals
