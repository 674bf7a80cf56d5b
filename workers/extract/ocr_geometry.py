"""Page geometry: quarter-turn orientation, then deskew and keystone from the rules.

Orientation: OCR a small copy without the per-line angle classifier; an
upright page reads with high confidence, a page turned 90/180/270° does not.
Only when the upright reading is poor are the other three turns tried, so an
upright scan pays one small OCR.

Deskew: a phone photo is often turned by a few degrees, enough that no ruling
line survives a horizontal morphological filter in one piece (a 1000 px rule
at 3° climbs 50 px).  The skew angle is found first, from the page itself, as
the rotation that makes the rows of ink sharpest (a projection profile), and
undone; the rules are then long and straight again.

Rectification: the outermost long horizontal and vertical rules of the page
are fitted as straight lines; the homography that makes them axis-aligned
removes both a small skew and a phone photo's keystone in one warp.
"""
from __future__ import annotations

import logging

import cv2
import numpy as np

from .ocr_engine import run_ocr
from .ocr_grid import line_masks, unit

log = logging.getLogger(__name__)

PROBE_SIDE = 1100
UPRIGHT_OK = 0.88


def _quality(img: np.ndarray) -> tuple[float, float, float]:
    """(confident characters, mean score, share of tall lines) of an OCR of `img` without
    the angle classifier."""
    lines = run_ocr(img, use_cls=False)
    if not lines:
        return 0.0, 0.0, 0.0
    chars = sum(l.confidence * len(l.text) for l in lines if l.confidence >= 0.6)
    total = sum(len(l.text) for l in lines) or 1
    mean = sum(l.confidence * len(l.text) for l in lines) / total
    # the recogniser turns a tall crop on its side and often reads a turned line
    # confidently, so confidence alone cannot tell a page turned by 90°: the shape of
    # the detected lines can (a printed form's lines of text are wide, not tall)
    wide = sum(1 for l in lines if (l.box[2] - l.box[0]) >= 2 * (l.box[3] - l.box[1]))
    tall = sum(1 for l in lines if (l.box[3] - l.box[1]) >= 2 * (l.box[2] - l.box[0]))
    tall_share = tall / (wide + tall) if wide + tall >= 3 else 0.0
    return float(chars), float(mean), float(tall_share)


def rotate_quarter(img: np.ndarray, turns: int) -> np.ndarray:
    """Rotate counter-clockwise by `turns` × 90°."""
    turns %= 4
    if turns == 0:
        return img
    code = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}[turns]
    return cv2.rotate(img, code)


def orientation(img: np.ndarray) -> int:
    """How many counter-clockwise quarter turns make the page upright (0–3)."""
    h, w = img.shape[:2]
    f = min(1.0, PROBE_SIDE / max(h, w))
    small = cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA) \
        if f < 1 else img
    chars0, mean0, tall0 = _quality(small)
    if tall0 >= 0.6:
        # most lines stand on end: the page lies on its side, so upright and upside
        # down are out; whichever quarter turn reads better wins
        q1, q3 = _quality(rotate_quarter(small, 1))[0], _quality(rotate_quarter(small, 3))[0]
        best, best_q = (1, q1) if q1 >= q3 else (3, q3)
    elif mean0 >= UPRIGHT_OK and chars0 >= 10:
        return 0
    else:
        best, best_q = 0, chars0
        # wide lines: the page is upright or upside down.  A quarter turn is then no
        # candidate (the recogniser reads its tall crops on their side, often confidently
        # enough to beat an upside-down reading: a page turned by 180° came out at 90°)
        for t in ((2,) if tall0 <= 0.4 else (1, 2, 3)):
            q = _quality(rotate_quarter(small, t))[0]
            if q > best_q * 1.15:          # a clear win only: a blank page stays as it is
                best, best_q = t, q
    if best:
        log.info("page turned %d quarter(s): %.0f vs %.0f confident chars upright", best, best_q, chars0)
    return best


SKEW_SIDE = 1000          # the profile is taken on a copy this size
SKEW_MAX = 10.0           # degrees; a larger turn is not a skew
SKEW_MIN = 0.3            # degrees; below this the rules are found as they are


def skew_angle(grey: np.ndarray) -> float:
    """The angle (degrees, counter-clockwise) that makes the page's rows of ink horizontal.

    Coarse search in 0.5° steps, then 0.1° around the best: each candidate
    rotates a small binary copy and scores the sharpness of its row profile
    (rules and lines of text give tall narrow peaks when level)."""
    h, w = grey.shape
    f = min(1.0, SKEW_SIDE / max(h, w))
    small = cv2.resize(grey, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA) \
        if f < 1 else grey
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    sh, sw = ink.shape
    centre = (sw / 2, sh / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        rows = cv2.warpAffine(ink, m, (sw, sh), flags=cv2.INTER_NEAREST, borderValue=0).sum(axis=1,
                                                                                           dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    best = max(np.arange(-SKEW_MAX, SKEW_MAX + 1e-9, 0.5), key=sharpness)
    best = max(np.arange(best - 0.4, best + 0.4 + 1e-9, 0.1), key=sharpness)
    return round(float(best), 2)


def deskew(img: np.ndarray) -> tuple[np.ndarray, float]:
    """Rotate the page level; returns (image, angle undone).  A level page is returned as it is."""
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    angle = skew_angle(grey)
    if abs(angle) < SKEW_MIN or abs(angle) >= SKEW_MAX:
        return img, 0.0
    log.debug("page deskewed by %.2f°", angle)
    return rotate(img, angle)[0], angle


def rotate(img: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """The page turned by `angle` degrees (counter-clockwise) about its middle, on white, and the
    2×3 matrix that turned it (for what was read on the page before)."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=border), m


def _fit(mask: np.ndarray, horizontal: bool, min_len: float) -> list[tuple[float, np.ndarray]]:
    """Long rules as fitted lines: (length, [vx, vy, x0, y0])."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    out: list[tuple[float, np.ndarray]] = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        length = w if horizontal else h
        if length < min_len:
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == i)
        if len(xs) > 4000:
            sel = np.random.default_rng(0).choice(len(xs), 4000, replace=False)
            xs, ys = xs[sel], ys[sel]
        pts = np.stack([xs + x, ys + y], axis=1).astype(np.float32)
        line = cv2.fitLine(pts, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        out.append((float(length), line))
    return out


def _frame_rules(hmask: np.ndarray, vmask: np.ndarray, hl: list[tuple[float, np.ndarray]],
                 vl: list[tuple[float, np.ndarray]]) -> tuple[list[tuple[float, np.ndarray]],
                                                           list[tuple[float, np.ndarray]]]:
    """The long rules that belong to the page's largest ruled structure (its table).  A long
    line standing apart from it (the border of a scanned sheet, the rim of the glass) is no part
    of the frame: squaring it would leave the table turned.  Where the table is not the larger
    part of the long rules, all of them are kept, as before."""
    both = cv2.dilate(cv2.bitwise_or(hmask, vmask), np.ones((5, 5), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(both, 8)
    if n <= 2:
        return hl, vl
    table = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    h, w = labels.shape

    def on_table(rule: tuple[float, np.ndarray]) -> bool:
        _, (_, _, x0, y0) = rule
        x, y = int(round(float(x0))), int(round(float(y0)))
        return 0 <= x < w and 0 <= y < h and labels[y, x] == table

    th, tv = [r for r in hl if on_table(r)], [r for r in vl if on_table(r)]
    if len(th) < 2 or len(tv) < 2 or len(th) + len(tv) < (len(hl) + len(vl)) / 2:
        return hl, vl
    return th, tv


def _intersect(l1: np.ndarray, l2: np.ndarray) -> np.ndarray | None:
    vx1, vy1, x1, y1 = l1
    vx2, vy2, x2, y2 = l2
    a = np.array([[vx1, -vx2], [vy1, -vy2]], dtype=np.float64)
    if abs(np.linalg.det(a)) < 1e-6:
        return None
    t = np.linalg.solve(a, np.array([x2 - x1, y2 - y1], dtype=np.float64))
    return np.array([x1 + t[0] * vx1, y1 + t[0] * vy1])


def rectify(img: np.ndarray) -> tuple[np.ndarray, bool]:
    """Warp so that the page's outer rules are axis-aligned.  Returns (image, changed)."""
    out, how, _ = _rectify(img)
    return out, how in ("warped", "turned")


def straighten(img: np.ndarray) -> np.ndarray:
    """The page level and square: rectified from its frame of rules; where no frame is found as the
    page comes (turned too far for the rules to survive the line filter), deskewed first and
    rectified again.  A page with no frame either way (a narrative) is left as it came: the OCR
    reads slightly turned lines of text well, and a wrong turn would cost more."""
    out, how, hmask = _rectify(img)
    if how in ("warped", "level"):
        return level_rules(out, hmask)[0]
    # no frame, or only horizontal rules ("turned" levels them but leaves a photo's keystone,
    # and the lower rows of a tall table then miss their rules): deskew and look again
    turned, angle = deskew(img)
    if not angle:
        return out
    again, how2, hmask2 = _rectify(turned)
    if how2 in ("warped", "level"):
        log.info("page deskewed by %.2f° before its rules could be found", angle)
        return level_rules(again, hmask2)[0]
    if how2 == "turned":
        # rules across the page but no frame (a table's last row carried over to this page):
        # the deskew found them, their own angle finished it
        log.info("page deskewed by %.2f°; its rules, with no frame, levelled it", angle)
        return again
    return out


LEVEL_MIN_RULES = 3       # rules needed to level the rows between them
LEVEL_MAX_SHIFT = 0.03    # of the page height: more than this is not a bend, it is a misfit


def level_rules(img: np.ndarray, hmask: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """Make every long horizontal rule level, moving the rows between two rules by the blend of
    their offsets.  A photo of a page that is not flat (curled, or bent at the fold) keeps
    rules of different slopes after the frame is squared; a grid read on it then misses the rules of
    its lower rows.  Each rule is fitted as a straight line; the page is remapped column by
    column so that each rule lies at its height in the middle of the page.  `hmask`: the page's
    horizontal rule mask where the caller has it (rectifying made one).  Returns (image, changed)."""
    h, w = img.shape[:2]
    if hmask is None:
        hmask, _ = line_masks(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img)
    rules = []
    for length, (vx, vy, x0, y0) in _fit(hmask, True, 0.35 * w):
        if abs(vx) < 1e-6:
            continue
        slope = vy / vx
        rules.append((float(y0 + (w / 2 - x0) * slope), float(slope), float(x0), float(y0)))
    if len(rules) < LEVEL_MIN_RULES:
        return img, False
    rules.sort()
    xs = np.arange(w, dtype=np.float32)
    targets = np.array([r[0] for r in rules], dtype=np.float32)
    # where each rule is, column by column: shape (rules, w)
    actual = np.array([y0 + (xs - x0) * slope for _, slope, x0, y0 in rules], dtype=np.float32)
    shift = np.abs(actual - targets[:, None]).max()
    if shift < 1.5 or shift > LEVEL_MAX_SHIFT * h or np.any(np.diff(actual, axis=0) <= 0):
        return img, False          # level already, a misfit, or rules that cross: leave the page
    # each output row lies between two rules (or beyond the first or last, where that rule's
    # offset carries on): its source row is the blend of the two rules' offsets, column by column
    ys = np.arange(h, dtype=np.float32)
    offsets = actual - targets[:, None]                                  # (rules, w)
    i = np.clip(np.searchsorted(targets, ys) - 1, 0, len(rules) - 2)     # the rule above
    t = np.clip((ys - targets[i]) / (targets[i + 1] - targets[i]), 0.0, 1.0)[:, None]
    map_y = ys[:, None] + offsets[i] * (1 - t) + offsets[i + 1] * t      # (h, w)
    map_y = map_y.astype(np.float32)
    map_x = np.repeat(xs[None, :], h, axis=0)
    out = cv2.remap(img, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    log.debug("rows levelled between %d rules, largest shift %.1f px", len(rules), shift)
    return out, True


def _rectify(img: np.ndarray) -> tuple[np.ndarray, str, np.ndarray | None]:
    """(image, how): "warped" or "level" from the four outer rules (or "level" when the only
    rules found lie level), "turned" by the rules' median angle when only horizontal rules were
    found, "none" when no frame was found; and the horizontal rule mask of the image returned
    where it is at hand (levelling the rules reads it again otherwise)."""
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    s = unit(grey)
    hmask, vmask = line_masks(grey)
    hl, vl = _frame_rules(hmask, vmask, _fit(hmask, True, 0.35 * w), _fit(vmask, False, 0.15 * h))
    if not hl:
        return img, "none", None
    if len(hl) < 2 or len(vl) < 2:
        # only a skew angle can be told: rotate by the median angle of the long rules
        ang = float(np.median([np.degrees(np.arctan2(l[1], l[0])) for _, l in hl]))
        if ang > 90:
            ang -= 180
        if ang < -90:
            ang += 180
        if abs(ang) > 8:
            return img, "none", None
        if abs(ang) < 0.15:
            return img, "level", hmask
        m = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
        return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255)), "turned", None

    def ypos(l: np.ndarray) -> float:   # y where the rule crosses the page centre
        vx, vy, x0, y0 = l
        return float(y0 + (w / 2 - x0) * vy / vx) if abs(vx) > 1e-6 else float(y0)

    def xpos(l: np.ndarray) -> float:
        vx, vy, x0, y0 = l
        return float(x0 + (h / 2 - y0) * vx / vy) if abs(vy) > 1e-6 else float(x0)

    top = min(hl, key=lambda t: ypos(t[1]))[1]
    bot = max(hl, key=lambda t: ypos(t[1]))[1]
    left = min(vl, key=lambda t: xpos(t[1]))[1]
    right = max(vl, key=lambda t: xpos(t[1]))[1]
    corners = [_intersect(top, left), _intersect(top, right), _intersect(bot, right), _intersect(bot, left)]
    if any(c is None for c in corners):
        return img, "none", None
    src = np.array(corners, dtype=np.float32)
    xl = (src[0, 0] + src[3, 0]) / 2
    xr = (src[1, 0] + src[2, 0]) / 2
    yt = (src[0, 1] + src[1, 1]) / 2
    yb = (src[2, 1] + src[3, 1]) / 2
    if xr - xl < 0.2 * w or yb - yt < 40 * s:
        return img, "none", None
    dst = np.array([[xl, yt], [xr, yt], [xr, yb], [xl, yb]], dtype=np.float32)
    shift = float(np.abs(src - dst).max())
    if shift < 1.5:
        return img, "level", hmask
    if shift > 0.12 * max(w, h):
        return img, "none", None
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    log.debug("page rectified, corner shift %.1f px", shift)
    # the rules move with the page: warping their mask is cheaper than finding them again
    moved = cv2.warpPerspective(hmask, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    return out, "warped", moved
