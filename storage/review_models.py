"""Tables of the review: people, their sessions and tokens, reviewer tasks,
the review state of each submission, corrections, objections and the audit log.

They share `storage.models.Base`, so one metadata (and one Alembic history)
holds the whole schema; revision 0002_review creates them.  Human tasks are
rows here, never Celery messages: they last days and must be listed, leased,
reassigned and audited.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (Boolean, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, JSONType, UTCDateTime, new_id, utcnow


class Role(str, enum.Enum):
    UNIT = "unit"                # one organisation; its own submissions only
    RECOMMENDER = "recommender"  # 机关党委 / 县直机关工委: its units, within its quota
    REVIEWER = "reviewer"        # bound to a stage (and for joint review a department)
    OPERATOR = "operator"        # runs the service: queues, reassignments, no decisions
    ADMIN = "admin"              # everything, and binds people


class TaskState(str, enum.Enum):
    OPEN = "open"          # waiting for someone to claim it
    CLAIMED = "claimed"    # leased to a reviewer until lease_expires_at
    DONE = "done"          # decided
    CANCELLED = "cancelled"  # the submission went back or away before this was done


class ReviewStatus(str, enum.Enum):
    IN_REVIEW = "in_review"    # a stage is open
    RETURNED = "returned"      # back with the unit, reasons attached
    REJECTED = "rejected"
    COMPLETED = "completed"    # every stage passed
    WITHDRAWN = "withdrawn"    # a title withdrawn at 复查


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # a unit's own organisation, or the recommender's (submissions name it as `recommender`)
    organisation: Mapped[str | None] = mapped_column(String(200))
    campaign_id: Mapped[str | None] = mapped_column(String(64))   # None: every campaign
    stage_id: Mapped[str | None] = mapped_column(String(64))      # a reviewer's stage
    department: Mapped[str | None] = mapped_column(String(100))   # joint review: 政法委, 纪委, …
    email: Mapped[str | None] = mapped_column(String(254))        # notifications (0010); None: inbox only
    active: Mapped[bool] = mapped_column(Boolean(), default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UserSession(Base):
    """A server-side login session; the cookie holds a random token, we keep its sha256."""
    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A token for scripts (`Authorization: Bearer …`); only its sha256 is stored."""
    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class SubmissionOwner(Base):
    """Which organisation owns a submission, recorded when a logged-in unit creates it,
    so that access never depends on the organisation name the unit typed."""
    __tablename__ = "submission_owners"

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SubmissionReview(Base):
    """Where a submission stands in its campaign's flow."""
    __tablename__ = "submission_reviews"

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64), index=True)
    stage_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.IN_REVIEW.value)
    site_level: Mapped[str | None] = mapped_column(String(32))    # county | city (jinhua)
    version: Mapped[int] = mapped_column(Integer(), default=1)    # +1 per resubmission
    title: Mapped[str | None] = mapped_column(String(100))        # 创建单位 / 示范单位
    return_reasons: Mapped[str | None] = mapped_column(Text())
    notice_start: Mapped[dt.date | None] = mapped_column(Date())
    notice_end: Mapped[dt.date | None] = mapped_column(Date())
    # scores, inspection, opinions and decisions by stage id
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SubmissionVersion(Base):
    """The fields as they stood for one version, so the desk can show what changed.

    `file_ids` are the files this version added; what the version holds is every
    earlier version's documents with those of the same kind replaced (see
    storage/versions.py).  `fields` is filled, and `fields_at` set, once all of
    them are read."""
    __tablename__ = "submission_versions"
    __table_args__ = (UniqueConstraint("submission_id", "version", name="uq_submission_versions_sv"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer())
    file_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    fields_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewTask(Base):
    __tablename__ = "review_tasks"
    __table_args__ = (
        Index("ix_review_tasks_queue", "stage_id", "state", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    stage_id: Mapped[str] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(16), default=Role.REVIEWER.value)
    # a recommender's task belongs to that recommender only
    organisation: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer(), default=1)
    state: Mapped[str] = mapped_column(String(16), default=TaskState.OPEN.value)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # not offered before this (一年后再次验收, 每年复查)
    available_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[str | None] = mapped_column(String(16))     # pass | return | reject | withdraw
    opinion: Mapped[str | None] = mapped_column(Text())
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(32))


class FieldCorrection(Base):
    """A reviewer's value beside the machine's; the newest per field wins."""
    __tablename__ = "field_corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(128))
    machine_value: Mapped[str | None] = mapped_column(Text())
    value: Mapped[str] = mapped_column(Text())
    user_id: Mapped[str | None] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Objection(Base):
    """An objection raised during a 公示; the next stage waits until it is resolved."""
    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text())
    raised_by: Mapped[str] = mapped_column(String(64))
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolution: Mapped[str | None] = mapped_column(Text())
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Append-only: rows are inserted, never updated or deleted (a trigger enforces it on PostgreSQL)."""
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str | None] = mapped_column(String(32), index=True)
    task_id: Mapped[str | None] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
