"""What a reviewer is told after a decision: what really happened to the submission.

Read from the rows after flow.decide committed, so the words follow the outcome rather than the
button: a joint-review department that passes first is told the others are still to decide, a
stage that confers a title says the title was granted, the last stage says the review is over.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.campaigns import get_campaign
from storage.review_models import ReviewTask, SubmissionReview
from dossier.stages import engine


def _pending_departments(session: Session, review: SubmissionReview, stage_id: str) -> list[str]:
    rows = session.scalars(select(ReviewTask).where(
        ReviewTask.submission_id == review.submission_id, ReviewTask.stage_id == stage_id,
        ReviewTask.state.in_(("open", "claimed")))).all()
    return sorted({t.department or "" for t in rows if t.department})


def decision_outcome(session: Session, review: SubmissionReview, stage_id: str, department: str | None,
                     decision: str) -> str:
    """The Chinese sentence for the reviewer once `decision` at `stage_id` is recorded."""
    session.refresh(review)
    campaign = get_campaign(review.campaign_id)
    stage = engine.stage(campaign, stage_id)
    pending = _pending_departments(session, review, stage_id) if review.stage_id == stage_id else []
    who = f"{department}已" if department else "已"
    if pending:
        # joint review: this department decided, the stage waits for the others
        verb = {"pass": "同意通过", "return": "退回", "reject": "不予通过"}.get(decision, "作出决定")
        return (f"{who}{verb}。联审尚有 {len(pending)} 个部门未作出决定（{'、'.join(pending)}），"
                "各部门都作出决定后，申报才会转入下一环节或退回。")
    if review.status == "returned":
        return "已退回申报单位修改，理由已告知申报单位。"
    if review.status == "rejected":
        return "已作出不予通过的决定，申报单位将看到理由。"
    if review.status == "withdrawn":
        return "已撤销称号。"
    title = stage.outcome_title
    if decision == "pass" and title and review.title == title:
        return f"已通过，申报单位获得“{title}”称号。"
    if review.status == "completed":
        return "已通过，全部审核环节已完成。"
    if review.stage_id and review.stage_id != stage_id:
        try:
            nxt = engine.stage(campaign, review.stage_id).name
        except Exception:   # a stage renamed in the file since: say it moved on without its name
            return "已通过，已转入下一环节。"
        return f"已通过，已转入下一环节：{nxt}。"
    return "已记录您的决定。"
