"""Deadlines per stage, as the notices set them.

A stage may carry the notice's own date (`due:`; jinhua: the recommender's report reaches 组宣处
by 11月15日, the city's 集中表彰 年底前; yueyang: 年底前 检查验收 and its report up) and/or a number
of days a task may stay open (`due_days`).  A task is due at the earlier of the two.  Working back
from a stage's date through the stages before it (a 公示 of N working days, a joint review of M
days) gives the date by which the recommender needs its units' materials, which units are shown.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from dossier import beijing
from dossier.campaigns import Campaign

from . import engine
from .calendar import nth_working_day
from .engine import Stage


def task_due(s: Stage, start: dt.datetime) -> dt.datetime | None:
    """When a task of stage `s` opened at `start` is due: its days, or the notice's date, the earlier."""
    candidates = []
    if s.due_days:
        candidates.append(start + dt.timedelta(days=s.due_days))
    if s.due is not None:
        candidates.append(beijing.end_of_day(s.due))
    return min(candidates) if candidates else None


def _stage_row(s: Stage, due: dt.date | None) -> dict[str, Any]:
    return {"stage_id": s.id, "name": s.name, "actor": s.actor, "due": due.isoformat() if due else None,
            "due_days": s.due_days}


def schedule(campaign: Campaign, context: Mapping[str, Any]) -> dict[str, Any]:
    """The stages that apply to a submission (e.g. {"site_level": "county"}), each with the notice's date,
    and `units_by`: the date by which the units' materials must reach the recommender so that its
    公示 and the stages before the first dated one fit (the campaign's deadline without a recommender)."""
    applying = [s for s in engine.stages(campaign) if engine.applies(s, context)]
    rows = [_stage_row(s, s.due) for s in applying]
    first_dated = next((i for i, s in enumerate(applying) if s.due is not None), None)
    units_by: dt.date | None = None
    # units hand their materials to a recommender only where one acts before the dated stage;
    # elsewhere (yueyang: units report to the bureau) the campaign's deadline is theirs
    via_recommender = first_dated is not None and any(s.actor == "recommender" for s in applying[:first_dated + 1])
    if not via_recommender:
        units_by = campaign.deadline
    elif first_dated is not None:
        day = applying[first_dated].due
        assert day is not None
        # walk back from the dated stage: each earlier stage takes its days (a 公示 its working days)
        for s in reversed(applying[:first_dated]):
            if s.kind == "public_notice" and s.working_days:
                day = nth_working_day(day - dt.timedelta(days=1), int(s.working_days), step=-1)
            elif s.due_days:
                day = day - dt.timedelta(days=int(s.due_days))
        units_by = day
    return {"campaign_id": campaign.id, "deadline": campaign.deadline.isoformat() if campaign.deadline else None,
            "stages": rows, "units_by": units_by.isoformat() if units_by else None}
