"""A score sheet's header row: which column is which, however it is headed.

The campaign file names the columns as its notice prints them (考评标准, 考评分值,
自评分, 考评分).  Units retype the sheet: 自评得分, 单位自评分, 分值, 满分, 评分标准.
A column is the campaign's word when one matches exactly, otherwise it is known
by the words people use for that role (labels.RUBRIC_ROLE_WORDS).
"""
from __future__ import annotations

from ..extract.model import Table
from .labels import RUBRIC_ROLE_WORDS, label_key

# a header is in the first rows and short
_HEADER_ROWS = 3
_HEADER_CHARS = 12


def header_roles(t: Table, columns: dict[str, str]) -> dict[str, int]:
    """role (item, max, self_score, review_score) -> grid column of its header in `t`."""
    heads = [(label_key(c.text), c.col) for c in t.cells
             if c.row < _HEADER_ROWS and 0 < len(label_key(c.text)) <= _HEADER_CHARS]
    roles: dict[str, int] = {}
    taken: set[int] = set()
    for role, lbl in columns.items():
        want = label_key(lbl)
        for k, col in heads:
            if k == want and role not in roles and col not in taken:
                roles[role] = col
                taken.add(col)
    for role in ("self_score", "review_score", "max", "item"):
        if role in roles or role not in columns:
            continue
        for k, col in heads:
            if col not in taken and RUBRIC_ROLE_WORDS[role].search(k):
                roles[role] = col
                taken.add(col)
                break
    return roles
