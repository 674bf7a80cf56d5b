"""Reviewer queues: tasks are rows, claimed with SELECT … FOR UPDATE SKIP LOCKED and a lease.

Twenty reviewers pressing “领取下一份” at once each get a different task:
the row lock makes the others skip it rather than wait.  A claim holds a
lease; an unrenewed lease lapses and the task is claimable again, so a
reviewer who walks away never strands a submission.  SQLite ignores the
locking clause, which is safe there because it has one writer at a time.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from dossier import beijing
from services.kit.errors import DomainError, Forbidden, NotFound
from storage import notifications
from storage.models import utcnow
from storage.review_models import ReviewTask, TaskState, User

from services.security import audit
from services.security.access import is_staff, task_scope


class Conflict(DomainError):
    status_code = 409
    code = "task.conflict"


def claimable(now: dt.datetime) -> Any:
    lapsed = and_(ReviewTask.state == TaskState.CLAIMED.value, ReviewTask.lease_expires_at < now)
    ready = or_(ReviewTask.available_at.is_(None), ReviewTask.available_at <= now)
    return and_(or_(ReviewTask.state == TaskState.OPEN.value, lapsed), ready)


def _lease(task: ReviewTask, user: User, now: dt.datetime, lease_seconds: int) -> None:
    task.state = TaskState.CLAIMED.value
    task.assignee_id = user.id
    task.lease_expires_at = now + dt.timedelta(seconds=lease_seconds)


def claim_next(session: Session, user: User, *, lease_seconds: int, stage_id: str | None = None,
               department: str | None = None, now: dt.datetime | None = None) -> ReviewTask | None:
    """Lease the most urgent claimable task of the user's queues (optionally one stage/department):
    the earliest deadline first, so overdue work is not left behind newer work; then the oldest."""
    now = now or utcnow()
    q: Select[tuple[ReviewTask]] = select(ReviewTask).where(task_scope(user), claimable(now))
    if stage_id:
        q = q.where(ReviewTask.stage_id == stage_id)
    if department:
        q = q.where(ReviewTask.department == department)
    q = q.order_by(ReviewTask.due_at.is_(None), ReviewTask.due_at, ReviewTask.created_at,
                   ReviewTask.id).limit(1).with_for_update(skip_locked=True)
    task = session.scalar(q)
    if task is None:
        session.rollback()
        return None
    lapsed_from = task.assignee_id if task.state == TaskState.CLAIMED.value else None
    _lease(task, user, now, lease_seconds)
    audit.record(session, user, "claim", submission_id=task.submission_id, task_id=task.id,
                 stage=task.stage_id, department=task.department, lapsed_from=lapsed_from)
    session.commit()
    return task


def claim(session: Session, user: User, task_id: str, *, lease_seconds: int,
          now: dt.datetime | None = None) -> ReviewTask:
    """Lease one named task (clicked in the list); a task someone else holds is a conflict."""
    now = now or utcnow()
    task = session.scalar(select(ReviewTask).where(ReviewTask.id == task_id, task_scope(user))
                          .with_for_update(skip_locked=True))
    if task is None:
        session.rollback()
        exists = session.scalar(select(ReviewTask.id).where(ReviewTask.id == task_id, task_scope(user)))
        if exists is None:
            raise NotFound("找不到这个审核任务。", f"task {task_id}")
        raise Conflict("这份材料正由其他人员处理，请稍后再试。", "row locked")
    if task.assignee_id == user.id and task.state == TaskState.CLAIMED.value:
        task.lease_expires_at = now + dt.timedelta(seconds=lease_seconds)
        session.commit()
        return task
    if session.scalar(select(ReviewTask.id).where(ReviewTask.id == task_id, claimable(now))) is None:
        session.rollback()
        raise Conflict("这份材料已被领取或已办结。", f"task {task_id} is {task.state}")
    _lease(task, user, now, lease_seconds)
    audit.record(session, user, "claim", submission_id=task.submission_id, task_id=task.id,
                 stage=task.stage_id, department=task.department)
    session.commit()
    return task


def held_task(session: Session, user: User, task_id: str, now: dt.datetime | None = None) -> ReviewTask:
    """A task the user holds under a live lease: the precondition of every desk action."""
    now = now or utcnow()
    task = session.scalar(select(ReviewTask).where(ReviewTask.id == task_id, task_scope(user)))
    if task is None:
        raise NotFound("找不到这个审核任务。", f"task {task_id}")
    if task.state != TaskState.CLAIMED.value or task.assignee_id != user.id:
        raise Conflict("请先领取这个任务再操作。", f"task {task_id} not held by {user.username}")
    if task.lease_expires_at is not None and task.lease_expires_at < now:
        raise Conflict("任务领取已超时，请重新领取。", f"lease on {task_id} lapsed")
    return task


def renew_every(lease_seconds: int) -> int:
    """Seconds between the desk's renewals: three a lease, so one lost request does not lose the task."""
    return max(5, lease_seconds // 3)


def renew(session: Session, user: User, task_id: str, *, lease_seconds: int) -> ReviewTask:
    task = held_task(session, user, task_id)
    task.lease_expires_at = utcnow() + dt.timedelta(seconds=lease_seconds)
    audit.record(session, user, "renew", submission_id=task.submission_id, task_id=task.id)
    session.commit()
    return task


def release(session: Session, user: User, task_id: str) -> ReviewTask:
    task = session.scalar(select(ReviewTask).where(ReviewTask.id == task_id, task_scope(user)))
    if task is None:
        raise NotFound("找不到这个审核任务。", f"task {task_id}")
    if task.state != TaskState.CLAIMED.value or (task.assignee_id != user.id and not is_staff(user)):
        raise Conflict("只能退回自己领取的任务。", f"task {task_id} not held by {user.username}")
    task.state, task.assignee_id, task.lease_expires_at = TaskState.OPEN.value, None, None
    audit.record(session, user, "release", submission_id=task.submission_id, task_id=task.id)
    session.commit()
    return task


def reassign(session: Session, admin: User, task_id: str, to: User, *, lease_seconds: int) -> ReviewTask:
    """An admin or operator hands a task to another person who may work on that queue."""
    if admin.role != "admin":      # operators read and retry, nothing else
        raise Forbidden("只有管理员可以重新分派任务。", "reassign needs admin")
    if not to.active:
        raise DomainError(f"账号“{to.display_name}”已停用，不能分派。", f"{to.username} is disabled",
                          code="task.not_eligible", status_code=422)
    task = session.get(ReviewTask, task_id)
    if task is None or task.state in (TaskState.DONE.value, TaskState.CANCELLED.value):
        raise NotFound("找不到待办的审核任务。", f"task {task_id}")
    if session.scalar(select(ReviewTask.id).where(ReviewTask.id == task_id, task_scope(to))) is None:
        raise DomainError(f"“{to.display_name}”不负责这个环节或部门，不能分派。",
                          f"{to.username} is not bound to {task.stage_id}/{task.department}",
                          code="task.not_eligible", status_code=422)
    previous = task.assignee_id
    _lease(task, to, utcnow(), lease_seconds)
    audit.record(session, admin, "reassign", submission_id=task.submission_id, task_id=task.id,
                 to=to.username, previous=previous)
    notifications.task_assigned(session, task, to.id)
    session.commit()
    return task


@dataclass
class TaskFilter:
    stage_id: str | None = None
    department: str | None = None
    state: str | None = None          # open | claimed | done | cancelled | overdue | mine
    due_before: dt.datetime | None = None
    campaign_id: str | None = None


def due_by(day: dt.date) -> dt.datetime:
    """The end of `day` in Beijing time, as a UTC instant: "due by 12月5日" includes all of that day."""
    return beijing.end_of_day(day)


def list_tasks(session: Session, user: User, f: TaskFilter | None = None,
               now: dt.datetime | None = None) -> list[ReviewTask]:
    f = f or TaskFilter()
    now = now or utcnow()
    q = select(ReviewTask).where(task_scope(user))
    if f.stage_id:
        q = q.where(ReviewTask.stage_id == f.stage_id)
    if f.department:
        q = q.where(ReviewTask.department == f.department)
    if f.campaign_id:
        q = q.where(ReviewTask.campaign_id == f.campaign_id)
    if f.state == "overdue":
        q = q.where(ReviewTask.due_at < now, ReviewTask.state.in_(("open", "claimed")))
    elif f.state == "mine":
        q = q.where(ReviewTask.assignee_id == user.id, ReviewTask.state == TaskState.CLAIMED.value)
    elif f.state:
        q = q.where(ReviewTask.state == f.state)
    else:
        q = q.where(ReviewTask.state.in_(("open", "claimed")))
    if f.due_before:
        q = q.where(ReviewTask.due_at < f.due_before)
    return list(session.scalars(q.order_by(ReviewTask.due_at.is_(None), ReviewTask.due_at,
                                           ReviewTask.created_at)))


def is_overdue(task: ReviewTask, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return (task.due_at is not None and task.due_at < now
            and task.state in (TaskState.OPEN.value, TaskState.CLAIMED.value))


def lease_lapsed(task: ReviewTask, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return (task.state == TaskState.CLAIMED.value and task.lease_expires_at is not None
            and task.lease_expires_at < now)
