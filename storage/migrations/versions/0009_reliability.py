"""One execution at a time per file, and attempts on the submission check (issue 15).

files.lease_owner / lease_until: the execution working on a file holds a lease, renewed while
it works; another delivery of the same message waits for it to end or lapse.
submissions.check_attempts: the submission check's own attempt counter.

Revision ID: 0009_reliability
Revises: 0008_rules
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_reliability"
down_revision = "0008_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("files") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(64)))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True)))
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("check_attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("check_attempts")
    with op.batch_alter_table("files") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
