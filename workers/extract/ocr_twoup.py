"""Two pages side by side on one sheet (a two-up print, an open booklet scanned flat).

Each half is a page of its own: read as one page, the left page's table and the right page's
would be ordered by height alone, their rows interleaved, and a cell carried over from the left
page to the right one would not follow it.  A sheet is two-up when it lies in landscape and a
band down its middle holds no ink from top to bottom (one wide form's rules cross the middle).
"""
from __future__ import annotations

import cv2
import numpy as np

# a sheet this much wider than tall may hold two portrait pages
MIN_ASPECT = 1.2
# where the gutter is looked for, as shares of the width
GUTTER_FROM, GUTTER_TO = 0.35, 0.65
# the gutter: at least this wide (of the sheet's width: two pages' margins, far wider than the gap
# between two lines of a page lying on its side), ink in no more than this share of its rows
GUTTER_WIDTH = 0.05
GUTTER_INK = 0.004
# each half must hold a page's worth of ink, not a margin note
HALF_INK = 0.01


def split_two_up(img: np.ndarray) -> list[np.ndarray]:
    """[left page, right page] of a two-up sheet; [img] for any other page."""
    h, w = img.shape[:2]
    if w < MIN_ASPECT * h:
        return [img]
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    small = cv2.resize(grey, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    block = max(15, (min(sh, sw) // 20) | 1)
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    # the desk around a photographed sheet is no gutter: only the rows the sheet's ink spans count
    rows = np.flatnonzero(ink.sum(axis=1) > 0)
    if rows.size == 0:
        return [img]
    ink = ink[rows[0]:rows[-1] + 1]
    per_col = ink.mean(axis=0)
    lo, hi = int(GUTTER_FROM * sw), int(GUTTER_TO * sw)
    clear = per_col[lo:hi] <= GUTTER_INK
    best_start, best_len, start = 0, 0, None
    for i, c in enumerate(np.append(clear, False)):
        if c and start is None:
            start = i
        elif not c and start is not None:
            if i - start > best_len:
                best_start, best_len = start, i - start
            start = None
    if best_len < GUTTER_WIDTH * sw:
        return [img]
    mid = int(lo + best_start + best_len / 2)
    # each half measured whole, from the gutter out: a page that ends a form holds a few lines at
    # its top, part of which lie inside the band the gutter was looked for in
    if min(per_col[:mid].mean(), per_col[mid:].mean()) < HALF_INK:
        return [img]
    cut = mid * w / sw
    left, right = img[:, :int(cut)], img[:, int(cut):]
    return [np.ascontiguousarray(left), np.ascontiguousarray(right)]
