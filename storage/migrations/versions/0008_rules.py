"""The campaign's rules beside the review: whom an account stands for (a recommender from the
campaign file's list, an applicant kind, a reviewer's county), the county of each submission in review, and the yearly 复查 outcomes.

Revision ID: 0008_rules
Revises: 0007_campaign_versions
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_rules"
down_revision = "0007_campaign_versions"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def TS() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "user_bindings",
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("campaign_id", sa.String(64)),
        sa.Column("recommender", sa.String(200)),
        sa.Column("applicant_kind", sa.String(100)),
        sa.Column("county", sa.String(100)),
        sa.Column("updated_at", TS(), nullable=False),
    )
    op.create_table(
        "submission_places",
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("county", sa.String(100), nullable=False),
    )
    op.create_index("ix_submission_places_county", "submission_places", ["county"])
    op.create_table(
        "reinspection_outcomes",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("stage_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(16)),
        sa.Column("task_id", sa.String(32)),
        sa.Column("reasons", sa.Text()),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("opened_at", TS(), nullable=False),
        sa.Column("decided_at", TS()),
        sa.UniqueConstraint("submission_id", "stage_id", "year", name="uq_reinspection_outcomes_year"),
    )
    op.create_index("ix_reinspection_outcomes_submission_id", "reinspection_outcomes", ["submission_id"])
    op.create_index("ix_reinspection_outcomes_campaign_id", "reinspection_outcomes", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_reinspection_outcomes_campaign_id", table_name="reinspection_outcomes")
    op.drop_index("ix_reinspection_outcomes_submission_id", table_name="reinspection_outcomes")
    op.drop_table("reinspection_outcomes")
    op.drop_index("ix_submission_places_county", table_name="submission_places")
    op.drop_table("submission_places")
    op.drop_table("user_bindings")
