"""A PDF page's characters as a person sees them: each printed once, and the blanks they stand by.

Glyphs drawn twice (fake bold, shadows) count once (`dedupe_chars`).  A blank's place is noted on
its neighbours (`mark_blanks`), and the ＿＿ of a blank that a value was written over is dropped
(`text_chars`), so the value reads as it was written.
"""
from __future__ import annotations


def text_chars(page) -> list[dict]:
    # blanks first: they never count, and deduplicating fewer characters is faster.  Where a blank
    # was printed is noted on its neighbours, by place, not by the order the PDF holds them in
    # (LibreOffice writes a line's blanks out of order): `typed_gap` on the character right after
    # it on its line (the gap there is typed, fields spaced out with 　　 or a tab, not the space
    # between two boxes), `space_after` on the one right before it (where a line wraps there, the
    # words on either side were typed apart: 高俊芳 | 办公室主任, though nothing shows it)
    out, blanks = [], []
    for c in page.chars:
        (out if c["text"].strip() else blanks).append(c)
    out = _off_the_blank(dedupe_chars(out))
    if blanks:
        mark_blanks(out, blanks)
    return out


# the line of a blank to write on (＿＿, ____): typed where a value goes
_RULE_GLYPHS = frozenset("_＿")


def _off_the_blank(chars: list[dict]) -> list[dict]:
    """Without the blank's glyphs that lie under written characters: a value placed over a
    printed ＿＿ line (a text box set on it) reads as a person reads it, 胡杰红, not as
    胡＿杰＿红 — the glyphs' order in the PDF interleaves the two.  A blank no value covers stays."""
    rules = [c for c in chars if c["text"] in _RULE_GLYPHS]
    if not rules:
        return chars
    written = [c for c in chars if c["text"] not in _RULE_GLYPHS]
    by_row: dict[int, list[dict]] = {}
    for c in written:
        by_row.setdefault(round(c["top"] / 4), []).append(c)

    def covered(r: dict) -> bool:
        size = max(r["size"], 1.0)
        over = 0.0
        for row in (round(r["top"] / 4) + d for d in (-1, 0, 1)):
            for c in by_row.get(row, ()):
                # on the same line (a box set a little above the rule): the written glyphs over it
                # (two half-width digits over one ＿) cover over half its width
                if abs(c["top"] - r["top"]) <= 0.5 * size:
                    over += max(0.0, min(c["x1"], r["x1"]) - max(c["x0"], r["x0"]))
        return over > 0.5 * (r["x1"] - r["x0"])
    under = {id(r) for r in rules if covered(r)}
    return [c for c in chars if id(c) not in under] if under else chars


def mark_blanks(chars: list[dict], blanks: list[dict]) -> None:
    by_row: dict[int, list[dict]] = {}
    for b in blanks:
        by_row.setdefault(round(b["top"]), []).append(b)
    for c in chars:
        size = max(c["size"], 1.0)
        near = 0.3 * size
        for row in (round(c["top"]) + d for d in (-1, 0, 1)):
            for b in by_row.get(row, ()):
                if abs(b["top"] - c["top"]) > 0.5 * size:
                    continue
                if abs(b["x1"] - c["x0"]) <= near:
                    c["typed_gap"] = True
                if abs(b["x0"] - c["x1"]) <= near:
                    c["space_after"] = True


def dedupe_chars(chars: list[dict], tolerance: float = 1.0) -> list[dict]:
    """Characters drawn twice at (nearly) the same place (fake bold, shadows) kept once, in order.

    pdfplumber's rule (same text, upright, font and size within `tolerance` points,
    transitively) in linear time: pdfplumber's own `dedupe_chars` restores the order
    with `list.index`, quadratic in a page's characters (a third of a page's reading time)."""
    buckets: dict[tuple, list[dict]] = {}
    out = []
    for c in chars:
        ident = (c.get("upright"), c["text"], c.get("fontname"), c.get("size"))
        y, x = c["doctop"], c["x0"]
        gy, gx = int(y // tolerance), int(x // tolerance)
        dup = False
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for o in buckets.get((ident, gy + dy, gx + dx), ()):
                    if abs(o["doctop"] - y) <= tolerance and abs(o["x0"] - x) <= tolerance:
                        dup = True
                        break
        # every char joins the buckets, so a chain of copies collapses as pdfplumber's clusters do
        buckets.setdefault((ident, gy, gx), []).append(c)
        if not dup:
            out.append(c)
    return out
