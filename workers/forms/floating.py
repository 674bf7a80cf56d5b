"""Pictures that float on a page (a scan's seals) and the cell or line each lies over."""
from __future__ import annotations

from ..extract.model import Cell, Paragraph, Picture


def floating_over(pictures: list[Picture], cell: Cell | Paragraph) -> list[Picture]:
    """Pictures that float on the page (scans) and overlap this cell or line."""
    out = []
    for p in pictures:
        if p.page != cell.page:
            continue
        if p.box is None:
            # “cannot tell on this page” (a greyscale scan): it applies to every spot on it
            if p.kind.endswith("_unknown"):
                out.append(p)
            continue
        if cell.box is None:
            continue
        b, c = p.box, cell.box
        ix = min(b.x1, c.x1) - max(b.x0, c.x0)
        iy = min(b.y1, c.y1) - max(b.y0, c.y0)
        area = max(1e-6, (b.x1 - b.x0) * (b.y1 - b.y0))
        if ix <= 0 or iy <= 0:
            continue
        # most of the picture over a cell; or a stamp across a line of text (a line is far
        # thinner than a seal, so it never holds 30 % of one): the seal's middle is on the line
        mid = (b.y0 + b.y1) / 2
        quarter = (b.y1 - b.y0) / 4
        if ix * iy / area >= 0.3 or (c.y0 - quarter <= mid <= c.y1 + quarter and ix >= 0.3 * (b.x1 - b.x0)):
            out.append(p)
    return out
