"""Lines read on a colour page where a seal is stamped: the seal's own text is no value, the
black print or writing under it is.

The reader OCRs the red channel, where pure red ink is as light as the paper; a dull or
colour-subsampled seal stays mid-grey there, its arc text is read, and it would run into the
value of the cell it covers (同意推荐。大).  A date or （盖章） printed under the seal must stay.
"""
from __future__ import annotations

import cv2
import numpy as np

from .ocr_engine import OcrLine, recognise

RED_INK = 40              # R above max(G, B) by this much: red ink
RED_LINE_SHARE = 0.6      # a line whose ink is mostly red holds a seal's text
BLACK_INK = 110           # every channel below this: black (or blue-black) print or writing
BLACK_LINE_SHARE = 0.02   # of a line's box; printed text covers 8–20 % of it, a seal's text none
REREAD_SCORE = 0.6
CLOSING_MARKS = "。，、；：！？"


def _patch(image: np.ndarray, box: tuple[float, float, float, float]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    h, w = image.shape[:2]
    x0, y0 = int(max(0, box[0])), int(max(0, box[1]))
    x1, y1 = int(min(w, box[2])), int(min(h, box[3]))
    return image[y0:y1, x0:x1], (x0, y0, x1, y1)


def without_seal_text(image: np.ndarray, lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` without a seal's text: a line whose ink is mostly red is dropped when no black
    ink is in it, and read again with its red ink whited out when there is (the detector took
    the seal's text and the （盖章） or the date under it for one line)."""
    out: list[OcrLine] = []
    for ln in lines:
        patch, _ = _patch(image, ln.box)
        if patch.size == 0:
            out.append(ln)
            continue
        p = patch.astype(np.int16)
        r, g, b = p[..., 0], p[..., 1], p[..., 2]
        ink = (r + g + b) < 3 * 190
        red = (r - np.maximum(g, b)) > RED_INK
        if ink.sum() < 10 or float((red & ink).sum()) / float(ink.sum()) <= RED_LINE_SHARE:
            out.append(ln)
            continue
        black = np.maximum(np.maximum(r, g), b) < BLACK_INK
        if float(black.mean()) < BLACK_LINE_SHARE:
            continue                              # the seal's text alone
        # black print under the seal: only what is black is read (red ink, and the paper
        # tinted by it, becomes paper); a pixel round the black keeps the glyphs' edges
        keep = cv2.dilate(black.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        clean = np.where(keep[..., None], patch, 255).astype(np.uint8)
        text, score = recognise(clean)
        if text and score >= REREAD_SCORE:
            out.append(OcrLine(text, ln.box, min(ln.confidence, score)))
    return out


def closing_mark_under_seal(img: np.ndarray, lines: list[OcrLine], seal_boxes: list) -> list[OcrLine]:
    """A line that ends inside a seal, read again one glyph further: the detector stops its box
    where the seal's ring begins, and the full stop stamped over (同意推荐。) is lost.  Only a
    punctuation mark is taken from the longer reading; the seal's own text is never added."""
    h, w = img.shape[:2]
    out = []
    for ln in lines:
        x0, y0, x1, y1 = ln.box
        height = max(1.0, y1 - y0)
        inside = [b for b in seal_boxes
                  if b[0] <= x1 <= b[2] and min(y1, b[3]) - max(y0, b[1]) > 0.5 * height]
        if ln.text and ln.text[-1] not in CLOSING_MARKS and inside:
            crop = img[max(0, int(y0) - 2):min(h, int(y1) + 2),
                       max(0, int(x0)):min(w, int(x1 + 1.2 * height))]
            longer, score = recognise(crop)
            # the same line, then a mark (and maybe a glyph of the seal's text, dropped)
            if (longer.startswith(ln.text) and len(longer) > len(ln.text)
                    and longer[len(ln.text)] in CLOSING_MARKS and score >= 0.8):
                ln = OcrLine(ln.text + longer[len(ln.text)], (x0, y0, x1 + 0.5 * height, y1), ln.confidence)
        out.append(ln)
    return out
