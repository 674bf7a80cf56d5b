"""Findings people contest and override: a unit's 识别有误 with the reviewer's verdict, and a
reviewer's override with its reason.

Revision ID: 0006_finding_contest
Revises: 0005_lifecycle
Create Date: 2026-11-30

Keyed by the finding's id without a foreign key (storage/finding_models.py says why).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_finding_contest"
down_revision = "0005_lifecycle"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def TS() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _finding_columns() -> list[sa.Column]:
    return [
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("finding_id", sa.BigInteger(), nullable=False),
        sa.Column("submission_id", sa.String(32), nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("field", sa.String(128)),
    ]


def upgrade() -> None:
    op.create_table(
        "finding_contests", *_finding_columns(),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("contested_by", sa.String(64), nullable=False),
        sa.Column("contested_at", TS(), nullable=False),
        sa.Column("outcome", sa.String(16)),
        sa.Column("decision_note", sa.Text()),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", TS()),
        sa.Column("task_id", sa.String(32)),
        sa.UniqueConstraint("finding_id", name="uq_finding_contests_finding_id"),
    )
    op.create_index("ix_finding_contests_submission_id", "finding_contests", ["submission_id"])
    op.create_index("ix_finding_contests_campaign_code", "finding_contests", ["campaign_id", "code"])
    op.create_table(
        "finding_overrides", *_finding_columns(),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("stage_id", sa.String(64), nullable=False),
        sa.Column("task_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32)),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", TS(), nullable=False),
        sa.UniqueConstraint("finding_id", name="uq_finding_overrides_finding_id"),
    )
    op.create_index("ix_finding_overrides_submission_id", "finding_overrides", ["submission_id"])


def downgrade() -> None:
    op.drop_index("ix_finding_overrides_submission_id", table_name="finding_overrides")
    op.drop_table("finding_overrides")
    op.drop_index("ix_finding_contests_campaign_code", table_name="finding_contests")
    op.drop_index("ix_finding_contests_submission_id", table_name="finding_contests")
    op.drop_table("finding_contests")
