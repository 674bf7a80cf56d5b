"""Seal detection on a page image.

Colour pages: a seal is a red-ink blob of seal size (HSV, red hue at both ends
of the circle, enough saturation).  Greyscale pages have no red, so a seal is
looked for by shape (a ring found by HoughCircles whose circumference is mostly
ink); such a seal carries confidence < 1, and a greyscale page always tells the
caller that colour could not be used (`grey=True`), so a missing seal there is
"cannot tell", not "absent".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

# saturation/value floors for "red ink": paper tints (pinkish scans) stay below
RED_S_MIN = 70
RED_V_MIN = 70
# a page is greyscale when almost no pixel carries colour
GREY_COLOUR_FRACTION = 0.002
# ...and its paper has no tint either: a colour scanner or a phone camera shows white
# paper with a cast of several levels between channels (measured 7–22 on the samples),
# a greyscale scan has none (0–1 after JPEG rounding)
GREY_PAPER_CHROMA = 4


@dataclass
class Seal:
    box: tuple[float, float, float, float]
    confidence: float
    kind: str = "seal"        # seal | seal_unknown
    method: str = "red"       # red | shape

    def to_json(self) -> dict[str, Any]:
        return {"box": [round(v, 1) for v in self.box], "confidence": round(self.confidence, 3),
                "kind": self.kind, "method": self.method}


def red_mask(rgb: np.ndarray) -> np.ndarray:
    """255 where the pixel is red ink (hue near 0/180 in OpenCV's 0–180 scale)."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    red = ((h <= 12) | (h >= 160)) & (s >= RED_S_MIN) & (v >= RED_V_MIN)
    return red.astype(np.uint8) * 255


def is_greyscale(rgb: np.ndarray) -> bool:
    """True when the page carries (almost) no colour: a black-and-white scan."""
    small = cv2.resize(rgb, (max(1, rgb.shape[1] // 4), max(1, rgb.shape[0] // 4)),
                       interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    coloured = (hsv[..., 1] >= RED_S_MIN) & (hsv[..., 2] >= RED_V_MIN)
    if float(coloured.mean()) >= GREY_COLOUR_FRACTION:
        return False
    # no red anywhere, yet a colour scan of an unstamped page: a missing seal is then
    # truly missing, not "cannot tell"
    chroma = small.max(axis=2).astype(np.int16) - small.min(axis=2).astype(np.int16)
    return float(np.median(chroma)) < GREY_PAPER_CHROMA


def remove_red(rgb: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """A copy with red ink turned white: seals over text stop confusing OCR and ruling lines."""
    if mask is None:
        mask = red_mask(rgb)
    out = rgb.copy()
    grown = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    out[grown > 0] = 255
    return out


def find_red_seals(rgb: np.ndarray, mask: np.ndarray | None = None) -> list[Seal]:
    h, w = rgb.shape[:2]
    if mask is None:
        mask = red_mask(rgb)
    scale = min(h, w)
    # close the gaps between ring, star and arc text so one seal is one blob
    k = max(3, int(scale * 0.012)) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(closed, 8)
    seals: list[Seal] = []
    for i in range(1, n):
        x, y, bw, bh, _area = stats[i]
        side = max(bw, bh)
        # official seals are 38–50 mm across: ~6–25 % of the page's short side
        if not (0.05 * scale <= side <= 0.35 * scale):
            continue
        aspect = bw / max(bh, 1)
        if not (0.6 <= aspect <= 1.65):
            continue
        ink = float((mask[y:y + bh, x:x + bw] > 0).mean())
        if ink < 0.04:
            continue
        # round and inked: confident; odd shapes (a red signature) less so
        conf = 0.95 if 0.8 <= aspect <= 1.25 and ink >= 0.08 else 0.75
        seals.append(Seal((float(x), float(y), float(x + bw), float(y + bh)), conf, "seal", "red"))
    # a star or a name that the closing did not join to its ring is part of that seal,
    # not a second one: drop blobs lying inside another seal's box
    def inside(a: Seal, b: Seal) -> bool:
        return a is not b and a.box[0] >= b.box[0] and a.box[1] >= b.box[1] \
            and a.box[2] <= b.box[2] and a.box[3] <= b.box[3]
    return [s for s in seals if not any(inside(s, o) for o in seals)]


def find_shape_seals(grey: np.ndarray) -> list[Seal]:
    """Rings of seal size on a greyscale page (HoughCircles, then an ink check on the ring)."""
    h, w = grey.shape[:2]
    scale = min(h, w)
    f = 800.0 / max(h, w) if max(h, w) > 800 else 1.0
    small = cv2.resize(grey, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else grey
    sscale = min(small.shape[:2])
    blur = cv2.medianBlur(small, 5)
    rmin, rmax = int(0.04 * sscale), int(0.16 * sscale)
    circles = cv2.HoughCircles(blur, cv2.HOUGH_GRADIENT, dp=1.2, minDist=rmin * 2,
                               param1=120, param2=45, minRadius=rmin, maxRadius=rmax)
    out: list[Seal] = []
    if circles is None:
        return out
    # a red seal turned grey is mid-grey, not black: ink is what is clearly darker than the paper
    ink = (blur < min(200.0, float(np.median(blur)) - 40.0)).astype(np.uint8)
    for cx, cy, r in circles[0][:8]:
        angles = np.linspace(0, 2 * np.pi, 180, endpoint=False)
        hits = 0
        for dr in (-2, -1, 0, 1, 2):
            xs = np.clip((cx + (r + dr) * np.cos(angles)).astype(int), 0, small.shape[1] - 1)
            ys = np.clip((cy + (r + dr) * np.sin(angles)).astype(int), 0, small.shape[0] - 1)
            hits = np.maximum(hits, ink[ys, xs]) if isinstance(hits, np.ndarray) else ink[ys, xs]
        ring = float(np.mean(hits))
        if ring < 0.7:
            continue
        # the inside of a seal holds text or a star: some ink, far from solid
        y0, y1 = int(max(0, cy - r * 0.6)), int(min(small.shape[0], cy + r * 0.6))
        x0, x1 = int(max(0, cx - r * 0.6)), int(min(small.shape[1], cx + r * 0.6))
        inside = float(ink[y0:y1, x0:x1].mean()) if y1 > y0 and x1 > x0 else 0.0
        if not (0.02 <= inside <= 0.5):
            continue
        b = ((cx - r) / f, (cy - r) / f, (cx + r) / f, (cy + r) / f)
        out.append(Seal(tuple(float(v) for v in b), round(0.45 + 0.4 * ring, 3), "seal", "shape"))
    del scale
    return out


def find_seals(rgb: np.ndarray, mask: np.ndarray | None = None) -> tuple[list[Seal], bool]:
    """Seals on the page and whether the page is greyscale (colour could not be used)."""
    if is_greyscale(rgb):
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        return find_shape_seals(grey), True
    return find_red_seals(rgb, mask), False
