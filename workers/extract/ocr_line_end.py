"""A clause's mark at the end of a line, which recognition dropped, read back from the ink.

The recogniser often loses a small mark when it is the last thing on a line (围绕中心、 read as
围绕中心): its few pixels at the crop's edge weigh less than the white after them.  Each such
loss costs the narrative one 字, and a count one 字 short or long can cross a limit either way.

The page still shows the mark: a small blob, past the last character's ink and apart from it by
white, not high in the line as a quote is.  Where a line read as ending in a character
(not a mark) has such a blob inside its box, the line's tail is recognised again with white
after it, as a person would look again at the end of the line; only when that second reading
ends in the same character followed by one of those marks is the mark added.  The ink alone never
adds a character: a dot of dust, or the last dot of 心 or 点, is not confirmed by the re-reading.
"""
from __future__ import annotations

import cv2
import numpy as np

from .ocr_cell_columns import char_width
from .ocr_engine import OcrLine, recognise

# the marks that sit low in their cell; the recogniser drops them at a line's end
LOW_MARKS = "、，。"
# a line already ending in any mark or closing sign lost nothing
ENDS = "、，。；：！？,.;:!?”’）)》」』】"
# padding (in ems) of white added after the tail before it is read again: enough that the mark
# is no longer at the crop's edge
PAD = 1.5


def _runs(cols: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of the runs of True in `cols`."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], cols.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _tail_mark(ink: np.ndarray, centre: float) -> tuple[int, int, int] | None:
    """Where a low mark-sized blob ends the ink of a line's band: the column it ends at and the
    line's own rows (top, bottom), or None.  `ink`: the band's ink, True where inked; `centre`:
    the row the line's middle runs through there."""
    # the line's own rows: the run of inked rows through its middle (the band may take in the
    # foot of the line above and the top of the one below)
    bands = _runs(ink.any(axis=1))
    if not bands:
        return None
    top, bottom = min(bands, key=lambda r: 0 if r[0] <= centre < r[1] else min(abs(r[0] - centre),
                                                                                abs(r[1] - centre)))
    ink = ink[top:bottom]
    em = bottom - top
    runs = [r for r in _runs(ink.any(axis=0)) if r[1] - r[0] >= 1]
    if len(runs) < 3 or em < 8:
        return None
    (pa, pb), (a, b) = runs[-2], runs[-1]
    blob = np.flatnonzero(ink[:, a:b].any(axis=1))
    b_top, b_bottom = int(blob[0]), int(blob[-1]) + 1
    width, height = b - a, b_bottom - b_top
    low = (b_top + b_bottom) / 2 >= 0.3 * em     # not a quote or an apostrophe, which sit high
    sized = 0.12 * em <= width <= 0.55 * em and 0.12 * em <= height <= 0.5 * em
    apart = a - pb >= max(1, round(0.05 * em))
    return (b, top, bottom) if low and sized and apart else None


def restore_line_end_marks(img: np.ndarray, ink: np.ndarray, lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with a low mark their reading dropped at the end put back (see the module).
    `img`: the page OCR read; `ink`: its binarised ink (255 = ink)."""
    h, w = ink.shape[:2]
    out = []
    for ln in lines:
        x0, y0, x1, y1 = (int(round(v)) for v in ln.box)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1 + 2), min(h, y1)
        if len(ln.text) < 2 or ln.text[-1] in ENDS or x1 - x0 < 8 or y1 - y0 < 8:
            out.append(ln)
            continue
        # the line's end only (five characters' width, by the line's own pitch), and its rows
        # there: a line turned a degree or two on a photo has its box grown tall over its length,
        # and the lines above and below run into its band
        pitch = (x1 - x0) / max(1.0, sum(char_width(ch) for ch in ln.text))
        left = max(x0, x1 - int(5 * pitch))
        mid = (y0 + y1) / 2 + ((left + x1) / 2 - (x0 + x1) / 2) * np.tan(np.radians(ln.tilt))
        found = _tail_mark(ink[y0:y1, left:x1] > 0, mid - y0)
        if found is None:
            out.append(ln)
            continue
        b, top, bottom = found
        em = bottom - top
        # the tail (some four characters and the mark) in the line's own rows, a margin round them
        end, margin = left + b, max(2, int(0.25 * em))
        crop = img[max(0, y0 + top - margin):min(h, y0 + bottom + margin), max(x0, end - 4 * em):end + 1]
        pad = int(PAD * em)
        crop = cv2.copyMakeBorder(crop, 4, 4, 4, pad, cv2.BORDER_CONSTANT, value=(255, 255, 255))
        text, _score = recognise(crop)
        if len(text) >= 2 and text[-1] in LOW_MARKS and text[-2] == ln.text[-1]:
            ln = OcrLine(ln.text + text[-1], ln.box, ln.confidence, ln.tilt)
        out.append(ln)
    return out
