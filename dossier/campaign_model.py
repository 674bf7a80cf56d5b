"""A campaign as typed objects, and how one file or folder is read into them.

Callers import these names from `dossier.campaigns`, which adds the registry's
`load_campaigns` / `get_campaign`.  Nothing here knows a campaign by
name; a third city's file with the same keys works without a code change.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dossier.campaign_packets import (SUMMARY_VALUES, PacketList, Packets, SummaryColumn,  # noqa: F401
                                      parse_packets, summary_column)
from dossier.campaign_schema import CampaignFile
from dossier.campaign_source import Assumption, CampaignError, SourceError, line_of, parse_yaml, unwrap



@dataclass(frozen=True)
class Length:
    kind: str                 # "about" (约/左右: warning outside min..max) | "at_most" (不超过: error above max)
    max: int
    min: int | None = None
    target: int | None = None


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    required: bool = False
    type: str = "text"        # text | longtext | enum | star_rating | count | month | date | phone | opinion
    aliases: tuple[str, ...] = ()
    layout: str = "cell"      # cell (a table cell) | inline (“标签：值” in a paragraph)
    below: bool = False       # the value sits in the row below the label
    choices: tuple[str, ...] = ()
    strict: bool = True       # enum: a value outside choices is an error (else a warning)
    eligible_min: int | None = None
    after: str | None = None  # a date field that must come before this one
    length: Length | None = None
    seal: bool = False        # a 盖章/签章 is required
    date: bool = False        # a 年 月 日 line must be filled
    signature: bool = False   # a 签字 is required
    continued_in: str | None = None   # “见附页”: the text continues in kind.field
    appendix_in_file: bool = False    # “见附页”: the text is on a 附页 of the same file
    group: str | None = None
    part: str | None = None   # for parts of a compound cell: name | title | phone
    parts: tuple["FieldSpec", ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label,) + tuple(a for a in self.aliases if a != self.label)

    def leaves(self) -> list["FieldSpec"]:
        """This field, or its parts when one cell holds several values."""
        return list(self.parts) if self.parts else [self]


@dataclass(frozen=True)
class RubricItem:
    key: str                  # rubric.G.N
    group: int
    number: int
    max: float
    text: str


@dataclass(frozen=True)
class Rubric:
    total: float
    items: tuple[RubricItem, ...]
    groups: tuple[tuple[str, float], ...]
    columns: dict[str, str]
    total_label: str = "合计"


@dataclass(frozen=True)
class DocumentSpec:
    kind: str
    title: str
    required: bool = True
    markers: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    review_fields: tuple[FieldSpec, ...] = ()
    ignore_labels: tuple[str, ...] = ()
    appendix_of: str | None = None
    rubric: Rubric | None = None

    def leaf_fields(self) -> list[FieldSpec]:
        return [leaf for f in self.fields for leaf in f.leaves()]

    def leaf(self, key: str | None) -> FieldSpec | None:
        """The leaf field with this key, or None."""
        return next((f for f in self.leaf_fields() if f.key == key), None)

    def holder(self, key: str) -> FieldSpec | None:
        """The field that holds a leaf: the leaf itself, or the compound it is a part of
        (联络人姓名及职务、电话 for contact.title)."""
        return next((f for f in self.fields if any(leaf.key == key for leaf in f.leaves())), None)


@dataclass(frozen=True)
class FindingRule:
    """What the campaign file says about one finding code (its `findings:` section)."""
    code: str
    overridable: bool = True      # False: the notice makes the rule absolute; no reviewer override
    notice: str = ""              # the notice's own words, quoted when an override is refused


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    documents: tuple[DocumentSpec, ...]
    deadline: dt.date | None = None
    timezone: str = "Asia/Shanghai"
    quota_min: int | None = None
    quota_max: int | None = None
    stages: tuple[dict[str, Any], ...] = ()
    packets: Packets = field(default_factory=Packets)
    finding_rules: tuple[FindingRule, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # the validated file (every section, also those added later) and what the notice leaves open
    model: CampaignFile | None = field(default=None, compare=False, hash=False)
    assumptions: tuple[Assumption, ...] = ()
    # where it came from: a file's path, or "数据库版本 N" for one loaded on the admin page
    source: str = ""
    version: int | None = None

    @property
    def award_count(self) -> int | None:
        """集中表彰 N 例左右: a target the overview counts against, never a cap."""
        return self.model.award_count if self.model else self.raw.get("award_count")

    def finding_rule(self, code: str) -> FindingRule:
        """The campaign's rule for a finding code; a code it does not name may be overridden."""
        return next((r for r in self.finding_rules if r.code == code), FindingRule(code))

    def document(self, kind: str) -> DocumentSpec:
        for d in self.documents:
            if d.kind == kind:
                return d
        raise KeyError(kind)

    def field(self, key: str) -> tuple[DocumentSpec, FieldSpec] | None:
        for d in self.documents:
            for f in d.leaf_fields():
                if f.key == key:
                    return d, f
        return None


def _field(d: dict[str, Any]) -> FieldSpec:
    try:
        length = d.get("length")
        return FieldSpec(
            key=str(d["key"]), label=str(d["label"]),
            required=bool(d.get("required", False)), type=str(d.get("type", "text")),
            aliases=tuple(d.get("aliases", ())), layout=str(d.get("layout", "cell")),
            below=bool(d.get("below", False)), choices=tuple(d.get("choices", ())),
            strict=bool(d.get("strict", True)), eligible_min=d.get("eligible_min"),
            after=d.get("after"),
            length=Length(kind=length.get("kind", "at_most"), max=int(length["max"]),
                          min=length.get("min"), target=length.get("target")) if length else None,
            seal=bool(d.get("seal", False)), date=bool(d.get("date", False)),
            signature=bool(d.get("signature", False)),
            continued_in=d.get("continued_in"), appendix_in_file=bool(d.get("appendix_in_file", False)),
            group=d.get("group"), part=d.get("part"),
            parts=tuple(_field(p) for p in d.get("parts", ())),
        )
    except KeyError as e:
        raise CampaignError(f"field {d!r} lacks {e}") from e


def _rubric(d: dict[str, Any]) -> Rubric:
    items: list[RubricItem] = []
    groups: list[tuple[str, float]] = []
    for g, grp in enumerate(d["groups"], start=1):
        groups.append((str(grp["title"]), float(grp["max"])))
        for n, it in enumerate(grp["items"], start=1):
            items.append(RubricItem(key=f"rubric.{g}.{n}", group=g, number=n,
                                    max=float(it["max"]), text=str(it.get("text", ""))))
    total = float(d.get("total", sum(i.max for i in items)))
    if abs(sum(i.max for i in items) - total) > 1e-6:
        raise CampaignError(f"rubric maxima add up to {sum(i.max for i in items)}, not {total}")
    return Rubric(total=total, items=tuple(items), groups=tuple(groups),
                  columns=dict(d.get("columns", {})), total_label=str(d.get("total_label", "合计")))


def _finding_rules(d: Any) -> tuple[FindingRule, ...]:
    """`findings: {code: {overridable: false, notice: "…"}}`."""
    if d is None:
        return ()
    if not isinstance(d, dict):
        raise CampaignError("findings must be a mapping of finding codes")
    out = []
    for code, rule in d.items():
        rule = rule or {}
        if not isinstance(rule, dict):
            raise CampaignError(f"findings.{code} must be a mapping")
        out.append(FindingRule(code=str(code), overridable=bool(rule.get("overridable", True)),
                               notice=str(rule.get("notice") or "")))
    return tuple(out)


def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


_PYDANTIC_ZH = {
    "missing": "缺少必填项", "extra_forbidden": "不认识的键（是否拼写有误？）",
    "literal_error": "取值不在允许的范围内", "int_parsing": "须为整数", "float_parsing": "须为数字",
    "int_from_float": "须为整数", "bool_parsing": "须为 true 或 false", "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）", "greater_than": "数值太小",
    "greater_than_equal": "数值太小", "less_than_equal": "数值太大", "string_pattern_mismatch": "格式不符",
    "too_short": "不能为空", "list_type": "须为列表", "dict_type": "须为映射（键: 值）",
    "model_type": "须为映射（键: 值）", "string_type": "须为文字",
}


def _validation_error(e: ValidationError, path: str, node: Any) -> SourceError:
    """The first error of a validation, with the file's path and the line of the offending value."""
    err = e.errors()[0]
    loc = [x for x in err["loc"]]
    where = ".".join(str(x) for x in loc) or "(整个文件)"
    zh = err["msg"].removeprefix("Value error, ") if err["type"] == "value_error" else \
        f"{_PYDANTIC_ZH.get(err['type'], '取值有误')}（{err['msg']}）"
    return SourceError(path, line_of(node, loc), f"{where}：{zh}", f"{where}: {err['msg']}")


def parse_campaign(data: dict[str, Any], *, path: str = "<campaign>", node: Any = None,
                   source: str = "", version: int | None = None) -> Campaign:
    """Build a Campaign from the mapping a YAML file holds, validated as a whole first."""
    if not isinstance(data, dict):
        raise SourceError(path, 1, "文件内容须为映射（键: 值）", "the file must hold a mapping")
    data, assumptions = unwrap(data)
    try:
        model = CampaignFile.model_validate(data)
    except ValidationError as e:
        raise _validation_error(e, path, node) from None
    try:
        campaign = _build(data)
    except (KeyError, TypeError, ValueError) as e:
        # the builder's own checks (packets columns naming fields) say which section they are about
        section = "packets" if "packets" in str(e) else None
        raise SourceError(path, line_of(node, [section]) if section else None, str(e), str(e)) from e
    return replace(campaign, model=model, assumptions=tuple(assumptions), source=source or path,
                   version=version)


def parse_campaign_text(text: str, path: str, *, source: str = "", version: int | None = None) -> Campaign:
    """A campaign from a file's text; every error names `path` and the line."""
    data, node = parse_yaml(text, path)
    return parse_campaign(data, path=path, node=node, source=source, version=version)


def _build(data: dict[str, Any]) -> Campaign:
    docs = []
    for d in data["documents"]:
        docs.append(DocumentSpec(
            kind=str(d["kind"]), title=str(d.get("title", d["kind"])),
            required=bool(d.get("required", True)), markers=tuple(d.get("markers", ())),
            fields=tuple(_field(f) for f in d.get("fields", ())),
            review_fields=tuple(_field(f) for f in d.get("review_fields", ())),
            ignore_labels=tuple(d.get("ignore_labels", ())),
            appendix_of=d.get("appendix_of"),
            rubric=_rubric(d["rubric"]) if d.get("rubric") else None,
        ))
    quota = data.get("quota") or {}
    stages = tuple(data.get("stages", ()))
    packets = parse_packets(data.get("packets"), docs, {str(st.get("id")) for st in stages if isinstance(st, dict)})
    return Campaign(
        id=str(data["id"]), title=str(data.get("title", data["id"])), documents=tuple(docs),
        deadline=_date(data.get("deadline")), timezone=str(data.get("timezone", "Asia/Shanghai")),
        quota_min=quota.get("min"), quota_max=quota.get("max"),
        stages=stages, packets=packets, finding_rules=_finding_rules(data.get("findings")), raw=data,
    )


def default_dir() -> Path:
    """The campaigns shipped with the project: package data in an installed wheel
    (dossier/seed_campaigns), the checkout's campaigns/ folder otherwise."""
    packaged = Path(__file__).resolve().parent / "seed_campaigns"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "campaigns"


def load_folder(folder: Path | str) -> dict[str, Campaign]:
    """Every `*.yaml` campaign in `folder`, by id; the first broken file stops the load."""
    out: dict[str, Campaign] = {}
    if not Path(folder).is_dir():     # a mistyped DOSSIER_CAMPAIGNS_DIR must not start a service with none
        raise SourceError(str(folder), None, "评选活动目录不存在", "the campaigns folder does not exist")
    for p in sorted(Path(folder).glob("*.yaml")):
        c = parse_campaign_text(p.read_text(encoding="utf-8"), str(p))
        if c.id in out:
            raise CampaignError(f"{p}: 评选活动 {c.id} 重复 / duplicate campaign id {c.id}")
        out[c.id] = c
    return out


def pick(campaigns: dict[str, Campaign], campaign_id: str) -> Campaign:
    """`campaigns[campaign_id]`, or an error in Chinese and English that lists the known ids."""
    try:
        return campaigns[campaign_id]
    except KeyError:
        known = ", ".join(sorted(campaigns)) or "none"
        raise CampaignError(f"未知的评选活动 {campaign_id!r}（已有：{known}） / unknown campaign "
                            f"{campaign_id!r} (known: {known})") from None

