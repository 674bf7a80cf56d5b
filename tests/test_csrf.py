"""CSRF on every state-changing form, login included; tokens never in a URL (issue 15)."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from storage.db import make_sessionmaker
from storage.models import StoredFile, Submission
from tests.auth_helpers import login_token
from tests.edges import jinhua_form_docx
from tests.review_helpers import PASSWORD, person
from tests.test_auth_access import app_settings, login, make_client, upload_as  # noqa: F401 (fixtures)


@pytest.fixture
def people(sqlite_engine: Engine) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        person(s, "unit-a", "unit", organisation="甲局机关党支部")
        person(s, "bureau", "reviewer", stage_id="bureau_review")
        person(s, "admin", "admin")
        person(s, "op", "operator")


def files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", ("申报表.docx", jinhua_form_docx(), "application/octet-stream"))]


def counts(engine: Engine) -> tuple[int, int]:
    with make_sessionmaker(engine)() as s:
        return (int(s.scalar(select(func.count()).select_from(Submission)) or 0),
                int(s.scalar(select(func.count()).select_from(StoredFile)) or 0))


@pytest.mark.usefixtures("people")
class TestLoginCsrf:
    def test_login_without_the_forms_token_is_refused(self, make_client: Any) -> None:
        """GIVEN a post to /login from elsewhere (no token, or a token without its cookie) THEN 403 in
        Chinese and no session; the form's own token logs in."""
        c = make_client()
        r = c.post("/login", data={"username": "unit-a", "password": PASSWORD}, follow_redirects=False)
        assert r.status_code == 403 and "页面已过期" in r.text and "dossier_session" not in r.headers.get("set-cookie", "")
        token = login_token(c)
        other = make_client()          # the attacker's page knows a token but not the victim's cookie
        r = other.post("/login", data={"username": "unit-a", "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False)
        assert r.status_code == 403
        r = c.post("/login", data={"username": "unit-a", "password": PASSWORD, "csrf_token": token},
                   follow_redirects=False)
        assert r.status_code == 303 and "dossier_session" in r.headers["set-cookie"]


@pytest.mark.usefixtures("people")
class TestUnitForms:
    def test_new_draft_refuses_a_missing_or_wrong_token_and_stores_nothing(self, make_client: Any,
                                                                             sqlite_engine: Engine) -> None:
        c = make_client()
        csrf = login(c, "unit-a")
        for data in ({"campaign": "yueyang-2017"}, {"campaign": "yueyang-2017", "csrf_token": "forged"}):
            r = c.post("/unit/submit", data=data, files=files(), follow_redirects=False)
            assert r.status_code == 303 and "页面已过期" in unquote(r.headers.get("set-cookie", ""))
            assert counts(sqlite_engine) == (0, 0)
        r = c.post("/unit/submit", data={"campaign": "yueyang-2017", "applicant_kind": "局机关党支部",
                                         "csrf_token": csrf}, files=files(),
                   follow_redirects=False)
        assert r.status_code == 303 and counts(sqlite_engine) == (1, 1)

    def test_resubmit_and_page_forms_refuse_a_wrong_token(self, make_client: Any, sqlite_engine: Engine) -> None:
        """GIVEN the unit's own draft WHEN its upload, delete, submit and resubmit forms are posted with a
        forged token THEN nothing is stored, removed or submitted."""
        c = make_client()
        csrf = login(c, "unit-a")
        sid = upload_as(c, csrf, submit=False)
        with make_sessionmaker(sqlite_engine)() as s:
            fid = s.scalar(select(StoredFile.id).where(StoredFile.submission_id == sid))
        before = counts(sqlite_engine)
        bad = {"csrf_token": "forged"}
        c.post(f"/unit/submissions/{sid}/resubmit", data=bad, files=files())
        c.post(f"/submissions/{sid}/files", data=bad, files=files())
        c.post(f"/submissions/{sid}/files/{fid}/delete", data=bad)
        c.post(f"/submissions/{sid}/submit", data={**bad, "warnings_read": "1"})
        assert counts(sqlite_engine) == before
        assert c.get(f"/api/submissions/{sid}").json()["submission"]["state"] == "checked"
        assert "提交审核" in c.get(f"/submissions/{sid}").text     # still a draft to submit

    def test_a_token_in_the_query_string_is_not_accepted(self, make_client: Any) -> None:
        c = make_client()
        csrf = login(c, "bureau")
        assert c.post(f"/api/review/claim-next?csrf_token={csrf}", json={}).status_code == 403
        assert c.post("/api/review/claim-next", json={}, headers={"X-CSRF-Token": csrf}).status_code == 200


@pytest.mark.usefixtures("people")
def test_no_page_puts_the_token_in_a_url(make_client: Any) -> None:
    """GIVEN every role's pages WHEN their links, form actions, sources and redirects are read THEN
    the session's CSRF token is in none of them (it would reach access logs and Referer headers)."""
    unit = make_client()
    csrf = login(unit, "unit-a")
    sid = upload_as(unit, csrf, submit=False)
    seen = 0
    for username, pages in (("unit-a", ["/", "/unit", f"/submissions/{sid}", f"/submissions/{sid}/panel"]),
                            ("bureau", ["/review"]), ("admin", ["/admin/users", "/review", "/admin/packets"]),
                            ("op", ["/ops"])):
        c: TestClient = unit if username == "unit-a" else make_client()
        token = csrf if username == "unit-a" else login(c, username)
        for page in pages:
            html = c.get(page).text
            assert token in html, page               # the token is on the page (a hidden field) …
            urls = re.findall(r'(?:href|action|src)="([^"]*)"', html)
            assert urls and not [u for u in urls if token in u or "csrf" in u], page   # … never in a URL
            seen += 1
    r = unit.post(f"/submissions/{sid}/submit", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and csrf not in r.headers["location"]
    assert seen == 9
