"""Notifications (issue 13): an inbox per person, each person's email choice, users' addresses.

notifications: one row per message per person; `key` (unique per person) makes an event seen
twice land once; `email_state` follows the email the outbox sends (None: inbox only).
notification_settings: email on or off per person (no row: on).
users.email: where the email goes.

Revision ID: 0010_notifications
Revises: 0009_reliability
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_notifications"
down_revision = "0009_reliability"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(254)))
    op.create_table(
        "notifications",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE",
                                                          name="fk_notifications_user_id_users"),
                  nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(300)),
        sa.Column("key", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("email_state", sa.String(16)),
        sa.Column("emailed_at", sa.DateTime(timezone=True)),
        sa.Column("email_error", sa.Text()),
        sa.UniqueConstraint("user_id", "key", name="uq_notifications_user_key"),
    )
    op.create_index("ix_notifications_user_read", "notifications", ["user_id", "read_at"])
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE",
                                                          name="fk_notification_settings_user_id_users"),
                  primary_key=True),
        sa.Column("email_enabled", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notification_settings")
    op.drop_index("ix_notifications_user_read", table_name="notifications")
    op.drop_table("notifications")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
