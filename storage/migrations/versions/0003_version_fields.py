"""Versions: when their fields were taken.

Revision ID: 0003_version_fields
Revises: 0002_review
Create Date: 2026-11-27

A version is recorded when the unit (re)submits, before its files are read;
its `fields` are filled once every file it holds is final, and `fields_at`
says when, so an empty dict no longer has to mean "not read yet".
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_version_fields"
down_revision = "0002_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission_versions") as batch:
        batch.add_column(sa.Column("fields_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission_versions") as batch:
        batch.drop_column("fields_at")
