"""Who may apply and who recommends, as the campaign file lists them.

jinhua-2015 names its recommenders (市直各机关党委、有关党委，党群系统各机关党组织，各县（市、区）
直机关工委，金华经济技术开发区直属机关党委): the file's `recommenders:` lists the named ones with
their level (city | county) and county, and the kinds the notice leaves open (市直各机关党委 has no
list of names) with the names they take.  yueyang-2017 names 创建的对象 (`applicants:`).  This
module reads both, says whether a name or kind is on the list, and which county a submission
belongs to (its recommender's).  It touches no database.  Where the notice names no body (the
county list), the file marks the entry `assumed: true` with its reason; dossier/campaign_source.py
collects those for the admin's campaign page and hands this module the plain values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from dossier.campaigns import Campaign


class NotEligible(ValueError):
    """A recommender or applicant kind outside the campaign's list; `message` quotes the notice."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(detail)
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class Recommender:
    name: str
    level: str                    # city | county
    kind: str = ""                # the notice's wording of its kind (各县（市、区）直机关工委)
    county: str | None = None     # county-level ones


@dataclass(frozen=True)
class OpenKind:
    """A kind of recommender the notice names without listing its members (市直各机关党委):
    a name matching `pattern` (or a registered recommender account of this kind) belongs to it."""
    kind: str
    level: str
    pattern: str = ""

    def matches(self, name: str) -> bool:
        return bool(self.pattern) and re.fullmatch(self.pattern, name) is not None


def _section(campaign: Campaign, key: str) -> Mapping[str, Any]:
    value = campaign.raw.get(key) or {}
    return value if isinstance(value, Mapping) else {}


def recommenders(campaign: Campaign) -> list[Recommender]:
    """The recommenders the file names, in its order."""
    return [Recommender(name=str(r["name"]), level=str(r.get("level", "city")), kind=str(r.get("kind", "")),
                        county=r.get("county"))
            for r in _section(campaign, "recommenders").get("list", ())]


def open_kinds(campaign: Campaign) -> list[OpenKind]:
    return [OpenKind(kind=str(k["kind"]), level=str(k.get("level", "city")), pattern=str(k.get("pattern", "")))
            for k in _section(campaign, "recommenders").get("open_kinds", ())]


def applicant_kinds(campaign: Campaign) -> list[str]:
    """Yueyang's 创建的对象: the kinds of party organisation that may apply."""
    return [str(k["kind"] if isinstance(k, Mapping) else k) for k in _section(campaign, "applicants").get("kinds", ())]


def has_recommender_list(campaign: Campaign) -> bool:
    return bool(recommenders(campaign) or open_kinds(campaign))


def counties(campaign: Campaign) -> list[str]:
    """The counties of the listed recommenders, each once, in the file's order."""
    out: list[str] = []
    for r in recommenders(campaign):
        if r.county and r.county not in out:
            out.append(r.county)
    return out


def find_recommender(campaign: Campaign, name: str | None, registered: Iterable[str] = ()) -> Recommender | None:
    """The listed recommender of that name; a name of an open kind (by its pattern, or registered
    by the admin as a recommender account) is a city-level one of that kind; None when off the list."""
    name = (name or "").strip()
    if not name:
        return None
    for r in recommenders(campaign):
        if r.name == name:
            return r
    kinds = open_kinds(campaign)
    # the kind whose pattern the name fits, before the first kind for an account that fits none:
    # a registered 金华市总工会党组 is of 党群系统各机关党组织, not of the first kind listed
    kind = next((k for k in kinds if k.matches(name)), None)
    if kind is None and kinds and name in set(registered):
        kind = kinds[0]
    return Recommender(name=name, level=kind.level, kind=kind.kind) if kind else None


LEVELS = {"city": "市级", "county": "县级"}


def recommender_groups(campaign: Campaign, registered: Iterable[str] = ()) -> list[tuple[str, list[str]]]:
    """What a unit picks its recommender from, grouped by kind and level in the file's order: the
    listed recommenders, then the registered accounts of each open kind (the notice lists no names
    there, so the accounts the admin registered are the list).  Each group: (label, names)."""
    groups: dict[str, list[str]] = {}
    listed = recommenders(campaign)
    for r in listed:
        groups.setdefault(_group_label(r), []).append(r.name)
    taken = {r.name for r in listed}
    for name in sorted(set(registered) - taken):
        found = find_recommender(campaign, name, [name])
        if found is not None:
            groups.setdefault(_group_label(found), []).append(name)
    return list(groups.items())


def _group_label(r: Recommender) -> str:
    return f"{r.kind or '推荐单位'}（{LEVELS.get(r.level, r.level)}）"


def _notice_words(campaign: Campaign, key: str) -> str:
    return str(_section(campaign, key).get("notice") or "")


def check_recommender(campaign: Campaign, name: str | None, registered: Iterable[str] = ()) -> Recommender | None:
    """The recommender, or NotEligible with the notice's words; campaigns without a list accept any."""
    if not has_recommender_list(campaign) or not (name or "").strip():
        return None
    found = find_recommender(campaign, name, registered)
    if found is None:
        raise NotEligible(f"“{name}”不在本次评选的推荐单位名单中。通知规定由{_notice_words(campaign, 'recommenders')}"
                          "推荐，请从名单中选择推荐单位。", f"{name!r} is not a recommender of {campaign.id}")
    return found


def check_applicant_kind(campaign: Campaign, kind: str | None, *, required: bool = False) -> str | None:
    """The applicant kind, or NotEligible with the notice's words (创建的对象); `required`: an
    unbound unit's draft, where none picked is refused too (the campaign lists kinds)."""
    kinds = applicant_kinds(campaign)
    kind = (kind or "").strip() or None
    if kind is None:
        if required and kinds:
            raise NotEligible(f"请选择创建对象。通知规定创建的对象为：{_notice_words(campaign, 'applicants')}。",
                              f"no applicant kind picked for {campaign.id}")
        return kind
    if not kinds:      # a campaign whose notice names no 创建的对象: binding one would mean nothing
        raise NotEligible(f"本次评选没有“创建对象”类别，“{kind}”不适用。", f"{campaign.id} has no applicant kinds")
    if kind not in kinds:
        raise NotEligible(f"“{kind}”不在创建的对象之列。通知规定创建的对象为：{_notice_words(campaign, 'applicants')}。",
                          f"{kind!r} is not an applicant kind of {campaign.id}")
    return kind


def county_of(campaign: Campaign, recommender: str | None) -> str | None:
    """The county a submission belongs to: its recommender's (None: a city-level one)."""
    found = find_recommender(campaign, recommender)
    return found.county if found else None
