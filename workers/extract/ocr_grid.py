"""Ruling lines and table grids from a page image.

Horizontal and vertical rules are found by morphological opening of the
binarised page with long thin kernels (text strokes are shorter than the
kernel, rules are longer).  The distinct rule positions give a grid; a grid
edge with no rule under it means the two grid cells on either side are one
merged cell (colspan/rowspan).  A table cut by a page break has no closing
rule: the ends of its vertical rules stand in for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from .grid_merge import merged_spans


# a rule separates two grid slots where it runs along this share of the edge between them (the
# masks hold rules only: a merged cell's edge has none); a broken rule on a 1-bit scan, less
RULE_COVER = 0.5
BROKEN_RULE_COVER = 0.3


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[float, float, float, float]
    # x of the columns of paper parting a borderless table inside the cell (ocr_cell_columns)
    columns: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = {"row": self.row, "col": self.col, "rowspan": self.rowspan, "colspan": self.colspan,
               "box": [round(v, 1) for v in self.box]}
        if self.columns:
            out["columns"] = [round(v, 1) for v in self.columns]
        return out


@dataclass
class Grid:
    box: tuple[float, float, float, float]
    rows: list[float]             # y of each horizontal boundary, top to bottom
    cols: list[float]             # x of each vertical boundary, left to right
    cells: list[GridCell] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"box": [round(v, 1) for v in self.box], "rows": [round(v, 1) for v in self.rows],
                "cols": [round(v, 1) for v in self.cols], "cells": [c.to_json() for c in self.cells]}


def unit(img: np.ndarray) -> float:
    """Pixels per point-ish: 1.0 for an A4 page 1240 px wide (150 dpi)."""
    h, w = img.shape[:2]
    return max(0.35, min(w, h) / 1240.0)


def binarise(grey: np.ndarray) -> np.ndarray:
    """Ink = 255.  Adaptive, so uneven phone lighting does not swallow a page half."""
    block = max(15, (int(min(grey.shape[:2]) / 40)) | 1)
    # Gaussian weights and a small offset: a thin grey rule under a line of text
    # (text printed over the rule) stays ink instead of drowning in the glyphs' mean
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, block, 8)


def line_masks(grey: np.ndarray, broken: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) rule masks of a grey page.  `broken`: the page was a 1-bit scan,
    whose thin rules the threshold broke up; look for rules with gaps too (on other pages that
    would take the edges of noise and of lines of text for rules)."""
    s = unit(grey)
    ink = binarise(grey)
    hk = max(20, int(55 * s))      # longer than any CJK stroke or dash at body size
    vk = max(15, int(32 * s))      # shorter than the lowest table row
    # a one-pixel rule that is not quite level (a 1-bit scan, a page deskewed by a fraction of a
    # degree) climbs in steps of one pixel, and no single row carries it further than a step: the
    # rules are looked for on ink thickened by a pixel across them, which keeps the steps joined
    hink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    vink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    hmask = cv2.morphologyEx(hink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    vmask = cv2.morphologyEx(vink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    if broken:
        d = max(4, int(4 * s))
        hmask = cv2.bitwise_or(hmask, _broken_rules(ink, hink, (2 * hk, 1), d))
        hmask = cv2.bitwise_or(hmask, _broken_rules(ink, hink, (4 * hk, 1), d, one_side=True))
        vmask = cv2.bitwise_or(vmask, _broken_rules(ink, vink, (1, vk), d))
    # bridge small breaks (scan noise, a character touching a rule)
    hmask = cv2.dilate(hmask, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(6 * s)), 1)))
    vmask = cv2.dilate(vmask, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(6 * s)))))
    # a thin rule on a 1-bit or faint scan breaks up where the threshold lost it; what is left
    # after the opening is only long runs (no text), so pieces in one line with a short gap
    # between them are one rule again
    gap = max(9, int(20 * s))
    hmask = cv2.morphologyEx(hmask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    vmask = cv2.morphologyEx(vmask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap)))
    # a printed rule is thin; a thick band is the edge of the paper in a photo
    # (adaptive thresholding darkens the background beside it) or a filled area
    limit = max(5.0, 8 * s)
    return _thin_only(hmask, True, limit), _thin_only(vmask, False, limit)


# a broken rule: this share of a rule's length is thin ink (with paper a few pixels away on both
# sides); a line of text is never this regular over a rule's length, its strokes cross the row
BROKEN_RULE_INK = 0.75


def _broken_rules(ink: np.ndarray, thick: np.ndarray, kernel: tuple[int, int], d: int,
                  one_side: bool = False) -> np.ndarray:
    """Rules with gaps (a thin rule on a 1-bit or faint scan, lost every few pixels to the
    threshold): the thin ink of every window of `kernel`'s size that is mostly thin ink.
    `thick`: the ink thickened across the rule direction (steps of a not quite level rule).
    `one_side`: paper on one side is enough (a cell's text set right under its top rule); only
    for windows far longer than a word, as the tops of a line of text are paper on one side too."""
    before = np.ones(ink.shape, dtype=bool)
    after = np.ones(ink.shape, dtype=bool)
    if kernel[0] > kernel[1]:
        before[d:], after[:-d] = ink[:-d] == 0, ink[d:] == 0
    else:
        before[:, d:], after[:, :-d] = ink[:, :-d] == 0, ink[:, d:] == 0
    clear = (before | after) if one_side else (before & after)
    thin = np.where(clear & (thick > 0), 255, 0).astype(np.uint8)
    share = cv2.boxFilter(thin, cv2.CV_32F, kernel, normalize=True, borderType=cv2.BORDER_CONSTANT)
    seed = (share >= BROKEN_RULE_INK * 255).astype(np.uint8) * 255
    # a window centred a quarter of its length inside a rule's end is still 75 % ink: grown by
    # that much the seeds reach the rule's ends, and no further (ink beyond is not the rule's)
    reach = tuple(max(1, int(2 * (1 - BROKEN_RULE_INK) * k)) | 1 for k in kernel)
    grown = cv2.dilate(seed, cv2.getStructuringElement(cv2.MORPH_RECT, reach))
    return cv2.bitwise_and(grown, thin)


def _thin_only(mask: np.ndarray, horizontal: bool, limit: float) -> np.ndarray:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    if n <= 1:
        return mask
    length = stats[:, cv2.CC_STAT_WIDTH] if horizontal else stats[:, cv2.CC_STAT_HEIGHT]
    thick = stats[:, cv2.CC_STAT_AREA] / np.maximum(length, 1)
    drop = np.flatnonzero(thick > limit)
    drop = drop[drop > 0]
    if not len(drop):
        return mask
    # few components are thick (a photo's paper edge, a filled area): each is cleared within its
    # own box, not by relabelling the whole page (a full-page lookup, most of this step's time)
    out = mask.copy()
    for i in drop:
        x, y, w, h = stats[i, :4]
        box = out[y:y + h, x:x + w]
        box[labels[y:y + h, x:x + w] == i] = 0
    return out


@dataclass
class Seg:
    pos: float     # y for a horizontal rule, x for a vertical one
    a: float       # start along the rule
    b: float       # end along the rule


def _segments(mask: np.ndarray, horizontal: bool, min_len: float) -> list[Seg]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    out: list[Seg] = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if horizontal and w >= min_len and h <= max(12, w * 0.08):
            out.append(Seg(y + h / 2.0, float(x), float(x + w)))
        elif not horizontal and h >= min_len and w <= max(12, h * 0.08):
            out.append(Seg(x + w / 2.0, float(y), float(y + h)))
    return out


def _cluster(values: list[tuple[float, float]], tol: float) -> list[float]:
    """Weighted 1-D clustering of (position, weight) pairs; returns the centres."""
    if not values:
        return []
    values = sorted(values)
    groups: list[list[tuple[float, float]]] = [[values[0]]]
    for v in values[1:]:
        if v[0] - groups[-1][-1][0] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(p * w for p, w in g) / sum(w for _, w in g) for g in groups]


def _coverage(mask: np.ndarray, horizontal: bool, pos: float, a: float, b: float, tol: int) -> float:
    """Fraction of the stretch a..b along a rule at `pos` that has rule pixels within ±tol."""
    h, w = mask.shape[:2]
    a_i, b_i = int(max(0, a)), int(min(w if horizontal else h, b))
    if b_i <= a_i:
        return 0.0
    p0, p1 = int(max(0, pos - tol)), int(min(h if horizontal else w, pos + tol + 1))
    band = mask[p0:p1, a_i:b_i] if horizontal else mask[a_i:b_i, p0:p1]
    if band.size == 0:
        return 0.0
    hit = band.max(axis=0 if horizontal else 1) > 0
    return float(hit.mean())


def find_grids(grey: np.ndarray, masks: tuple[np.ndarray, np.ndarray] | None = None,
               broken: bool = False, seals: list[tuple[float, float, float, float]] = ()) -> list[Grid]:
    """Tables on a page: each a grid of boundaries and its merged cells (`broken`: see line_masks).
    `seals`: boxes of seals on the page, whose rings are no rules."""
    s = unit(grey)
    hmask, vmask = masks if masks is not None else line_masks(grey, broken)
    if seals:
        hmask, vmask = _without_rings(hmask, seals), _without_rings(vmask, seals)
    both = cv2.dilate(cv2.bitwise_or(hmask, vmask), np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(both, 8)
    grids: list[Grid] = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < 120 * s or h < 40 * s:
            continue
        g = _grid_in(hmask, vmask, (x, y, x + w, y + h), s, BROKEN_RULE_COVER if broken else RULE_COVER)
        if g is not None:
            grids.append(g)
    grids.sort(key=lambda g: (g.box[1], g.box[0]))
    return grids


def _without_rings(mask: np.ndarray, seals: list[tuple[float, float, float, float]]) -> np.ndarray:
    """The mask without the pieces that lie wholly inside a seal: the sides, top and bottom of its
    ring are straight enough over a glyph's length to pass for rules, and would cut the cell it is
    stamped on (its opinion text from its date).  A rule that runs under the seal reaches out of it."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    if n <= 1:
        return mask
    x0, y0 = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    x1, y1 = x0 + stats[:, cv2.CC_STAT_WIDTH], y0 + stats[:, cv2.CC_STAT_HEIGHT]
    drop = np.zeros(n, dtype=bool)
    for bx0, by0, bx1, by1 in seals:
        m = 0.08 * max(bx1 - bx0, by1 - by0)      # the ring's ink reaches a little past the box
        drop |= (x0 >= bx0 - m) & (y0 >= by0 - m) & (x1 <= bx1 + m) & (y1 <= by1 + m)
    drop[0] = False
    if not drop.any():
        return mask
    return np.where(drop[labels], 0, mask).astype(np.uint8)


def _grid_in(hmask: np.ndarray, vmask: np.ndarray, region: tuple[int, int, int, int], s: float,
             cover: float = RULE_COVER) -> Grid | None:
    x0, y0, x1, y1 = region
    # the rules inside the region, read on its crop (not on a page-size copy: a page has
    # several tables, and labelling the whole page again for each costs more than the rest)
    hsegs = [Seg(g.pos + y0, g.a + x0, g.b + x0) for g in _segments(hmask[y0:y1, x0:x1], True, 50 * s)]
    vsegs = [Seg(g.pos + x0, g.a + y0, g.b + y0) for g in _segments(vmask[y0:y1, x0:x1], False, 25 * s)]
    if len(vsegs) < 2 or not hsegs:
        return None
    tol = max(5.0, 9 * s)
    rows = _cluster([(g.pos, g.b - g.a) for g in hsegs], tol)
    cols = _cluster([(g.pos, g.b - g.a) for g in vsegs], tol)
    # an open end (table cut by the page break): vertical rules reach past the last rule
    top = min(g.a for g in vsegs)
    bottom = max(g.b for g in vsegs)
    if not rows or top < rows[0] - 20 * s:
        rows.insert(0, top)
    if bottom > rows[-1] + 20 * s:
        rows.append(bottom)
    left = min(g.a for g in hsegs)
    right = max(g.b for g in hsegs)
    if left < cols[0] - 20 * s:
        cols.insert(0, left)
    if right > cols[-1] + 20 * s:
        cols.append(right)
    rows = _dedupe(rows, 14 * s)
    cols = _dedupe(cols, 14 * s)
    if len(rows) < 2 or len(cols) < 2:
        return None
    grid = Grid((cols[0], rows[0], cols[-1], rows[-1]), rows, cols)
    grid.cells = _merge_cells(hmask, vmask, rows, cols, int(max(3, 7 * s)),
                              open_top=rows[0] not in _cluster([(g.pos, 1) for g in hsegs], tol),
                              s=s, cover=cover)
    return grid


def _dedupe(vals: list[float], gap: float) -> list[float]:
    out: list[float] = []
    for v in sorted(vals):
        if out and v - out[-1] < gap:
            out[-1] = (out[-1] + v) / 2
        else:
            out.append(v)
    return out


def _parts(mask: np.ndarray, horizontal: bool, pos: float, a: float, b: float, tol: int,
           cover: float) -> bool:
    """Whether a rule parts two grid slots along the edge a..b: it runs along `cover` of the edge,
    and into both halves of it.  A rule of the row above that a glyph touching it carries on
    into this row (a low-resolution scan sets text close under its rule) reaches one half only."""
    mid = (a + b) / 2
    return (_coverage(mask, horizontal, pos, a, b, tol) >= cover
            and min(_coverage(mask, horizontal, pos, a, mid, tol),
                    _coverage(mask, horizontal, pos, mid, b, tol)) >= cover / 2)


def _merge_cells(hmask: np.ndarray, vmask: np.ndarray, rows: list[float], cols: list[float],
                 tol: int, open_top: bool, s: float, cover: float = RULE_COVER) -> list[GridCell]:
    inset = 6 * s
    spans = merged_spans(
        len(rows) - 1, len(cols) - 1,
        lambda r, c: _parts(vmask, False, cols[c + 1], rows[r] + inset, rows[r + 1] - inset, tol, cover),
        lambda r, c: _parts(hmask, True, rows[r + 1], cols[c] + inset, cols[c + 1] - inset, tol, cover))
    cells = [GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (cols[c0], rows[r0], cols[c1 + 1], rows[r1 + 1]))
             for r0, c0, r1, c1 in spans]
    cells.sort(key=lambda c: (c.row, c.col))
    del open_top
    return _drop_overlaps(cells)


def _drop_overlaps(cells: list[GridCell]) -> list[GridCell]:
    """A non-rectangular merge (an L of grid cells) becomes its bounding box; keep each grid slot once."""
    taken: set[tuple[int, int]] = set()
    out: list[GridCell] = []
    for c in sorted(cells, key=lambda c: -(c.rowspan * c.colspan)):
        slots = {(r, k) for r in range(c.row, c.row + c.rowspan) for k in range(c.col, c.col + c.colspan)}
        if slots & taken:
            continue
        taken |= slots
        out.append(c)
    out.sort(key=lambda c: (c.row, c.col))
    return out
