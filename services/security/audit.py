"""The append-only audit log: every human action, with who and when."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.review_models import AuditEntry, User

ACTION_LABELS = {
    "start": "进入审核", "claim": "领取任务", "release": "退回任务池", "renew": "续期",
    "reassign": "重新分派", "correct": "更正字段", "score": "录入考评分", "inspect": "记录实地检查",
    "opinion": "填写意见", "decide": "作出决定", "notice_start": "开始公示", "objection": "登记异议",
    "objection_resolved": "异议处理完毕", "resubmit": "重新提交", "stage": "进入环节",
    "lease_expired": "任务超时收回", "file_retry": "文件重新处理",
    "contest": "标记识别有误", "contest_confirmed": "确认识别有误", "contest_upheld": "维持问题（识别无误）",
    "override": "放行", "campaign_load": "载入评选活动文件",
}


def record(session: Session, actor: User | None, action: str, *, submission_id: str | None = None,
           task_id: str | None = None, **detail: Any) -> AuditEntry:
    """Add an entry to the caller's transaction: it commits with the change it describes."""
    entry = AuditEntry(submission_id=submission_id, task_id=task_id,
                       actor_id=actor.id if actor else None,
                       actor=actor.username if actor else "system", action=action, detail=detail)
    session.add(entry)
    return entry


def history(session: Session, submission_id: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.submission_id == submission_id)
                                .order_by(AuditEntry.id)))
