"""The campaign file's `packets:` section: the 汇总表's columns and the lists bound with it.

Read by `dossier.campaigns` when a campaign loads; the columns are also the published lists'
(workers/packets/public_lists.py)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dossier.campaign_source import CampaignError


class DocumentSpec(Protocol):
    """What a column needs of a campaign's document (dossier.campaign_model.DocumentSpec, which
    imports this module): its kind and its fields."""
    kind: str

    def leaf_fields(self) -> list[Any]: ...


@dataclass(frozen=True)
class SummaryColumn:
    """One column of the 汇总表: a built-in value, a field (reviewer's correction wins) or a 字数."""
    header: str
    source: str               # value | field | count
    key: str                  # the value's name, or the field key
    width: float | None = None


# built-in values a column may show (workers/packets/summary.py computes them)
SUMMARY_VALUES = ("seq", "organisation", "recommender", "version", "words", "self_total",
                  "review_total", "stage", "status", "title")


@dataclass(frozen=True)
class PacketList:
    """A sheet of the submissions that qualify: passed a stage and/or hold a title."""
    sheet: str
    title: str
    passed: str | None = None                 # a stage id whose every department passed
    titles: tuple[str, ...] = ()              # the submission holds one of these titles
    columns: tuple[SummaryColumn, ...] = ()


@dataclass(frozen=True)
class Packets:
    summary_sheet: str = "汇总表"
    summary_title: str = ""
    columns: tuple[SummaryColumn, ...] = ()
    lists: tuple[PacketList, ...] = ()


VALUE_HEADERS = {"seq": "序号", "organisation": "单位", "recommender": "推荐单位", "version": "版本",
                  "words": "字数", "self_total": "自评分合计", "review_total": "考评分合计",
                  "stage": "当前环节", "status": "状态", "title": "称号"}


def summary_column(d: Any, docs: Sequence[DocumentSpec]) -> SummaryColumn:
    """`{value: seq}`, `{field: org_name}` or `{count: deeds}`, each with an optional header and width;
    a field's header defaults to its label on the form."""
    if isinstance(d, str):
        d = {"value": d}
    if not isinstance(d, dict):
        raise CampaignError(f"packets column {d!r} is not a mapping")
    width = float(d["width"]) if d.get("width") is not None else None
    if "value" in d:
        name = str(d["value"])
        if name not in SUMMARY_VALUES:
            raise CampaignError(f"packets column value {name!r} is not one of {', '.join(SUMMARY_VALUES)}")
        return SummaryColumn(str(d.get("header") or VALUE_HEADERS[name]), "value", name, width)
    for source in ("field", "count"):
        if source in d:
            key = str(d[source])
            # `kind.key` names a field of one document (the narrative's `text`), a plain key any
            spec = next((f for doc in docs for f in doc.leaf_fields()
                         if f.key == key or f"{doc.kind}.{f.key}" == key), None)
            if spec is None:
                raise CampaignError(f"packets column {source} {key!r} is not a field of the campaign")
            header = d.get("header") or (f"{spec.label}字数" if source == "count" else spec.label)
            return SummaryColumn(str(header), source, key, width)
    raise CampaignError(f"packets column {d!r} needs value, field or count")


def default_columns(docs: Sequence[DocumentSpec]) -> tuple[SummaryColumn, ...]:
    """A campaign without a `packets:` section: who, 字数, the rubric's totals when it has one, where."""
    names = ["seq", "organisation", "recommender", "words"]
    if any(d.rubric is not None for d in docs):
        names += ["self_total", "review_total"]
    names += ["stage", "status", "title"]
    return tuple(SummaryColumn(VALUE_HEADERS[n], "value", n) for n in names)


def parse_packets(d: Any, docs: Sequence[DocumentSpec], stage_ids: set[str]) -> Packets:
    if d is None:
        return Packets(columns=default_columns(docs))
    if not isinstance(d, dict):
        raise CampaignError("packets must be a mapping")
    summary = d.get("summary") or {}
    columns = tuple(summary_column(c, docs) for c in summary.get("columns", ())) or default_columns(docs)
    lists = []
    for item in d.get("lists", ()):
        if not isinstance(item, dict) or not item.get("sheet"):
            raise CampaignError(f"packets list {item!r} needs a sheet name")
        passed = item.get("passed")
        if passed is not None and str(passed) not in stage_ids:
            raise CampaignError(f"packets list {item['sheet']!r}: no stage {passed!r}")
        titles = item.get("title_held") or ()
        titles = (titles,) if isinstance(titles, str) else tuple(titles)
        if passed is None and not titles:
            raise CampaignError(f"packets list {item['sheet']!r} needs passed or title_held")
        cols = tuple(summary_column(c, docs) for c in item.get("columns", ())) or tuple(
            SummaryColumn(VALUE_HEADERS[n], "value", n) for n in ("seq", "organisation", "recommender", "title"))
        lists.append(PacketList(sheet=str(item["sheet"]), title=str(item.get("title") or item["sheet"]),
                                passed=str(passed) if passed is not None else None,
                                titles=tuple(str(t) for t in titles), columns=cols))
    return Packets(summary_sheet=str(summary.get("sheet") or "汇总表"),
                   summary_title=str(summary.get("title") or ""), columns=columns, lists=tuple(lists))
