"""Accounts, sessions, CSRF, API tokens and access checks, through the HTTP app (embedded mode)."""
from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from services.auth.passwords import hash_password, verify_password
from services.cli import main as cli_main
from storage.db import make_sessionmaker
from storage.models import StoredFile, Submission, utcnow
from storage.objects import open_store
from tests.edges import jinhua_form_docx
from tests.auth_helpers import post_login
from tests.review_helpers import PASSWORD


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"anonymous_uploads": False})


@pytest.fixture
def make_client(app_settings: Settings, sqlite_engine: Engine) -> Iterator[object]:
    app = create_app(app_settings, engine=sqlite_engine, store=open_store(app_settings))
    clients: list[TestClient] = []

    def new() -> TestClient:
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        return c
    yield new
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def people(sqlite_engine: Engine) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        accounts.create_user(s, username="unit-a", password=PASSWORD, role="unit", organisation="甲局机关党支部")
        accounts.create_user(s, username="unit-b", password=PASSWORD, role="unit", organisation="乙局机关党支部")
        accounts.create_user(s, username="bureau", password=PASSWORD, role="reviewer", stage_id="bureau_review")
        accounts.create_user(s, username="city", password=PASSWORD, role="reviewer", stage_id="report_city")
        accounts.create_user(s, username="admin", password=PASSWORD, role="admin")


def login(c: TestClient, username: str) -> str:
    r = post_login(c, username, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"]).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def upload_as(c: TestClient, csrf: str, campaign: str = "yueyang-2017",
              result: dict[str, Any] | None = None, submit: bool = True, recommender: str | None = None,
              docx: bytes | None = None) -> str:
    """A unit's draft with one file (`docx`, else a jinhua 推荐表), read (as `result` says) and
    checked as the worker would, then put forward with 提交审核 on its page (`submit`)."""
    r = c.post("/unit/submit",
               data={"campaign": campaign, "csrf_token": csrf, **({"recommender": recommender} if recommender else {}),
                     **({"applicant_kind": "局机关党支部"} if campaign == "yueyang-2017" else {})},   # 创建的对象
               files=[("files", ("申报表.docx", docx or jinhua_form_docx(), "application/octet-stream"))],
               follow_redirects=False)
    assert r.status_code == 303, r.text
    sid = re.findall(r"/submissions/([0-9a-f]{32})", r.headers["location"])[0]
    assert sid in re.findall(r'data-id="([0-9a-f]{32})"', c.get("/unit").text)
    with c.app.state.sessions() as s:      # what the worker records once the file is read and checked
        for row in s.scalars(select(StoredFile).where(StoredFile.submission_id == sid)):
            row.state, row.progress, row.finished_at, row.result = "done", 100, utcnow(), result
        s.get(Submission, sid).state = "checked"
        s.commit()
    if submit:
        r = c.post(f"/submissions/{sid}/submit", data={"warnings_read": "1", "csrf_token": csrf},
                   follow_redirects=False)
        assert r.status_code == 303 and "已提交审核" in unquote(r.headers.get("set-cookie", "")), r.headers
    return sid


class TestPasswords:
    def test_argon2(self) -> None:
        h = hash_password("secret pass")
        assert h.startswith("$argon2id$") and verify_password(h, "secret pass")
        assert not verify_password(h, "wrong") and not verify_password("garbage", "x")


@pytest.mark.usefixtures("people")
class TestLogin:
    def test_wrong_password_refused_in_chinese(self, make_client: object) -> None:
        c = make_client()  # type: ignore[operator]
        r = post_login(c, "unit-a", "nope")
        assert r.status_code == 401 and "用户名或密码不正确" in r.text

    def test_pages_need_login(self, make_client: object) -> None:
        c = make_client()  # type: ignore[operator]
        assert c.get("/review", follow_redirects=False).headers["location"].startswith("/login")
        assert c.get("/api/review/tasks").status_code == 401
        r = c.post("/api/submissions", json={"campaign": "yueyang-2017", "organisation": "x"})
        assert r.status_code == 401    # anonymous uploads off

    def test_session_cookie_is_http_only_and_logout_ends_it(self, make_client: object) -> None:
        c = make_client()  # type: ignore[operator]
        r = post_login(c, "unit-a", follow_redirects=False)
        assert "httponly" in r.headers["set-cookie"].lower()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/unit").text).group(1)  # type: ignore[union-attr]
        c.post("/logout", data={"csrf_token": csrf})
        assert c.get("/unit", follow_redirects=False).status_code == 303

    def test_disabled_account_is_logged_out(self, make_client: object, sqlite_engine: Engine) -> None:
        c = make_client()  # type: ignore[operator]
        login(c, "unit-a")
        with make_sessionmaker(sqlite_engine)() as s:
            accounts.set_active(s, "unit-a", False)
        assert c.get("/unit", follow_redirects=False).status_code == 303


@pytest.mark.usefixtures("people")
class TestCsrf:
    def test_form_without_token_refused(self, make_client: object) -> None:
        c = make_client()  # type: ignore[operator]
        login(c, "bureau")
        r = c.post("/review/claim-next", data={})
        assert r.status_code == 403 and "页面已过期" in r.json()["message"]

    def test_cookie_api_call_needs_header(self, make_client: object) -> None:
        c = make_client()  # type: ignore[operator]
        csrf = login(c, "bureau")
        assert c.post("/api/review/claim-next", json={}).status_code == 403
        assert c.post("/api/review/claim-next", json={}, headers={"X-CSRF-Token": csrf}).status_code == 200

    def test_api_token_needs_no_csrf(self, make_client: object, sqlite_engine: Engine) -> None:
        with make_sessionmaker(sqlite_engine)() as s:
            token = accounts.issue_token(s, accounts.find_user(s, "bureau"), "script")  # type: ignore[arg-type]
        c = make_client()  # type: ignore[operator]
        r = c.post("/api/review/claim-next", json={}, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json() == {"task": None}
        bad = c.get("/api/review/tasks", headers={"Authorization": "Bearer dsr_guess"})
        assert bad.status_code == 401


@pytest.mark.usefixtures("people")
class TestUnitSubmit:
    def test_campaign_must_be_chosen_and_recommender_named_where_the_flow_needs_one(
            self, make_client: object) -> None:
        """GIVEN the unit's page WHEN it is sent without a campaign, or for Jinhua without a recommender
        THEN it comes back with the reason in Chinese and nothing is created; with both it enters review."""
        c = make_client()  # type: ignore[operator]
        csrf = login(c, "unit-a")
        assert '<option value="">请选择评选活动</option>' in c.get("/unit").text
        files = [("files", ("申报表.docx", jinhua_form_docx(), "application/octet-stream"))]
        for data, says in (({}, "请选择评选活动"), ({"campaign": "jinhua-2015"}, "公示并推荐，请选择推荐单位。")):
            r = c.post("/unit/submit", data={**data, "csrf_token": csrf}, files=files)
            assert r.status_code == 200 and says in r.text, r.text
            assert "data-id=" not in r.text
        r = c.post("/unit/submit", files=files,
                   data={"campaign": "jinhua-2015", "recommender": "武义县直机关工委", "csrf_token": csrf})
        # a draft, not yet in review: the unit submits it from its page once the checks are done
        assert "草稿已建立" in r.text and ("检查中" in r.text or "待提交" in r.text)
        assert "本地本系统范围内公示" not in r.text


HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.usefixtures("people")
class TestPlainUploadPage:
    def test_logged_in_form_carries_the_token_and_is_accepted(self, make_client: object) -> None:
        """GIVEN a logged-in unit on `/` WHEN the form (no script) posts to its own action THEN the
        upload is accepted and owned by the unit; the same post without the token is refused."""
        c = make_client()  # type: ignore[operator]
        csrf = login(c, "unit-a")
        page = c.get("/").text
        action = re.search(r'<form id="upload-form" action="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert action == "/submit" and f'data-csrf="{csrf}"' in page and csrf not in action
        assert f'<input type="hidden" name="csrf_token" value="{csrf}">' in page
        data = {"campaign": "yueyang-2017", "organisation": "随便写的单位"}

        def files() -> list[tuple[str, tuple[str, bytes, str]]]:
            return [("files", ("申报表.docx", jinhua_form_docx(), "application/octet-stream"))]
        assert c.post("/submit", data=data, files=files(), headers=HTML).status_code == 403
        r = c.post(action, data={**data, "csrf_token": csrf}, files=files(), follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/submissions/")
        sid = r.headers["location"].rsplit("/", 1)[1]
        assert sid in c.get("/unit").text       # owned by the logged-in unit, not the typed name

    def test_anonymous_page_has_no_token(self, make_client: object) -> None:
        page = make_client().get("/").text  # type: ignore[operator]
        assert 'action="/submit"' in page and 'data-csrf=""' in page


@pytest.mark.usefixtures("people")
class TestErrorPages:
    def test_a_refused_action_on_a_page_is_a_chinese_page_and_the_api_keeps_json(
            self, make_client: object) -> None:
        """GIVEN a task another reviewer holds WHEN a browser asks to claim it THEN a Chinese HTML page
        says why (409); the same refusal through the API, or without Accept: text/html, is JSON."""
        unit, first, second = make_client(), make_client(), make_client()  # type: ignore[operator]
        upload_as(unit, login(unit, "unit-a"))
        csrf1 = login(first, "bureau")
        task = first.post("/api/review/claim-next", json={}, headers={"X-CSRF-Token": csrf1}).json()["task"]
        with make_sessionmaker(first.app.state.engine)() as s:  # type: ignore[attr-defined]
            accounts.create_user(s, username="bureau2", password=PASSWORD, role="reviewer",
                                 stage_id="bureau_review")
        csrf2 = login(second, "bureau2")
        page = second.post(f"/review/tasks/{task['id']}/claim", data={"csrf_token": csrf2}, headers=HTML)
        assert page.status_code == 409 and page.headers["content-type"].startswith("text/html")
        assert "已被领取" in page.text and "<h1>操作未完成</h1>" in page.text and '"task.conflict"' not in page.text
        api = second.post(f"/api/review/tasks/{task['id']}/claim", json={}, headers={**HTML, "X-CSRF-Token": csrf2})
        assert api.status_code == 409 and api.json()["error"] == "task.conflict"
        plain = second.post(f"/review/tasks/{task['id']}/claim", data={"csrf_token": csrf2})
        assert plain.status_code == 409 and plain.json()["error"] == "task.conflict"

    def test_unknown_page_csrf_and_login_for_browsers(self, make_client: object) -> None:
        """A browser gets a Chinese 404 page, a Chinese page for a stale form, and the login page."""
        c = make_client()  # type: ignore[operator]
        assert c.get("/review", headers=HTML, follow_redirects=False).headers["location"].startswith("/login")
        login(c, "bureau")
        missing = c.get("/no/such/page", headers=HTML)
        assert missing.status_code == 404 and "找不到页面或材料" in missing.text
        stale = c.post("/review/claim-next", data={"csrf_token": "stale"}, headers=HTML)
        assert stale.status_code == 403 and "页面已过期" in stale.text and "<html" in stale.text
        assert c.get("/api/no/such", headers=HTML).json()["error"] == "not_found"


@pytest.mark.usefixtures("people")
class TestUnitIsolation:
    def test_unit_cannot_read_download_or_change_another_units_submission(self, make_client: object) -> None:
        """GIVEN unit A's submission WHEN unit B asks for it by id (page, status, findings, file,
        upload, resubmit, history) THEN every answer is 'not found', as for an id that does not exist."""
        a, b = make_client(), make_client()  # type: ignore[operator]
        csrf_a, csrf_b = login(a, "unit-a"), login(b, "unit-b")
        sid = upload_as(a, csrf_a)
        status = a.get(f"/api/submissions/{sid}").json()
        fid = status["files"][0]["id"]
        assert a.get(f"/api/submissions/{sid}/files/{fid}/original").status_code == 200
        h = {"X-CSRF-Token": csrf_b}
        for url in (f"/api/submissions/{sid}", f"/api/submissions/{sid}/findings", f"/submissions/{sid}",
                    f"/api/submissions/{sid}/files/{fid}/original", f"/submissions/{sid}/panel",
                    f"/api/review/submissions/{sid}/history", f"/review/submissions/{sid}/history",
                    f"/review/files/{sid}/{fid}"):
            assert b.get(url, headers=h).status_code == 404, url
        r = b.post(f"/api/submissions/{sid}/files", headers=h,
                   files=[("files", ("x.docx", b"PK", "application/octet-stream"))])
        assert r.status_code == 404
        assert b.post(f"/api/review/submissions/{sid}/resubmit", headers=h).status_code == 404
        assert b.get(f"/api/submissions/{'0' * 32}", headers=h).status_code == 404
        assert sid not in b.get("/unit").text

    def test_no_submission_in_another_organisations_name(self, make_client: object) -> None:
        """GIVEN unit B WHEN it creates a submission typing unit A's name THEN it is refused (403, in
        Chinese) and nothing appears on A's page; in its own name it is created, owned by B alone."""
        a, b = make_client(), make_client()  # type: ignore[operator]
        login(a, "unit-a")
        csrf_b = login(b, "unit-b")
        r = b.post("/api/submissions", json={"campaign": "yueyang-2017", "organisation": "甲局机关党支部"},
                   headers={"X-CSRF-Token": csrf_b})
        assert r.status_code == 403 and "本单位" in r.json()["message"]
        assert 'data-id="' not in a.get("/unit").text
        r = b.post("/api/submissions", json={"campaign": "yueyang-2017", "organisation": "乙局机关党支部",
                                             "applicant_kind": "局机关党支部"},
                   headers={"X-CSRF-Token": csrf_b})
        assert r.status_code == 201
        sid = r.json()["id"]
        assert b.get(f"/api/submissions/{sid}").status_code == 200
        assert a.get(f"/api/submissions/{sid}").status_code == 404


@pytest.mark.usefixtures("people")
class TestReviewerScope:
    def test_reviewer_sees_only_own_stage(self, make_client: object) -> None:
        unit, bureau, city = make_client(), make_client(), make_client()  # type: ignore[operator]
        sid = upload_as(unit, login(unit, "unit-a"))
        csrf_b, csrf_c = login(bureau, "bureau"), login(city, "city")
        assert [t["submission_id"] for t in bureau.get("/api/review/tasks").json()] == [sid]
        assert city.get("/api/review/tasks").json() == []
        assert city.post("/api/review/claim-next", json={}, headers={"X-CSRF-Token": csrf_c}).json()["task"] is None
        assert city.get(f"/api/submissions/{sid}").status_code == 404
        assert bureau.get(f"/api/submissions/{sid}").status_code == 200
        t = bureau.post("/api/review/claim-next", json={}, headers={"X-CSRF-Token": csrf_b}).json()["task"]
        assert t["stage_id"] == "bureau_review"
        assert "审核台" in bureau.get(f"/review/tasks/{t['id']}").text

    def test_admin_page_binds_people(self, make_client: object) -> None:
        c = make_client()  # type: ignore[operator]
        csrf = login(c, "admin")
        r = c.post("/admin/users", data={"csrf_token": csrf, "username": "zfw", "password": PASSWORD,
                                         "role": "reviewer", "stage_id": "joint_review_county",
                                         "department": "政法委"}, follow_redirects=False)
        assert r.status_code == 303
        page = c.get("/admin/users").text
        assert 'data-user="zfw"' in page and "政法委" in page
        unit = make_client()  # type: ignore[operator]
        login(unit, "unit-a")
        assert unit.get("/admin/users").status_code == 403


class TestCli:
    def test_user_add_list_disable(self, settings: Settings, sqlite_engine: Engine,
                                   monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        monkeypatch.setenv("DOSSIER_NEW_PASSWORD", PASSWORD)
        assert cli_main(["user", "add", "zj", "--role", "reviewer", "--stage", "material_review",
                         "--department", "市直机关工委组宣处"], settings) == 0
        assert cli_main(["user", "list"], settings) == 0
        assert "zj\treviewer" in capsys.readouterr().out
        assert cli_main(["user", "disable", "zj"], settings) == 0
        assert cli_main(["user", "list"], settings) == 0
        assert "disabled" in capsys.readouterr().out
        assert cli_main(["user", "add", "x", "--role", "unit"], settings) == 1     # a unit needs its organisation
