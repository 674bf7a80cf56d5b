"""Notifications: an inbox per person, and an email for each where the person wants one.

`notify()` writes the inbox rows in the caller's transaction and, for every person with an
email address who has not turned email off, an outbox message (`notify.email`, the row's id):
the email exists if and only if the event commits, the relay publishes it after the commit,
and the worker's send is idempotent by that id (workers/notify.py).  A `key` makes an event
that may be seen twice (a redelivered check, a periodic sweep) land once per person.

The tables are in storage/notification_models.py (every `*models.py` is part of the schema the
migrations are checked against).  The event functions below are what the places where things happen call, one line each
(services/review/flow.py and queue.py, workers/steps/, the relay's sweep); they only
read and write rows, so workers and services may both call them.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dossier.task_names import NOTIFY_EMAIL
from dossier import beijing
from storage import outbox
from storage.models import OutboxMessage, Submission, utcnow
from storage.notification_models import Notification, NotificationSettings
from storage.review_models import (Objection, ReviewTask, Role, SubmissionOwner, SubmissionReview,
                                   TaskState, User)

# the Celery task that sends one notification's email (workers/notify.py)
EMAIL_TOPIC = NOTIFY_EMAIL
# a notice that ended this long ago is no news any more: the sweep looks no further back
NOTICE_LOOKBACK_DAYS = 7
# an email still pending this long after its message went out lost that message (a worker killed
# on the filesystem transport, retries spent in a long SMTP outage): the sweep queues it again
EMAIL_REQUEUE_AFTER = dt.timedelta(hours=1)

EVENT_LABELS = {
    "checks.errors": "检查发现问题",
    "review.returned": "申报被退回",
    "review.passed": "通过审核环节",
    "review.rejected": "未通过审核",
    "review.withdrawn": "称号撤销",
    "notice.started": "公示开始",
    "notice.ended": "公示结束",
    "objection.raised": "收到异议",
    "objection.resolved": "异议已处理",
    "task.assigned": "分派任务",
    "task.due_soon": "任务即将超期",
}

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# ------------------------------------------------------------------ the inbox

def email_enabled(session: Session, user_id: str) -> bool:
    row = session.get(NotificationSettings, user_id)
    return True if row is None else bool(row.email_enabled)


def set_email_enabled(session: Session, user_id: str, enabled: bool) -> None:
    row = session.get(NotificationSettings, user_id)
    if row is None:
        session.add(NotificationSettings(user_id=user_id, email_enabled=enabled))
    else:
        row.email_enabled = enabled


def checked_email(address: str) -> str | None:
    """An address as typed, stripped; empty means none. ValueError (Chinese) when malformed."""
    address = address.strip()
    if not address:
        return None
    if len(address) > 254 or not EMAIL_PATTERN.match(address):
        raise ValueError("邮箱地址格式不正确，请检查后重新填写。")
    return address


def inbox(session: Session, user_id: str, *, limit: int = 200, before: int | None = None) -> list[Notification]:
    """The person's notifications, newest first; `before`: only those older than that id (the next page)."""
    q = select(Notification).where(Notification.user_id == user_id)
    if before is not None:
        q = q.where(Notification.id < before)
    return list(session.scalars(q.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0)


def mark_read(session: Session, user_id: str, ids: Sequence[int] | None = None) -> int:
    """Mark the person's own notifications read (all when `ids` is None); returns how many.
    Another person's ids are ignored: the user_id condition is the access check."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return int(session.execute(stmt.values(read_at=utcnow())).rowcount or 0)  # type: ignore[attr-defined]


def notify(session: Session, user_ids: Iterable[str], event: str, text: str, link: str | None,
           *, key: str | None = None) -> list[Notification]:
    """Put `text` in each person's inbox and queue its email, in the caller's transaction.

    With `key`, a person who already has a notification of that key gets none (a redelivered
    check, the sweep's next pass).  Disabled accounts get nothing."""
    out: list[Notification] = []
    for uid in dict.fromkeys(user_ids):
        user = session.get(User, uid)
        if user is None or not user.active:
            continue
        if key is not None and session.scalar(select(Notification.id).where(
                Notification.user_id == uid, Notification.key == key)) is not None:
            continue
        wants_email = bool(user.email) and email_enabled(session, uid)
        row = Notification(user_id=uid, event=event, text=text, link=link, key=key,
                           email_state="pending" if wants_email else None)
        session.add(row)
        session.flush()          # the id the email task is keyed by
        if wants_email:
            outbox.add(session, EMAIL_TOPIC, row.id)
        out.append(row)
    return out


# ------------------------------------------------------------------ who is told

def unit_users(session: Session, submission_id: str) -> list[str]:
    """The accounts of the unit that owns a submission (none for a 自查)."""
    sub = session.get(Submission, submission_id)
    if sub is None or sub.kind != "submission":
        return []
    owner = session.get(SubmissionOwner, sub.id)
    org = owner.organisation if owner else sub.organisation
    ids = list(session.scalars(select(User.id).where(User.role == Role.UNIT.value,
                                                     User.organisation == org)))
    if owner is not None and owner.user_id and owner.user_id not in ids:
        ids.append(owner.user_id)
    return ids


def recommender_users(session: Session, organisation: str | None) -> list[str]:
    if not organisation:
        return []
    return list(session.scalars(select(User.id).where(User.role == Role.RECOMMENDER.value,
                                                      User.organisation == organisation)))


def task_users(session: Session, task: ReviewTask) -> list[str]:
    """Who works on a task: its holder, else everyone its queue offers it to."""
    if task.state == TaskState.CLAIMED.value and task.assignee_id:
        return [task.assignee_id]
    if task.actor == Role.RECOMMENDER.value:
        return recommender_users(session, task.organisation)
    q = select(User.id).where(User.role == Role.REVIEWER.value, User.stage_id == task.stage_id,
                              (User.campaign_id.is_(None)) | (User.campaign_id == task.campaign_id))
    if task.department:
        q = q.where(User.department == task.department)
    return [uid for uid in session.scalars(q) if _local(session, uid, task)]


def _local(session: Session, user_id: str, task: ReviewTask) -> bool:
    """本地 joint review: a reviewer bound to a county is told of that county's tasks only
    (the same rule as services/security/access.py, on rows already loaded)."""
    from storage.rules_models import CITY, SubmissionPlace, UserBinding
    binding = session.get(UserBinding, user_id)
    if binding is None or not binding.county:
        return True
    place = session.get(SubmissionPlace, task.submission_id)
    return (place.county if place else CITY) == binding.county


def _stage_name(campaign_id: str, stage_id: str | None) -> str:
    from dossier.campaigns import get_campaign   # the campaign files, read once per process
    try:
        for s in get_campaign(campaign_id).stages:
            if s.get("id") == stage_id:
                return str(s.get("name") or stage_id)
    except Exception:    # an unknown campaign must not stop the event that is being recorded
        pass
    return stage_id or "审核"


def organisation(session: Session, submission_id: str) -> str:
    sub = session.get(Submission, submission_id)
    return sub.organisation if sub else ""


# ------------------------------------------------------------------ the events



def stage_decided(session: Session, submission_id: str, stage_name: str, outcome: str,
                  reasons: str = "", title: str | None = None) -> list[Notification]:
    """A stage's outcome (pass, return, reject, withdraw), told to the unit; `title`: the title
    a pass at this stage confers."""
    org = organisation(session, submission_id)
    reasons = reasons.strip().rstrip("。.")
    why = f"原因：{reasons}" if reasons else "原因请在申报页面查看"
    texts = {
        "pass": ("review.passed", f"“{org}”的申报已通过“{stage_name}”环节"
                                  + (f"，获得“{title}”称号。" if title else "。")),
        "return": ("review.returned", f"“{org}”的申报在“{stage_name}”环节被退回。{why}。"
                                      "请只上传需要修改的材料，检查完成后重新提交。"),
        "reject": ("review.rejected", f"“{org}”的申报在“{stage_name}”环节未通过。{why}。"),
        "withdraw": ("review.withdrawn", f"“{org}”的称号在“{stage_name}”中被撤销。{why}。"),
    }
    if outcome not in texts:
        return []
    event, text = texts[outcome]
    return notify(session, unit_users(session, submission_id), event, text, f"/submissions/{submission_id}")


def notice_started(session: Session, submission_id: str, start: dt.date, end: dt.date) -> list[Notification]:
    org = organisation(session, submission_id)
    text = f"“{org}”的申报已开始公示，公示期 {start.isoformat()} 至 {end.isoformat()}。"
    return notify(session, unit_users(session, submission_id), "notice.started", text,
                  f"/submissions/{submission_id}", key=f"notice_start:{submission_id}:{start.isoformat()}")


def objection_raised(session: Session, row: Objection, actor_id: str | None) -> list[Notification]:
    """Told to the unit (without the text: it answers through its recommender) and its recommender."""
    sub = session.get(Submission, row.submission_id)
    if sub is None:
        return []
    out = notify(session, [u for u in unit_users(session, sub.id) if u != actor_id], "objection.raised",
                 f"“{sub.organisation}”的申报在公示期间收到一条异议，处理完毕前暂不进入下一环节。",
                 f"/submissions/{sub.id}")
    out += notify(session, [u for u in recommender_users(session, sub.recommender) if u != actor_id],
                  "objection.raised", f"“{sub.organisation}”的申报收到异议：{row.text}", "/review")
    return out


def objection_resolved(session: Session, row: Objection, actor_id: str | None) -> list[Notification]:
    sub = session.get(Submission, row.submission_id)
    if sub is None:
        return []
    text = f"“{sub.organisation}”申报的异议已处理：{row.resolution or ''}"
    users = unit_users(session, sub.id) + recommender_users(session, sub.recommender)
    return notify(session, [u for u in users if u != actor_id], "objection.resolved", text,
                  f"/submissions/{sub.id}")


def task_assigned(session: Session, task: ReviewTask, user_id: str) -> list[Notification]:
    """A task handed to a person (改派, or a recommender's own task as its stage opens)."""
    text = (f"请办理：“{organisation(session, task.submission_id)}”的申报，"
            f"“{_stage_name(task.campaign_id, task.stage_id)}”环节")
    if task.due_at is not None:
        text += f"，{beijing.shown(task.due_at)} 前完成"
    return notify(session, [user_id], "task.assigned", text + "。", f"/review/tasks/{task.id}",
                  key=f"assigned:{task.id}:{user_id}:{task.version}")


def tasks_opened(session: Session, tasks: Sequence[ReviewTask]) -> list[Notification]:
    """A stage opened: a recommender's task is its own from the start (reviewers pull theirs)."""
    out: list[Notification] = []
    now = utcnow()
    for task in tasks:
        if task.actor != Role.RECOMMENDER.value or (task.available_at and task.available_at > now):
            continue
        session.flush()        # the task's id, for the link
        for uid in recommender_users(session, task.organisation):
            out += task_assigned(session, task, uid)
    return out


def sweep(session: Session, *, due_within: dt.timedelta, now: dt.datetime | None = None) -> int:
    """The periodic pass (the relay's loop): tasks about to be overdue, 公示 that ended, emails whose
    message was lost.  Keys make every pass after the first add nothing; returns how many
    notifications it wrote plus how many emails it queued again."""
    now = now or utcnow()
    n = 0
    soon = session.scalars(select(ReviewTask).where(
        ReviewTask.state.in_((TaskState.OPEN.value, TaskState.CLAIMED.value)),
        ReviewTask.due_at > now, ReviewTask.due_at <= now + due_within,
        (ReviewTask.available_at.is_(None)) | (ReviewTask.available_at <= now)))
    for task in soon:
        assert task.due_at is not None
        text = (f"任务即将超期：“{organisation(session, task.submission_id)}”的申报，"
                f"“{_stage_name(task.campaign_id, task.stage_id)}”环节，须在 {beijing.shown(task.due_at)} 前完成。")
        n += len(notify(session, task_users(session, task), "task.due_soon", text, f"/review/tasks/{task.id}",
                        key=f"due:{task.id}:{task.due_at.isoformat()}"))
    today = beijing.today(now)
    ended = session.scalars(select(SubmissionReview).where(
        SubmissionReview.notice_end < today,
        SubmissionReview.notice_end >= today - dt.timedelta(days=NOTICE_LOOKBACK_DAYS)))
    for review in ended:
        assert review.notice_end is not None
        sub = session.get(Submission, review.submission_id)
        if sub is None:
            continue
        text = f"“{sub.organisation}”的申报公示期已于 {review.notice_end.isoformat()} 结束。"
        users = unit_users(session, sub.id) + recommender_users(session, sub.recommender)
        n += len(notify(session, users, "notice.ended", text, f"/submissions/{sub.id}",
                        key=f"notice_end:{sub.id}:{review.notice_end.isoformat()}"))
    return n + requeue_lost_emails(session, now)


def requeue_lost_emails(session: Session, now: dt.datetime, *, after: dt.timedelta = EMAIL_REQUEUE_AFTER,
                        limit: int = 500) -> int:
    """Queue again the emails still pending whose last message went out more than `after` ago
    (or was purged); sending is idempotent, so a message that was only slow does no harm."""
    since = now - after
    pending = list(session.scalars(select(Notification.id).where(
        Notification.email_state == "pending", Notification.created_at < since)
        .order_by(Notification.id).limit(limit)))
    if not pending:
        return 0
    live: set[int] = set()
    for payload in session.scalars(select(OutboxMessage.payload).where(
            OutboxMessage.topic == EMAIL_TOPIC,
            OutboxMessage.published_at.is_(None) | (OutboxMessage.published_at >= since))):
        live.update((payload or {}).get("args") or [])
    lost = [nid for nid in pending if nid not in live]
    for nid in lost:
        outbox.add(session, EMAIL_TOPIC, nid)
    return len(lost)


def describe(row: Notification) -> dict[str, Any]:
    """A notification as the inbox page and the API show it (Beijing time)."""
    return {"id": row.id, "event": row.event, "label": EVENT_LABELS.get(row.event, "通知"),
            "text": row.text, "link": row.link, "at": beijing.shown(row.created_at),
            "read": row.read_at is not None}
