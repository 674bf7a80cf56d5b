"""A campaign at a glance, for the people who run it: where every submission stands, each
recommender against its quota, and the titles given against the number the file sets.

Everything is counted from the rows (submissions, their review, reviewer tasks); the campaign
file gives the stages in order, the quota and the award count.  A plain function, so the page
and the API show the same figures.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import lifecycle as rules
from dossier.campaigns import Campaign
from storage import standing as lifecycle
from storage.models import FindingRow, Submission, utcnow
from storage.review_models import ReviewStatus, ReviewTask, SubmissionReview, TaskState
from dossier.stages import engine

from . import standings

ACTIVE = (TaskState.OPEN.value, TaskState.CLAIMED.value)
ORDER = list(rules.State)


@dataclass
class StageRow:
    id: str
    name: str
    at_stage: int = 0           # submissions whose current stage this is (in review)
    returned: int = 0           # sent back to the unit from this stage
    open_tasks: int = 0
    claimed_tasks: int = 0
    overdue_tasks: int = 0
    passed: int = 0             # submissions that passed it (each once, whatever its versions)
    limit: int | None = None    # how many may pass (a proportion), where the file sets one
    target: int | None = None   # 表彰 about N: counted against, warned past, never a cap
    target_message: str = ""


@dataclass
class RecommenderRow:
    name: str
    submissions: int            # its units' submissions
    recommended: int            # passed on at the stage that carries the quota
    quota_max: int | None
    quota_min: int | None

    @property
    def over(self) -> bool:
        """More put forward than the quota allows (the decision refuses it; the file may change)."""
        return self.quota_max is not None and self.recommended > self.quota_max

    @property
    def must_choose(self) -> bool:
        """More submissions than places: the recommender must pick (择优推荐)."""
        return self.quota_max is not None and self.submissions > self.quota_max


@dataclass
class Overview:
    campaign_id: str
    title: str
    deadline: str | None
    submissions: int                        # drafts and submitted ones; never a 自查
    needs_fixing: int                       # submissions with an error finding (the unit must act)
    not_in_review: int                      # uploaded, not yet put forward
    statuses: dict[str, int]                # review status -> submissions
    lifecycle: dict[str, int]               # 草稿, 检查中, 待提交, 已提交, 审核中, … -> submissions
    stages: list[StageRow]
    recommenders: list[RecommenderRow]
    titles: dict[str, int]                  # title held -> submissions
    award_target: int | None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict
        out = asdict(self)
        for r, row in zip(out["recommenders"], self.recommenders):
            r["over"], r["must_choose"] = row.over, row.must_choose
        return out


def overview(session: Session, campaign: Campaign, now: dt.datetime | None = None) -> Overview:
    now = now or utcnow()
    # a 自查 is never a submission: not counted, not shown
    subs = list(session.scalars(select(Submission).where(Submission.campaign_id == campaign.id,
                                                         Submission.kind != lifecycle.SELF_CHECK)))
    ids = [s.id for s in subs]
    reviews = {r.submission_id: r for r in session.scalars(
        select(SubmissionReview).where(SubmissionReview.campaign_id == campaign.id))}
    with_errors = set(session.scalars(select(FindingRow.submission_id).where(
        FindingRow.submission_id.in_(ids), FindingRow.severity == "error").distinct())) if ids else set()

    stage_rows = {s.id: StageRow(s.id, s.name) for s in engine.stages(campaign)}
    for s in engine.stages(campaign):
        row = stage_rows[s.id]
        row.passed = standings.passed_count(session, campaign.id, s.id)
        # the same limit the decision checks (services/review/flow.py)
        row.limit = engine.pass_limit(s, standings.stage_candidates(session, campaign.id, s.id))
        award = standings.award_standing(session, campaign, s.id)
        if award is not None:
            row.target, row.target_message = award["target"], award["message"]
    statuses: Counter[str] = Counter()
    titles: Counter[str] = Counter()
    for r in reviews.values():
        statuses[r.status] += 1
        if r.title:
            titles[r.title] += 1
        row = stage_rows.get(r.stage_id or "")
        if row is None:
            continue
        if r.status == ReviewStatus.IN_REVIEW.value:
            row.at_stage += 1
        elif r.status == ReviewStatus.RETURNED.value:
            row.returned += 1
    for t in session.scalars(select(ReviewTask).where(ReviewTask.campaign_id == campaign.id,
                                                      ReviewTask.state.in_(ACTIVE))):
        row = stage_rows.get(t.stage_id)
        if row is None:
            continue
        if t.state == TaskState.OPEN.value:
            row.open_tasks += 1
        else:
            row.claimed_tasks += 1
        if t.due_at is not None and t.due_at < now:
            row.overdue_tasks += 1

    # applicants are what units submitted; drafts count for nothing until then
    per_recommender = Counter(s.recommender for s in subs if s.recommender and s.submitted_at is not None)
    states = Counter(lifecycle.standing(session, s).state for s in subs)
    quota_stage = next((s.id for s in engine.stages(campaign) if s.quota), None)
    recommenders = [RecommenderRow(name, n, standings.passed_count(session, campaign.id, quota_stage, recommender=name)
                                   if quota_stage else 0, campaign.quota_max, campaign.quota_min)
                    for name, n in sorted(per_recommender.items(), key=lambda kv: (-kv[1], kv[0]))]
    targets = [s.award_count for s in engine.stages(campaign) if s.award_count is not None]
    return Overview(
        campaign_id=campaign.id, title=campaign.title,
        deadline=campaign.deadline.isoformat() if campaign.deadline else None,
        submissions=len(subs), needs_fixing=len(with_errors),
        not_in_review=sum(1 for s in subs if s.id not in reviews),
        statuses=dict(statuses), stages=list(stage_rows.values()), recommenders=recommenders,
        titles=dict(titles), award_target=int(targets[-1]) if targets else None,
        lifecycle={rules.LABELS[st]: n for st, n in sorted(states.items(), key=lambda kv: ORDER.index(kv[0]))})
