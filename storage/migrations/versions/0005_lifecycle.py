"""Lifecycle: a submission is a 自查 or a real submission, and says when it was submitted;
a file says which newer file replaced it.

Revision ID: 0005_lifecycle
Revises: 0004_packets
Create Date: 2026-11-30

`submissions.kind` is `submission` (a unit's draft that it may submit) or
`self_check` (the home page's anonymous upload: read and checked, never a
submission).  `submitted_at` is set when the unit submits (提交审核) and is
what packets, lists and quotas count.  `files.replaced_by` names the newer file
of the same document kind that replaced this one, so "the current version's
files (and their findings)" is one filter everywhere.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_lifecycle"
down_revision = "0004_packets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="submission"))
        batch.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
    # submissions already under review were submitted when their review began
    op.execute("UPDATE submissions SET submitted_at = updated_at WHERE id IN "
               "(SELECT submission_id FROM submission_reviews)")
    op.create_index("ix_submissions_campaign_submitted", "submissions", ["campaign_id", "submitted_at"])
    with op.batch_alter_table("files") as batch:
        batch.add_column(sa.Column("replaced_by", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("files") as batch:
        batch.drop_column("replaced_by")
    op.drop_index("ix_submissions_campaign_submitted", table_name="submissions")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("submitted_at")
        batch.drop_column("kind")
