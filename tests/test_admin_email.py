"""The admin sets and changes where a person's notifications are emailed, on /admin/users and through
`PUT /api/users/{username}/email`: a malformed address is refused in Chinese and changes nothing,
every change is audited, and notifications then go to the new address."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, select

from services.auth import accounts
from storage import notifications
from storage.db import make_sessionmaker
from storage.review_models import AuditEntry, User
from tests.review_helpers import PASSWORD
from tests.test_auth_access import app_settings, login, make_client, people  # noqa: F401 (fixtures)
from tests.test_flash_messages import flash_text


def _user(engine: Engine, username: str) -> User:
    with make_sessionmaker(engine)() as s:
        u = accounts.find_user(s, username)
        assert u is not None
        s.expunge(u)
        return u


def _audits(engine: Engine) -> list[dict[str, Any]]:
    with make_sessionmaker(engine)() as s:
        return [{"actor": a.actor, **a.detail} for a in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "user_email").order_by(AuditEntry.id))]


@pytest.mark.usefixtures("people")
class TestEmailOnThePeoplePage:
    def test_set_change_refuse_and_clear(self, make_client: Any, sqlite_engine: Engine) -> None:
        """GIVEN the admin on /admin/users WHEN it sets a unit's address, types a malformed one, changes
        it and clears it THEN each is saved (and shown in the row) or refused in Chinese, and audited."""
        c = make_client()
        csrf = login(c, "admin")
        uid = _user(sqlite_engine, "unit-a").id
        page = c.get("/admin/users").text
        assert f'action="/admin/users/{uid}/email"' in page

        def post(address: str) -> str:
            r = c.post(f"/admin/users/{uid}/email", data={"csrf_token": csrf, "email": address},
                       follow_redirects=False)
            assert r.status_code == 303 and "msg=" not in r.headers["location"]
            return c.get(r.headers["location"]).text

        page = post(" jia@example.cn ")
        assert "unit-a 的邮箱已保存" in flash_text(page) and 'value="jia@example.cn"' in page
        assert _user(sqlite_engine, "unit-a").email == "jia@example.cn"
        page = post("jia@@example")
        assert "邮箱地址格式不正确" in flash_text(page)
        assert _user(sqlite_engine, "unit-a").email == "jia@example.cn"
        post("office@example.cn")
        post("")
        assert _user(sqlite_engine, "unit-a").email is None
        assert _audits(sqlite_engine) == [
            {"actor": "admin", "user": "unit-a", "before": None, "after": "jia@example.cn"},
            {"actor": "admin", "user": "unit-a", "before": "jia@example.cn", "after": "office@example.cn"},
            {"actor": "admin", "user": "unit-a", "before": "office@example.cn", "after": None}]

    def test_new_account_with_an_address(self, make_client: Any, sqlite_engine: Engine) -> None:
        """An account made with an address has it; one with a malformed address is not made."""
        c = make_client()
        csrf = login(c, "admin")
        form = {"csrf_token": csrf, "password": PASSWORD, "role": "operator"}
        r = c.post("/admin/users", data={**form, "username": "bad-mail", "email": "no-at-sign"})
        assert "邮箱地址格式不正确" in flash_text(r.text)
        with make_sessionmaker(sqlite_engine)() as s:
            assert accounts.find_user(s, "bad-mail") is None
        r = c.post("/admin/users", data={**form, "username": "ops2", "email": "ops2@example.cn"})
        assert "账号已创建" in flash_text(r.text)
        assert _user(sqlite_engine, "ops2").email == "ops2@example.cn"

    def test_the_api(self, make_client: Any, sqlite_engine: Engine) -> None:
        """PUT /api/users/{username}/email: the admin sets it (listed by GET /api/users), a malformed
        or control-character address is a 422 in Chinese, an operator is refused."""
        admin, op = make_client(), make_client()
        h = {"X-CSRF-Token": login(admin, "admin")}
        r = admin.put("/api/users/bureau/email", json={"email": "bureau@example.cn"}, headers=h)
        assert r.status_code == 200 and r.json()["email"] == "bureau@example.cn"
        listed = {u["username"]: u["email"] for u in admin.get("/api/users").json()}
        assert listed["bureau"] == "bureau@example.cn" and listed["unit-b"] is None
        for bad in ("bureau@", "a\x00b@example.cn"):
            r = admin.put("/api/users/bureau/email", json={"email": bad}, headers=h)
            assert r.status_code == 422 and "邮箱地址格式不正确" in r.json()["message"], bad
        assert admin.put("/api/users/nobody/email", json={"email": ""}, headers=h).status_code == 404
        assert admin.put("/api/users/bureau/email", json={"email": "x@example.cn"}).status_code == 403  # no CSRF
        with make_sessionmaker(sqlite_engine)() as s:
            accounts.create_user(s, username="op", password=PASSWORD, role="operator")
        r = op.put("/api/users/bureau/email", json={"email": "x@example.cn"},
                   headers={"X-CSRF-Token": login(op, "op")})
        assert r.status_code == 403
        assert _user(sqlite_engine, "bureau").email == "bureau@example.cn"
        assert [a["after"] for a in _audits(sqlite_engine)] == ["bureau@example.cn"]

    def test_notifications_are_then_emailed(self, make_client: Any, sqlite_engine: Engine) -> None:
        """After the admin gives a person an address, that person's next notification is queued for
        email (before: the inbox only)."""
        c = make_client()
        h = {"X-CSRF-Token": login(c, "admin")}
        uid = _user(sqlite_engine, "unit-b").id
        with make_sessionmaker(sqlite_engine)() as s:
            before = notifications.notify(s, [uid], "review.passed", "已通过。", None)[0].email_state
            s.commit()
        c.put("/api/users/unit-b/email", json={"email": "yi@example.cn"}, headers=h)
        with make_sessionmaker(sqlite_engine)() as s:
            after = notifications.notify(s, [uid], "review.passed", "已通过。", None)[0].email_state
            s.commit()
        assert (before, after) == (None, "pending")


def test_the_inbox_page_checks_the_same_way(make_client: Any, sqlite_engine: Engine) -> None:
    """The person's own address on /inbox: the same check (a NUL is refused), and audited as theirs."""
    with make_sessionmaker(sqlite_engine)() as s:
        accounts.create_user(s, username="rev", password=PASSWORD, role="reviewer", stage_id="bureau_review")
    c = make_client()
    csrf = login(c, "rev")
    page = c.post("/inbox/settings", data={"csrf_token": csrf, "email": "rev\x01@example.cn"}).text
    assert "邮箱地址格式不正确" in flash_text(page)
    page = c.post("/inbox/settings", data={"csrf_token": csrf, "email": "rev@example.cn", "email_enabled": "on"}).text
    assert "邮件提醒设置已保存" in flash_text(page) and re.search(r'value="rev@example.cn"', page)
    assert _audits(sqlite_engine) == [{"actor": "rev", "user": "rev", "before": None, "after": "rev@example.cn"}]
