"""Notifications (issue 13): the inbox, email on or off, and the email itself through a real SMTP
server the test starts (aiosmtpd on a loopback port).

The end-to-end delivery with the broker down during the events is tests/test_notifications_delivery.py.
"""
from __future__ import annotations

import email
import email.policy
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import Settings
from services.app import create_app
from services.review import flow, queue
from storage import notifications
from storage.db import make_sessionmaker
from storage.models import OutboxMessage
from storage.notification_models import Notification
from storage.objects import open_store
from tests.auth_helpers import post_login
from tests.conftest import free_port
from tests.review_helpers import person, submission
from workers import notify


class Mailbox:
    """An aiosmtpd handler that keeps what it was given."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a loopback port, stopped after the test."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def mail_settings(settings: Settings, port: int) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False,
                                       "smtp_from": "dossier@example.org"})


def outbox_ids(session: Session) -> list[int]:
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == notifications.EMAIL_TOPIC))
    return [r.payload["args"][0] for r in rows]


class TestNotify:
    def test_email_off_means_inbox_only(self, session: Session) -> None:
        """GIVEN two people with addresses, one of whom turned email off WHEN told THEN both inboxes
        have it and only the other's email is queued; a person without an address gets the inbox."""
        on = person(session, "on", "unit", organisation="甲")
        off = person(session, "off", "unit", organisation="甲")
        bare = person(session, "bare", "unit", organisation="甲")
        on.email, off.email = "on@example.org", "off@example.org"
        notifications.set_email_enabled(session, off.id, False)
        rows = notifications.notify(session, [on.id, off.id, bare.id], "review.passed", "已通过", "/unit")
        session.commit()
        assert [notifications.unread_count(session, u.id) for u in (on, off, bare)] == [1, 1, 1]
        by_user = {r.user_id: r for r in rows}
        assert outbox_ids(session) == [by_user[on.id].id]
        assert (by_user[off.id].email_state, by_user[bare.id].email_state) == (None, None)

    def test_a_key_tells_each_person_once(self, session: Session) -> None:
        """GIVEN an event seen twice (a redelivered check, the sweep's next pass) THEN one notification."""
        u = person(session, "u", "unit", organisation="甲")
        u.email = "u@example.org"
        for _ in range(2):
            notifications.notify(session, [u.id], "task.due_soon", "即将超期", "/review", key="due:x")
            session.commit()
        assert notifications.unread_count(session, u.id) == 1 and len(outbox_ids(session)) == 1

    def test_a_lost_email_is_queued_again_once(self, session: Session) -> None:
        """GIVEN an email still pending an hour after its message went out (the message was lost)
        WHEN the sweep looks THEN it is queued again, once; one whose message is recent, or one
        already sent, is left alone."""
        import datetime as dt

        from storage.models import utcnow
        u = person(session, "u", "unit", organisation="甲")
        u.email = "u@example.org"
        lost, recent, sent = (notifications.notify(session, [u.id], "review.passed", f"x{i}", None, key=str(i))[0]
                              for i in range(3))
        session.flush()
        long_ago = utcnow() - dt.timedelta(hours=2)
        for row in (lost, recent, sent):
            row.created_at = long_ago
        sent.email_state = "sent"
        for msg in session.scalars(select(OutboxMessage)):
            msg.published_at = utcnow() - dt.timedelta(minutes=10) if msg.payload["args"] == [recent.id] else long_ago
        session.commit()
        assert notifications.requeue_lost_emails(session, utcnow()) == 1
        session.commit()
        assert outbox_ids(session).count(lost.id) == 2 and outbox_ids(session).count(recent.id) == 1
        assert notifications.requeue_lost_emails(session, utcnow()) == 0     # its new message is live

    def test_a_pass_that_gives_a_title_says_so(self, session: Session) -> None:
        """GIVEN a stage whose pass confers a title THEN the unit reads the title, not only 已通过."""
        u = person(session, "u", "unit", organisation="甲局机关党支部")
        sid = submission(session, "yueyang-2017", "甲局机关党支部")
        [row] = notifications.stage_decided(session, sid, "验收", "pass", "", "基层党建创建单位")
        assert row.user_id == u.id and "通过“验收”环节，获得“基层党建创建单位”称号" in row.text

    def test_a_disabled_account_is_not_told(self, session: Session) -> None:
        u = person(session, "u", "unit", organisation="甲")
        u.active = False
        assert notifications.notify(session, [u.id], "review.passed", "x", None) == []

    def test_malformed_address_refused_in_chinese(self) -> None:
        with pytest.raises(ValueError, match="邮箱地址格式不正确"):
            notifications.checked_email("not-an-address")
        assert notifications.checked_email("  a@b.cn ") == "a@b.cn" and notifications.checked_email("") is None


class TestSweep:
    def test_due_soon_told_once_and_only_to_the_tasks_county(self, session: Session) -> None:
        """GIVEN a 武义县 point at the county joint review and 纪委 reviewers bound to 武义县 and to
        义乌市 WHEN the sweep runs twice within a day of the tasks' deadline THEN the 武义县 reviewer is
        told once and the 义乌市 one never (本地联审: not their county's task)."""
        import datetime as dt

        from storage.review_models import ReviewTask
        rec = person(session, "rec", "recommender", organisation="武义县直机关工委")
        wuyi = person(session, "jw-wuyi", "reviewer", stage_id="joint_review_county", department="纪委",
                      campaign_id="jinhua-2015", county="武义县")
        yiwu = person(session, "jw-yiwu", "reviewer", stage_id="joint_review_county", department="纪委",
                      campaign_id="jinhua-2015", county="义乌市")
        sid = submission(session, "jinhua-2015", "武义县某局机关支部", "武义县直机关工委")
        flow.start_review(session, None, sid)
        [notice] = session.scalars(select(ReviewTask).where(ReviewTask.submission_id == sid)).all()
        queue.claim(session, rec, notice.id, lease_seconds=600)
        utc = dt.timezone.utc
        flow.start_notice(session, rec, notice.id, dt.date(2015, 9, 30), now=dt.datetime(2015, 9, 30, 2, tzinfo=utc))
        flow.decide(session, rec, notice.id, "pass", {}, now=dt.datetime(2015, 10, 13, 3, tzinfo=utc))
        task = session.scalar(select(ReviewTask).where(ReviewTask.submission_id == sid,
                                                       ReviewTask.department == "纪委"))
        assert task is not None and task.due_at is not None
        for _ in range(2):
            notifications.sweep(session, due_within=dt.timedelta(hours=24), now=task.due_at - dt.timedelta(hours=3))
            session.commit()
        texts = session.scalars(select(Notification.text).where(Notification.user_id == wuyi.id,
                                                                Notification.event == "task.due_soon")).all()
        assert len(texts) == 1 and "武义县某局机关支部" in texts[0]
        assert notifications.unread_count(session, yiwu.id) == 0
        # a day and more before the deadline: nothing yet
        assert notifications.sweep(session, due_within=dt.timedelta(hours=24),
                                   now=task.due_at - dt.timedelta(hours=30)) == 0


class TestSettingsAndCli:
    def test_placeholder_smtp_password_refused(self) -> None:
        with pytest.raises(ValueError, match="DOSSIER_SMTP_PASSWORD"):
            Settings(smtp_password="change-me")

    def test_user_add_with_email(self, settings: Settings, sqlite_engine: Engine,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
        """GIVEN `dossier user add --email` THEN the account has the address; a malformed one makes
        no account."""
        from services.cli import main as cli_main
        from storage.review_models import User
        monkeypatch.setenv("DOSSIER_NEW_PASSWORD", "correct horse 1")
        assert cli_main(["user", "add", "u1", "--role", "unit", "--organisation", "甲局",
                         "--email", "u1@example.org"], settings) == 0
        assert cli_main(["user", "add", "u2", "--role", "unit", "--organisation", "甲局",
                         "--email", "u2-at-example"], settings) == 1
        with make_sessionmaker(sqlite_engine)() as s:
            emails = dict(s.execute(select(User.username, User.email)).all())
        assert emails == {"u1": "u1@example.org"}
        # an existing account's address changed, refused when malformed, then cleared
        assert cli_main(["user", "email", "u1", "new@example.org"], settings) == 0
        assert cli_main(["user", "email", "u1", "bad"], settings) == 1
        with make_sessionmaker(sqlite_engine)() as s:
            assert s.scalar(select(User.email).where(User.username == "u1")) == "new@example.org"
        assert cli_main(["user", "email", "u1"], settings) == 0
        with make_sessionmaker(sqlite_engine)() as s:
            assert s.scalar(select(User.email).where(User.username == "u1")) is None


class TestDeliver:
    def _one(self, sessions: sessionmaker[Session], **user: Any) -> int:
        with sessions() as s:
            u = person(s, "unit1", "unit", organisation="甲局")
            for k, v in user.items():
                setattr(u, k, v)
            [row] = notifications.notify(s, [u.id], "review.returned", "“甲局”的申报被退回。原因：缺少公章。",
                                         "/submissions/abc")
            s.commit()
            return row.id

    def test_sent_once_whatever_the_deliveries(self, sessions: sessionmaker[Session], settings: Settings,
                                               smtp_server: tuple[Mailbox, int]) -> None:
        """GIVEN a pending email WHEN its task runs three times (redelivered messages) THEN the SMTP
        server gets exactly one message, in Chinese, with the row's Message-ID."""
        box, port = smtp_server
        nid = self._one(sessions, email="unit1@example.org")
        cfg = mail_settings(settings, port)
        assert [notify.deliver(sessions, cfg, nid) for _ in range(3)] == ["sent", "sent", "sent"]
        [msg] = box.messages
        assert msg["To"] == "unit1@example.org" and msg["Message-ID"] == f"<notification-{nid}@dossier>"
        assert "退回" in str(msg["Subject"]) and "缺少公章" in msg.get_content()

    def test_turned_off_after_the_event_sends_nothing(self, sessions: sessionmaker[Session],
                                                      settings: Settings, smtp_server: tuple[Mailbox, int]) -> None:
        box, port = smtp_server
        nid = self._one(sessions, email="unit1@example.org")
        with sessions() as s:
            notifications.set_email_enabled(s, s.get(Notification, nid).user_id, False)  # type: ignore[union-attr]
            s.commit()
        assert notify.deliver(sessions, mail_settings(settings, port), nid) == "skipped"
        assert box.messages == []

    def test_no_server_configured_is_inbox_only(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        nid = self._one(sessions, email="unit1@example.org")
        assert notify.deliver(sessions, settings, nid) == "skipped"

    def test_server_down_keeps_it_pending(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        """GIVEN the SMTP server unreachable WHEN the task runs THEN a transient error (the task retries)
        and the row still pending."""
        nid = self._one(sessions, email="unit1@example.org")
        with pytest.raises(OSError):
            notify.deliver(sessions, mail_settings(settings, free_port()), nid)
        with sessions() as s:
            assert s.get(Notification, nid).email_state == "pending"  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- the pages

@pytest.fixture
def client(settings: Settings, sqlite_engine: Engine) -> Iterator[Any]:
    app = create_app(settings.model_copy(update={"anonymous_uploads": False}), engine=sqlite_engine,
                     store=open_store(settings))
    clients: list[TestClient] = []

    def new(username: str) -> TestClient:
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        assert post_login(c, username, follow_redirects=False).status_code == 303
        return c
    yield new
    for c in clients:
        c.__exit__(None, None, None)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


class TestInboxPage:
    @pytest.fixture
    def world(self, sqlite_engine: Engine) -> dict[str, str]:
        with make_sessionmaker(sqlite_engine)() as s:
            a = person(s, "unit-a", "unit", organisation="甲局机关党支部")
            b = person(s, "unit-b", "unit", organisation="乙局机关党支部")
            bureau = person(s, "bureau", "reviewer", stage_id="bureau_review")
            sid = submission(s, "yueyang-2017", "甲局机关党支部")
            flow.start_review(s, None, sid)
            task = queue.claim_next(s, bureau, lease_seconds=600)
            assert task is not None
            flow.decide(s, bureau, task.id, "return", {"reasons": "简介材料超过1500字，请删减。"})
            return {"a": a.id, "b": b.id, "sid": sid}

    def test_a_unit_sees_its_own_inbox_only(self, client: Any, world: dict[str, str]) -> None:
        """GIVEN unit A's submission returned WHEN A and B open /inbox THEN A reads the reasons with a
        link to its submission and the unread count in the header; B has nothing."""
        a = client("unit-a")
        page = a.get("/inbox").text
        assert "简介材料超过1500字" in page and f'href="/submissions/{world["sid"]}"' in page
        assert re.search(r'id="unread-count"[^>]*>1<', page)
        # the same header on the unit's submission page (the other template folder)
        assert re.search(r'id="unread-count"[^>]*>1<', a.get(f"/submissions/{world['sid']}").text)
        b = client("unit-b")
        page_b = b.get("/inbox").text
        assert "简介材料超过1500字" not in page_b and "暂无消息" in page_b
        assert 'id="unread-count"' not in page_b

    def test_mark_read_needs_the_token_and_touches_only_ones_own(self, client: Any, world: dict[str, str],
                                                                 sqlite_engine: Engine) -> None:
        a, b = client("unit-a"), client("unit-b")
        with make_sessionmaker(sqlite_engine)() as s:
            [nid] = s.scalars(select(Notification.id).where(Notification.user_id == world["a"])).all()
        # B posts A's notification id with B's own token: nothing of A's changes
        r = b.post("/inbox/read", data={"id": str(nid), "csrf_token": csrf_of(b.get("/inbox").text)},
                   follow_redirects=False)
        assert r.status_code == 303
        r = a.post("/inbox/read", data={"id": str(nid)}, follow_redirects=False)
        assert r.status_code == 403
        with make_sessionmaker(sqlite_engine)() as s:
            assert notifications.unread_count(s, world["a"]) == 1
        a.post("/inbox/read", data={"id": str(nid), "csrf_token": csrf_of(a.get("/inbox").text)})
        with make_sessionmaker(sqlite_engine)() as s:
            assert notifications.unread_count(s, world["a"]) == 0
        assert 'id="unread-count"' not in a.get("/inbox").text

    def test_email_turned_off_on_the_page(self, client: Any, world: dict[str, str],
                                          sqlite_engine: Engine) -> None:
        """GIVEN a unit WHEN it saves its address with the box unticked THEN email is off for it;
        a malformed address is refused in Chinese and nothing is saved."""
        a = client("unit-a")
        token = csrf_of(a.get("/inbox").text)
        r = a.post("/inbox/settings", data={"email": "bad", "email_enabled": "on", "csrf_token": token})
        assert "邮箱地址格式不正确" in r.text
        a.post("/inbox/settings", data={"email": "a@example.org", "csrf_token": token})
        with make_sessionmaker(sqlite_engine)() as s:
            from storage.review_models import User
            assert s.get(User, world["a"]).email == "a@example.org"  # type: ignore[union-attr]
            assert not notifications.email_enabled(s, world["a"])
            count = s.scalar(select(func.count()).select_from(Notification))
            assert count == 1
