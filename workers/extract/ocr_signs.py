"""Signs on a scanned page of what its reading may have missed, for the weighing of evidence.

- A grid cell where no line was read but whose inside is inked holds writing the detector did not
  see (a faint or shadowed name on a photo): its blank is a doubt, not a fact.
- Text that runs to the sheet's left or right edge was cut there (a line printed past the paper,
  a sheet scanned askew): what was cut is not in the image (`Document.offpage`).  On a photo the
  sheet's edge is not the image's: there, text whose end meets the desk beside the paper was cut.
"""
from __future__ import annotations

from typing import Any

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


def _past_the_paper(grey: np.ndarray, y0: int, y1: int, start: int, step: int, paper: float, h: int) -> bool:
    """Whether, going from column `start` in direction `step` along rows y0..y1, the paper ends
    within a character's width and only desk (dark, even, wider than a table's rule) follows, up
    to a rotation's white fill or the image's edge."""
    w = grey.shape[1]
    band = grey[y0:y1].astype(float)
    wide = max(6, h // 2)                 # a ruling is a few pixels wide; a desk is not
    edge, run, blend = None, 0, 0
    for k in range(0, 4 * h):
        x = start + step * k
        if not 0 <= x < w:
            break
        col = band[:, x]
        desk = float(np.median(col)) < paper - DESK_DARKER and float(col.std()) < DESK_EVEN
        if edge is None:
            # the paper's edge is a step (a shadow darkens the paper gradually, and evenly too)
            before = band[:, [x - step * j for j in range(1, 4) if 0 <= x - step * j < w]]
            if desk and before.size and float(np.percentile(before, 90)) - float(np.median(col)) >= DESK_DARKER:
                edge, run = k, 1
            elif k > 0.8 * h:
                return False
        elif desk:
            run += 1
        elif float(col.min()) >= FILL and run >= wide:
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
    grey = image.mean(axis=2) if image.ndim == 3 else image
    h_img = grey.shape[0]
    cut = 0
    for ln in result.get("lines", []):
        if len(ln["text"].strip()) < 3:
            continue
        x0, y0, x1, y1 = (int(round(v)) for v in ln["box"])
        y0, y1 = max(0, y0), min(h_img, y1)
        h = max(4, y1 - y0)
        if y1 - y0 < 4 or x1 <= x0:
            continue
        paper = float(np.percentile(grey[y0:y1, max(0, x0):x1], 90))
        if _past_the_paper(grey, y0, y1, x1 + 1, 1, paper, h) or _past_the_paper(grey, y0, y1, x0 - 1, -1, paper, h):
            cut += len(ln["text"])
    return cut
