"""Checks that need the whole submission, not one file: documents present,
deadline, quota.  A single `dossier extract` cannot decide these."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from dossier.campaigns import Campaign

from ..forms.labels import APPENDIX_REF
from ..results import Finding


def kinds_provided(campaign: Campaign, results: Iterable[dict[str, Any]]) -> set[str]:
    """Document kinds a submission's extract results provide.

    A narrative written inside the form (主要创建事迹 filled in, not 见附页)
    provides the narrative document the campaign asks for.
    """
    kinds: set[str] = set()
    for r in results:
        for d in r.get("documents") or []:
            kind = d.get("kind")
            kinds.add(kind)
            try:
                spec = campaign.document(kind)
            except KeyError:
                continue
            for f in spec.leaf_fields():
                if not f.continued_in:
                    continue
                v = ((d.get("fields") or {}).get(f.key) or {}).get("value")
                if isinstance(v, str) and v and not (APPENDIX_REF.search(v) and len(v) <= 20):
                    kinds.add(f.continued_in.partition(".")[0])
    return kinds


def submission_findings(campaign: Campaign, kinds_present: set[str], uploaded_at: dt.datetime,
                        recommender_count: int | None = None) -> list[Finding]:
    """document.missing, deadline.passed and quota.exceeded for one submission."""
    out: list[Finding] = []
    for spec in campaign.documents:
        if spec.required and spec.kind not in kinds_present:
            out.append(Finding("document.missing", "error", spec.kind,
                               f"缺少《{spec.title}》。请补充上传后再提交。", kind=spec.kind))
    if campaign.deadline is not None:
        tz = ZoneInfo(campaign.timezone)
        local = uploaded_at.astimezone(tz) if uploaded_at.tzinfo else uploaded_at.replace(tzinfo=tz)
        if local.date() > campaign.deadline:
            out.append(Finding("deadline.passed", "warning", None,
                               f"材料于{local:%Y年%m月%d日}提交，已超过通知规定的截止日期"
                               f"（{campaign.deadline:%Y年%m月%d日}）。是否受理由评审人员决定。"))
    if recommender_count is not None and campaign.quota_max is not None and recommender_count > campaign.quota_max:
        out.append(Finding("quota.exceeded", "error", None,
                           f"本推荐单位已推荐 {recommender_count} 个，超过通知规定的 "
                           f"{campaign.quota_min or 1}—{campaign.quota_max} 个名额。请择优保留后再提交。"))
    return out
