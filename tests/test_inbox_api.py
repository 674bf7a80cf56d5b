"""The inbox as JSON (`/api/inbox`): a person's own notifications, newest first, paged, with the
unread count; marking read by id or all; email on or off — each the same as on the /inbox page."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from services.auth import accounts
from storage import notifications
from storage.db import make_sessionmaker
from tests.test_auth_access import app_settings, login, make_client, people  # noqa: F401 (fixtures)


def _notify(engine: Engine, username: str, n: int) -> list[int]:
    """`n` notifications for `username`, oldest first; their ids."""
    with make_sessionmaker(engine)() as s:
        uid = accounts.find_user(s, username).id  # type: ignore[union-attr]
        ids = [notifications.notify(s, [uid], "review.returned", f"第 {i} 条：申报被退回。", "/unit")[0].id
               for i in range(n)]
        s.commit()
        return ids


@pytest.mark.usefixtures("people")
class TestInboxApi:
    def test_list_pages_newest_first_with_the_unread_count(self, make_client: Any, sqlite_engine: Engine) -> None:
        """GIVEN five notifications for unit-a and one for unit-b WHEN unit-a pages through two at a
        time THEN it gets its own five, newest first, each page pointing to the next, and 5 unread."""
        ids = _notify(sqlite_engine, "unit-a", 5)
        _notify(sqlite_engine, "unit-b", 1)
        c = make_client()
        login(c, "unit-a")
        seen, before, pages = [], None, 0
        while True:
            r = c.get("/api/inbox", params={"limit": 2, **({"before": before} if before else {})})
            assert r.status_code == 200
            body = r.json()
            assert body["unread"] == 5
            seen += [x["id"] for x in body["items"]]
            pages += 1
            before = body["next_before"]
            if before is None:
                break
        assert seen == ids[::-1] and pages == 3
        first = c.get("/api/inbox").json()["items"][0]
        assert first["text"] == "第 4 条：申报被退回。" and first["label"] == "申报被退回"
        assert first["read"] is False and first["link"] == "/unit" and first["created_at"]
        assert c.get("/api/inbox", params={"limit": 0}).status_code == 422

    def test_mark_read_by_id_or_all_only_ones_own(self, make_client: Any, sqlite_engine: Engine) -> None:
        """Marking by id reads only those (another person's id is ignored), `all` the rest; the page
        and the API agree on the count; a body with neither is refused in Chinese."""
        mine = _notify(sqlite_engine, "unit-a", 3)
        theirs = _notify(sqlite_engine, "unit-b", 1)
        c = make_client()
        h = {"X-CSRF-Token": login(c, "unit-a")}
        r = c.post("/api/inbox/read", json={"ids": [mine[0], theirs[0]]}, headers=h)
        assert r.status_code == 200 and r.json() == {"marked": 1, "unread": 2}
        items = {x["id"]: x["read"] for x in c.get("/api/inbox").json()["items"]}
        assert items == {mine[0]: True, mine[1]: False, mine[2]: False}
        r = c.post("/api/inbox/read", json={}, headers=h)
        assert r.status_code == 422 and "请指定要标为已读的消息" in r.json()["message"]
        assert c.post("/api/inbox/read", json={"all": True}).status_code == 403      # no CSRF header
        assert c.post("/api/inbox/read", json={"all": True}, headers=h).json() == {"marked": 2, "unread": 0}
        other = make_client()
        login(other, "unit-b")
        assert other.get("/api/inbox").json()["unread"] == 1        # unit-b's own is still unread

    def test_email_setting_as_the_inbox_page_shows_it(self, make_client: Any) -> None:
        """Turning email off through the API is what the inbox page then shows, and back on."""
        c = make_client()
        h = {"X-CSRF-Token": login(c, "unit-a")}
        r = c.put("/api/inbox/settings", json={"email_enabled": False}, headers=h)
        assert r.status_code == 200 and r.json()["email_enabled"] is False
        assert 'name="email_enabled" checked' not in c.get("/inbox").text
        r = c.put("/api/inbox/settings", json={"email_enabled": True}, headers=h)
        assert r.json()["email_enabled"] is True
        assert 'name="email_enabled" checked' in c.get("/inbox").text
        assert c.put("/api/inbox/settings", json={"email_enabled": "perhaps"}, headers=h).status_code == 422

    def test_an_api_token_and_no_login(self, make_client: Any, sqlite_engine: Engine) -> None:
        """A script with the person's API token reads the inbox (no CSRF needed); nobody else does."""
        _notify(sqlite_engine, "bureau", 1)
        with make_sessionmaker(sqlite_engine)() as s:
            token = accounts.issue_token(s, accounts.find_user(s, "bureau"))  # type: ignore[arg-type]
        c = make_client()
        auth = {"Authorization": f"Bearer {token}"}
        assert c.get("/api/inbox", headers=auth).json()["unread"] == 1
        assert c.post("/api/inbox/read", json={"all": True}, headers=auth).json()["marked"] == 1
        anon = make_client()
        assert anon.get("/api/inbox").status_code == 401
