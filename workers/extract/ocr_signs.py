"""Signs on a scanned page of what its reading may have missed, for the weighing of evidence.

- A grid cell where no line was read but whose inside is inked holds writing the detector did not
  see (a faint or shadowed name on a photo): its blank is a doubt, not a fact.
- Text that runs to the sheet's left or right edge was cut there (a line printed past the paper,
  a sheet scanned askew): what was cut is not in the image (`Document.offpage`).
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
