"""Database tables, as typed SQLAlchemy 2 models.

The same models run on SQLite (embedded mode) and PostgreSQL; the schema is
built by the Alembic migrations in storage/migrations, never by create_all in
production code.  Ids are uuid4 hex strings, so they are the same type on both
databases and safe inside object keys.
"""
from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import (JSON, BigInteger, DateTime, ForeignKey, Index, Integer, MetaData,
                        String, Text, TypeDecorator, UniqueConstraint)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# constraint names fixed by convention, so migrations can refer to them on both databases
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on both databases (SQLite would drop the zone)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use storage.models.utcnow()")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only autoincrements an INTEGER PRIMARY KEY
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SubmissionState(str, enum.Enum):
    OPEN = "open"                # created, no file yet
    PROCESSING = "processing"    # some file not yet final
    CHECKED = "checked"          # every file final, submission-level checks done


class FileState(str, enum.Enum):
    STORED = "stored"            # in the object store and recorded; ingest not run yet
    QUEUED = "queued"            # ingested (verified, sniffed); waiting for extraction
    PROCESSING = "processing"    # extraction running
    DONE = "done"                # result stored (findings may say the file is unreadable)
    FAILED = "failed"            # our processing failed past its attempts; parked for a person

    @classmethod
    def final(cls) -> tuple["FileState", ...]:
        return (cls.DONE, cls.FAILED)


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_campaign_submitted", "campaign_id", "submitted_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(String(64), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    recommender: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default=SubmissionState.OPEN.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # submission | self_check (the anonymous 自查: read and checked, never submitted, never counted)
    kind: Mapped[str] = mapped_column(String(16), default="submission", server_default="submission")
    # the submission check's attempts (migration 0009): past the limit it is parked with a finding
    check_attempts: Mapped[int] = mapped_column(Integer(), default=0, server_default="0")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())   # 提交审核; None: a draft

    files: Mapped[list["StoredFile"]] = relationship(
        back_populates="submission", order_by="StoredFile.created_at", cascade="all, delete-orphan",
        passive_deletes=True)
    findings: Mapped[list["FindingRow"]] = relationship(
        back_populates="submission", order_by="FindingRow.id", cascade="all, delete-orphan",
        passive_deletes=True)


class StoredFile(Base):
    __tablename__ = "files"
    # the same bytes uploaded twice into one submission are one file and one piece of work
    __table_args__ = (
        UniqueConstraint("submission_id", "sha256", name="uq_files_submission_sha256"),
        Index("ix_files_state_updated", "state", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    # the name the unit gave, sanitised for display; never used as a path
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger())
    media_type: Mapped[str] = mapped_column(String(128), default="application/octet-stream")
    format: Mapped[str | None] = mapped_column(String(16))          # sniffed: docx, doc, pdf, jpeg, …
    object_key: Mapped[str] = mapped_column(String(512))
    state: Mapped[str] = mapped_column(String(16), default=FileState.STORED.value)
    progress: Mapped[int] = mapped_column(Integer(), default=0)       # 0..100
    method: Mapped[str | None] = mapped_column(String(16))           # docx | pdf-text | ocr | converted
    pages: Mapped[int | None] = mapped_column(Integer())
    error: Mapped[str | None] = mapped_column(Text())                # Chinese for the unit; detail in logs
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # ExtractResult.to_json()
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    # one execution at a time (migration 0009): who works on the file, until when (renewed)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # the newer file of the same document kind that replaced this one (None: current)
    replaced_by: Mapped[str | None] = mapped_column(String(32))

    submission: Mapped[Submission] = relationship(back_populates="files")

    # not a column: accept_upload sets it on the row it returns for bytes already uploaded
    is_duplicate = False

    @property
    def is_final(self) -> bool:
        return self.state in (FileState.DONE.value, FileState.FAILED.value)


class FindingRow(Base):
    """One finding, per file (file_id set) or per submission (file_id None).

    The file's result JSON holds its findings too; this table is what the API
    lists and what reviewers' queues will filter on.
    """
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[str | None] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text())
    document: Mapped[str | None] = mapped_column(String(64))
    page: Mapped[int | None] = mapped_column(Integer())
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONType)   # box and the like
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="findings")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "severity": self.severity, "field": self.field,
                               "message": self.message}
        if self.id is not None:
            out["id"] = self.id          # what a unit names when it marks the finding 识别有误
        if self.document:
            out["document"] = self.document
        if self.page is not None:
            out["page"] = self.page
        out.update(self.extra or {})
        return out


class OutboxMessage(Base):
    """A task to publish, written in the same transaction as the change that needs it."""
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "published_at", "available_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(64))                   # a Celery task name
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)        # {"args": [...], "kwargs": {...}, ...}
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    available_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    last_error: Mapped[str | None] = mapped_column(Text())
