"""Campaign files loaded on the admin page, every version kept.

Revision ID: 0007_campaign_versions
Revises: 0006_finding_contest
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_campaign_versions"
down_revision = "0006_finding_contest"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "campaign_versions",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("loaded_by", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("campaign_id", "version", name="uq_campaign_versions_campaign_version"),
    )
    op.create_index("ix_campaign_versions_campaign_id", "campaign_versions", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_campaign_versions_campaign_id", table_name="campaign_versions")
    op.drop_table("campaign_versions")
