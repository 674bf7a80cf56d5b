"""Where a submission stands in its lifecycle, read from its rows.

The state is derived (dossier.lifecycle.state_of), never stored, so the unit's page,
the queue, the overview and the packets cannot disagree about it.  The rows that
say it: the submission (kind, state of its checks, submitted_at), its current
files (a replaced file no longer counts), its review and whether anyone acted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from dossier import lifecycle
from dossier.lifecycle import Facts, State
from storage.models import StoredFile, Submission, SubmissionState
from storage.review_models import ReviewTask, SubmissionReview, SubmissionVersion

SELF_CHECK = "self_check"
SUBMISSION = "submission"


def counted() -> ColumnElement[bool]:
    """The submissions that count (quotas, packets, lists, the overview): submitted, never a 自查."""
    return and_(Submission.kind != SELF_CHECK, Submission.submitted_at.is_not(None))


def current_files(files: list[StoredFile]) -> list[StoredFile]:
    return [f for f in files if f.replaced_by is None]


def facts(session: Session, sub: Submission, files: list[StoredFile] | None = None) -> Facts:
    if files is None:
        files = list(session.scalars(select(StoredFile).where(StoredFile.submission_id == sub.id)))
    current = current_files(files)
    review = session.get(SubmissionReview, sub.id)
    acted = review is not None and session.scalar(
        select(ReviewTask.id).where(ReviewTask.submission_id == sub.id,
                                    ReviewTask.decision.is_not(None)).limit(1)) is not None
    return Facts(self_check=sub.kind == SELF_CHECK, files=len(current),
                 files_final=all(f.is_final for f in current),
                 checked=sub.state == SubmissionState.CHECKED.value,
                 submitted=sub.submitted_at is not None,
                 review_status=review.status if review else None,
                 title=review.title if review else None, acted=acted)


@dataclass(frozen=True)
class Standing:
    """A submission's state with what the pages show beside it."""
    state: State
    checks_done: bool
    stage_id: str | None
    reasons: str | None
    field_reasons: dict[str, str]      # the reviewer's reason per field key, on a return

    def to_json(self, stage_name: str | None = None) -> dict[str, Any]:
        return {"code": self.state.value, "label": lifecycle.label(self.state, stage_name),
                "checks_done": self.checks_done, "stage": self.stage_id, "stage_name": stage_name,
                "reasons": self.reasons, "field_reasons": dict(self.field_reasons),
                "editable": self.state in lifecycle.EDITABLE_STATES,
                "submitted": self.state in lifecycle.SUBMITTED_STATES}


def standing(session: Session, sub: Submission, files: list[StoredFile] | None = None) -> Standing:
    f = facts(session, sub, files)
    review = session.get(SubmissionReview, sub.id)
    state = lifecycle.state_of(f)
    sent_back = review is not None and state in (State.RETURNED, State.REJECTED)
    return Standing(state=state, checks_done=lifecycle.checks_done(f),
                    stage_id=review.stage_id if review and state in (State.IN_REVIEW, State.SUBMITTED,
                                                                     State.RETURNED) else None,
                    reasons=review.return_reasons if sent_back and review else None,
                    field_reasons=_field_reasons(session, sub.id) if sent_back else {})


def _field_reasons(session: Session, submission_id: str) -> dict[str, str]:
    """The reasons per field the reviewer gave with the last return (or rejection)."""
    task = session.scalar(select(ReviewTask).where(ReviewTask.submission_id == submission_id,
                                                   ReviewTask.decision.in_(("return", "reject")))
                          .order_by(ReviewTask.completed_at.desc()).limit(1))
    given = (task.data or {}).get("field_reasons") if task is not None else None
    return {str(k): str(v) for k, v in (given or {}).items() if str(v).strip()}


def move(session: Session, sub: Submission, event: lifecycle.Event, actor: lifecycle.Actor) -> State:
    """The state `event` leads to from the submission's state now; lifecycle.Refused when not allowed."""
    return lifecycle.move(lifecycle.state_of(facts(session, sub)), event, actor)


def versioned_file_ids(session: Session, submission_id: str) -> set[str]:
    """The files some submitted version holds: the review read them, they stay."""
    rows = session.scalars(select(SubmissionVersion.file_ids)
                           .where(SubmissionVersion.submission_id == submission_id))
    return {fid for ids in rows for fid in (ids or [])}
