"""Signs on a scanned page of what its reading may have missed, for the weighing of evidence.

- A grid cell where no line was read but whose inside is inked holds writing the detector did not
  see (a faint or shadowed name on a photo): its blank is a doubt, not a fact.
- Text that runs to the sheet's left or right edge was cut there (a line printed past the paper,
  a sheet scanned askew): what was cut is not in the image (`Document.offpage`).  On a photo the
  sheet's edge is not the image's: there, text whose end meets the desk beside the paper was cut.
"""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

# a cell with no text read whose inside is inked this much (share of its pixels) holds writing the
# detector did not see (a faint or shadowed name on a photo): its blank is a doubt, not a fact
UNREAD_INK = 0.01
UNREAD_CONFIDENCE = 0.3


def mark_unread_ink(result: dict[str, Any], image: np.ndarray) -> None:
    """Note on each grid cell where no line was read how much ink its inside holds (`ink`).  The
    red channel is looked at, in which a red seal is paper: a stamp is no writing."""
    centres = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in (ln["box"] for ln in result["lines"])]
    red = image[..., 0] if image.ndim == 3 else image
    for g in result["grids"]:
        for gc in g["cells"]:
            x0, y0, x1, y1 = gc["box"]
            if any(x0 <= cx <= x1 and y0 <= cy <= y1 for cx, cy in centres):
                continue
            # well inside the rules: a rule's edge or a neighbour's stroke is not the cell's ink
            m = 0.15 * min(x1 - x0, y1 - y0)
            inner = red[int(y0 + m):int(y1 - m), int(x0 + m):int(x1 - m)]
            if inner.size:
                share = float((inner < 110).mean())
                if share >= UNREAD_INK:
                    gc["ink"] = round(share, 3)


# text this close to the image's left or right edge (share of its width) ran off the sheet
EDGE = 0.006


def at_the_edge(p: dict[str, Any]) -> int:
    """How many characters of the page's lines touch its left or right edge: a line printed past
    the paper (a label line without wrapping, a table run off the page) or a sheet scanned
    askew, cut there.  What was cut is not in the image, so a blank or a short text on that page
    may be the cut's doing (`Document.offpage`, as a text PDF reports it)."""
    width = float(p.get("width") or 0)
    if width <= 0:
        return 0
    margin = EDGE * width
    # a speck or a scanner's dark border read as a character or two is no text cut off
    return sum(len(ln["text"]) for ln in p.get("lines", []) if len(ln["text"].strip()) >= 3
               and (ln["box"][2] >= width - margin or ln["box"][0] <= margin))


# beside a line's end on a photo: the desk is this much darker than the line's paper, and even
# (the spread of a column's pixels under this); a rotation's fill is this light and even
DESK_DARKER = 40.0
DESK_EVEN = 20.0
FILL = 250.0


def _past_the_paper(window: np.ndarray, paper: float, h: int) -> bool:
    """Whether, going outward through `window` (a line's rows; its first 3 columns the line's own
    end, the rest the columns past it, in order), the paper ends within a character's width and
    only desk (dark, even, wider than a table's rule) follows, up to a rotation's white fill or
    the image's edge."""
    if window.shape[1] <= 3:
        return False
    medians = np.median(window, axis=0)
    desks = (medians < paper - DESK_DARKER) & (window.std(axis=0) < DESK_EVEN)
    fills = window.min(axis=0) >= FILL
    wide = max(6, h // 2)                 # a ruling is a few pixels wide; a desk is not
    edge, run, blend = None, 0, 0
    for x in range(3, window.shape[1]):
        k = x - 3
        if edge is None:
            # the paper's edge is a step (a shadow darkens the paper gradually, and evenly too)
            if desks[x] and float(np.percentile(window[:, x - 3:x], 90)) - float(medians[x]) >= DESK_DARKER:
                edge, run = k, 1
            elif k > 0.8 * h:
                return False
        elif desks[x]:
            run += 1
        elif fills[x] and run >= wide:
            break                         # the rotation's fill: the image's content ends
        else:
            blend += 1                    # a column or two where the desk's edge blends into a fill
            if blend > 2 or run < wide:
                return False
    return edge is not None and run >= wide


def at_the_sheets_edge(result: dict[str, Any], image: np.ndarray) -> int:
    """How many characters of a photographed page's lines end (or start) right at the paper's
    edge, the desk beside them: a line printed past the paper, cut there.  The paper is measured
    on the line itself (a shadow darkens line and paper alike); desk is darker and even, with
    no paper after it."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    h_img, w_img = grey.shape[:2]
    cut = 0
    for ln in result.get("lines", []):
        if len(ln["text"].strip()) < 3:
            continue
        x0, y0, x1, y1 = (int(round(v)) for v in ln["box"])
        y0, y1, x0, x1 = max(0, y0), min(h_img, y1), max(0, x0), min(w_img, x1)
        if y1 - y0 < 4 or x1 - x0 < 4:
            continue
        h = y1 - y0
        rows = grey[y0:y1]
        paper = float(np.percentile(rows[:, x0:x1], 90))
        # outward from each end: the line's last 3 columns, then up to 4 characters' width past it
        right = rows[:, x1 - 2:min(w_img, x1 + 2 + 4 * h)].astype(np.float32)
        left = rows[:, max(0, x0 - 1 - 4 * h):x0 + 3][:, ::-1].astype(np.float32)
        if _past_the_paper(right, paper, h) or _past_the_paper(left, paper, h):
            cut += len(ln["text"])
    return cut


# on a two-up half: a line that ends this many of the page's line heights right of where the rest
# of the page ends (its tables, and all but the longest tenth of its lines)
PAST_MARGIN = 2.0


def past_the_margin(result: dict[str, Any]) -> int:
    """How many characters of a two-up half's lines run on past the right of everything else on
    the page.  Printed two pages to a sheet, a page's own edge is white on white: a line printed
    past it (a text box set beyond the margin) was cut there with no edge to show for it, and its
    end lies well right of where the page's tables and lines end.  A line inside its page never
    does: the margin that holds the rest holds it too."""
    lines = [ln for ln in result.get("lines", []) if len(ln["text"].strip()) >= 3]
    if len(lines) < 5:
        return 0
    height = float(np.median([ln["box"][3] - ln["box"][1] for ln in lines]))
    ends = sorted(ln["box"][2] for ln in lines)
    margin = max([ends[int(0.9 * (len(ends) - 1))]] + [g["box"][2] for g in result.get("grids", [])])
    return sum(len(ln["text"]) for ln in lines if ln["box"][2] > margin + PAST_MARGIN * height)
