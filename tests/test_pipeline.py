"""The pipeline steps as plain functions, on SQLite and PostgreSQL, without Celery."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import Campaign
from dossier.settings import Settings
from services.submissions.service import accept_upload, create_submission
from storage.models import FindingRow, OutboxMessage, StoredFile, Submission, utcnow
from storage.objects import ObjectStore, open_store
from workers import steps
from workers.extract.readers import ReadContext, ReadError
from workers.relay import reconcile
from workers.results import ExtractedDocument, ExtractResult, FieldValue, FileInfo, Finding

Extractor = Callable[..., ExtractResult]


def fake_result(path: Path, campaign: Campaign, *, name: str | None = None,
                ctx: ReadContext | None = None) -> ExtractResult:
    """What an extractor returns for a one-page form with one finding (pipeline seam only)."""
    import hashlib
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    if ctx is not None and ctx.save_derived is not None:
        ctx.save_derived("converted.docx", b"derived bytes")
    doc = ExtractedDocument(kind="recommendation_form",
                            fields={"org_name": FieldValue("中共某局支部", label="党组织名称")})
    return ExtractResult(campaign=campaign.id,
                         file=FileInfo(name=name or path.name, sha256=sha, pages=1, method="docx",
                                       media_type="application/x"),
                         documents=[doc],
                         findings=[Finding("field.missing", "error", "member_count", "请填写党员人数。",
                                           kind="recommendation_form")])


class Harness:
    """A Runtime over a real database and folder store, recording what it would publish."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], store: ObjectStore) -> None:
        self.published: list[int] = []
        self.calls = 0
        self.sessions = sessions
        self.store = store
        self.settings = settings

    def rt(self, extract: Extractor | None = None) -> steps.Runtime:
        def counted(*a: Any, **k: Any) -> ExtractResult:
            self.calls += 1
            return (extract or fake_result)(*a, **k)
        return steps.Runtime(self.settings, self.sessions, self.store, publish=self.publish,
                             extract=counted)

    def publish(self, ids: Any) -> None:
        # published only after commit: a fresh session must already see the rows
        with self.sessions() as s:
            assert len(s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()) == len(ids)
        self.published.extend(ids)

    def upload(self, data: bytes, name: str = "推荐表.docx", sub_id: str | None = None) -> StoredFile:
        with self.sessions() as s:
            if sub_id is None:
                sub_id = create_submission(s, campaign_id="jinhua-2015", organisation="某局",
                                           recommender="市直机关工委").id
            return accept_upload(s, self.store, self.settings, submission_id=sub_id, filename=name,
                                 stream=io.BytesIO(data))

    def file(self, file_id: str) -> StoredFile:
        with self.sessions() as s:
            row = s.get(StoredFile, file_id)
            assert row is not None
            return row

    def topics(self) -> list[tuple[str, list[Any]]]:
        with self.sessions() as s:
            return [(m.topic, m.payload["args"]) for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


@pytest.fixture
def h(settings: Settings, sessions: sessionmaker[Session]) -> Harness:
    return Harness(settings, sessions, open_store(settings))


class TestIngest:
    def test_sniffs_and_queues_extraction(self, h: Harness, jinhua_docx: bytes) -> None:
        """GIVEN a stored .docx WHEN ingested THEN its real format is recorded and extract.file queued."""
        row = h.upload(jinhua_docx)
        assert steps.ingest_file(h.rt(), row.id) == "queued"
        got = h.file(row.id)
        assert (got.format, got.state, got.progress) == ("docx", "queued", steps.P_INGESTED)
        assert got.media_type.endswith("wordprocessingml.document")
        assert h.topics()[-1] == ("extract.file", [row.id])
        assert len(h.published) == 1

    @pytest.mark.parametrize("data,name", [(b"\xff\xd8\xff\xe0" + b"0" * 100, "照片.jpg"),
                                           (b"%PDF-1.4\n" + b"0" * 100, "扫描件.pdf")])
    def test_scans_go_to_the_ocr_queue(self, h: Harness, data: bytes, name: str) -> None:
        row = h.upload(data, name)
        steps.ingest_file(h.rt(), row.id)
        assert h.topics()[-1] == ("ocr.file", [row.id])

    def test_a_renamed_file_is_what_its_bytes_say(self, h: Harness) -> None:
        """A JPEG named .docx is sniffed as JPEG and goes to OCR."""
        row = h.upload(b"\xff\xd8\xff\xe0" + b"0" * 100, "推荐表.docx")
        steps.ingest_file(h.rt(), row.id)
        assert h.file(row.id).format == "jpeg" and h.topics()[-1][0] == "ocr.file"

    def test_empty_file_still_goes_on(self, h: Harness) -> None:
        """An empty file is not our failure: extraction reports it to the unit."""
        row = h.upload(b"", "空.docx")
        steps.ingest_file(h.rt(), row.id)
        assert h.file(row.id).format is None and h.topics()[-1] == ("extract.file", [row.id])

    def test_missing_object_parks_the_file(self, h: Harness, jinhua_docx: bytes) -> None:
        row = h.upload(jinhua_docx)
        h.store.delete(row.object_key)
        assert steps.ingest_file(h.rt(), row.id) == "failed"
        got = h.file(row.id)
        assert got.error == steps.MSG_MISSING and h.topics()[-1][0] == "check.submission"

    def test_redelivery_does_nothing(self, h: Harness, jinhua_docx: bytes) -> None:
        row = h.upload(jinhua_docx)
        steps.ingest_file(h.rt(), row.id)
        before = h.topics()
        assert steps.ingest_file(h.rt(), row.id) == "queued"
        assert h.topics() == before

    def test_gone_row_ends_quietly(self, h: Harness) -> None:
        assert steps.ingest_file(h.rt(), "0" * 32) == "gone"
        assert steps.extract_file(h.rt(), "0" * 32) == "gone"
        assert steps.check_submission(h.rt(), "0" * 32) == "gone"


class TestExtract:
    def ingested(self, h: Harness, data: bytes) -> StoredFile:
        row = h.upload(data)
        steps.ingest_file(h.rt(), row.id)
        return row

    def test_only_word_files_are_printed_ahead(self, h: Harness) -> None:
        """A PDF is appended to its dossier as it is: nothing to print when it is read."""
        import io as _io

        from reportlab.pdfgen import canvas
        buf = _io.BytesIO()
        c = canvas.Canvas(buf)
        c.drawString(72, 720, "form")
        c.save()
        row = self.ingested(h, buf.getvalue())
        steps.extract_file(h.rt(), row.id)
        assert "packets.print" not in [t for t, _ in h.topics()]

    def test_result_and_findings_stored(self, h: Harness, jinhua_docx: bytes) -> None:
        """GIVEN a queued file WHEN extracted THEN the result JSON, method, pages and
        findings are stored, the file is done, and the submission check is queued."""
        row = self.ingested(h, jinhua_docx)
        assert steps.extract_file(h.rt(), row.id) == "done"
        got = h.file(row.id)
        assert (got.state, got.progress, got.method, got.pages, got.attempts) == ("done", 100, "docx", 1, 1)
        assert got.result is not None and got.result["file"]["sha256"] == row.sha256
        assert got.result["documents"][0]["fields"]["org_name"]["value"] == "中共某局支部"
        with h.sessions() as s:
            [f] = s.scalars(select(FindingRow)).all()
            assert (f.file_id, f.code, f.field, f.document) == (row.id, "field.missing", "member_count",
                                                                "recommendation_form")
        # a Word file is printed for its dossier in the background, before the check is queued
        assert h.topics()[-2:] == [("packets.print", [row.id]), ("check.submission", [row.submission_id])]
        derived = list(h.store.list(f"submissions/{row.submission_id}/derived/"))
        assert derived == [f"submissions/{row.submission_id}/derived/{row.sha256}/converted.docx"]
        assert h.store.exists(row.object_key)

    def test_finished_file_is_not_reprocessed(self, h: Harness, jinhua_docx: bytes) -> None:
        """A redelivered extract of a done file neither calls the extractor nor queues anything."""
        row = self.ingested(h, jinhua_docx)
        steps.extract_file(h.rt(), row.id)
        before = (h.calls, h.topics())
        assert steps.extract_file(h.rt(), row.id) == "done"
        assert (h.calls, h.topics()) == before

    def test_read_error_becomes_a_finding(self, h: Harness, jinhua_docx: bytes) -> None:
        """An unreadable file is done, with its file.unreadable finding; the original is kept."""
        def unreadable(*_a: Any, **_k: Any) -> ExtractResult:
            raise ReadError("file.unreadable", "文件已损坏，无法打开，请重新上传。", "bad zip")
        row = self.ingested(h, jinhua_docx)
        assert steps.extract_file(h.rt(unreadable), row.id) == "done"
        got = h.file(row.id)
        assert got.error == "文件已损坏，无法打开，请重新上传。"
        assert got.result is not None and got.result["findings"][0]["code"] == "file.unreadable"
        assert h.store.exists(row.object_key)

    def test_unexpected_failure_parks_the_file(self, h: Harness, jinhua_docx: bytes) -> None:
        def broken(*_a: Any, **_k: Any) -> ExtractResult:
            raise ZeroDivisionError("bug")
        row = self.ingested(h, jinhua_docx)
        assert steps.extract_file(h.rt(broken), row.id) == "failed"
        got = h.file(row.id)
        assert got.error == steps.MSG_FAILED and got.result is None and h.store.exists(row.object_key)
        assert h.topics()[-1][0] == "check.submission"

    def test_transient_errors_propagate_for_retry(self, h: Harness, jinhua_docx: bytes) -> None:
        """A database hiccup is raised to the task (which waits it out); the file stays processing,
        its lease held: another execution waits, and the same execution's retries spend no attempt."""
        from workers.leases import Busy
        outage = [3]

        def flaky(*a: Any, **k: Any) -> ExtractResult:
            if outage[0]:
                outage[0] -= 1
                raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
            return fake_result(*a, **k)
        row = self.ingested(h, jinhua_docx)
        rt = h.rt(flaky)
        for _ in range(3):
            with pytest.raises(OperationalError):
                steps.extract_file(rt, row.id, transient=(OperationalError,))
            assert (h.file(row.id).state, h.file(row.id).attempts) == ("processing", 1)
        with pytest.raises(Busy):       # a second copy of the message, meanwhile
            steps.extract_file(h.rt(), row.id)
        assert steps.extract_file(rt, row.id, transient=(OperationalError,)) == "done"
        got = h.file(row.id)
        assert (got.state, got.attempts, got.lease_owner) == ("done", 1, None)

    def test_an_outage_handed_to_a_later_message_spends_no_attempt(self, h: Harness,
                                                                    jinhua_docx: bytes) -> None:
        """An outage longer than the task's time limit is handed to a later message (`handover`):
        that execution takes the lease over without counting an attempt."""
        def down(*_a: Any, **_k: Any) -> ExtractResult:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        row = self.ingested(h, jinhua_docx)
        first = h.rt(down)
        with pytest.raises(OperationalError):
            steps.extract_file(first, row.id, transient=(OperationalError,))
        later = h.rt()
        later.handover = first.execution
        assert steps.extract_file(later, row.id) == "done"
        assert h.file(row.id).attempts == 1

    def test_a_lapsed_lease_is_taken_over_and_counted(self, h: Harness, jinhua_docx: bytes) -> None:
        """A worker killed mid-file leaves its lease to lapse; the redelivery takes the file over
        and counts a second attempt."""
        row = self.ingested(h, jinhua_docx)
        with h.sessions() as s:
            got = s.get(StoredFile, row.id)
            assert got is not None
            got.lease_owner, got.lease_until, got.attempts = "dead-worker", utcnow() - dt.timedelta(seconds=1), 1
            got.state = "processing"
            s.commit()
        assert steps.extract_file(h.rt(), row.id) == "done"
        assert h.file(row.id).attempts == 2

    def test_attempts_are_capped(self, h: Harness, jinhua_docx: bytes) -> None:
        """A file that keeps killing its worker is parked as failed, not retried forever."""
        row = self.ingested(h, jinhua_docx)
        with h.sessions() as s:
            s.get(StoredFile, row.id).attempts = h.settings.task_max_attempts  # type: ignore[union-attr]
            s.commit()
        assert steps.extract_file(h.rt(), row.id) == "failed"
        assert h.calls == 0 and h.file(row.id).error == steps.MSG_TOO_MANY
        with h.sessions() as s:     # the unit sees why, as a finding in Chinese
            [f] = s.scalars(select(FindingRow).where(FindingRow.file_id == row.id)).all()
        assert (f.code, f.severity, f.message) == ("processing.failed", "error", steps.MSG_TOO_MANY)

    def test_with_the_real_extractor(self, h: Harness, jinhua_docx: bytes) -> None:
        """The lead's extract_file on a real .docx: done, result with the file's sha256."""
        row = self.ingested(h, jinhua_docx)
        rt = steps.Runtime(h.settings, h.sessions, h.store)
        assert steps.extract_file(rt, row.id) == "done"
        got = h.file(row.id)
        assert got.result is not None and got.result["file"]["sha256"] == row.sha256
        assert got.result["campaign"] == "jinhua-2015"


class TestCheckSubmission:
    def test_waits_for_every_file(self, h: Harness, jinhua_docx: bytes) -> None:
        a = h.upload(jinhua_docx)
        h.upload(b"other bytes", "b.docx", sub_id=a.submission_id)
        steps.ingest_file(h.rt(), a.id)
        steps.extract_file(h.rt(), a.id)
        assert steps.check_submission(h.rt(), a.submission_id) == "waiting"

    def test_checked_when_all_final(self, h: Harness, jinhua_docx: bytes) -> None:
        """With every file final, the submission is checked and its findings replaced, not added."""
        row = h.upload(jinhua_docx)
        steps.ingest_file(h.rt(), row.id)
        steps.extract_file(h.rt(), row.id)
        assert steps.check_submission(h.rt(), row.submission_id) == "checked"
        assert steps.check_submission(h.rt(), row.submission_id) == "checked"
        with h.sessions() as s:
            sub = s.get(Submission, row.submission_id)
            assert sub is not None and sub.checked_at is not None
            level = s.scalars(select(FindingRow).where(FindingRow.file_id.is_(None))).all()
            codes = sorted(f.code for f in level)
        assert len(codes) == len(set(codes))      # a second check does not duplicate
        assert "deadline.passed" in codes         # uploaded today, long after 2015-11-15


class TestReconcile:
    def test_stuck_files_are_requeued(self, h: Harness, jinhua_docx: bytes) -> None:
        """A file processing past the time limit, or waiting past three, gets a new message."""
        a = h.upload(jinhua_docx)
        b = h.upload(b"second", "b.docx", sub_id=a.submission_id)
        c = h.upload(b"third", "c.docx", sub_id=a.submission_id)
        steps.ingest_file(h.rt(), a.id)
        old = utcnow() - dt.timedelta(hours=2)
        with h.sessions() as s:
            ra, rb = s.get(StoredFile, a.id), s.get(StoredFile, b.id)
            assert ra is not None and rb is not None
            ra.state, ra.updated_at = "processing", old
            rb.updated_at = old
            s.commit()
        before = len(h.topics())
        assert reconcile(h.sessions, h.settings) == 2
        new = h.topics()[before:]
        assert sorted(new) == sorted([("extract.file", [a.id]), ("ingest.file", [b.id])])
        assert c.id not in {x for _, args in new for x in args}
        assert reconcile(h.sessions, h.settings) == 0     # not again until a full period passed

    def test_lost_check_is_requeued(self, h: Harness, jinhua_docx: bytes) -> None:
        row = h.upload(jinhua_docx)
        steps.ingest_file(h.rt(), row.id)
        steps.extract_file(h.rt(), row.id)
        with h.sessions() as s:
            sub = s.get(Submission, row.submission_id)
            assert sub is not None
            sub.updated_at = utcnow() - dt.timedelta(hours=2)
            s.commit()
        before = len(h.topics())
        assert reconcile(h.sessions, h.settings) == 1
        assert h.topics()[before:] == [("check.submission", [row.submission_id])]
