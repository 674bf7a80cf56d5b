"""Helpers for the review tests: people and submissions in a few lines."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.auth import accounts
from services.submissions import create_submission
from storage.review_models import User

PASSWORD = "correct horse 1"


def person(session: Session, username: str, role: str, **binding: str | None) -> User:
    return accounts.create_user(session, username=username, password=PASSWORD, role=role, **binding)


def submission(session: Session, campaign: str, organisation: str, recommender: str | None = None) -> str:
    return create_submission(session, campaign_id=campaign, organisation=organisation,
                             recommender=recommender).id
