"""What people said about a finding, beside it: a unit's 识别有误 and the reviewer's verdict on it,
and a reviewer's override with its reason.

Findings stay as the workers wrote them; these rows are keyed by the finding's
id.  The id is not a foreign key on purpose: a re-read file gets new finding
rows, and the record of what was contested (the live measure of reading
quality, counted per code on /ops) must outlive them.  Code, field and
campaign are copied here for the same reason.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, UTCDateTime, utcnow


class ContestOutcome(str, enum.Enum):
    CONFIRMED = "confirmed"    # the reviewer agrees the finding was wrong: it no longer applies
    UPHELD = "upheld"          # the finding stands: the submission goes back to the unit


class _AboutFinding:
    """The finding a row is about, and what it was (kept when the finding row is written anew)."""
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(BigInteger())
    submission_id: Mapped[str] = mapped_column(String(32), index=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(128))


class FindingContest(_AboutFinding, Base):
    """A unit's 识别有误 on one finding, and the reviewer's verdict once given."""
    __tablename__ = "finding_contests"
    __table_args__ = (
        UniqueConstraint("finding_id", name="uq_finding_contests_finding_id"),
        Index("ix_finding_contests_campaign_code", "campaign_id", "code"),
    )

    note: Mapped[str] = mapped_column(Text())
    contested_by: Mapped[str] = mapped_column(String(64))
    contested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(16))          # ContestOutcome; None: not yet seen
    decision_note: Mapped[str | None] = mapped_column(Text())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    task_id: Mapped[str | None] = mapped_column(String(32))


class FindingOverride(_AboutFinding, Base):
    """A reviewer lets an error finding stand and passes anyway, with a reason (audited, in the dossier)."""
    __tablename__ = "finding_overrides"
    __table_args__ = (UniqueConstraint("finding_id", name="uq_finding_overrides_finding_id"),)

    message: Mapped[str] = mapped_column(Text())                     # the finding's words, kept for the dossier
    reason: Mapped[str] = mapped_column(Text())
    stage_id: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
