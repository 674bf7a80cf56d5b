"""Checks that need the whole submission, not one file: documents present and the
deadline.  A single `dossier extract` cannot decide these."""
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


def submission_findings(campaign: Campaign, kinds_present: set[str], uploaded_at: dt.datetime) -> list[Finding]:
    """document.missing and deadline.passed for one submission.

    No quota here: 择优推荐1—2例 counts what the recommender puts forward, at its decision
    (services/review/flow.py refuses a third, `quota.exceeded`), never what its units upload."""
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
    return out
