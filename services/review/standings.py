"""Where a stage stands against its numbers: passes so far, the recommender's quota (1–2 per
recommender) and the award count (集中表彰100例左右), in counts and in the words the desk shows."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier.campaigns import Campaign
from dossier.stages import engine
from storage.models import Submission
from storage.review_models import ReviewTask


def passed_count(session: Session, campaign_id: str, stage_id: str, *,
                  recommender: str | None = None) -> int:
    """Submissions that passed a stage (a submission counts once, whatever its versions)."""
    q = (select(func.count(func.distinct(ReviewTask.submission_id)))
         .where(ReviewTask.campaign_id == campaign_id, ReviewTask.stage_id == stage_id,
                ReviewTask.decision == "pass"))
    if recommender is not None:
        q = q.join(Submission, Submission.id == ReviewTask.submission_id) \
             .where(Submission.recommender == recommender)
    return int(session.scalar(q) or 0)


def award_standing(session: Session, campaign: Campaign, stage_id: str) -> dict[str, Any] | None:
    """At a stage with an award count (集中表彰100例左右): how many it passed against that target.
    The target is 左右, not a cap: past it the deciding reviewer is warned, and may still pass."""
    s = engine.stage(campaign, stage_id)
    if s.award_count is None:
        return None
    target, passed = int(s.award_count), passed_count(session, campaign.id, s.id)
    over = passed >= target
    return {"target": target, "passed": passed, "over": over,
            "message": f"计划表彰 {target} 例左右，已通过 {passed} 例"
                       + ("；已达到目标数，再通过将超出（“左右”不是上限，仍可通过，请集体研究时斟酌）。"
                          if over else f"，距目标还有 {target - passed} 例。")}


def quota_standing(session: Session, campaign: Campaign, task: ReviewTask) -> dict[str, Any] | None:
    """At a stage that puts forward (quota: true): how many the task's recommender has put forward
    against the notice's 1–2, for the recommender to see when it decides; None elsewhere.
    It counts the recommender's own decisions, never what its units uploaded."""
    s = engine.stage(campaign, task.stage_id)
    if not s.quota or campaign.quota_max is None:
        return None
    sub = session.get(Submission, task.submission_id)
    recommender = sub.recommender if sub is not None else None
    used = passed_count(session, campaign.id, s.id, recommender=recommender)
    low, high = campaign.quota_min or 1, campaign.quota_max
    return {"recommender": recommender, "put_forward": used, "min": low, "max": high,
            "full": used >= high,
            "message": f"名额 {low}—{high} 例，“{recommender}”已推荐 {used} 例"
                       + ("，名额已满，不能再推荐。" if used >= high else f"，还可推荐 {high - used} 例。")}


def stage_candidates(session: Session, campaign_id: str, stage_id: str) -> int:
    return int(session.scalar(select(func.count(func.distinct(ReviewTask.submission_id)))
                              .where(ReviewTask.campaign_id == campaign_id,
                                     ReviewTask.stage_id == stage_id)) or 0)
