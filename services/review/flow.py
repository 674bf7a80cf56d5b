"""The flow: a submission walks its campaign's stages, as the engine reads them.

Every function here takes the acting user, checks the stage's rules through
`dossier.stages.engine`, changes rows and writes the audit entry in the same
transaction, and commits.  Nothing here names a stage or a campaign.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import beijing
from dossier.campaigns import Campaign, get_campaign
from services.kit.errors import DomainError, InvalidInput, NotFound
from storage import notifications
from storage import versions as versions_store
from storage.models import StoredFile, Submission, utcnow
from storage.review_models import (FieldCorrection, Objection, ReviewStatus, ReviewTask, Role,
                                   SubmissionReview, SubmissionVersion, TaskState, User)
from dossier.stages import deadlines, engine
from workers.routing import yearly
from dossier.stages.calendar import bases as calendar_bases
from dossier.stages.calendar import notice_end
from dossier.stages.engine import Stage

from services.auth import eligibility
from services.security import audit
from services.security.access import visible_submission
from .blocking import ensure_passable
from .queue import held_task
from .standings import passed_count, stage_candidates



class StageBlocked(DomainError):
    status_code = 409
    code = "stage.blocked"


def today_in_china(now: dt.datetime | None = None) -> dt.date:
    return beijing.today(now or utcnow())


def campaign_of(sub: Submission) -> Campaign:
    return get_campaign(sub.campaign_id)


def review_of(session: Session, submission_id: str) -> SubmissionReview | None:
    return session.get(SubmissionReview, submission_id)


def _context(review: SubmissionReview) -> dict[str, Any]:
    return {"site_level": review.site_level}


def _rubric(campaign: Campaign) -> Any:
    return next((d.rubric for d in campaign.documents if d.rubric is not None), None)


# --------------------------------------------------------------- opening stages

def _open_stage(session: Session, sub: Submission, review: SubmissionReview, s: Stage,
                now: dt.datetime, available_at: dt.datetime | None = None) -> list[ReviewTask]:
    review.stage_id = s.id
    review.status = ReviewStatus.IN_REVIEW.value
    if available_at is None and s.after_months:
        available_at = yearly.add_months(now, s.after_months)
    start = available_at or now
    tasks = []
    for dept in s.task_departments():
        task = ReviewTask(
            submission_id=sub.id, campaign_id=sub.campaign_id, stage_id=s.id, department=dept,
            actor=s.actor, organisation=sub.recommender if s.actor == Role.RECOMMENDER.value else None,
            version=review.version, state=TaskState.OPEN.value, data={}, available_at=available_at,
            due_at=deadlines.task_due(s, start))
        session.add(task)
        tasks.append(task)
    notifications.tasks_opened(session, tasks)     # a recommender's task is its own at once
    audit.record(session, None, "stage", submission_id=sub.id, stage=s.id, name=s.name,
                 departments=[d for d in s.task_departments() if d])
    return tasks


def _current_file_ids(session: Session, submission_id: str, since: dt.datetime | None) -> list[str]:
    # a file a newer one replaced before submitting is no part of any version
    q = select(StoredFile.id).where(StoredFile.submission_id == submission_id,
                                    StoredFile.replaced_by.is_(None))
    if since is not None:
        q = q.where(StoredFile.created_at > since)
    return list(session.scalars(q.order_by(StoredFile.created_at)))


def check_recommender(campaign: Campaign, recommender: str | None, *, listed: bool = True,
                      session: Session | None = None) -> None:
    """Refuse, before anything is stored, a submission whose flow needs a recommender it does not name,
    or (`listed`) one that names a recommender off the campaign file's list (the notice's words)."""
    if engine.needs_recommender(campaign) and not (recommender or "").strip():
        raise InvalidInput(f"“{campaign.title}”须由推荐单位（机关党委或县（市、区）直机关工委）公示并推荐，"
                           "请选择推荐单位。", f"{campaign.id} needs a recommender", code="recommender.missing")
    if listed:
        eligibility.check_recommender(session, campaign, recommender)


def start_review(session: Session, actor: User | None, submission_id: str, *,
                 site_level: str | None = None,
                 now: dt.datetime | None = None) -> SubmissionReview:
    """Put a submission into its campaign's flow at the first stage that applies."""
    now = now or utcnow()
    sub = session.get(Submission, submission_id) if actor is None else \
        visible_submission(session, actor, submission_id, change=actor.role == Role.UNIT.value)
    if sub is None:
        raise NotFound("找不到这份申报。", f"submission {submission_id}")
    if review_of(session, sub.id) is not None:
        raise StageBlocked("这份申报已在审核中。", f"{sub.id} already in review")
    campaign = campaign_of(sub)
    # the list was checked when the submission was made (API, page); its county is recorded now
    check_recommender(campaign, sub.recommender, listed=False)
    eligibility.record_place(session, campaign, sub)
    review = SubmissionReview(submission_id=sub.id, campaign_id=sub.campaign_id, version=1, data={},
                              site_level=site_level or engine.site_level(campaign, sub.recommender))
    session.add(review)
    sub.submitted_at = now       # what quotas, packets and lists count from now on
    session.add(SubmissionVersion(submission_id=sub.id, version=1, fields={},
                                  file_ids=_current_file_ids(session, sub.id, None)))
    session.flush()
    versions_store.fill_versions(session, sub.id, now)     # files already read: their fields now
    first = engine.first_stage(campaign, _context(review))
    if first is None:
        raise StageBlocked("该评选活动没有配置审核环节。", f"{campaign.id} has no stages")
    audit.record(session, actor, "start", submission_id=sub.id, site_level=review.site_level)
    _open_stage(session, sub, review, first, now)
    session.commit()
    return review


# ------------------------------------------------------------- desk actions

def correct_field(session: Session, user: User, task_id: str, field: str, value: str,
                  machine_value: str | None) -> FieldCorrection:
    """A reviewer's value, kept beside the machine's with who and when."""
    task = held_task(session, user, task_id)
    row = FieldCorrection(submission_id=task.submission_id, field=field, machine_value=machine_value,
                          value=value, user_id=user.id, username=user.username)
    session.add(row)
    audit.record(session, user, "correct", submission_id=task.submission_id, task_id=task.id,
                 field=field, machine_value=machine_value, value=value)
    session.commit()
    return row




def save_scores(session: Session, user: User, task_id: str, scores: dict[str, Any]) -> tuple[dict[str, float], float]:
    """考评分 per rubric item, each checked against its maximum; the total is computed here."""
    task = held_task(session, user, task_id)
    campaign = get_campaign(task.campaign_id)
    rubric = _rubric(campaign)
    if rubric is None:
        raise InvalidInput("该评选活动没有评分细则。", f"{campaign.id} has no rubric")
    parsed, total, problems = engine.rubric_scores(rubric, scores)
    over = [p for p in problems if "超出" in p or "不是数字" in p or "半分" in p]
    if over:
        raise InvalidInput("；".join(over), "score out of range", code="rubric.over_max")
    task.data = {**(task.data or {}), "scores": parsed, "total": total}
    audit.record(session, user, "score", submission_id=task.submission_id, task_id=task.id,
                 scores=parsed, total=total)
    session.commit()
    return parsed, total


def start_notice(session: Session, user: User, task_id: str, start: dt.date, *,
                 now: dt.datetime | None = None) -> SubmissionReview:
    """Record the day a 公示 went up; its end is N working days later, holidays and 调休 counted."""
    task = held_task(session, user, task_id, now)
    s = engine.stage(get_campaign(task.campaign_id), task.stage_id)
    if s.kind != "public_notice" or not s.working_days:
        raise InvalidInput("本环节不是公示环节。", f"{s.id} is not a public notice")
    today = today_in_china(now)
    if start < today:   # a 公示 dated back would skip its working days: it starts today at the earliest
        raise InvalidInput(f"公示开始日期不能早于今天（{today.isoformat()}）：公示须实际张贴满 {s.working_days} 个"
                           "工作日，不能补记为过去的日期。", f"notice start {start} is before {today}",
                           code="notice.backdated")
    review = session.get(SubmissionReview, task.submission_id)
    assert review is not None
    end = notice_end(start, int(s.working_days))
    review.notice_start, review.notice_end = start, end
    task.due_at = beijing.end_of_day(end)
    # a year without holiday data is counted Monday to Friday: the note says so wherever the end is shown
    gaps = calendar_bases(start, end)
    task.data = {**(task.data or {}), "notice_start": start.isoformat(), "notice_end": end.isoformat(),
                 **({"calendar_note": " ".join(b.note for b in gaps)} if gaps else {})}
    audit.record(session, user, "notice_start", submission_id=task.submission_id, task_id=task.id,
                 start=start.isoformat(), end=end.isoformat(), working_days=s.working_days)
    notifications.notice_started(session, task.submission_id, start, end)
    session.commit()
    return review


def raise_objection(session: Session, user: User, submission_id: str, text: str) -> Objection:
    """An objection to a submission under review (during a 公示: by its recommender or a reviewer);
    the submission's own unit may not raise one."""
    visible_submission(session, user, submission_id)
    if user.role == Role.UNIT.value:
        raise InvalidInput("申报单位不能对本单位的申报登记异议。", "objection by the unit itself")
    review = review_of(session, submission_id)
    if review is None or not text.strip():
        raise InvalidInput("请填写异议内容（仅审核中的申报可登记异议）。", "no review or empty text")
    row = Objection(submission_id=submission_id, stage_id=review.stage_id or "", text=text.strip(),
                    raised_by=user.username)
    session.add(row)
    audit.record(session, user, "objection", submission_id=submission_id, text=text.strip())
    notifications.objection_raised(session, row, user.id)
    session.commit()
    return row


def resolve_objection(session: Session, user: User, objection_id: int, resolution: str) -> Objection:
    """Close an objection with its resolution (a reviewer, the recommender, or staff)."""
    row = session.get(Objection, objection_id)
    if row is None:
        raise NotFound("找不到这条异议。", f"objection {objection_id}")
    visible_submission(session, user, row.submission_id)
    if user.role == Role.UNIT.value or not resolution.strip():
        raise InvalidInput("请由审核或推荐单位填写处理结果。", "resolution empty or by a unit")
    row.resolution, row.resolved_by, row.resolved_at = resolution.strip(), user.username, utcnow()
    audit.record(session, user, "objection_resolved", submission_id=row.submission_id,
                 objection=row.id, resolution=row.resolution)
    notifications.objection_resolved(session, row, user.id)
    session.commit()
    return row


def open_objections(session: Session, submission_id: str) -> list[Objection]:
    """Objections not yet resolved; while any remain the next stage waits."""
    return list(session.scalars(select(Objection).where(Objection.submission_id == submission_id,
                                                        Objection.resolved_at.is_(None))))


# ----------------------------------------------------------------- deciding

def _check_limits(session: Session, campaign: Campaign, s: Stage, sub: Submission,
                  task: ReviewTask, review: SubmissionReview, today: dt.date) -> None:
    if s.kind == "public_notice":
        if review.notice_end is None:
            raise StageBlocked("请先填写公示开始日期。", "notice not started")
        if today <= review.notice_end:
            raise StageBlocked(f"公示期至 {review.notice_end.isoformat()} 结束，公示期满后方可进入下一环节。",
                               f"notice runs until {review.notice_end}")
    if open_objections(session, sub.id):
        raise StageBlocked("还有未处理的异议，处理完毕后方可进入下一环节。", "unresolved objections")
    if s.quota and campaign.quota_max is not None:
        done = passed_count(session, campaign.id, s.id, recommender=sub.recommender)
        if done >= campaign.quota_max:
            raise DomainError(
                f"推荐名额已满：每个推荐单位择优推荐 {campaign.quota_min or 1}—{campaign.quota_max} 例，"
                f"“{sub.recommender}”已推荐 {done} 例。", "recommender quota reached",
                code="quota.exceeded", status_code=409)
    limit = engine.pass_limit(s, stage_candidates(session, campaign.id, s.id))
    if limit is not None and passed_count(session, campaign.id, s.id) >= limit:
        raise DomainError(f"本环节通过数量已达上限（{limit} 个）。", f"pass limit {limit} reached",
                          code="stage.limit_reached", status_code=409)


def decide(session: Session, user: User, task_id: str, decision: str, payload: dict[str, Any], *, now: dt.datetime | None = None) -> SubmissionReview:
    """Record a decision on a held task and move the submission on when its stage is complete.

    payload: opinion, sealed, signed_by, opinion_date, reasons, scores {rubric.G.N: n}, inspection {date, notes}.
    """
    now = now or utcnow()
    task = held_task(session, user, task_id, now)
    sub = session.get(Submission, task.submission_id)
    review = session.get(SubmissionReview, task.submission_id)
    assert sub is not None and review is not None
    campaign = get_campaign(task.campaign_id)
    s = engine.stage(campaign, task.stage_id)
    merged = {**(task.data or {}), **{k: v for k, v in payload.items() if v not in (None, "")}}
    problems = engine.check_decision(s, decision, merged, _rubric(campaign))
    if problems:
        raise InvalidInput("；".join(problems), f"decision {decision} incomplete at {s.id}",
                           code="decision.incomplete")
    if decision == "pass":
        # open errors first: not corrected, overridden or confirmed wrong, no stage may pass them
        ensure_passable(session, campaign, sub.id)
        _check_limits(session, campaign, s, sub, task, review, today_in_china(now))
    if "scores" in merged and _rubric(campaign) is not None:
        parsed, total, _ = engine.rubric_scores(_rubric(campaign), merged["scores"])
        merged["scores"], merged["total"] = parsed, total
    task.decision, task.opinion = decision, str(merged.get("opinion") or merged.get("reasons") or "")
    task.data = merged
    task.state, task.completed_at, task.completed_by = TaskState.DONE.value, now, user.id
    task.lease_expires_at = None
    record = {"decision": decision, "by": user.username, "at": now.isoformat(), "department": task.department,
              **{k: merged[k] for k in ("opinion", "sealed", "signed_by", "opinion_date", "reasons", "field_reasons",
                                         "scores", "total", "inspection") if k in merged}}
    data = dict(review.data or {})
    stage_data = dict(data.get(s.id) or {})
    stage_data[task.department or "_"] = record
    data[s.id] = stage_data
    if s.field and decision == "pass":
        data.setdefault("opinions", {})
        data["opinions"] = {**data["opinions"], s.field: {k: record.get(k) for k in
                                                          ("opinion", "sealed", "signed_by", "opinion_date", "by")}}
    review.data = data
    audit.record(session, user, "decide", submission_id=sub.id, task_id=task.id, stage=s.id,
                 department=task.department, decision=decision,
                 **{k: v for k, v in record.items() if k not in ("decision", "by", "at", "department")})
    _advance(session, campaign, s, sub, review, task, decision, merged, now)
    session.commit()
    return review


def _stage_outcome(session: Session, s: Stage, task: ReviewTask, decision: str) -> str | None:
    if not s.joint:
        return decision
    done = session.scalars(select(ReviewTask).where(
        ReviewTask.submission_id == task.submission_id, ReviewTask.stage_id == s.id,
        ReviewTask.version == task.version, ReviewTask.state == TaskState.DONE.value)).all()
    return engine.joint_outcome(s.task_departments(), {t.department: t.decision or "" for t in done})


def _cancel_open(session: Session, submission_id: str) -> None:
    for t in session.scalars(select(ReviewTask).where(ReviewTask.submission_id == submission_id,
                                                      ReviewTask.state.in_(("open", "claimed")))):
        t.state, t.assignee_id, t.lease_expires_at = TaskState.CANCELLED.value, None, None


def _advance(session: Session, campaign: Campaign, s: Stage, sub: Submission, review: SubmissionReview,
             task: ReviewTask, decision: str, payload: dict[str, Any], now: dt.datetime) -> None:
    outcome = _stage_outcome(session, s, task, decision)
    if outcome is None:
        return   # other departments of the joint review still to decide
    notifications.stage_decided(session, sub.id, s.name, outcome, str(payload.get("reasons") or ""), s.outcome_title)
    reasons = str(payload.get("reasons") or "")
    if outcome == "return":
        _cancel_open(session, sub.id)
        review.status, review.return_reasons = ReviewStatus.RETURNED.value, reasons or review.return_reasons
        return
    if outcome == "reject":
        _cancel_open(session, sub.id)
        review.status, review.return_reasons = ReviewStatus.REJECTED.value, reasons or review.return_reasons
        return
    if s.kind == "reinspection":   # this year's 复查: recorded; workers/routing/yearly opens next year's
        yearly.record(session, task, outcome, reasons, now)
    if outcome == "withdraw":
        review.status, review.title = ReviewStatus.WITHDRAWN.value, None
        review.return_reasons = reasons
        return
    if s.outcome_title:
        review.title = s.outcome_title
    nxt = None if s.kind == "reinspection" else engine.next_stage(campaign, s.id, _context(review))
    if nxt is None or nxt.kind == "reinspection":
        review.status, review.stage_id = ReviewStatus.COMPLETED.value, None
        return
    _open_stage(session, sub, review, nxt, now)


# -------------------------------------------------------------- resubmission

def resubmit(session: Session, user: User, submission_id: str, *, now: dt.datetime | None = None) -> SubmissionReview:
    """The unit sends a corrected version: a new version, the returned stage opens again."""
    now = now or utcnow()
    sub = visible_submission(session, user, submission_id, change=True)
    review = review_of(session, sub.id)
    if review is None or review.status != ReviewStatus.RETURNED.value or review.stage_id is None:
        raise StageBlocked("只有被退回的申报才能重新提交。", f"{sub.id} is not returned")
    last = session.scalar(select(SubmissionVersion).where(SubmissionVersion.submission_id == sub.id)
                          .order_by(SubmissionVersion.version.desc()).limit(1))
    new_files = _current_file_ids(session, sub.id, last.created_at if last else None)
    if not new_files:
        raise InvalidInput("请先上传修改后的材料，再重新提交。", "no new files since the last version")
    review.version += 1
    session.add(SubmissionVersion(submission_id=sub.id, version=review.version, fields={},
                                  file_ids=new_files, created_at=now))
    session.flush()
    versions_store.fill_versions(session, sub.id, now)
    campaign = campaign_of(sub)
    audit.record(session, user, "resubmit", submission_id=sub.id, version=review.version,
                 files=new_files)
    _open_stage(session, sub, review, engine.stage(campaign, review.stage_id), now)
    session.commit()
    return review


def versions(session: Session, submission_id: str) -> list[SubmissionVersion]:
    return versions_store.versions(session, submission_id)


def changes_between_versions(session: Session, submission_id: str) -> list[dict[str, Any]] | None:
    """What the newest version changed against the one before: [{field, before, after}];
    None while its files are still being read."""
    return versions_store.changes(session, submission_id)
