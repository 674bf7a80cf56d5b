"""Packets: a row per build of a campaign's packets.

Revision ID: 0004_packets
Revises: 0003_version_fields
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_packets"
down_revision = "0003_version_fields"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def TS() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "packet_builds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("requested_by", sa.String(64)),
        sa.Column("error", sa.Text()),
        sa.Column("objects", JSON, nullable=False),
        sa.Column("created_at", TS(), nullable=False),
        sa.Column("started_at", TS()),
        sa.Column("finished_at", TS()),
    )
    op.create_index("ix_packet_builds_campaign_created", "packet_builds", ["campaign_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_packet_builds_campaign_created", table_name="packet_builds")
    op.drop_table("packet_builds")
