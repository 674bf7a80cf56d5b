"""The review API: queues, claims, desk actions, decisions, objections, history; the findings people
contest (识别有误) and override.

For scripts with an API token (`Authorization: Bearer dsr_…`) as much as for
the desk page; every route acts as the person who asks, and the service layer
checks what that person may do.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from dossier.campaigns import get_campaign
from dossier.presenters import present_lifecycle
from dossier.stages import calendar
from services.auth import accounts
from services.kit.deps import CurrentUser, RowIdPath, SessionDep, SettingsDep
from services.kit.errors import NotFound
from services.kit.schemas import ErrorOut
from services.security.guards import AdminUser, Decider, VisibleTask
from storage import standing as lifecycle
from storage.finding_models import FindingContest, FindingOverride
from storage.review_models import ReviewTask

from . import findings, flow, queue, standings
from services.security import audit
from services.security.access import task_scope, visible_submission
from .blocking import blocking_items
from .schemas import (ClaimIn, ContestIn, CorrectionIn, DecisionIn, NoticeIn, OverrideIn, ReassignIn, ScoresIn,
                      TextIn, VerdictIn, review_json)

router = APIRouter(prefix="/api/review", tags=["review"])
# 识别有误 and overrides: under /api/submissions (the unit's) and /api/review (the reviewer's)
findings_router = APIRouter(tags=["review"])


def task_json(t: ReviewTask) -> dict[str, Any]:
    return {"id": t.id, "submission_id": t.submission_id, "campaign_id": t.campaign_id,
            "stage_id": t.stage_id, "department": t.department, "actor": t.actor, "state": t.state,
            "assignee_id": t.assignee_id, "version": t.version, "decision": t.decision,
            "lease_expires_at": t.lease_expires_at.isoformat() if t.lease_expires_at else None,
            "due_at": t.due_at.isoformat() if t.due_at else None, "overdue": queue.is_overdue(t),
            "data": t.data or {}}


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
        quota, award = standings.quota_standing(session, campaign, t), standings.award_standing(session, campaign, t.stage_id)
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


@router.get("/submissions/{submission_id}", summary="Review state / 审核状态")
def get_review(submission_id: str, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    sub = visible_submission(session, user, submission_id)
    r = flow.review_of(session, submission_id)
    out = review_json(r) if r else {"submission_id": submission_id, "status": None}
    # where it stands in the lifecycle, code and Chinese label (审核中（环节）, 已退回 …)
    life = lifecycle.standing(session, sub).to_json()
    out["lifecycle"] = present_lifecycle(get_campaign(sub.campaign_id), life)
    return out


@router.post("/submissions/{submission_id}/objections", summary="Record an objection / 登记异议")
def objection(submission_id: str, body: TextIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    row = flow.raise_objection(session, user, submission_id, body.text)
    return {"id": row.id, "text": row.text}


@router.post("/objections/{objection_id}/resolve", summary="Resolve an objection / 处理异议")
def resolve(objection_id: RowIdPath, body: TextIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    row = flow.resolve_objection(session, user, objection_id, body.text)
    return {"id": row.id, "resolution": row.resolution}


@router.get("/submissions/{submission_id}/history", summary="Audit history / 办理记录")
def history(submission_id: str, user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    visible_submission(session, user, submission_id)
    return [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "task_id": e.task_id,
             "detail": e.detail} for e in audit.history(session, submission_id)]


# ------------------------------------------------ findings people contest and override

def _errors(conflict: str) -> dict[int | str, dict[str, Any]]:
    return {404: {"model": ErrorOut, "description": "not found, or not yours / 找不到或无权查看"},
            409: {"model": ErrorOut, "description": conflict},
            422: {"model": ErrorOut, "description": "note or reason missing or over 200 characters / "
                                                    "未填写说明或超过 200 字"}}


def contest_json(c: FindingContest) -> dict[str, Any]:
    return {"finding_id": c.finding_id, "code": c.code, "field": c.field, "note": c.note,
            "contested_by": c.contested_by, "contested_at": c.contested_at.isoformat(),
            "outcome": c.outcome, "decision_note": c.decision_note, "decided_by": c.decided_by,
            "decided_at": c.decided_at.isoformat() if c.decided_at else None}


def override_json(o: FindingOverride) -> dict[str, Any]:
    return {"finding_id": o.finding_id, "code": o.code, "field": o.field, "message": o.message,
            "reason": o.reason, "stage_id": o.stage_id, "by": o.username, "at": o.created_at.isoformat()}


@findings_router.post("/api/submissions/{submission_id}/findings/{finding_id}/contest",
             summary="Mark a finding 识别有误 / 标记识别有误",
             responses=_errors("already marked, a warning, a replaced file's finding, or the submission "
                               "is under review / 已标记、仅为提醒、文件已替换或申报审核中"))
def contest(submission_id: str, finding_id: RowIdPath, body: ContestIn, user: CurrentUser,
            session: SessionDep) -> dict[str, Any]:
    """The unit, on its own submission (a draft, or one returned to it), says an error finding is a
    misreading (the value is on the form, the seal is there). The finding no longer blocks 提交审核;
    the reviewer sees it first and confirms or upholds it. Another unit's submission answers 404."""
    return contest_json(findings.contest(session, user, submission_id, finding_id, body.note))


@findings_router.get("/api/submissions/{submission_id}/contests", summary="识别有误 and verdicts / 识别有误及审核结论")
def list_contests(submission_id: str, user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    visible_submission(session, user, submission_id)
    rows = session.scalars(select(FindingContest).where(FindingContest.submission_id == submission_id)
                           .order_by(FindingContest.id))
    return [contest_json(c) for c in rows]


@findings_router.post("/api/review/tasks/{task_id}/findings/{finding_id}/contest",
             summary="Confirm or uphold a 识别有误 / 确认识别有误或维持问题",
             responses=_errors("task not held, the finding not contested, or already judged / "
                               "未领取任务、未标记识别有误或已有结论"), dependencies=[VisibleTask])
def judge(task_id: str, finding_id: RowIdPath, body: VerdictIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    """On a task the reviewer holds. `upheld: false` confirms the finding was wrong: it no longer
    blocks the pass. `upheld: true` keeps it, and the submission is returned to the unit with `note`
    as the reason (where the stage may return)."""
    return contest_json(findings.judge_contest(session, user, task_id, finding_id, upheld=body.upheld,
                                               note=body.note))


@findings_router.post("/api/review/tasks/{task_id}/overrides", summary="Override an error finding / 放行",
             responses=_errors("`override.forbidden`: a rule the notice makes absolute (the notice's words "
                               "in the message); or already overridden, or the task not held / "
                               "通知规定的硬性条件不能放行"), dependencies=[VisibleTask])
def override(task_id: str, body: OverrideIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    """Pass over an error finding with a reason, kept in the audit history and the dossier PDF.
    Rules the notice makes absolute (the campaign file's `findings: {code: {overridable: false}}`,
    e.g. 四星级以上, 不超过1500字) answer 409 `override.forbidden` with the notice's words."""
    return override_json(findings.override(session, user, task_id, body.finding_id, body.reason))


@findings_router.get("/api/review/tasks/{task_id}/blocking", summary="What stops a pass / 通过前须处理的问题", dependencies=[VisibleTask])
def blocking(task_id: str, user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    """Open error findings of the task's submission (contested ones first), each with its label and
    what to do: correct the value, override with a reason, or (absolute rules) return or reject."""
    task = session.scalar(select(ReviewTask).where(ReviewTask.id == task_id, task_scope(user)))
    if task is None:
        raise NotFound("找不到这个审核任务。", f"task {task_id}")
    return blocking_items(session, get_campaign(task.campaign_id), task.submission_id)
