"""The HTTP API in embedded mode (SQLite + folder store), with the real app.

No worker runs here: these tests cover what the API itself promises —
validation, refusals, storage of what is accepted, the status shape, downloads.
The pipeline behind it is covered in test_e2e.py.
"""
from __future__ import annotations

import hashlib
from typing import Any, Iterator
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dossier.settings import Settings
from services.app import create_app
from services.kit.downloads import content_disposition
from storage.models import OutboxMessage, StoredFile
from storage.objects import ObjectStore, open_store
from tests.edges import EXE_BYTES, jinhua_form_docx


@pytest.fixture
def store(settings: Settings) -> ObjectStore:
    return open_store(settings)


@pytest.fixture
def client(settings: Settings, sqlite_engine: Engine, store: ObjectStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=sqlite_engine, store=store)) as c:
        yield c


@pytest.fixture
def submission(client: TestClient) -> dict[str, Any]:
    r = client.post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": "金华市某某局机关党委"})
    assert r.status_code == 201, r.text
    return r.json()


def upload(client: TestClient, sid: str, *files: tuple[str, bytes]) -> Any:
    return client.post(f"/api/submissions/{sid}/files",
                       files=[("files", (name, data, "application/octet-stream")) for name, data in files])


def rows(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def assert_error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "message", "detail"}
    assert body["error"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), "the message is for the unit: Chinese"
    return body


class TestHealthAndCampaigns:
    def test_healthz_is_liveness(self, client: TestClient) -> None:
        """GIVEN the app WHEN /healthz THEN the process answers (it checks no dependency)."""
        assert client.get("/healthz").json() == {"status": "ok"}

    def test_readyz(self, client: TestClient) -> None:
        """GIVEN the app WHEN /readyz THEN database and store answer."""
        assert client.get("/readyz").json() == {"status": "ok", "database": "ok", "store": "ok"}

    def test_campaigns_listed_from_the_yaml_files(self, client: TestClient) -> None:
        """Both seed campaigns are listed with their documents' Chinese titles."""
        body = {c["id"]: c for c in client.get("/api/campaigns").json()}
        assert {"jinhua-2015", "yueyang-2017"} <= set(body)
        assert body["jinhua-2015"]["deadline"] == "2015-11-15"
        kinds = {d["kind"]: d["title"] for d in body["jinhua-2015"]["documents"]}
        assert kinds["recommendation_form"] == "市县机关党建示范点推荐表"

    def test_openapi_documents_routes_in_both_languages(self, client: TestClient) -> None:
        """The OpenAPI page describes every route in Chinese and English."""
        spec = client.get("/openapi.json").json()
        for path in ("/api/campaigns", "/api/submissions", "/api/submissions/{submission_id}/files",
                     "/api/submissions/{submission_id}", "/api/submissions/{submission_id}/findings",
                     "/api/submissions/{submission_id}/files/{file_id}/original", "/healthz", "/readyz"):
            assert path in spec["paths"], path
        upload_op = spec["paths"]["/api/submissions/{submission_id}/files"]["post"]
        assert "multipart/form-data" in upload_op["requestBody"]["content"]
        assert "413" in upload_op["responses"]
        for ops in spec["paths"].values():
            for op in ops.values():
                assert "/" in op["summary"] and any("\u4e00" <= ch <= "\u9fff" for ch in op["summary"])


class TestCreateSubmission:
    def test_created(self, submission: dict[str, Any]) -> None:
        """A new submission is open and links to its status, upload and page."""
        assert submission["state"] == "open"
        assert submission["links"]["files"] == f"/api/submissions/{submission['id']}/files"
        assert submission["links"]["page"] == f"/submissions/{submission['id']}"

    def test_unknown_campaign(self, client: TestClient) -> None:
        r = client.post("/api/submissions", json={"campaign": "nowhere-1999", "organisation": "某单位"})
        assert_error(r, 404, "campaign.unknown")

    def test_missing_fields(self, client: TestClient) -> None:
        body = assert_error(client.post("/api/submissions", json={}), 422, "request.invalid")
        assert "organisation" in body["detail"]

    def test_blank_organisation(self, client: TestClient) -> None:
        r = client.post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": "   "})
        assert_error(r, 422, "request.invalid")


class TestUpload:
    def test_files_are_stored_recorded_and_queued(self, client: TestClient, submission: dict[str, Any],
                                                  sqlite_engine: Engine, store: ObjectStore) -> None:
        """GIVEN two files WHEN uploaded in one request THEN both are stored, recorded and queued."""
        form = jinhua_form_docx()
        r = upload(client, submission["id"], ("推荐表.docx", form), ("程序.docx", EXE_BYTES))
        assert r.status_code == 202, r.text
        files = r.json()["files"]
        assert [f["name"] for f in files] == ["推荐表.docx", "程序.docx"]
        assert files[0]["sha256"] == hashlib.sha256(form).hexdigest()
        assert all(f["state"] == "stored" for f in files)
        assert rows(sqlite_engine, StoredFile) == 2
        assert rows(sqlite_engine, OutboxMessage) == 2
        keys = list(store.list(f"submissions/{submission['id']}/originals"))
        assert len(keys) == 2

    def test_same_file_twice_is_one_file(self, client: TestClient, submission: dict[str, Any],
                                         sqlite_engine: Engine) -> None:
        form = jinhua_form_docx()
        first = upload(client, submission["id"], ("a.docx", form)).json()["files"][0]
        again = upload(client, submission["id"], ("b.docx", form)).json()["files"][0]
        assert again["id"] == first["id"] and again["duplicate"] is True
        assert rows(sqlite_engine, StoredFile) == 1

    def test_path_in_the_name_is_only_a_display_name(self, client: TestClient, submission: dict[str, Any],
                                                     store: ObjectStore) -> None:
        """`../../x.docx` is shown as x.docx and stored under its sha256, inside the submission."""
        data = jinhua_form_docx()
        f = upload(client, submission["id"], ("../../x.docx", data)).json()["files"][0]
        assert f["name"] == "x.docx"
        sha = hashlib.sha256(data).hexdigest()
        assert list(store.list("")) == [f"submissions/{submission['id']}/originals/{sha}.docx"]

    def test_empty_file_is_accepted_and_kept(self, client: TestClient, submission: dict[str, Any]) -> None:
        """An empty file is not refused at the door: the pipeline reports it (file.unreadable)."""
        r = upload(client, submission["id"], ("空.docx", b""))
        assert r.status_code == 202
        assert r.json()["files"][0]["size"] == 0

    def test_over_the_limit_is_refused_and_nothing_stored(
            self, settings: Settings, sqlite_engine: Engine, store: ObjectStore) -> None:
        """GIVEN a 4 KiB limit WHEN a small and a 5 KiB file come in one request
        THEN 413 with a Chinese message, and neither file is stored or recorded."""
        small = settings.model_copy(update={"max_upload_bytes": 4096})
        with TestClient(create_app(small, engine=sqlite_engine, store=store)) as c:
            sid = c.post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": "某单位"}).json()["id"]
            r = upload(c, sid, ("小.docx", b"x" * 100), ("大.pdf", b"%PDF-1.4" + b"x" * 5000))
        body = assert_error(r, 413, "upload.too_large")
        assert "大小限制" in body["message"]
        assert rows(sqlite_engine, StoredFile) == 0
        assert list(store.list("")) == []

    def test_declared_length_far_over_the_limit_is_refused_unread(
            self, settings: Settings, sqlite_engine: Engine, store: ObjectStore) -> None:
        small = settings.model_copy(update={"max_upload_bytes": 10})
        with TestClient(create_app(small, engine=sqlite_engine, store=store)) as c:
            sid = c.post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": "某单位"}).json()["id"]
            r = c.post(f"/api/submissions/{sid}/files", content=b"-" * 2_000_000,
                       headers={"content-type": "multipart/form-data; boundary=xyz"})
        assert_error(r, 413, "upload.too_large")

    def test_unknown_submission(self, client: TestClient) -> None:
        assert_error(upload(client, "0" * 32, ("a.docx", b"x")), 404, "submission.not_found")

    def test_not_multipart(self, client: TestClient, submission: dict[str, Any]) -> None:
        r = client.post(f"/api/submissions/{submission['id']}/files", json={"files": []})
        assert_error(r, 415, "upload.not_multipart")

    def test_no_file_part(self, client: TestClient, submission: dict[str, Any]) -> None:
        r = client.post(f"/api/submissions/{submission['id']}/files", data={"x": "1"},
                        headers={"content-type": "multipart/form-data; boundary=b"},
                        content=b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n')
        assert_error(r, 400, "upload.no_file")

    def test_malformed_multipart(self, client: TestClient, submission: dict[str, Any]) -> None:
        r = client.post(f"/api/submissions/{submission['id']}/files",
                        headers={"content-type": "multipart/form-data"}, content=b"garbage")
        assert_error(r, 400, "upload.malformed")


class TestStatusAndFindings:
    def test_status_lists_each_file_with_state_and_progress(
            self, client: TestClient, submission: dict[str, Any]) -> None:
        upload(client, submission["id"], ("推荐表.docx", jinhua_form_docx()))
        st = client.get(f"/api/submissions/{submission['id']}").json()
        assert st["submission"]["state"] == "processing"
        assert st["campaign"] == {"id": "jinhua-2015", "title": "机关党建示范点推荐评选"}
        (f,) = st["files"]
        assert f["state"] == "stored" and f["state_label"] == "已上传，等待处理"
        assert f["progress"] == 0 and f["final"] is False
        assert st["summary"] == {"files": 1, "final": False, "errors": 0, "warnings": 0, "failed": 0}

    def test_findings_of_a_fresh_submission(self, client: TestClient, submission: dict[str, Any]) -> None:
        body = client.get(f"/api/submissions/{submission['id']}/findings").json()
        assert body == {"submission_id": submission["id"], "final": False, "errors": 0, "warnings": 0,
                        "findings": []}

    def test_unknown_submission(self, client: TestClient) -> None:
        assert_error(client.get("/api/submissions/nope"), 404, "submission.not_found")
        assert_error(client.get("/api/submissions/nope/findings"), 404, "submission.not_found")

    def test_unknown_route_is_json_in_chinese(self, client: TestClient) -> None:
        assert_error(client.get("/api/nothing-here"), 404, "not_found")


class TestDownload:
    def test_original_comes_back_byte_for_byte(self, client: TestClient, submission: dict[str, Any]) -> None:
        data = jinhua_form_docx()
        f = upload(client, submission["id"], ("推荐表 (终稿).docx", data)).json()["files"][0]
        r = client.get(f["original_url"])
        assert r.status_code == 200 and r.content == data
        assert r.headers["x-content-type-options"] == "nosniff"
        cd = r.headers["content-disposition"]
        assert cd.startswith("attachment;")
        assert unquote(cd.split("filename*=UTF-8''")[1]) == "推荐表 (终稿).docx"

    def test_type_comes_from_the_bytes_once_sniffed(self, client: TestClient, submission: dict[str, Any],
                                                    sqlite_engine: Engine) -> None:
        """Before ingest sniffs it, a file is served as octet-stream, whatever its name says."""
        f = upload(client, submission["id"], ("程序.docx", EXE_BYTES)).json()["files"][0]
        r = client.get(f["original_url"])
        assert r.headers["content-type"] == "application/octet-stream"
        with Session(sqlite_engine) as s:
            s.get(StoredFile, f["id"]).format = "docx"   # as ingest would record a real .docx
            s.commit()
        r = client.get(f["original_url"])
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")

    def test_file_of_another_submission_is_not_found(self, client: TestClient,
                                                     submission: dict[str, Any]) -> None:
        f = upload(client, submission["id"], ("a.docx", b"abc")).json()["files"][0]
        other = client.post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": "乙"}).json()
        assert_error(client.get(f"/api/submissions/{other['id']}/files/{f['id']}/original"), 404, "file.not_found")


class TestContentDisposition:
    @pytest.mark.parametrize("name", ['a"b.docx', "a\\b.docx", "x\r\nSet-Cookie: y.docx", "推荐表.docx",
                                      "../../etc/passwd", ""])
    def test_header_is_safe(self, name: str) -> None:
        """No quote, backslash, CR/LF or path reaches the header; the real name is RFC 5987-encoded."""
        cd = content_disposition(name)
        fallback = cd.split('filename="')[1].split('"')[0]
        assert not set(fallback) & set('"\\/\r\n')
        assert "\r" not in cd and "\n" not in cd
        assert fallback and not fallback.startswith(".")

    def test_utf8_name_round_trips(self) -> None:
        cd = content_disposition("申报表（2017）.pdf")
        assert unquote(cd.split("filename*=UTF-8''")[1]) == "申报表（2017）.pdf"
