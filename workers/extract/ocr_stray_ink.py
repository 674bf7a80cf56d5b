"""Ink on a greyscale page that nothing read explains: the spots where a seal may be.

On a page without colour a seal is found by its ring (`ocr_seal.find_shape_seals`), and a
ring that is faint, broken, filled or crossed by text is often not found.  Whether a spot was
stamped can still be told where the paper is clean: a seal, found or not, is a patch of ink of
a seal's size that is neither a line of text the OCR read nor a table rule.  The patches are
returned, so that "cannot tell whether it was stamped" applies where one lies (an opinion's
corner, a header's 盖公章), and a blank opinion on clean paper is a seal missing as surely as
on a colour scan.  Handwriting and pictures are such patches too: near them the doubt stays.
"""
from __future__ import annotations

from typing import Any, Sequence

import cv2
import numpy as np

from .ocr_grid import binarise, unit

# a patch this long (share of the page's shorter side) may be a seal or a piece of one: an
# official seal is 38–42 mm across, a fifth of an A4 page's width; a ring cut by the lines of
# text it was stamped over still leaves arcs of a third of that
SEAL_PIECE = 0.04
# ...and this thick both ways (a stray underline or a dash is no seal)
SEAL_THICK = 0.015
# a straight run of ink this long (share of the shorter side) is a rule, longer than any part of
# a seal's ring is straight
RULE_RUN = 0.1
# read lines are grown by this share of their height: glyph tops and tails stick out of the box
LINE_PAD = 0.3


def stray_ink(image: np.ndarray, lines: Sequence[dict[str, Any]],
              seals: Sequence[Sequence[float]] = ()) -> list[list[float]]:
    """Boxes (x0, y0, x1, y1) of seal-sized ink on the page outside every read line, rule and
    found seal."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    h, w = grey.shape[:2]
    ink = binarise(grey)
    side = min(h, w)
    # rules are taken off by length alone: the rule masks of the grid finder also take the flat
    # top and the sides of a seal's ring for rules, and a ring in pieces is no seal-sized patch
    run = max(15, int(RULE_RUN * side))
    rules = cv2.bitwise_or(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, run), np.uint8)),
                           cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8)))
    ink[cv2.dilate(rules, np.ones((5, 5), np.uint8)) > 0] = 0
    for b in [*(ln["box"] for ln in lines), *seals]:
        pad = LINE_PAD * (b[3] - b[1])
        ink[max(0, int(b[1] - pad)):min(h, int(b[3] + pad) + 1), max(0, int(b[0] - pad)):min(w, int(b[2] + pad) + 1)] = 0
    # the ring's dashes, the star's points and the arc of characters inside are one patch
    ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((max(3, int(7 * unit(grey))),) * 2, np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, 8)
    out = []
    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        if x <= 0 or y <= 0 or x + bw >= w or y + bh >= h:
            continue        # the scanner's dark edge, a page's shadow: not on the paper
        if max(bw, bh) >= SEAL_PIECE * side and min(bw, bh) >= SEAL_THICK * side:
            out.append([float(x), float(y), float(x + bw), float(y + bh)])
    return out
