"""Reading one campaign file's text: YAML with line numbers, and the assumptions it declares.

A notice sometimes leaves a number open (岳阳's 按一定比例, which 推荐单位 are
county-level).  The file then says so where the value is written, either as
`{value: 0.5, assumed: true, reason: "…"}` in place of the value, or with
`assumed: true` and `reason:` beside the keys of a mapping.  `unwrap` puts the
plain values back in place of wrappers (the mapping form stays as written) and lists every assumption,
so the admin's campaign page can show them all.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import yaml


@dataclass(frozen=True)
class Assumption:
    """A value the notice leaves open, decided by whoever wrote the file."""
    path: str          # where in the file: stages[acceptance_year_end].proportion
    value: Any
    reason: str


class CampaignError(ValueError):
    """A campaign file is missing or malformed (re-exported by dossier.campaigns)."""


class SourceError(CampaignError):
    """A campaign file's text is not valid; `line` is 1-based where known."""

    def __init__(self, path: str, line: int | None, zh: str, en: str) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: 评选活动文件有误（第 {line or '?'} 行）：{zh} / "
                         f"campaign file error at line {line or '?'}: {en}")
        self.path, self.line, self.zh, self.en = path, line, zh, en


# libyaml's safe loader where PyYAML was built with it: about ten times faster than the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, path: str) -> tuple[Any, yaml.Node | None]:
    """The data and the node tree (for line numbers) of a YAML text."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 — a safe loader (libyaml's when built with it)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SourceError(path, line, f"YAML 语法错误：{getattr(e, 'problem', None) or e}",
                          f"YAML syntax error: {e}") from e
    except ValueError as e:     # a value YAML reads as a date but is none (2031-02-30)
        raise SourceError(path, _bad_date_line(node), f"日期有误：{e}", f"invalid date: {e}") from e
    return data, node


def _bad_date_line(node: yaml.Node | None) -> int | None:
    """The line of the first scalar that YAML takes for a date and cannot build."""
    stack, constructor = [node], yaml.constructor.SafeConstructor()
    while stack:
        n = stack.pop(0)
        if isinstance(n, yaml.ScalarNode) and n.tag == "tag:yaml.org,2002:timestamp":
            try:
                constructor.construct_yaml_timestamp(n)
            except ValueError:
                return n.start_mark.line + 1
        elif isinstance(n, yaml.MappingNode):
            stack.extend(v for pair in n.value for v in pair)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return None


def line_of(node: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """The 1-based line of the value at `loc` (keys and list indexes), or of the nearest parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(step)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            nxt = node.value[step]
        else:
            nxt = None
        if nxt is None:
            break
        node, line = nxt, nxt.start_mark.line + 1
    return line


def _label(path: str, key: Any, value: Any) -> str:
    # list items with an id read better by id than by index: stages[acceptance_year_end]
    if isinstance(key, int):
        ident = (value.get("id") or value.get("name") or value.get("kind") or value.get("level")
                 if isinstance(value, dict) else None)
        return f"{path}[{ident if ident else key}]"
    return f"{path}.{key}" if path else str(key)


def unwrap(data: Any, path: str = "") -> tuple[Any, list[Assumption]]:
    """The data with every assumption wrapper replaced by its value, and the assumptions found."""
    found: list[Assumption] = []
    if isinstance(data, dict):
        if data.get("assumed") is True and "value" in data and set(data) <= {"value", "assumed", "reason"}:
            value, inner = unwrap(data["value"], path)
            return value, [Assumption(path, value, str(data.get("reason") or ""))] + inner
        # a mapping marked beside its keys keeps `assumed` and `reason`: its readers may show them
        out: dict[Any, Any] = {}
        for k, v in data.items():
            out[k], inner = unwrap(v, _label(path, k, v))
            found += inner
        if data.get("assumed") is True:
            shown = {k: v for k, v in out.items() if k not in ("assumed", "reason")}
            found.insert(0, Assumption(path, shown, str(data.get("reason") or "")))
        return out, found
    if isinstance(data, list):
        items = []
        for i, v in enumerate(data):
            item, inner = unwrap(v, _label(path, i, v))
            items.append(item)
            found += inner
        return items, found
    return data, found
