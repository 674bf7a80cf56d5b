"""The reviewer's queue (/review): the tasks a person may work on, filtered; claiming, releasing and
reassigning them; a recommender's own units under review with their 公示 objections.

Server-rendered Chinese HTML; every form carries the session's CSRF token, checked before anything
changes (`read_form`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dossier.campaigns import load_campaigns
from dossier.stages import engine
from services.auth import accounts
from services.kit.deps import CurrentUser, RowIdPath, SessionDep, SettingsDep
from services.kit.errors import DomainError
from services.kit.render import flash_back, local_path, read_form, render
from services.kit.templates import stage_name
from services.security.guards import AdminUser, Decider, VisibleTask
from storage.models import Submission
from workers.packets import public_lists

from . import findings as finding_actions
from . import flow, queue
from services.security.access import in_scope, is_staff, submissions_of
from .rows import review_row

router = APIRouter(include_in_schema=False)

TASK_STATES = {"open": "待领取", "claimed": "处理中", "done": "已办结", "cancelled": "已取消"}


@router.get("/review", response_class=HTMLResponse)
def review_home(request: Request, user: CurrentUser, session: SessionDep, stage_id: str = "",
                department: str = "", state: str = "", due_by: str = "") -> HTMLResponse:
    msg = ""
    try:
        due = queue.due_by(dt.date.fromisoformat(due_by)) if due_by else None
    except ValueError:        # a hand-typed date the browser did not check: ignore it, say so
        due, msg = None, "期限日期格式不对，请按 年-月-日 填写。"
    f = queue.TaskFilter(stage_id=stage_id or None, department=department or None, state=state or None,
                         due_before=due)
    tasks = queue.list_tasks(session, user, f)
    # staff may hand a task to anyone who works that queue (改派)
    people = [u for u in accounts.list_users(session) if u.active and u.role in ("reviewer", "recommender")] \
        if is_staff(user) else []
    rows = []
    contested = finding_actions.pending_contests(session, [t.submission_id for t in tasks])
    for t in tasks:
        sub = session.get(Submission, t.submission_id)
        rows.append({"t": t, "sub": sub, "stage": stage_name(t.campaign_id, t.stage_id),
                     "life": review_row(session, sub)["status"] if sub is not None else "",
                     "contested": contested.get(t.submission_id, 0),
                     "state": TASK_STATES.get(t.state, t.state), "overdue": queue.is_overdue(t),
                     "lapsed": queue.lease_lapsed(t), "mine": t.assignee_id == user.id,
                     "eligible": [u for u in people if in_scope(u, t) and u.id != t.assignee_id]})
    return render(request, "review/queue.html", rows=rows, msg=msg, recommended=_recommended(session, user),
                  choices=_filter_choices(user),
                  own_lists=public_lists.own_lists(list(load_campaigns().values())),
                  filters={"stage_id": stage_id, "department": department, "state": state,
                           "due_by": due_by if due else ""})


def _filter_choices(user: Any) -> dict[str, Any]:
    """The queue's drop-downs: the stages and departments the campaign files define, by their names
    (the ids stay in the option values only)."""
    campaigns = [c for c in load_campaigns().values() if not getattr(user, "campaign_id", None)
                 or c.id == user.campaign_id]
    stages: list[tuple[str, str]] = []
    departments: list[str] = []
    for c in campaigns:
        for st in engine.stages(c):
            name = st.name if len(campaigns) == 1 else f"{st.name}（{c.title}）"
            if st.id not in {v for v, _ in stages}:
                stages.append((st.id, name))
            for d in list(st.departments or ()) + ([st.department] if st.department else []):
                if d not in departments:
                    departments.append(d)
    return {"stages": stages, "departments": departments,
            "own_stage": stage_name(user.campaign_id, user.stage_id)
            if getattr(user, "campaign_id", None) and getattr(user, "stage_id", None)
            else dict(stages).get(getattr(user, "stage_id", None) or "", "")}


def _recommended(session: Any, user: Any) -> list[dict[str, Any]]:
    """A recommender's own units' submissions under review, each with its 公示 and open objections,
    so the objections of the recommender's 公示 are recorded and resolved on their own page."""
    if user.role != "recommender":
        return []
    rows = []
    for sub in submissions_of(session, user):
        row = review_row(session, sub)
        if row["review"] is None or row["review"].status != "in_review":
            continue
        row["objections"] = flow.open_objections(session, sub.id)
        rows.append(row)
    return rows


@router.post("/review/claim-next")
async def claim_next(request: Request, user: Decider, session: SessionDep, settings: SettingsDep) -> Response:
    await read_form(request)
    task = await run_in_threadpool(queue.claim_next, session, user, lease_seconds=settings.review_lease_seconds)
    if task is None:
        return flash_back("/review", "队列中暂无可领取的任务。")
    return RedirectResponse(f"/review/tasks/{task.id}", status_code=303)


@router.post("/review/tasks/{task_id}/claim", dependencies=[VisibleTask])
async def claim(task_id: str, request: Request, user: Decider, session: SessionDep,
                settings: SettingsDep) -> Response:
    await read_form(request)
    await run_in_threadpool(queue.claim, session, user, task_id, lease_seconds=settings.review_lease_seconds)
    return RedirectResponse(f"/review/tasks/{task_id}", status_code=303)


@router.post("/review/tasks/{task_id}/release", dependencies=[VisibleTask])
async def release(task_id: str, request: Request, user: Decider, session: SessionDep) -> Response:
    await read_form(request)
    await run_in_threadpool(queue.release, session, user, task_id)
    return flash_back("/review", "任务已退回任务池。")


@router.post("/review/tasks/{task_id}/reassign")
async def reassign(task_id: str, request: Request, user: AdminUser, session: SessionDep,
                   settings: SettingsDep) -> Response:
    f = await read_form(request)
    to = accounts.find_user(session, f.get("to", ""))
    if to is None or not to.active:
        return flash_back("/review", "请选择要改派的人员。")
    try:
        await run_in_threadpool(queue.reassign, session, user, task_id, to,
                                lease_seconds=settings.review_lease_seconds)
    except DomainError as e:
        return flash_back("/review", e.message)
    return flash_back("/review", f"已改派给 {to.display_name}。")


@router.post("/review/submissions/{submission_id}/objections")
async def objection(submission_id: str, request: Request, user: Decider, session: SessionDep) -> Response:
    f = await read_form(request)
    await run_in_threadpool(flow.raise_objection, session, user, submission_id, f.get("text", ""))
    return flash_back(local_path(f.get("back", "")), "异议已登记。")


@router.post("/review/objections/{objection_id}/resolve")
async def resolve(objection_id: RowIdPath, request: Request, user: Decider, session: SessionDep) -> Response:
    f = await read_form(request)
    await run_in_threadpool(flow.resolve_objection, session, user, objection_id, f.get("text", ""))
    return flash_back(local_path(f.get("back", "")), "异议已处理。")
