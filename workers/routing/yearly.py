"""Yearly re-inspection (动态管理): 以后每年对创建单位和示范单位进行复查验收.

A stage of kind `reinspection` names the titles it re-inspects and how often
(`every_months`).  Once a titled unit's flow has no task left, this module
opens that stage's task when the year comes: `every_months` after the unit's
last title or last passed re-inspection.  Each year's task has a row in
`reinspection_outcomes` (opened, then pass or withdraw), so the outcomes are
listed per year.  `open_due` is called periodically by the relay's loop
(workers/relay.py), and is idempotent: a second call in the same year opens
nothing.
"""
from __future__ import annotations

import datetime as dt
import logging

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier import beijing
from dossier.campaigns import Campaign
from dossier.stages import engine
from dossier.stages.engine import Stage
from storage.models import Submission
from storage.review_models import ReviewStatus, ReviewTask, SubmissionReview, TaskState, User
from storage.rules_models import ReinspectionOutcome

log = logging.getLogger(__name__)

LIVE = (TaskState.OPEN.value, TaskState.CLAIMED.value)


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    """`when` plus whole months; a day past the month's end is its last day (31 Jan + 1 → 28/29 Feb)."""
    return when + relativedelta(months=months)


def reinspection_stage(campaign: Campaign) -> Stage | None:
    return next((s for s in engine.stages(campaign) if s.kind == "reinspection" and s.every_months), None)


def next_due(session: Session, campaign: Campaign, s: Stage, submission_id: str) -> dt.datetime | None:
    """When the next re-inspection of a titled unit is due: `every_months` after the last 验收 of a
    title stage (passed or not: a 创建单位 that failed its second 验收 keeps its title and its yearly
    复查) or after the last re-inspection's own date (its schedule, not the day it was decided, so
    the years do not drift)."""
    titled = [x.id for x in engine.stages(campaign) if x.outcome_title]
    acceptance = session.scalar(select(func.max(ReviewTask.completed_at)).where(
        ReviewTask.submission_id == submission_id, ReviewTask.state == TaskState.DONE.value,
        ReviewTask.stage_id.in_(titled)))
    inspected = session.scalar(select(func.max(ReinspectionOutcome.opened_at)).where(
        ReinspectionOutcome.submission_id == submission_id, ReinspectionOutcome.stage_id == s.id))
    last = max((x for x in (acceptance, inspected) if x is not None), default=None)
    return add_months(last, int(s.every_months or 12)) if last else None


def _has_live_task(session: Session, submission_id: str) -> bool:
    return session.scalar(select(ReviewTask.id).where(ReviewTask.submission_id == submission_id,
                                                      ReviewTask.state.in_(LIVE)).limit(1)) is not None


def open_due(session: Session, campaigns: dict[str, Campaign], now: dt.datetime) -> list[ReviewTask]:
    """Open this year's re-inspection for every titled unit whose year has come; commits."""
    opened: list[ReviewTask] = []
    for campaign in campaigns.values():
        s = reinspection_stage(campaign)
        if s is None:
            continue
        titles = list(s.titles) or [x.outcome_title for x in engine.stages(campaign) if x.outcome_title]
        reviews = session.scalars(select(SubmissionReview).where(
            SubmissionReview.campaign_id == campaign.id, SubmissionReview.title.in_(titles),
            SubmissionReview.status != ReviewStatus.WITHDRAWN.value)).all()
        for review in reviews:
            due = next_due(session, campaign, s, review.submission_id)
            if due is None or due > now or _has_live_task(session, review.submission_id):
                continue
            year = beijing.today(due).year
            if session.scalar(select(ReinspectionOutcome.id).where(
                    ReinspectionOutcome.submission_id == review.submission_id,
                    ReinspectionOutcome.stage_id == s.id, ReinspectionOutcome.year == year)) is not None:
                continue
            opened.append(_open(session, review, s, year, due, now))
    session.commit()
    return opened


def _open(session: Session, review: SubmissionReview, s: Stage, year: int, due: dt.datetime,
          now: dt.datetime) -> ReviewTask:
    sub = session.get(Submission, review.submission_id)
    assert sub is not None
    task = ReviewTask(submission_id=sub.id, campaign_id=sub.campaign_id, stage_id=s.id, actor=s.actor,
                      version=review.version, state=TaskState.OPEN.value, data={"year": year},
                      due_at=now + dt.timedelta(days=s.due_days) if s.due_days else None)
    session.add(task)
    session.flush()
    session.add(ReinspectionOutcome(submission_id=sub.id, campaign_id=sub.campaign_id, stage_id=s.id,
                                    year=year, title=review.title or "", task_id=task.id, opened_at=due))
    review.stage_id, review.status = s.id, ReviewStatus.IN_REVIEW.value
    log.info("opened %s %d for submission %s (%s)", s.id, year, sub.id, review.title)
    return task


def record(session: Session, task: ReviewTask, decision: str, reasons: str,
           now: dt.datetime) -> ReinspectionOutcome | None:
    """The year's outcome, on the row its task opened (pass keeps the title, withdraw takes it), with
    who decided by name."""
    row = session.scalar(select(ReinspectionOutcome).where(ReinspectionOutcome.task_id == task.id))
    if row is None:
        return None
    who = session.get(User, task.completed_by) if task.completed_by else None
    row.outcome, row.decided_at, row.reasons = decision, now, reasons or None
    row.decided_by = (who.display_name or who.username) if who else None
    return row


def outcomes(session: Session, campaign_id: str) -> list[ReinspectionOutcome]:
    """Every year's re-inspection of a campaign, by year then unit."""
    return list(session.scalars(select(ReinspectionOutcome).where(ReinspectionOutcome.campaign_id == campaign_id)
                                .order_by(ReinspectionOutcome.year, ReinspectionOutcome.opened_at)))
