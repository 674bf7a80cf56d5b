"""Input limits (issue 15): lengths documented and enforced, control characters refused with 422,
upload quotas per request, submission and account, a refused resubmit stores nothing, packet
builds de-duplicated and rate-limited."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from storage.db import make_sessionmaker
from storage.models import StoredFile
from storage.objects import open_store
from storage.packet_models import PacketBuild
from storage.review_models import AuditEntry
from tests.review_helpers import person
from tests.test_auth_access import app_settings, login, make_client, upload_as  # noqa: F401 (fixtures)


def bearer(engine: Engine, username: str) -> dict[str, str]:
    with make_sessionmaker(engine)() as s:
        return {"Authorization": "Bearer " + accounts.issue_token(s, accounts.find_user(s, username), "t")}


def stored_files(engine: Engine) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(StoredFile)) or 0)


@pytest.fixture
def people(sqlite_engine: Engine) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        person(s, "unit-a", "unit", organisation="甲局机关党支部")
        person(s, "bureau", "reviewer", stage_id="bureau_review", campaign_id="yueyang-2017")
        person(s, "admin", "admin")


class TestLengths:
    def test_the_openapi_document_states_the_limits(self, make_client: Any) -> None:
        spec = make_client().get("/openapi.json").json()["components"]["schemas"]
        assert spec["SubmissionCreate"]["properties"]["organisation"]["maxLength"] == 200
        assert spec["TextIn"]["properties"]["text"]["maxLength"] == 2000
        opinion = spec["DecisionIn"]["properties"]["opinion"]["anyOf"][0]
        assert opinion["maxLength"] == 20000

    @pytest.mark.usefixtures("people")
    def test_a_huge_objection_is_refused_and_nothing_is_kept(self, make_client: Any,
                                                             sqlite_engine: Engine) -> None:
        """GIVEN a submission in review WHEN a 5 MiB objection is sent THEN 422 (the limit in Chinese)
        and the audit log holds no objection; one of normal length is recorded."""
        unit = make_client()
        sid = upload_as(unit, login(unit, "unit-a"))
        c, h = make_client(), bearer(sqlite_engine, "bureau")
        r = c.post(f"/api/review/submissions/{sid}/objections", json={"text": "异" * (5 * 1024 * 1024)}, headers=h)
        assert r.status_code == 422 and r.json()["error"] == "request.invalid"
        with make_sessionmaker(sqlite_engine)() as s:
            assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "objection")) == 0
        assert c.post(f"/api/review/submissions/{sid}/objections", json={"text": "公示期间有异议"},
                      headers=h).status_code == 200


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def any_db_client(request: pytest.FixtureRequest, settings: Settings) -> Iterator[TestClient]:
    """The app on SQLite and on PostgreSQL (where a NUL in a string is a driver error)."""
    engine = request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")
    with make_sessionmaker(engine)() as s:
        person(s, "unit-a", "unit", organisation="甲局机关党支部")
    with TestClient(create_app(settings, engine=engine, store=open_store(settings))) as c:
        yield c


class TestControlCharacters:
    def test_nul_in_ids_filters_and_usernames_is_a_422(self, any_db_client: TestClient) -> None:
        c = any_db_client
        for url in ("/api/submissions/ab%00cd", "/api/submissions/ab%00cd/findings", "/submissions/%00",
                    "/api/review/tasks?stage_id=bureau%00", "/review?state=%01open"):
            r = c.get(url)
            assert r.status_code == 422 and "控制字符" in r.json()["message"], url
        r = c.post("/api/submissions", json={"campaign": "yueyang-2017\u0000", "organisation": "x"})
        assert r.status_code == 422
        from tests.auth_helpers import login_token
        r = c.post("/login", data={"username": "unit\x00-a", "password": "x", "csrf_token": login_token(c)})
        assert r.status_code == 422 and "控制字符" in r.text


@pytest.fixture
def quota_client(app_settings: Settings, sqlite_engine: Engine) -> Iterator[TestClient]:
    small = app_settings.model_copy(update={"max_request_bytes": 30_000, "max_submission_bytes": 50_000,
                                            "max_account_bytes": 70_000})
    with make_sessionmaker(sqlite_engine)() as s:
        person(s, "unit-a", "unit", organisation="甲局机关党支部")
    with TestClient(create_app(small, engine=sqlite_engine, store=open_store(small))) as c:
        yield c


def blob(n: int, seed: int) -> bytes:
    return bytes([seed]) * n


class TestQuotas:
    def test_per_request_submission_and_account(self, quota_client: TestClient, sqlite_engine: Engine) -> None:
        """GIVEN limits of 30 kB a request, 50 kB a submission and 70 kB an account THEN each refusal is
        a 413 in Chinese and stores nothing."""
        c, h = quota_client, bearer(sqlite_engine, "unit-a")

        def new() -> str:
            r = c.post("/api/submissions", json={"campaign": "yueyang-2017", "organisation": "甲局机关党支部",
                                                 "applicant_kind": "局机关党支部"},
                       headers=h)
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        def up(sid: str, *sizes: int) -> Any:
            files = [("files", (f"f{i}.pdf", blob(n, 40 + i + len(sid) % 7 + n % 13), "application/pdf"))
                     for i, n in enumerate(sizes)]
            return c.post(f"/api/submissions/{sid}/files", files=files, headers=h)

        one = new()
        r = up(one, 20_000, 20_000)
        assert r.status_code == 413 and "一次上传" in r.json()["message"] and stored_files(sqlite_engine) == 0
        assert up(one, 25_000).status_code == 202
        r = up(one, 26_000)
        assert r.status_code == 413 and "这份申报" in r.json()["message"] and stored_files(sqlite_engine) == 1
        two = new()
        assert up(two, 24_000).status_code == 202
        r = up(two, 25_000)
        assert r.status_code == 413 and "本账号" in r.json()["message"] and stored_files(sqlite_engine) == 2


@pytest.mark.usefixtures("people")
def test_a_refused_resubmit_stores_nothing(make_client: Any, sqlite_engine: Engine) -> None:
    """GIVEN a submission in review (not returned) WHEN the unit posts files to its resubmit form THEN
    409 in Chinese and the file count is unchanged."""
    unit = make_client()
    csrf = login(unit, "unit-a")
    sid = upload_as(unit, csrf)
    before = stored_files(sqlite_engine)
    r = unit.post(f"/unit/submissions/{sid}/resubmit", data={"csrf_token": csrf},
                  files=[("files", ("new.pdf", b"%PDF-1.4 new", "application/pdf"))])
    assert r.status_code == 409 and "只有被退回的申报" in r.json()["message"]
    assert stored_files(sqlite_engine) == before


@pytest.mark.usefixtures("people")
def test_packet_builds_are_deduplicated_and_rate_limited(app_settings: Settings, sqlite_engine: Engine) -> None:
    settings = app_settings.model_copy(update={"packet_builds_per_hour": 2})
    with TestClient(create_app(settings, engine=sqlite_engine, store=open_store(settings))) as c:
        h = bearer(sqlite_engine, "admin")
        ids = {c.post("/api/campaigns/yueyang-2017/packets", headers=h).json()["id"] for _ in range(5)}
        assert len(ids) == 1                       # one build while it is queued, whoever asks
        for _ in range(2):
            with make_sessionmaker(sqlite_engine)() as s:
                for b in s.scalars(select(PacketBuild)):
                    b.state = "done"
                s.commit()
            r = c.post("/api/campaigns/yueyang-2017/packets", headers=h)
        assert r.status_code == 429 and "一小时内最多" in r.json()["message"]
        with make_sessionmaker(sqlite_engine)() as s:
            assert s.scalar(select(func.count()).select_from(PacketBuild)) == 2
