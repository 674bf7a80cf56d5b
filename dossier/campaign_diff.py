"""What a new campaign file changes against the current one, value by value, in words an admin reads.

Both sides are flattened to `path -> value` (list items by their id where they
have one, so moving a stage is not a hundred changes), then compared.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dossier.campaign_source import unwrap


@dataclass(frozen=True)
class Change:
    path: str
    kind: str             # added | removed | changed
    old: Any = None
    new: Any = None

    @property
    def label(self) -> str:
        return {"added": "新增", "removed": "删除", "changed": "修改"}[self.kind]


def _ident(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in ("id", "kind", "key", "name", "level", "title"):
            if isinstance(item.get(key), (str, int)):
                return f"{key}={item[key]}"
    return None


def flatten(data: Any, path: str = "") -> dict[str, Any]:
    """Every leaf value of a campaign file's data by its path."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(flatten(v, f"{path}.{k}" if path else str(k)))
    elif isinstance(data, list) and data and all(isinstance(i, dict) for i in data):
        ids = [_ident(i) for i in data]
        by_id = None not in ids and len(set(ids)) == len(ids)
        for n, item in enumerate(data):
            out.update(flatten(item, f"{path}[{ids[n] if by_id else n}]"))
    else:
        out[path] = data
    return out


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Change]:
    """The changes from `old` (None: a new campaign) to `new`, both as the YAML files hold them."""
    before = flatten(unwrap(old)[0]) if old is not None else {}
    after = flatten(unwrap(new)[0])
    out = [Change(p, "removed", old=before[p]) for p in before if p not in after]
    out += [Change(p, "added", new=after[p]) for p in after if p not in before]
    out += [Change(p, "changed", before[p], after[p]) for p in after if p in before and before[p] != after[p]]
    return sorted(out, key=lambda c: c.path)
