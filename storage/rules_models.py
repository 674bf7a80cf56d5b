"""Rows the campaign's rules need beside the review: whom an account stands for, and the yearly
复查 outcomes.

An account's binding is its own table rather than more columns on `users`, because it is
per-campaign data (a recommender from the campaign file's list, an applicant kind, a county)
that the admin changes without touching the login.  Revision 0008_rules creates them.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow

# a reviewer bound to the city's own submissions rather than to one county
CITY = "city"


class UserBinding(Base):
    """What a person stands for in a campaign: a unit's recommender (Jinhua) or applicant kind
    (Yueyang's 创建的对象), and a reviewer's locality (a county, or `city`)."""
    __tablename__ = "user_bindings"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    campaign_id: Mapped[str | None] = mapped_column(String(64))
    recommender: Mapped[str | None] = mapped_column(String(200))
    applicant_kind: Mapped[str | None] = mapped_column(String(100))
    county: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SubmissionPlace(Base):
    """The county a submission belongs to (its recommender's, from the campaign file's list), recorded
    when it enters review so that a reviewer's queue is one query; no row: a city-level submission."""
    __tablename__ = "submission_places"

    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    county: Mapped[str] = mapped_column(String(100), index=True)


class ReinspectionOutcome(Base):
    """One year's 复查验收 of a titled unit (动态管理): kept, or the title withdrawn."""
    __tablename__ = "reinspection_outcomes"
    __table_args__ = (UniqueConstraint("submission_id", "stage_id", "year",
                                       name="uq_reinspection_outcomes_year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[str] = mapped_column(String(64), index=True)
    stage_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer())
    title: Mapped[str] = mapped_column(String(100))         # the title re-inspected
    outcome: Mapped[str | None] = mapped_column(String(16))  # pass | withdraw; None while open
    task_id: Mapped[str | None] = mapped_column(String(32))
    reasons: Mapped[str | None] = mapped_column(Text())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)   # the year's due date
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
