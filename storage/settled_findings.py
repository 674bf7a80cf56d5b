"""What was settled about a submission's findings, for the dossier PDF and the reviewer's desk:
overrides (放行) and judged 识别有误, each with who decided, at which stage, when and why."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import beijing
from dossier.campaigns import Campaign
from dossier.presenters import field_label
from dossier.stages import engine
from storage.finding_models import ContestOutcome, FindingContest, FindingOverride
from storage.review_models import FieldCorrection, ReviewTask

def dossier_notes(session: Session, campaign: Campaign, submission_id: str) -> list[dict[str, str]]:
    """Overrides and judged 识别有误 of a submission, for the dossier PDF: what (label, the finding's
    words), what was decided and why, by whom, at which stage and when (Beijing time)."""
    stages = {s.id: s.name for s in engine.stages(campaign)}
    out = []
    for o in session.scalars(select(FindingOverride).where(FindingOverride.submission_id == submission_id)
                             .order_by(FindingOverride.id)):
        out.append({"label": field_label(campaign, o.field) or o.code, "message": o.message,
                    "decision": "放行", "why": o.reason, "by": o.username,
                    "stage": stages.get(o.stage_id, o.stage_id), "at": beijing.shown(o.created_at)})
    judged = session.scalars(select(FindingContest).where(FindingContest.submission_id == submission_id,
                                                          FindingContest.outcome.is_not(None))
                             .order_by(FindingContest.id))
    tasks = {t.id: t.stage_id for t in session.scalars(select(ReviewTask).where(
        ReviewTask.submission_id == submission_id))}
    for c in judged:
        confirmed = c.outcome == ContestOutcome.CONFIRMED.value
        out.append({"label": field_label(campaign, c.field) or c.code, "message": f"申报单位认为识别有误：{c.note}",
                    "decision": "确认识别有误" if confirmed else "维持问题",
                    "why": c.decision_note or "", "by": c.decided_by or "",
                    "stage": stages.get(tasks.get(c.task_id or "", ""), ""), "at": beijing.shown(c.decided_at)})
    return out


def corrections(session: Session, submission_id: str) -> dict[str, FieldCorrection]:
    """The newest correction per field."""
    out: dict[str, FieldCorrection] = {}
    for row in session.scalars(select(FieldCorrection).where(FieldCorrection.submission_id == submission_id)
                               .order_by(FieldCorrection.id)):
        out[row.field] = row
    return out
