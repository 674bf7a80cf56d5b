"""The review API: queues, claims, desk actions, decisions, objections, history, users.

For scripts with an API token (`Authorization: Bearer dsr_…`) as much as for
the desk page; every route acts as the person who asks, and the service layer
checks what that person may do.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dossier.campaigns import get_campaign
from services.auth import accounts
from services.kit.deps import CurrentUser
from services.security.guards import AdminUser, ChangeableSubmission, Decider, StaffUser, VisibleTask
from services.review.blocking import blocking_items
from storage import standing as lifecycle
from dossier.presenters import present_lifecycle
from services.review import audit, flow, queue, submitting
from services.review.access import visible_submission
from storage.review_models import ReviewTask
from dossier.stages import calendar

from services.kit.deps import SessionDep, SettingsDep
from services.kit.schemas import Ident, LongText, Name, Note

router = APIRouter(prefix="/api/review", tags=["review"])
users = APIRouter(prefix="/api/users", tags=["review"])


def task_json(t: ReviewTask) -> dict[str, Any]:
    return {"id": t.id, "submission_id": t.submission_id, "campaign_id": t.campaign_id,
            "stage_id": t.stage_id, "department": t.department, "actor": t.actor, "state": t.state,
            "assignee_id": t.assignee_id, "version": t.version, "decision": t.decision,
            "lease_expires_at": t.lease_expires_at.isoformat() if t.lease_expires_at else None,
            "due_at": t.due_at.isoformat() if t.due_at else None, "overdue": queue.is_overdue(t),
            "data": t.data or {}}


class ClaimIn(BaseModel):
    stage_id: Ident | None = None
    department: Name | None = None


class CorrectionIn(BaseModel):
    field: Ident
    value: LongText
    machine_value: LongText | None = None


class ScoresIn(BaseModel):
    scores: dict[str, Any]


class NoticeIn(BaseModel):
    start: dt.date


class DecisionIn(BaseModel):
    decision: Ident = Field(description="pass | return | reject | withdraw")
    opinion: LongText | None = None
    reasons: LongText | None = None
    sealed: bool | None = None
    signed_by: Name | None = Field(None, description="who signed the opinion, where the form asks for 签字 "
                                                  "/ 签字人（表上要求签字的意见）")
    opinion_date: Ident | None = None
    scores: dict[str, Any] | None = None
    inspection: dict[str, Any] | None = None
    field_reasons: dict[Ident, Note] | None = Field(None, description="on a return: the reason per field key "
                                                                   "/ 退回时逐项说明的理由")


class TextIn(BaseModel):
    text: Note


class StartIn(BaseModel):
    site_level: Ident | None = None
    warnings_read: bool = False


class ReassignIn(BaseModel):
    username: Name


@router.get("/tasks", summary="My queues / 我的审核任务")
def list_tasks(user: CurrentUser, session: SessionDep, stage_id: str | None = None,
               department: str | None = None, state: str | None = None,
               due_by: dt.date | None = None) -> list[dict[str, Any]]:
    """Filters: stage, department, state (open, claimed, done, cancelled, overdue, mine) and
    `due_by` (a date: tasks due by the end of that day, Beijing time)."""
    f = queue.TaskFilter(stage_id=stage_id, department=department, state=state,
                         due_before=queue.due_by(due_by) if due_by else None)
    out = []
    for t in queue.list_tasks(session, user, f):
        # a recommender deciding whom to put forward sees its count against the notice's 1–2
        campaign = get_campaign(t.campaign_id)
        quota, award = flow.quota_standing(session, campaign, t), flow.award_standing(session, campaign, t.stage_id)
        out.append({**task_json(t), **({"quota": quota} if quota else {}), **({"award": award} if award else {})})
    return out


@router.post("/claim-next", summary="Claim the next task / 领取下一份")
def claim_next(body: ClaimIn, user: Decider, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    task = queue.claim_next(session, user, lease_seconds=settings.review_lease_seconds,
                            stage_id=body.stage_id, department=body.department)
    return {"task": task_json(task) if task else None}


@router.post("/tasks/{task_id}/claim", summary="Claim a task / 领取任务", dependencies=[VisibleTask])
def claim(task_id: str, user: Decider, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    return task_json(queue.claim(session, user, task_id, lease_seconds=settings.review_lease_seconds))


@router.post("/tasks/{task_id}/renew", summary="Renew the lease / 续期", dependencies=[VisibleTask])
def renew(task_id: str, user: Decider, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    return task_json(queue.renew(session, user, task_id, lease_seconds=settings.review_lease_seconds))


@router.post("/tasks/{task_id}/release", summary="Release a task / 放回任务池", dependencies=[VisibleTask])
def release(task_id: str, user: Decider, session: SessionDep) -> dict[str, Any]:
    return task_json(queue.release(session, user, task_id))


@router.post("/tasks/{task_id}/reassign", summary="Reassign (admin) / 重新分派")
def reassign(task_id: str, body: ReassignIn, user: AdminUser, session: SessionDep,
             settings: SettingsDep) -> dict[str, Any]:
    to = accounts.find_user(session, body.username)
    if to is None:
        raise accounts.NotFound(f"没有账号“{body.username}”。", "no such user")
    return task_json(queue.reassign(session, user, task_id, to, lease_seconds=settings.review_lease_seconds))


@router.post("/tasks/{task_id}/corrections", summary="Correct a field / 更正字段", dependencies=[VisibleTask])
def correct(task_id: str, body: CorrectionIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    """The reviewer's value beside the machine's. The document checks run again on the corrected
    values: `blocking` is what still stops a pass afterwards (as GET …/blocking answers).
    / 更正字段后按更正值重新检查，`blocking` 为仍须处理的问题。"""
    row = flow.correct_field(session, user, task_id, body.field, body.value, body.machine_value)
    task = session.get(ReviewTask, task_id)
    assert task is not None                 # correct_field found it
    campaign = get_campaign(task.campaign_id)
    return {"field": row.field, "value": row.value, "machine_value": row.machine_value,
            "by": row.username, "at": row.created_at.isoformat(),
            "blocking": blocking_items(session, campaign, row.submission_id)}


@router.post("/tasks/{task_id}/scores", summary="Enter 考评分 / 录入考评分", dependencies=[VisibleTask])
def scores(task_id: str, body: ScoresIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    parsed, total = flow.save_scores(session, user, task_id, body.scores)
    return {"scores": parsed, "total": total}


@router.post("/tasks/{task_id}/notice", summary="Start the public notice / 开始公示", dependencies=[VisibleTask])
def notice(task_id: str, body: NoticeIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    review = flow.start_notice(session, user, task_id, body.start)
    start, end = review.notice_start, review.notice_end
    # `calendar`: the years the 公示 spans that have no holiday data (counted Monday to Friday), in words
    return {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
            "calendar": [b.to_json() for b in calendar.bases(start, end)] if start and end else []}


def review_json(r: Any) -> dict[str, Any]:
    return {"submission_id": r.submission_id, "stage_id": r.stage_id, "status": r.status,
            "version": r.version, "title": r.title, "return_reasons": r.return_reasons,
            "site_level": r.site_level, "data": r.data,
            "notice_end": r.notice_end.isoformat() if r.notice_end else None}


@router.post("/tasks/{task_id}/decision", summary="Decide / 作出决定",
             responses={409: {"description": "`findings.blocking`: a pass while error findings are open "
                              "(not corrected, overridden or confirmed 识别有误); the message lists them with "
                              "what to do / 仍有未处理的错误，不能通过"}}, dependencies=[VisibleTask])
def decide(task_id: str, body: DecisionIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    """pass, return, reject or withdraw, as the stage allows. A pass is refused (409
    `findings.blocking`) while error findings are open; the absolute rules of the notice can only be
    returned or rejected. / 通过前须处理全部错误（更正、放行或确认识别有误）。"""
    payload = body.model_dump(exclude={"decision"}, exclude_none=True)
    return review_json(flow.decide(session, user, task_id, body.decision, payload))


@router.post("/submissions/{submission_id}/start", summary="Start the review / 提交审核", dependencies=[ChangeableSubmission])
def start(submission_id: str, body: StartIn, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    # the same gate as POST /api/submissions/{id}/submit: checks done, no open errors, warnings read
    return review_json(submitting.submit(session, user, submission_id, warnings_read=body.warnings_read,
                                         site_level=body.site_level))


@router.get("/submissions/{submission_id}", summary="Review state / 审核状态")
def get_review(submission_id: str, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    sub = visible_submission(session, user, submission_id)
    r = flow.review_of(session, submission_id)
    out = review_json(r) if r else {"submission_id": submission_id, "status": None}
    # where it stands in the lifecycle, code and Chinese label (审核中（环节）, 已退回 …)
    life = lifecycle.standing(session, sub).to_json()
    out["lifecycle"] = present_lifecycle(get_campaign(sub.campaign_id), life)
    return out


@router.post("/submissions/{submission_id}/resubmit", summary="Resubmit after a return / 重新提交", dependencies=[ChangeableSubmission])
def resubmit(submission_id: str, user: CurrentUser, session: SessionDep,
             body: StartIn | None = None) -> dict[str, Any]:
    return review_json(submitting.submit(session, user, submission_id,
                                         warnings_read=bool(body and body.warnings_read)))


@router.post("/submissions/{submission_id}/objections", summary="Record an objection / 登记异议")
def objection(submission_id: str, body: TextIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    row = flow.raise_objection(session, user, submission_id, body.text)
    return {"id": row.id, "text": row.text}


@router.post("/objections/{objection_id}/resolve", summary="Resolve an objection / 处理异议")
def resolve(objection_id: int, body: TextIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    row = flow.resolve_objection(session, user, objection_id, body.text)
    return {"id": row.id, "resolution": row.resolution}


@router.get("/submissions/{submission_id}/history", summary="Audit history / 办理记录")
def history(submission_id: str, user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    visible_submission(session, user, submission_id)
    return [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "task_id": e.task_id,
             "detail": e.detail} for e in audit.history(session, submission_id)]


@users.get("", summary="List accounts / 账号列表")
def list_users(user: StaffUser, session: SessionDep) -> list[dict[str, Any]]:
    return [{"username": u.username, "role": u.role, "organisation": u.organisation, "stage_id": u.stage_id,
             "department": u.department, "active": u.active} for u in accounts.list_users(session)]
