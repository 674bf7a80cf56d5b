"""Helpers for the review tests: people and submissions in a few lines."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.auth import accounts
from services.submissions.service import create_submission
from storage.review_models import User

PASSWORD = "correct horse 1"


def person(session: Session, username: str, role: str, **binding: str | None) -> User:
    return accounts.create_user(session, username=username, password=PASSWORD, role=role, **binding)


def submission(session: Session, campaign: str, organisation: str, recommender: str | None = None) -> str:
    return create_submission(session, campaign_id=campaign, organisation=organisation,
                             recommender=recommender).id


def at_joint_review(session: Session, organisation: str = "武义县某局党支部",
                    county: str = "武义县直机关工委") -> str:
    """A Jinhua county point past its 公示 (the stage before passed), at the joint review of four
    departments: one open task for each.  Returns the submission's id."""
    from services.review import flow

    sid = submission(session, "jinhua-2015", organisation, county)
    review = flow.start_review(session, None, sid)
    for t in session.query(flow.ReviewTask).filter_by(submission_id=sid):
        t.state, t.decision = "done", "pass"
    flow._open_stage(session, session.get(flow.Submission, sid), review,
                     flow.engine.stage(flow.get_campaign("jinhua-2015"), "joint_review_county"), flow.utcnow())
    session.commit()
    return sid
