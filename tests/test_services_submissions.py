"""The submission service: store, record, then enqueue; status; downloads."""
from __future__ import annotations

import hashlib
import io
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier.settings import Settings
from services.kit.errors import InvalidInput, NotFound, UnknownCampaign
from services.files.service import open_original, submission_status
from services.submissions.service import UploadTooLarge, accept_upload, create_submission, display_name
from storage.models import FileState, FindingRow, OutboxMessage, StoredFile, Submission
from storage.objects import ObjectStore, open_store


@pytest.fixture
def store(settings: Settings) -> ObjectStore:
    return open_store(settings)


@pytest.fixture
def sub(session: Session) -> Submission:
    return create_submission(session, campaign_id="jinhua-2015", organisation="金华市某局机关党委",
                             recommender="市直机关工委")


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


class TestCreateSubmission:
    def test_creates_an_open_submission(self, session: Session, sub: Submission) -> None:
        """GIVEN a known campaign WHEN a unit starts a submission THEN it is recorded, open."""
        assert session.get(Submission, sub.id) is not None
        assert (sub.campaign_id, sub.state, sub.recommender) == ("jinhua-2015", "open", "市直机关工委")

    def test_unknown_campaign(self, session: Session) -> None:
        """An unknown campaign is refused with a Chinese message and 404."""
        with pytest.raises(UnknownCampaign) as e:
            create_submission(session, campaign_id="nowhere-1999", organisation="某局")
        assert e.value.status_code == 404 and "评选活动" in e.value.message
        assert count(session, Submission) == 0

    def test_organisation_required(self, session: Session) -> None:
        with pytest.raises(InvalidInput) as e:
            create_submission(session, campaign_id="yueyang-2017", organisation=" \u200b\t")
        assert e.value.status_code == 422 and "单位" in e.value.message


class TestAcceptUpload:
    def test_recorded_with_its_outbox_row(self, session: Session, store: ObjectStore,
                                          settings: Settings, sub: Submission,
                                          jinhua_docx: bytes) -> None:
        """GIVEN an upload WHEN accepted THEN the object, the file row and an ingest
        outbox row exist together, committed, and nothing is published yet."""
        row = accept_upload(session, store, settings, submission_id=sub.id, filename="推荐表.docx",
                            stream=io.BytesIO(jinhua_docx))
        sha = hashlib.sha256(jinhua_docx).hexdigest()
        assert (row.sha256, row.size, row.state, row.name) == (sha, len(jinhua_docx), "stored", "推荐表.docx")
        assert row.object_key == f"submissions/{sub.id}/originals/{sha}.docx"
        assert store.get(row.object_key) == jinhua_docx
        session.expire_all()       # read back what was committed
        msgs = session.scalars(select(OutboxMessage)).all()
        assert [(m.topic, m.payload["args"], m.published_at) for m in msgs] == [
            ("ingest.file", [row.id], None)]
        assert session.get(Submission, sub.id).state == "processing"  # type: ignore[union-attr]
        assert not row.is_duplicate

    @pytest.mark.parametrize("how", ["seekable, read in place", "a pipe, copied"])
    def test_any_stream_stores_the_same_bytes(self, session: Session, store: ObjectStore, settings: Settings,
                                              sub: Submission, jinhua_docx: bytes, how: str) -> None:
        """GIVEN the parser's spooled part (seekable, already past a preamble) or a stream that cannot
        seek WHEN accepted THEN the object holds exactly the upload's bytes, and a caller's seekable
        stream is left open for the caller to close."""
        import os
        if how.startswith("seekable"):
            stream = io.BytesIO(b"preamble" + jinhua_docx)
            stream.seek(len(b"preamble"))
        else:
            assert len(jinhua_docx) < 60000          # fits a pipe's buffer: written before it is read
            r, w = os.pipe()
            os.write(w, jinhua_docx)
            os.close(w)
            stream = os.fdopen(r, "rb")
        try:
            row = accept_upload(session, store, settings, submission_id=sub.id, filename="推荐表.docx",
                                stream=stream)
            assert store.get(row.object_key) == jinhua_docx
            assert row.sha256 == hashlib.sha256(jinhua_docx).hexdigest() and row.size == len(jinhua_docx)
            assert not stream.closed
        finally:
            stream.close()

    def test_same_bytes_not_duplicated(self, session: Session, store: ObjectStore,
                                       settings: Settings, sub: Submission, jinhua_docx: bytes) -> None:
        """The same bytes again (under any name) return the first row and start no work."""
        first = accept_upload(session, store, settings, submission_id=sub.id, filename="a.docx",
                              stream=io.BytesIO(jinhua_docx))
        again = accept_upload(session, store, settings, submission_id=sub.id, filename="copy.docx",
                              stream=io.BytesIO(jinhua_docx))
        assert again.id == first.id and again.is_duplicate
        assert count(session, StoredFile) == 1 and count(session, OutboxMessage) == 1

    def test_same_bytes_in_another_submission_are_new_work(
            self, session: Session, store: ObjectStore, settings: Settings, sub: Submission,
            jinhua_docx: bytes) -> None:
        other = create_submission(session, campaign_id="jinhua-2015", organisation="另一单位")
        a = accept_upload(session, store, settings, submission_id=sub.id, filename="a.docx",
                          stream=io.BytesIO(jinhua_docx))
        b = accept_upload(session, store, settings, submission_id=other.id, filename="a.docx",
                          stream=io.BytesIO(jinhua_docx))
        assert a.id != b.id and count(session, OutboxMessage) == 2

    def test_over_limit_refused_before_anything_is_stored(
            self, session: Session, store: ObjectStore, settings: Settings, sub: Submission) -> None:
        """Past max_upload_bytes: UploadTooLarge (413, Chinese and English), no object, no row."""
        small = settings.model_copy(update={"max_upload_bytes": 1000})
        with pytest.raises(UploadTooLarge) as e:
            accept_upload(session, store, small, submission_id=sub.id, filename="大.pdf",
                          stream=io.BytesIO(b"%PDF-" + b"0" * 5000))
        assert e.value.status_code == 413 and "大小限制" in e.value.message and "bytes" in e.value.detail
        assert list(store.list("submissions/")) == []
        assert count(session, StoredFile) == 0 and count(session, OutboxMessage) == 0

    def test_exactly_at_the_limit_is_accepted(self, session: Session, store: ObjectStore,
                                              settings: Settings, sub: Submission) -> None:
        small = settings.model_copy(update={"max_upload_bytes": 1000})
        row = accept_upload(session, store, small, submission_id=sub.id, filename="a.pdf",
                            stream=io.BytesIO(b"0" * 1000))
        assert row.size == 1000

    @pytest.mark.parametrize("filename", ["../../x.docx", "..\\..\\x.docx", "/etc/x.docx",
                                          "x.docx\u202egpj.exe"])
    def test_hostile_names_are_only_display_names(
            self, session: Session, store: ObjectStore, settings: Settings, sub: Submission,
            filename: str) -> None:
        """A name with path parts or bidi tricks never reaches a path or a key."""
        row = accept_upload(session, store, settings, submission_id=sub.id, filename=filename,
                            stream=io.BytesIO(b"PK-not-really"))
        assert "/" not in row.name and "\\" not in row.name and "\u202e" not in row.name
        assert row.object_key.startswith(f"submissions/{sub.id}/originals/{row.sha256}")
        assert ".." not in row.object_key
        assert list(store.list("")) == [row.object_key]

    def test_empty_file_is_stored(self, session: Session, store: ObjectStore, settings: Settings,
                                  sub: Submission) -> None:
        """An empty upload is kept and queued; extraction will call it file.unreadable."""
        row = accept_upload(session, store, settings, submission_id=sub.id, filename="空.docx",
                            stream=io.BytesIO(b""))
        assert row.size == 0 and row.sha256 == hashlib.sha256(b"").hexdigest()
        assert store.get(row.object_key) == b"" and count(session, OutboxMessage) == 1

    def test_unknown_submission(self, session: Session, store: ObjectStore, settings: Settings) -> None:
        with pytest.raises(NotFound) as e:
            accept_upload(session, store, settings, submission_id="0" * 32, filename="a.docx",
                          stream=io.BytesIO(b"x"))
        assert e.value.status_code == 404
        assert list(store.list("")) == []

    def test_failed_record_leaves_no_object(self, session: Session, store: ObjectStore,
                                            settings: Settings, sub: Submission) -> None:
        """If the transaction fails, the object just stored is removed again, as soon as the
        database confirms that no row points at it (storage/orphans.py: a background check, so
        that a commit whose answer alone was lost keeps its object)."""
        class Boom(Exception):
            pass

        def fail(*_a: object, **_k: object) -> None:
            raise Boom()

        from sqlalchemy import event
        event.listen(session, "before_commit", fail)
        try:
            with pytest.raises(Boom):
                accept_upload(session, store, settings, submission_id=sub.id, filename="a.docx",
                              stream=io.BytesIO(b"bytes"))
        finally:
            event.remove(session, "before_commit", fail)
        deadline = time.monotonic() + 10
        while list(store.list("")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(store.list("")) == [] and count(session, StoredFile) == 0


class TestDisplayName:
    @pytest.mark.parametrize("given,shown", [
        ("推荐表.docx", "推荐表.docx"), ("../../x.docx", "x.docx"), ("C:\\Users\\a\\表.doc", "表.doc"),
        ("", "未命名文件"), (None, "未命名文件"), ("..", "未命名文件"), ("a\x00b\n.docx", "ab.docx"),
        ("  申报  表 .docx ", "申报 表 .docx")])
    def test_display_name(self, given: str | None, shown: str) -> None:
        assert display_name(given) == shown

    def test_long_names_keep_their_extension(self) -> None:
        name = display_name("长" * 500 + ".docx")
        assert len(name) == 200 and name.endswith(".docx")


class TestStatusAndDownload:
    def test_status_lists_files_documents_and_findings(
            self, session: Session, store: ObjectStore, settings: Settings, sub: Submission,
            jinhua_docx: bytes) -> None:
        """The status JSON has the submission, each file's state and progress, its
        documents and findings, and the submission-level findings."""
        row = accept_upload(session, store, settings, submission_id=sub.id, filename="推荐表.docx",
                            stream=io.BytesIO(jinhua_docx))
        row.state, row.progress, row.method, row.pages = FileState.DONE.value, 100, "docx", 1
        row.result = {"documents": [{"kind": "recommendation_form", "fields": {}, "counts": {}}],
                      "findings": []}
        session.add(FindingRow(submission_id=sub.id, file_id=row.id, code="field.missing",
                               severity="error", field="org_name", message="请填写党组织名称。",
                               document="recommendation_form"))
        session.add(FindingRow(submission_id=sub.id, file_id=None, code="document.missing",
                               severity="error", field=None, message="缺少创建事迹介绍材料。"))
        session.commit()
        # every file read, but the submission-level checks have not run: still 检查中
        waiting = submission_status(session, sub.id)
        assert waiting["summary"]["final"] is False
        assert waiting["lifecycle"]["code"] == "checking"
        sub.state = "checked"        # what the worker's check.submission step records
        session.commit()
        status = submission_status(session, sub.id)
        assert status["lifecycle"]["code"] == "ready" and status["lifecycle"]["checks_done"]
        assert status["submission"]["organisation"] == "金华市某局机关党委"
        [f] = status["files"]
        assert (f["state"], f["progress"], f["method"], f["pages"]) == ("done", 100, "docx", 1)
        assert f["documents"][0]["kind"] == "recommendation_form"
        assert [x["code"] for x in f["findings"]] == ["field.missing"]
        assert [x["code"] for x in status["findings"]] == ["document.missing"]
        assert status["summary"] == {"files": 1, "final": True, "errors": 2, "warnings": 0, "failed": 0}
        import json
        json.dumps(status)          # JSON-able as it is

    def test_status_of_unknown_submission(self, session: Session) -> None:
        with pytest.raises(NotFound):
            submission_status(session, "f" * 32)

    def test_open_original(self, session: Session, store: ObjectStore, settings: Settings,
                           sub: Submission, jinhua_docx: bytes) -> None:
        """The original comes back byte for byte; another submission's id does not reach it."""
        row = accept_upload(session, store, settings, submission_id=sub.id, filename="a.docx",
                            stream=io.BytesIO(jinhua_docx))
        got, stream = open_original(session, store, sub.id, row.id)
        with stream:
            assert stream.read() == jinhua_docx and got.name == "a.docx"
        with pytest.raises(NotFound):
            open_original(session, store, "0" * 32, row.id)
        store.delete(row.object_key)
        with pytest.raises(NotFound) as e:
            open_original(session, store, sub.id, row.id)
        assert e.value.status_code == 410
