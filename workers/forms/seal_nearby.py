"""A seal stamped just beside the line it belongs to.

On a printed or scanned page a 公章 is stamped across, or just above or under, the
line that asks for it (申报单位：…（盖公章）, an opinion and its （盖章）).  A reader
gives a picture to the cell or line it overlaps; one that overlaps none floats on
the page.  A seal field that got no picture adopts the nearest floating seal that
lies over its line's width within half a seal's height of it, so that a seal a
person sees beside the line is not reported missing.
"""
from __future__ import annotations

from ..extract.model import Box, Document, Paragraph, Picture, Table
from .locate import Found, LocatedDocument

# how far from its line a seal may stand, as a share of the seal's own height
MAX_GAP = 0.5
# how much of the seal's width must lie over the line's width
MIN_OVERLAP = 0.3


def _seal_like(p: Picture) -> bool:
    # ink beside the line that may be a seal (seal_unknown, a greyscale scan) is taken too: the
    # field's seal is then "cannot tell", not missing
    if p.box is None:
        return False
    return p.kind.startswith("seal") or p.kind == "picture"


def all_pictures(doc: Document) -> list[Picture]:
    """Every picture of the document: floating, in paragraphs and in cells."""
    out = list(doc.pictures)
    for b in doc.blocks:
        if isinstance(b, Table):
            out.extend(p for c in b.cells for p in c.pictures)
        elif isinstance(b, Paragraph):
            out.extend(b.pictures)
    return out


def _distance(seal: Box, line: Box) -> float | None:
    """The vertical gap between a seal and a line, or None when the seal is not over the line's width
    or stands too far from it."""
    width = seal.x1 - seal.x0
    over = min(seal.x1, line.x1) - max(seal.x0, line.x0)
    if width <= 0 or over < MIN_OVERLAP * width:
        return None
    gap = max(0.0, line.y0 - seal.y1, seal.y0 - line.y1)
    return gap if gap <= MAX_GAP * (seal.y1 - seal.y0) else None


def _wants_seal(found: Found) -> bool:
    return found.located and found.box is not None and not any(
        p.kind in ("picture", "seal") for p in found.pictures)


def adopt_nearby_seals(doc: Document, located: list[LocatedDocument]) -> int:
    """Give each located seal or signature field without a picture the nearest untaken seal beside
    its line; returns how many were given."""
    taken = {id(p) for d in located for v in d.values.values() for p in v.pictures}
    free = [p for p in all_pictures(doc) if _seal_like(p) and id(p) not in taken]
    given = 0
    for d in located:
        for spec in d.spec.fields:
            found = d.values.get(spec.key)
            if not (spec.seal or spec.signature) or found is None or not _wants_seal(found):
                continue
            # its line, or any line it went on over (an opinion whose （盖章） is on the next page)
            spots = [(found.page, found.box)] + found.spots
            near = [(dist, p) for p in free for page, box in spots if p.page == page
                    and (dist := _distance(p.box, box)) is not None]   # type: ignore[arg-type]
            if not near:
                continue
            _, best = min(near, key=lambda t: t[0])
            found.pictures.append(best)
            free.remove(best)
            given += 1
    return given
