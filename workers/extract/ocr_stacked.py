"""Two lines the detector took for one: a box as tall as two lines, read as one line's garbage.

Where lines stand close (a wrapped value's last character right above the next row's value:
中共…委员 / 会 over 五星), the detector can return one box over both, and recognition of that
crop gives one character of either (星).  Such a box, read unsurely, is cut at rows with little
or no ink across it where its lines should part, and each band is recognised by itself; of the
partings in reach, the one whose lines read best is kept.  A tall box with no such row (a title
in a large font, a line bent on a photo), or whose bands read no more than it did, is left as
it is.
"""
from __future__ import annotations

import cv2
import numpy as np

from .ocr_engine import OcrLine, recognise

# a box this many times the page's line height may hold two lines
TALL = 1.6
# ...unless it was read at least this surely: two lines in one box read as garbage (会 / 五星 as 星, 0.85)
SURE = 0.95
# ink darker than this is text
INK = 150
# where two lines part, a row with at most this share of a typical inked row's ink
NEAR_BLANK = 0.25
# a line's pitch in line heights, and how far from the expected parting a row may be (of a pitch)
PITCH = 1.2
SEARCH = 0.3
# a band lower than this share of a line height is a stroke cut off, not a line
MIN_BAND = 0.4
# each band's reading must be at least this sure
MIN_SCORE = 0.6
# partings tried at most, for one box
MAX_TRIES = 3


def split_stacked_lines(img: np.ndarray, lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with every box over two or more lines replaced by one line per band."""
    if len(lines) < 3:
        return lines
    h = float(np.median([ln.box[3] - ln.box[1] for ln in lines]))
    if h <= 1:
        return lines
    out: list[OcrLine] = []
    for ln in lines:
        x0, y0, x1, y1 = ln.box
        # a box read with confidence is one line as read (a column of vertical text, 党组织书记情况)
        parts = _bands(img, ln, h) if y1 - y0 >= TALL * h and ln.confidence < SURE else []
        out.extend(parts or [ln])
    return out


def _bands(img: np.ndarray, ln: OcrLine, h: float) -> list[OcrLine]:
    H, W = img.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in ln.box)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    crop = img[y0:y1, x0:x1]
    if crop.size == 0:
        return []
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    ink = grey < INK
    per_row = ink.sum(axis=1)
    inked = per_row[per_row > 0]
    if inked.size == 0:
        return []
    # as many lines as the box's height holds at a line's pitch; between two of them, a run of
    # rows with little ink near where they should part: blank, or a pixel or two where strokes
    # touch.  A character has such a run inside it too (会: its roof apart from its body), so each
    # run in reach is tried, and the parting whose lines read best is kept
    n = int(round(len(per_row) / (PITCH * h)))
    if n < 2:
        return []
    step, valley = len(per_row) / n, NEAR_BLANK * float(np.median(inked))
    choices: list[list[int]] = [[0]]
    for k in range(1, n):
        lo, hi = max(0, int(k * step - SEARCH * step)), min(len(per_row), int(k * step + SEARCH * step) + 1)
        ys = [lo + y for y in _partings(per_row[lo:hi] <= valley)]
        if not ys:
            return []
        choices = [c + [y] for c in choices for y in ys][:MAX_TRIES]
    best: list[OcrLine] = []
    for cuts in choices:
        read = _read_bands(img, ink, per_row, cuts + [len(per_row)], (x0, y0), h, ln.tilt)
        if read and (not best or _quality(read) > _quality(best)):
            best = read
    # the bands must read more than the box did (a large title's strokes read as nothing better)
    return best if sum(len(o.text) for o in best) > len(ln.text) else []


def _read_bands(img: np.ndarray, ink: np.ndarray, per_row: np.ndarray, cuts: list[int],
                origin: tuple[int, int], h: float, tilt: float) -> list[OcrLine]:
    """Each band between two cuts recognised by itself; [] when one is no line or reads poorly."""
    H, W = img.shape[:2]
    x0, y0 = origin
    out: list[OcrLine] = []
    for a, b in zip(cuts, cuts[1:]):
        rows = np.flatnonzero(per_row[a:b])
        if rows.size == 0 or rows[-1] + 1 - rows[0] < MIN_BAND * h:
            return []
        b0, b1 = a + int(rows[0]), a + int(rows[-1]) + 1
        cols = np.flatnonzero(ink[b0:b1].any(axis=0))
        c0, c1 = int(cols[0]), int(cols[-1]) + 1
        pad = max(2, int(0.15 * h))
        sub = img[max(0, y0 + b0 - pad):min(H, y0 + b1 + pad), max(0, x0 + c0 - pad):min(W, x0 + c1 + pad)]
        text, score = recognise(sub)
        if not text or score < MIN_SCORE:
            return []
        out.append(OcrLine(text, (float(x0 + c0), float(y0 + b0), float(x0 + c1), float(y0 + b1)), score, tilt))
    return out


def _quality(read: list[OcrLine]) -> float:
    """How well a parting read: the recognition's confidence, weighed by the characters."""
    chars = sum(len(o.text) for o in read)
    return sum(o.confidence * len(o.text) for o in read) / max(1, chars)


def _partings(low: np.ndarray) -> list[int]:
    """The middle of each run of low-ink rows, the longest first."""
    runs, start = [], None
    for y, v in enumerate(np.append(low, False)):
        if v and start is None:
            start = y
        elif not v and start is not None:
            runs.append((start, y))
            start = None
    return [(a + b) // 2 for a, b in sorted(runs, key=lambda r: r[0] - r[1])][:MAX_TRIES]
