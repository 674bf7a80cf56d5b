"""Findings people contest and override.

Machine reading is never perfect.  A unit that believes a finding is wrong (the
value is on the form, the seal is there) marks it 识别有误 with a short note
instead of changing a correct file; the finding stops blocking its 提交审核.
The reviewer looks at it first, beside the page image, and confirms it (the
finding was wrong: it stops blocking the pass) or upholds it (it stands, and
the submission goes back to the unit with the reason).  A reviewer may also let
an error stand and pass anyway with an override and its reason, except where
the campaign file makes the rule absolute (`findings: {code: {overridable: false}}`).

Every function checks who acts, writes the audit entry in the same
transaction and commits.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dossier import beijing
from dossier.campaigns import Campaign, get_campaign
from dossier.presenters import field_label
from services.kit.errors import DomainError, Forbidden, InvalidInput, NotFound
from storage.finding_models import ContestOutcome, FindingContest, FindingOverride
from workers.findings_gate import contests_of, current_errors, overrides_of
from storage.models import FindingRow, StoredFile, Submission, utcnow
from storage.review_models import ReviewStatus, ReviewTask, Role, SubmissionReview, User
from dossier.stages import engine

from . import flow
from services.security import audit
from services.security.access import visible_submission
from .blocking import absolute_refusal, finding_label
from .queue import held_task

NOTE_MAX = 200


class FindingConflict(DomainError):
    status_code = 409
    code = "finding.conflict"


def _short(text: str | None, what: str) -> str:
    note = (text or "").strip()
    if not note:
        raise InvalidInput(f"请简要写明{what}。", f"{what}: empty", code="note.missing")
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"{what}请控制在 {NOTE_MAX} 字以内。", f"{what}: {len(note)} chars",
                           code="note.too_long")
    return note


def _current_error(session: Session, submission_id: str, finding_id: int) -> FindingRow:
    """An error finding of the submission's current version; 404 for another submission's."""
    row = session.get(FindingRow, finding_id)
    if row is None or row.submission_id != submission_id:
        raise NotFound("找不到这条检查结果。", f"finding {finding_id} not in {submission_id}")
    if row.severity != "error":
        raise FindingConflict("这条是“请注意”的提醒，不影响提交和通过，无需处理。",
                              f"finding {finding_id} is a warning")
    if row.id not in {f.id for f in current_errors(session, submission_id)}:
        raise FindingConflict("这条检查结果属于已被替换的文件，已不再适用。", f"finding {finding_id} not current")
    return row


# ------------------------------------------------------------------ the unit

def contest(session: Session, user: User, submission_id: str, finding_id: int, note: str) -> FindingContest:
    """The unit marks an error finding of its own submission 识别有误."""
    if user.role != Role.UNIT.value:
        raise Forbidden("只有申报单位可以标记识别有误。", f"{user.username} is not a unit")
    sub = visible_submission(session, user, submission_id, change=True)
    review = session.get(SubmissionReview, sub.id)
    if review is not None and review.status != ReviewStatus.RETURNED.value:
        raise FindingConflict("申报已提交审核，不能再标记识别有误；如被退回，可在修改时标记。",
                              f"{sub.id} is {review.status}")
    row = _current_error(session, sub.id, finding_id)
    earlier = contests_of(session, [row]).get(row.id)
    if earlier is not None and earlier.outcome == ContestOutcome.UPHELD.value:
        raise FindingConflict(f"审核已核对原件并维持这条问题（{earlier.decision_note or '理由见退回意见'}），"
                              "请修改后重新上传。", f"finding {row.id} upheld")
    if earlier is not None:
        raise FindingConflict("这条检查结果已标记为识别有误。", f"finding {row.id} already contested")
    text = _short(note, "认为识别有误的理由（如：原件第 1 页已盖章）")
    entry = FindingContest(finding_id=row.id, submission_id=sub.id, campaign_id=sub.campaign_id,
                           code=row.code, field=row.field, note=text, contested_by=user.username)
    session.add(entry)
    audit.record(session, user, "contest", submission_id=sub.id, finding=row.id, code=row.code,
                 field=row.field, message=row.message, note=text)
    session.commit()
    return entry


def contest_marks(session: Session, submission_id: str) -> dict[int, dict[str, str | None]]:
    """Finding id -> the unit's note and the verdict, for the unit's page (templates/_contest.html)."""
    found = contests_of(session, current_errors(session, submission_id))
    return {fid: {"note": c.note, "outcome": c.outcome, "decision_note": c.decision_note}
            for fid, c in found.items()}


def pending_contests(session: Session, submission_ids: list[str]) -> dict[str, int]:
    """Per submission, the 识别有误 of its current findings still waiting for a reviewer (the queue's badge)."""
    if not submission_ids:
        return {}
    live = (select(FindingRow.id).outerjoin(StoredFile, StoredFile.id == FindingRow.file_id)
            .where(FindingRow.submission_id.in_(submission_ids),
                   or_(FindingRow.file_id.is_(None), StoredFile.replaced_by.is_(None))))
    rows = session.execute(select(FindingContest.submission_id, func.count())
                           .where(FindingContest.submission_id.in_(submission_ids),
                                  FindingContest.outcome.is_(None), FindingContest.finding_id.in_(live))
                           .group_by(FindingContest.submission_id))
    return {sid: int(n) for sid, n in rows}


# -------------------------------------------------------------- the reviewer

def judge_contest(session: Session, user: User, task_id: str, finding_id: int, *, upheld: bool,
                  note: str | None) -> FindingContest:
    """The reviewer's verdict on a 识别有误: confirmed (the finding was wrong) or upheld (it stands,
    and the submission is returned to the unit with the reason)."""
    task = held_task(session, user, task_id)
    row = _current_error(session, task.submission_id, finding_id)
    entry = contests_of(session, [row]).get(row.id)
    if entry is None:
        raise FindingConflict("申报单位没有对这条检查结果标记识别有误。", f"finding {row.id} not contested")
    if entry.outcome is not None:
        raise FindingConflict("这条识别有误已有审核结论。", f"finding {row.id} already {entry.outcome}")
    text = _short(note, "维持该问题的理由（申报单位将看到）") if upheld else (note or "").strip()[:NOTE_MAX]
    entry.outcome = (ContestOutcome.UPHELD if upheld else ContestOutcome.CONFIRMED).value
    entry.decision_note, entry.decided_by, entry.decided_at, entry.task_id = text, user.username, utcnow(), task.id
    audit.record(session, user, "contest_upheld" if upheld else "contest_confirmed",
                 submission_id=task.submission_id, task_id=task.id, finding=row.id, code=row.code,
                 field=row.field, note=text)
    campaign = get_campaign(task.campaign_id)
    stage = engine.stage(campaign, task.stage_id)
    if not upheld or "return" not in stage.decisions:
        session.commit()
        return entry
    label = finding_label(campaign, row)
    reasons = f"「{label}」{row.message} 申报单位提出识别有误，经审核核对原件，该问题成立：{text}"
    flow.decide(session, user, task.id, "return", {"reasons": reasons})
    return entry


def override(session: Session, user: User, task_id: str, finding_id: int, reason: str) -> FindingOverride:
    """Let an error finding stand and pass over it, with a reason kept in the history and the dossier."""
    task = held_task(session, user, task_id)
    sub = session.get(Submission, task.submission_id)
    assert sub is not None
    row = _current_error(session, sub.id, finding_id)
    campaign = get_campaign(task.campaign_id)
    refusal = absolute_refusal(campaign, row.code)
    if refusal:
        raise FindingConflict(f"「{finding_label(campaign, row)}」{refusal}", f"{row.code} is not overridable",
                              code="override.forbidden")
    if row.id in overrides_of(session, [row]):
        raise FindingConflict("这条检查结果已经放行。", f"finding {row.id} already overridden")
    text = _short(reason, "放行理由")
    entry = FindingOverride(finding_id=row.id, submission_id=sub.id, campaign_id=sub.campaign_id, code=row.code,
                            field=row.field, message=row.message, reason=text, stage_id=task.stage_id,
                            task_id=task.id, user_id=user.id, username=user.username)
    session.add(entry)
    audit.record(session, user, "override", submission_id=sub.id, task_id=task.id, finding=row.id,
                 code=row.code, field=row.field, message=row.message, reason=text, stage=task.stage_id)
    session.commit()
    return entry


