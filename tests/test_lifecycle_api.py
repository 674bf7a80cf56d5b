"""The lifecycle through the HTTP API (embedded SQLite), with the worker's own steps run in-process:
which documents the check step finds, replaced and removed files, and the 提交审核 gate's refusals."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterator

import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from storage.db import make_sessionmaker
from storage.models import StoredFile
from storage.objects import open_store
from tests.docx_factory import jinhua_form, narrative
from tests.review_helpers import PASSWORD
from workers import steps

C = "jinhua-2015"
REC = "金华市财政局机关党委"


@pytest.fixture
def client(settings: Settings, sqlite_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=sqlite_engine, store=open_store(settings))) as c:
        yield c


@pytest.fixture
def unit(sqlite_engine: Engine) -> dict[str, str]:
    with make_sessionmaker(sqlite_engine)() as s:
        user = accounts.create_user(s, username="unit", password=PASSWORD, role="unit", organisation="金华市甲局")
        return {"Authorization": f"Bearer {accounts.issue_token(s, user, 'test')}"}


def work(settings: Settings, engine: Engine, sid: str) -> None:
    """What the workers do with the submission's unread files, then the submission check."""
    sessions = make_sessionmaker(engine)
    rt = steps.Runtime(settings, sessions, open_store(settings))
    with sessions() as s:
        pending = [f.id for f in s.scalars(select(StoredFile).where(StoredFile.submission_id == sid))
                   if not f.is_final]
    for fid in pending:
        steps.ingest_file(rt, fid)
        assert steps.extract_file(rt, fid) == "done"
    assert steps.check_submission(rt, sid) == "checked"


def form(tmp: Path, name: str, **values: Any) -> bytes:
    return jinhua_form(tmp / f"{name}.docx", values).read_bytes()


def narrative_file() -> bytes:
    d = Document()
    d.add_paragraph("创建事迹介绍材料")
    d.add_paragraph(narrative(1000))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def draft(client: TestClient, headers: dict[str, str], *files: tuple[str, bytes]) -> str:
    r = client.post("/api/submissions", headers=headers,
                    json={"campaign": C, "organisation": "金华市甲局", "recommender": REC})
    assert r.status_code == 201 and r.json()["lifecycle"]["code"] == "draft", r.text
    sid = str(r.json()["id"])
    if files:
        upload(client, headers, sid, *files)
    return sid


def upload(client: TestClient, headers: dict[str, str], sid: str, *files: tuple[str, bytes]) -> Any:
    return client.post(f"/api/submissions/{sid}/files", headers=headers,
                       files=[("files", (n, d, "application/octet-stream")) for n, d in files])


def whole(st: dict[str, Any]) -> set[str]:
    return {f["code"] for f in st["findings"]}


class TestKindsTheWorkerFinds:
    def test_narrative_inside_the_form_or_in_a_file_of_its_own(
            self, client: TestClient, unit: dict[str, str], settings: Settings, sqlite_engine: Engine,
            tmp_path: Path) -> None:
        """GIVEN three drafts WHEN the worker checks them THEN a form with its 主要创建事迹 inside is
        complete, a form that says 详见附页 lacks the narrative, and the narrative in its own file
        completes it."""
        inside = draft(client, unit, ("推荐表.docx", form(tmp_path, "a", deeds=narrative(1000))))
        alone = draft(client, unit, ("推荐表.docx", form(tmp_path, "b", deeds="详见附页")))
        paired = draft(client, unit, ("推荐表.docx", form(tmp_path, "c", deeds="详见附页")),
                       ("事迹材料.docx", narrative_file()))
        for sid in (inside, alone, paired):
            assert client.get(f"/api/submissions/{sid}", headers=unit).json()["lifecycle"]["code"] == "checking"
            work(settings, sqlite_engine, sid)
        got = {sid: client.get(f"/api/submissions/{sid}", headers=unit).json() for sid in (inside, alone, paired)}
        assert "document.missing" not in whole(got[inside]) and "document.missing" not in whole(got[paired])
        [missing] = [f for f in got[alone]["findings"] if f["code"] == "document.missing"]
        assert missing["field"] == "narrative" and "创建事迹介绍材料" in missing["message"]
        assert all(g["lifecycle"]["code"] == "ready" and g["summary"]["final"] for g in got.values())


class TestFilesOfADraft:
    def test_a_newer_form_replaces_the_older_and_its_findings_go_with_it(
            self, client: TestClient, unit: dict[str, str], settings: Settings, sqlite_engine: Engine,
            tmp_path: Path) -> None:
        sid = draft(client, unit, ("推荐表.docx", form(tmp_path, "old", deeds=narrative(1000), star_rating="三星级")))
        work(settings, sqlite_engine, sid)
        r = client.post(f"/api/submissions/{sid}/submit", headers=unit, json={"warnings_read": True})
        assert r.status_code == 409 and r.json()["error"] == "submit.blocked" and "评定星级" in r.json()["message"]
        upload(client, unit, sid, ("推荐表（改）.docx", form(tmp_path, "new", deeds=narrative(1000))))
        assert client.get(f"/api/submissions/{sid}", headers=unit).json()["lifecycle"]["label"] == "检查中"
        work(settings, sqlite_engine, sid)
        st = client.get(f"/api/submissions/{sid}", headers=unit).json()
        assert [f["name"] for f in st["files"]] == ["推荐表（改）.docx"]
        assert [h["name"] for h in st["history"]] == ["推荐表.docx"]
        assert st["summary"]["errors"] == 0
        # the page: the replaced form under a collapsed 历史版本, its finding gone; 提交审核 offered
        page = client.get(f"/submissions/{sid}", headers=unit).text
        assert '<details class="card history"' in page and "历史版本（1 个已被替换的文件）" in page
        assert "eligibility.star_rating" not in page and 'id="submit-form"' in page
        r = client.post(f"/api/submissions/{sid}/submit", headers=unit, json={"warnings_read": False})
        assert r.status_code == 409 and r.json()["error"] == "submit.warnings_unread"   # 截止日期已过
        r = client.post(f"/api/submissions/{sid}/submit", headers=unit, json={"warnings_read": True})
        assert r.status_code == 200 and r.json()["lifecycle"]["code"] == "submitted"
        review = client.get(f"/api/review/submissions/{sid}", headers=unit).json()
        assert review["lifecycle"]["label"] == "已提交" and review["status"] == "in_review"
        # under review the files stay what the reviewers read
        current = st["files"][0]["id"]
        r = client.delete(f"/api/submissions/{sid}/files/{current}", headers=unit)
        assert r.status_code == 409 and "审核期间不能更改材料" in r.json()["message"]
        r = upload(client, unit, sid, ("又一份.docx", form(tmp_path, "more", deeds=narrative(900))))
        assert r.status_code == 409 and r.json()["error"] == "submission.state"

    def test_a_wrong_upload_is_removed_and_the_draft_checked_again(
            self, client: TestClient, unit: dict[str, str], settings: Settings, sqlite_engine: Engine,
            tmp_path: Path) -> None:
        sid = draft(client, unit, ("推荐表.docx", form(tmp_path, "a", deeds=narrative(1000))),
                    ("照片.txt", b"not a document"))
        work(settings, sqlite_engine, sid)
        st = client.get(f"/api/submissions/{sid}", headers=unit).json()
        wrong = next(f for f in st["files"] if f["name"] == "照片.txt")
        assert st["summary"]["errors"] >= 1
        assert client.delete(f"/api/submissions/{sid}/files/{wrong['id']}", headers=unit).status_code == 204
        st = client.get(f"/api/submissions/{sid}", headers=unit).json()
        assert [f["name"] for f in st["files"]] == ["推荐表.docx"] and not st["summary"]["final"]
        work(settings, sqlite_engine, sid)
        st = client.get(f"/api/submissions/{sid}", headers=unit).json()
        assert st["summary"]["errors"] == 0 and st["lifecycle"]["code"] == "ready"


class TestTheGateRefuses:
    def test_while_checking_a_self_check_and_without_a_login(
            self, client: TestClient, unit: dict[str, str], settings: Settings, sqlite_engine: Engine,
            tmp_path: Path) -> None:
        sid = draft(client, unit, ("推荐表.docx", form(tmp_path, "a", deeds=narrative(1000))))
        r = client.post(f"/api/submissions/{sid}/submit", headers=unit, json={"warnings_read": True})
        assert r.status_code == 409 and "材料还在检查中" in r.json()["message"]
        r = client.post("/api/submissions", json={"campaign": C, "organisation": "某局", "recommender": REC})
        anon = r.json()
        assert anon["kind"] == "self_check" and anon["lifecycle"]["label"] == "自查"
        upload(client, {}, anon["id"], ("推荐表.docx", form(tmp_path, "b", deeds=narrative(1000))))
        work(settings, sqlite_engine, anon["id"])
        assert client.post(f"/api/submissions/{anon['id']}/submit", json={}).status_code == 401
        mine = client.post("/api/submissions", headers=unit, json={"campaign": C, "organisation": "金华市甲局",
                                                                    "recommender": REC, "self_check": True}).json()
        upload(client, unit, mine["id"], ("推荐表.docx", form(tmp_path, "c", deeds=narrative(1000))))
        work(settings, sqlite_engine, mine["id"])
        r = client.post(f"/api/submissions/{mine['id']}/submit", headers=unit, json={"warnings_read": True})
        assert r.status_code == 409 and "自查" in r.json()["message"]

    def test_a_file_parked_as_failed_blocks_until_removed(
            self, client: TestClient, unit: dict[str, str], settings: Settings, sqlite_engine: Engine,
            tmp_path: Path) -> None:
        """What a failed file holds was never checked: 提交审核 waits until it is removed (or redone)."""
        sid = draft(client, unit, ("推荐表.docx", form(tmp_path, "a", deeds=narrative(1000))),
                    ("扫描件.pdf", b"%PDF-1.4 broken"))
        work(settings, sqlite_engine, sid)
        with make_sessionmaker(sqlite_engine)() as s:      # the worker gave up on it after its attempts
            row = s.scalars(select(StoredFile).where(StoredFile.submission_id == sid,
                                                     StoredFile.name == "扫描件.pdf")).one()
            row.state, row.error, failed_id = "failed", "这个文件处理失败，已转交工作人员查看。", row.id
            s.commit()
        r = client.post(f"/api/submissions/{sid}/submit", headers=unit, json={"warnings_read": True})
        assert r.status_code == 409 and r.json()["error"] == "submit.failed_files" and "扫描件.pdf" in r.json()["message"]
        assert client.delete(f"/api/submissions/{sid}/files/{failed_id}", headers=unit).status_code == 204
        work(settings, sqlite_engine, sid)
        r = client.post(f"/api/submissions/{sid}/submit", headers=unit, json={"warnings_read": True})
        assert r.status_code == 200, r.text
