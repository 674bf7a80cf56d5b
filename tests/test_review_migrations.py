"""The migrations have one head, and it creates the review tables."""
from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from storage.db import MIGRATIONS, alembic_config, load_models, make_engine


def test_single_head() -> None:
    """GIVEN every revision file THEN exactly one head (a second helper's revision must be re-pointed)."""
    cfg = alembic_config(make_engine("sqlite://"))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads} in {MIGRATIONS}"


def test_review_tables_exist(sqlite_engine: Engine) -> None:
    names = set(inspect(sqlite_engine).get_table_names())
    assert {"users", "user_sessions", "api_tokens", "review_tasks", "audit_log", "objections",
            "field_corrections", "submission_reviews", "submission_versions"} <= names


def test_autogenerate_sees_the_review_tables() -> None:
    """The metadata the Alembic env compares against (storage.db.load_models) holds the review
    tables, so autogenerate never proposes dropping them."""
    assert {"users", "review_tasks", "audit_log", "objections"} <= set(load_models().tables)
