"""Findings people contest and override: the unit's 识别有误, the reviewer's verdict on it, the
reviewer's override, and what still stops a pass.

Every route acts as the person who asks; services/review/findings.py checks what they may do.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from dossier.campaigns import get_campaign
from services.security.guards import Decider, VisibleTask
from services.kit.deps import CurrentUser
from services.review import findings
from services.review.access import task_scope, visible_submission
from services.review.blocking import blocking_items
from services.kit.errors import NotFound
from storage.finding_models import FindingContest, FindingOverride
from storage.review_models import ReviewTask

from services.kit.deps import SessionDep
from services.kit.schemas import ErrorOut, Note

def _errors(conflict: str) -> dict[int | str, dict[str, Any]]:
    return {404: {"model": ErrorOut, "description": "not found, or not yours / 找不到或无权查看"},
            409: {"model": ErrorOut, "description": conflict},
            422: {"model": ErrorOut, "description": "note or reason missing or over 200 characters / "
                                                    "未填写说明或超过 200 字"}}


router = APIRouter(tags=["review"])

NOTE = Field(description="简短说明，200 字以内 / a short note, at most 200 characters")


class ContestIn(BaseModel):
    note: Annotated[Note, Field(max_length=200)] = NOTE


class VerdictIn(BaseModel):
    upheld: bool = Field(description="true: 问题成立，退回申报单位 / the finding stands and the submission "
                                     "is returned; false: 确认识别有误 / the finding was wrong")
    note: Note | None = Field(None, description="维持时必填，申报单位将看到 / required when upheld")


class OverrideIn(BaseModel):
    finding_id: int
    reason: Note = Field(description="放行理由，记入办理记录和申报材料汇编 / kept in the history and the dossier")


def contest_json(c: FindingContest) -> dict[str, Any]:
    return {"finding_id": c.finding_id, "code": c.code, "field": c.field, "note": c.note,
            "contested_by": c.contested_by, "contested_at": c.contested_at.isoformat(),
            "outcome": c.outcome, "decision_note": c.decision_note, "decided_by": c.decided_by,
            "decided_at": c.decided_at.isoformat() if c.decided_at else None}


def override_json(o: FindingOverride) -> dict[str, Any]:
    return {"finding_id": o.finding_id, "code": o.code, "field": o.field, "message": o.message,
            "reason": o.reason, "stage_id": o.stage_id, "by": o.username, "at": o.created_at.isoformat()}


@router.post("/api/submissions/{submission_id}/findings/{finding_id}/contest",
             summary="Mark a finding 识别有误 / 标记识别有误",
             responses=_errors("already marked, a warning, a replaced file's finding, or the submission "
                               "is under review / 已标记、仅为提醒、文件已替换或申报审核中"))
def contest(submission_id: str, finding_id: int, body: ContestIn, user: CurrentUser,
            session: SessionDep) -> dict[str, Any]:
    """The unit, on its own submission (a draft, or one returned to it), says an error finding is a
    misreading (the value is on the form, the seal is there). The finding no longer blocks 提交审核;
    the reviewer sees it first and confirms or upholds it. Another unit's submission answers 404."""
    return contest_json(findings.contest(session, user, submission_id, finding_id, body.note))


@router.get("/api/submissions/{submission_id}/contests", summary="识别有误 and verdicts / 识别有误及审核结论")
def list_contests(submission_id: str, user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    visible_submission(session, user, submission_id)
    rows = session.scalars(select(FindingContest).where(FindingContest.submission_id == submission_id)
                           .order_by(FindingContest.id))
    return [contest_json(c) for c in rows]


@router.post("/api/review/tasks/{task_id}/findings/{finding_id}/contest",
             summary="Confirm or uphold a 识别有误 / 确认识别有误或维持问题",
             responses=_errors("task not held, the finding not contested, or already judged / "
                               "未领取任务、未标记识别有误或已有结论"), dependencies=[VisibleTask])
def judge(task_id: str, finding_id: int, body: VerdictIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    """On a task the reviewer holds. `upheld: false` confirms the finding was wrong: it no longer
    blocks the pass. `upheld: true` keeps it, and the submission is returned to the unit with `note`
    as the reason (where the stage may return)."""
    return contest_json(findings.judge_contest(session, user, task_id, finding_id, upheld=body.upheld,
                                               note=body.note))


@router.post("/api/review/tasks/{task_id}/overrides", summary="Override an error finding / 放行",
             responses=_errors("`override.forbidden`: a rule the notice makes absolute (the notice's words "
                               "in the message); or already overridden, or the task not held / "
                               "通知规定的硬性条件不能放行"), dependencies=[VisibleTask])
def override(task_id: str, body: OverrideIn, user: Decider, session: SessionDep) -> dict[str, Any]:
    """Pass over an error finding with a reason, kept in the audit history and the dossier PDF.
    Rules the notice makes absolute (the campaign file's `findings: {code: {overridable: false}}`,
    e.g. 四星级以上, 不超过1500字) answer 409 `override.forbidden` with the notice's words."""
    return override_json(findings.override(session, user, task_id, body.finding_id, body.reason))


@router.get("/api/review/tasks/{task_id}/blocking", summary="What stops a pass / 通过前须处理的问题", dependencies=[VisibleTask])
def blocking(task_id: str, user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    """Open error findings of the task's submission (contested ones first), each with its label and
    what to do: correct the value, override with a reason, or (absolute rules) return or reject."""
    task = session.scalar(select(ReviewTask).where(ReviewTask.id == task_id, task_scope(user)))
    if task is None:
        raise NotFound("找不到这个审核任务。", f"task {task_id}")
    return blocking_items(session, get_campaign(task.campaign_id), task.submission_id)
