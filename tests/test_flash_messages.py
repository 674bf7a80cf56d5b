"""What a form post says comes back once, in a one-time cookie, never in the address: each kind of
page's post redirects to a Location without `msg=`, the next page shows the message, a reload does
not, and a crafted `?msg=` link puts no words on a page."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine

from services.auth import accounts
from storage import notifications
from storage.db import make_sessionmaker
from tests.review_helpers import PASSWORD
from tests.test_auth_access import app_settings, login, make_client, people, upload_as  # noqa: F401 (fixtures)

FLASH = re.compile(r'<p class="[^"]*\bflash\b[^"]*"[^>]*>(.*?)</p>', re.S)


def flash_text(page: str) -> str:
    """The text of the page's message line ('' when there is none)."""
    m = FLASH.search(page)
    return m.group(1) if m else ""


def _said_once(c: Any, r: Any, words: str) -> None:
    """A post answered with a redirect whose address carries no message; the page it leads to says
    `words` once, and the same page loaded again does not."""
    assert r.status_code == 303, r.text
    where = r.headers["location"]
    assert "msg=" not in where
    assert words in flash_text(c.get(where).text)
    assert words not in flash_text(c.get(where).text)


@pytest.fixture
def operator(sqlite_engine: Engine) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        accounts.create_user(s, username="ops", password=PASSWORD, role="operator")


@pytest.mark.usefixtures("people", "operator")
class TestOneTimeMessages:
    def test_unit_page_posts(self, make_client: Any) -> None:
        """The unit's draft and its 提交审核: told on the submission's page, once."""
        c = make_client()
        csrf = login(c, "unit-a")
        sid = upload_as(c, csrf, submit=False)
        r = c.post(f"/submissions/{sid}/submit", data={"warnings_read": "1", "csrf_token": csrf},
                   follow_redirects=False)
        _said_once(c, r, "已提交审核")
        r = c.post("/unit/submit", data={"campaign": "", "csrf_token": csrf}, follow_redirects=False,
                   files=[("files", ("申报表.docx", b"x", "application/octet-stream"))])
        assert r.headers["location"] == "/unit"
        _said_once(c, r, "评选活动")

    def test_admin_users_posts(self, make_client: Any) -> None:
        """Creating an account and an invalid one on /admin/users."""
        c = make_client()
        csrf = login(c, "admin")
        r = c.post("/admin/users", data={"csrf_token": csrf, "username": "new-one", "password": PASSWORD,
                                         "role": "operator"}, follow_redirects=False)
        _said_once(c, r, "账号已创建")
        r = c.post("/admin/users", data={"csrf_token": csrf, "username": "new-two", "password": PASSWORD,
                                         "role": "unit"}, follow_redirects=False)
        _said_once(c, r, "须绑定所属单位")

    def test_ops_retry(self, make_client: Any) -> None:
        """The operator's retry of a file that is not there: told why on /ops."""
        c = make_client()
        csrf = login(c, "ops")
        r = c.post("/ops/files/no-such-file/retry", data={"csrf_token": csrf}, follow_redirects=False)
        _said_once(c, r, "找不到这个文件")

    def test_queue_action(self, make_client: Any) -> None:
        """A reviewer's 领取 on an empty queue: told on /review."""
        c = make_client()
        csrf = login(c, "city")
        r = c.post("/review/claim-next", data={"csrf_token": csrf}, follow_redirects=False)
        _said_once(c, r, "暂无可领取")

    def test_inbox_posts(self, make_client: Any, sqlite_engine: Engine) -> None:
        """Marking read and the email setting on /inbox."""
        with make_sessionmaker(sqlite_engine)() as s:
            uid = accounts.find_user(s, "unit-a").id  # type: ignore[union-attr]
            notifications.notify(s, [uid], "review.passed", "已通过。", None)
            s.commit()
        c = make_client()
        csrf = login(c, "unit-a")
        r = c.post("/inbox/read", data={"csrf_token": csrf}, follow_redirects=False)
        _said_once(c, r, "已标为已读")
        r = c.post("/inbox/settings", data={"csrf_token": csrf, "email": "不是邮箱"}, follow_redirects=False)
        _said_once(c, r, "邮箱地址格式不正确")

    def test_a_message_in_the_address_is_not_shown(self, make_client: Any) -> None:
        """A crafted link cannot put words on our pages."""
        c = make_client()
        login(c, "admin")
        for path in ("/review", "/admin/users", "/ops", "/unit", "/inbox", "/admin/campaigns"):
            page = c.get(path + "?msg=请拨打400转账").text
            assert "转账" not in page, path
