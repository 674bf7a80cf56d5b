"""Merged cells of a ruled grid: neighbouring grid slots with no rule between them
are one cell.  Shared by the text-PDF reader (rules from the PDF's drawing) and the
OCR reader (rules found in the image)."""
from __future__ import annotations

from typing import Callable


def merged_spans(nrows: int, ncols: int, vrule: Callable[[int, int], bool],
                 hrule: Callable[[int, int], bool]) -> list[tuple[int, int, int, int]]:
    """(first row, first col, last row, last col) of every merged cell.

    `vrule(r, c)`: a rule separates slot (r, c) from (r, c + 1);
    `hrule(r, c)`: a rule separates slot (r, c) from (r + 1, c).
    A merge that is not a rectangle (an L of slots) comes out as its bounding box.
    """
    parent = list(range(nrows * ncols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    for r in range(nrows):
        for c in range(ncols):
            if c + 1 < ncols and not vrule(r, c):
                union(r * ncols + c, r * ncols + c + 1)
            if r + 1 < nrows and not hrule(r, c):
                union(r * ncols + c, (r + 1) * ncols + c)
    spans: dict[int, list[int]] = {}
    for r in range(nrows):
        for c in range(ncols):
            s = spans.setdefault(find(r * ncols + c), [r, c, r, c])
            s[0], s[1] = min(s[0], r), min(s[1], c)
            s[2], s[3] = max(s[2], r), max(s[3], c)
    return [tuple(s) for s in spans.values()]  # type: ignore[misc]
