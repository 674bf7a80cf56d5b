"""Review: users, sessions, API tokens, submission owners and review state,
versions, reviewer tasks, field corrections, objections, audit log.

Revision ID: 0002_review
Revises: 0001
Create Date: 2026-11-23

Plain SQLAlchemy types (migrations are history). On PostgreSQL the audit log
gets a trigger refusing UPDATE and DELETE, so "append-only" is enforced by the
database and not only by the code.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_review"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def TS() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _sub_fk(primary_key: bool = False) -> sa.Column:
    return sa.Column("submission_id", sa.String(32),
                     sa.ForeignKey("submissions.id", ondelete="CASCADE",
                                   name=None), primary_key=primary_key, nullable=False)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("organisation", sa.String(200)),
        sa.Column("campaign_id", sa.String(64)),
        sa.Column("stage_id", sa.String(64)),
        sa.Column("department", sa.String(100)),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS(), nullable=False),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS(), nullable=False),
        sa.Column("expires_at", TS(), nullable=False),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", TS(), nullable=False),
        sa.Column("revoked_at", TS()),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "submission_owners",
        _sub_fk(primary_key=True),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="SET NULL")),
    )
    op.create_table(
        "submission_reviews",
        _sub_fk(primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("stage_id", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("site_level", sa.String(32)),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("title", sa.String(100)),
        sa.Column("return_reasons", sa.Text()),
        sa.Column("notice_start", sa.Date()),
        sa.Column("notice_end", sa.Date()),
        sa.Column("data", JSON, nullable=False),
        sa.Column("updated_at", TS(), nullable=False),
    )
    op.create_index("ix_submission_reviews_campaign_id", "submission_reviews", ["campaign_id"])
    op.create_table(
        "submission_versions",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        _sub_fk(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file_ids", JSON, nullable=False),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("created_at", TS(), nullable=False),
        sa.UniqueConstraint("submission_id", "version", name="uq_submission_versions_sv"),
    )
    op.create_index("ix_submission_versions_submission_id", "submission_versions", ["submission_id"])
    op.create_table(
        "review_tasks",
        sa.Column("id", sa.String(32), primary_key=True),
        _sub_fk(),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("stage_id", sa.String(64), nullable=False),
        sa.Column("department", sa.String(100)),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("organisation", sa.String(200)),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("assignee_id", sa.String(32), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("lease_expires_at", TS()),
        sa.Column("due_at", TS()),
        sa.Column("available_at", TS()),
        sa.Column("decision", sa.String(16)),
        sa.Column("opinion", sa.Text()),
        sa.Column("data", JSON, nullable=False),
        sa.Column("created_at", TS(), nullable=False),
        sa.Column("completed_at", TS()),
        sa.Column("completed_by", sa.String(32)),
    )
    op.create_index("ix_review_tasks_submission_id", "review_tasks", ["submission_id"])
    op.create_index("ix_review_tasks_queue", "review_tasks", ["stage_id", "state", "created_at"])
    op.create_table(
        "field_corrections",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        _sub_fk(),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("machine_value", sa.Text()),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(32)),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", TS(), nullable=False),
    )
    op.create_index("ix_field_corrections_submission_id", "field_corrections", ["submission_id"])
    op.create_table(
        "objections",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        _sub_fk(),
        sa.Column("stage_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_by", sa.String(64), nullable=False),
        sa.Column("raised_at", TS(), nullable=False),
        sa.Column("resolution", sa.Text()),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolved_at", TS()),
    )
    op.create_index("ix_objections_submission_id", "objections", ["submission_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.String(32)),
        sa.Column("task_id", sa.String(32)),
        sa.Column("actor_id", sa.String(32)),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("at", TS(), nullable=False),
    )
    op.create_index("ix_audit_log_submission_id", "audit_log", ["submission_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    for name in ("audit_log", "objections", "field_corrections", "review_tasks", "submission_versions",
                 "submission_reviews", "submission_owners", "api_tokens", "user_sessions", "users"):
        op.drop_table(name)
