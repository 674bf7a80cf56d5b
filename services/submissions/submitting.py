"""提交审核: the unit's decision to put its submission forward, and the gate before it.

A submission is submitted (the first time, or again after a return) only when every
current file is read and the submission-level checks ran, no error finding blocks the
unit (workers.findings_gate decides which: one the unit marked 识别有误 no longer does),
and the unit has said it read the warnings.  The API and the page's form both come here,
so the rule holds whoever asks.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dossier import lifecycle as rules
from dossier.campaigns import get_campaign
from storage import standing as lifecycle
from dossier.presenters import field_label
from services.kit.errors import DomainError
from services.submissions.service import refuse
from workers.findings_gate import blocking_findings
from storage.models import FindingRow, StoredFile, utcnow
from storage.review_models import SubmissionReview, User

from services.review import flow
from services.security import audit
from services.security.access import visible_submission


class SubmitBlocked(DomainError):
    status_code = 409
    code = "submit.blocked"


def _where(session: Session, campaign: Any, f: FindingRow) -> str:
    label = field_label(campaign, f.field, f.document)
    row = session.get(StoredFile, f.file_id) if f.file_id else None
    place = "；".join(p for p in (f"文件“{row.name}”" if row else "整份申报",
                                  f"栏目：{label}" if label else "") if p)
    return f"{place}：{f.message}"


def blocking_message(session: Session, campaign: Any, blockers: list[FindingRow]) -> str:
    items = "\n".join(f"{i}. {_where(session, campaign, f)}" for i, f in enumerate(blockers, 1))
    return (f"还有 {len(blockers)} 处需要修改，修改后才能提交审核（如确认识别有误，可标记“识别有误”并说明）：\n"
            f"{items}")


def current_warnings(session: Session, submission_id: str) -> int:
    """Warnings of the current files and of the submission as a whole."""
    replaced = select(StoredFile.id).where(StoredFile.submission_id == submission_id,
                                           StoredFile.replaced_by.is_not(None))
    return int(session.scalar(select(func.count()).select_from(FindingRow).where(
        FindingRow.submission_id == submission_id, FindingRow.severity == "warning",
        or_(FindingRow.file_id.is_(None), FindingRow.file_id.not_in(replaced)))) or 0)


def submit(session: Session, user: User, submission_id: str, *, warnings_read: bool,
           site_level: str | None = None,
           now: dt.datetime | None = None) -> SubmissionReview:
    """Put the unit's submission forward (提交审核), or again after a return (重新提交)."""
    sub = visible_submission(session, user, submission_id, change=True)
    standing = lifecycle.standing(session, sub)
    try:
        rules.move(standing.state, rules.Event.SUBMIT, rules.actor_of(user.role))
    except rules.Refused as e:
        raise refuse(e) from None
    if not standing.checks_done:
        raise refuse(rules.Refused(rules.REFUSALS[rules.State.CHECKING], "checks not done"))
    campaign = get_campaign(sub.campaign_id)
    failed = [f.name for f in session.scalars(select(StoredFile).where(
        StoredFile.submission_id == sub.id, StoredFile.replaced_by.is_(None), StoredFile.state == "failed"))]
    if failed:      # parked for a person: what it holds was never checked
        raise SubmitBlocked("、".join(f"“{n}”" for n in failed) + "处理失败，已转交工作人员。请删除后重新上传，"
                            "或等工作人员重新处理完成后再提交。", f"failed files: {failed}", code="submit.failed_files")
    blockers = blocking_findings(session, sub.id, audience="unit")
    if blockers:
        raise SubmitBlocked(blocking_message(session, campaign, blockers),
                            f"{len(blockers)} open error findings: "
                            + ", ".join(sorted({f.code for f in blockers})))
    warnings = current_warnings(session, sub.id)
    if warnings and not warnings_read:
        raise SubmitBlocked(f"有 {warnings} 处“请注意”的提示，请阅读后勾选“我已阅读以上提示”再提交。",
                            "warnings not confirmed", code="submit.warnings_unread")
    audit.record(session, user, "submit", submission_id=sub.id, warnings=warnings,
                 warnings_read=bool(warnings_read))
    if standing.state is rules.State.RETURNED:
        return flow.resubmit(session, user, sub.id, now=now)
    return flow.start_review(session, user, sub.id, site_level=site_level, now=now or utcnow())
