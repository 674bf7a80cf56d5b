"""The database: migrations on SQLite and PostgreSQL, models, the outbox."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage import outbox
from storage.db import current_revision, downgrade, load_models, make_engine, migrate
from storage.models import StoredFile, Submission, utcnow


def _file(sub: Submission, sha: str = "a" * 64) -> StoredFile:
    return StoredFile(submission_id=sub.id, name="x.docx", sha256=sha, size=1,
                      object_key=f"submissions/{sub.id}/originals/{sha}.docx")


class TestMigrations:
    def test_head_matches_the_models(self, db_engine: Engine) -> None:
        """After `upgrade head` the schema is exactly what the models declare."""
        assert current_revision(db_engine) is not None
        with db_engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                    load_models())
        assert diff == []

    def test_down_and_up_again(self, db_engine: Engine) -> None:
        """The migrations go down to nothing and back up."""
        downgrade(db_engine, "base")
        assert set(inspect(db_engine).get_table_names()) <= {"alembic_version"}
        migrate(db_engine)
        assert {"submissions", "files", "findings", "outbox"} <= set(inspect(db_engine).get_table_names())

    def test_migrate_is_idempotent(self, db_engine: Engine) -> None:
        """Running the migrations at every start is harmless."""
        before = current_revision(db_engine)
        migrate(db_engine)
        assert current_revision(db_engine) == before

    def test_sqlite_file_made_on_first_start(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        """Embedded mode: the data folder and the database file are created by migrate."""
        engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'dossier.db'}")
        migrate(engine)
        assert (tmp_path / "deep" / "dossier.db").exists()
        engine.dispose()


class TestModels:
    def test_same_bytes_once_per_submission(self, sessions: sessionmaker[Session]) -> None:
        """(submission, sha256) is unique: the same bytes are one file."""
        with sessions() as s:
            sub = Submission(campaign_id="jinhua-2015", organisation="某局")
            s.add(sub)
            s.flush()
            s.add(_file(sub))
            s.commit()
            s.add(_file(sub))
            with pytest.raises(IntegrityError):
                s.commit()

    def test_datetimes_are_aware_utc(self, sessions: sessionmaker[Session]) -> None:
        """Timestamps come back timezone-aware in UTC on both databases."""
        shanghai = dt.timezone(dt.timedelta(hours=8))
        when = dt.datetime(2015, 11, 15, 23, 30, tzinfo=shanghai)
        with sessions() as s:
            sub = Submission(campaign_id="jinhua-2015", organisation="某局", created_at=when)
            s.add(sub)
            s.commit()
            sid = sub.id
        with sessions() as s:
            got = s.get(Submission, sid)
            assert got is not None
            assert got.created_at == when and got.created_at.utcoffset() == dt.timedelta(0)

    def test_deleting_a_submission_deletes_its_files(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s:
            sub = Submission(campaign_id="jinhua-2015", organisation="某局")
            s.add(sub)
            s.flush()
            s.add(_file(sub))
            s.commit()
            s.delete(sub)
            s.commit()
            assert s.query(StoredFile).count() == 0


class TestOutbox:
    def test_rows_wait_until_published(self, sessions: sessionmaker[Session]) -> None:
        """A row is pending until marked published; failures back off."""
        with sessions() as s:
            outbox.add(s, "ingest.file", "f1")
            outbox.add(s, "ocr.file", "f2", queue="ocr-x")
            s.commit()
        with sessions() as s:
            rows = outbox.claim_pending(s)
            assert [(r.topic, r.payload["args"]) for r in rows] == [("ingest.file", ["f1"]),
                                                                     ("ocr.file", ["f2"])]
            assert rows[1].payload["queue"] == "ocr-x"
            outbox.mark_published(rows[0])
            outbox.mark_failed(rows[1], "broker down")
            s.commit()
        with sessions() as s:
            assert outbox.pending_count(s) == 1
            assert outbox.claim_pending(s) == []          # backing off
            row = s.query(outbox.OutboxMessage).filter_by(topic="ocr.file").one()
            assert row.available_at > utcnow() and row.last_error == "broker down"

    def test_purge_published(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as s:
            msg = outbox.add(s, "ingest.file", "f1")
            s.flush()
            outbox.mark_published(msg)
            msg.published_at = utcnow() - dt.timedelta(days=8)
            outbox.add(s, "ingest.file", "f2")
            s.commit()
            assert outbox.purge_published(s) == 1
            s.commit()
            assert s.query(outbox.OutboxMessage).count() == 1


class TestSweeper:
    def test_orphans_removed_after_grace_and_missing_reported(self, sessions: Any, settings: Any) -> None:
        """GIVEN an original stored without a row (its upload's commit failed) and a row whose
        original is gone WHEN the sweeper runs THEN the orphan stays within the grace period and is
        removed after it, a recorded original is never touched, and the missing one is reported."""
        import io

        from services.submissions.service import accept_upload, create_submission
        from storage.objects import open_store, original_key
        from storage.sweeper import Sweeper
        from tests.conftest import make_docx

        store = open_store(settings)
        with sessions() as s:
            sub = create_submission(s, campaign_id="jinhua-2015", organisation="某局")
            kept = accept_upload(s, store, settings, submission_id=sub.id, filename="a.docx",
                                 stream=io.BytesIO(make_docx(["推荐表"])))
            gone = accept_upload(s, store, settings, submission_id=sub.id, filename="b.docx",
                                 stream=io.BytesIO(make_docx(["事迹材料"])))
        store.delete(gone.object_key)
        orphan = original_key(sub.id, "f" * 64, ".docx")
        store.put_bytes(orphan, b"no row points here")
        sweeper = Sweeper(sessions, store, grace_seconds=600)
        first = sweeper.sweep(now=1000.0)
        assert (first.removed, first.waiting, first.missing) == ([], 1, [gone.id])
        assert store.exists(orphan)
        later = sweeper.sweep(now=1601.0)
        assert later.removed == [orphan] and not store.exists(orphan)
        assert store.exists(kept.object_key)
