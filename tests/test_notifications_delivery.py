"""Every notification event, delivered once to the inbox and once to a real SMTP server, with
the broker down while the events happen (issue 13).

GIVEN PostgreSQL, RabbitMQ and an SMTP server the test starts (aiosmtpd, loopback) WHEN a Jinhua
county point walks its review — the recommender's 公示 task assigned, 公示 started, an objection
raised and resolved, the 公示 ended (the relay's sweep), the stage passed, a joint-review task
reassigned and about to be overdue, the submission returned, its checks finished with errors —
while the relay can reach no broker THEN nothing is emailed and the outbox holds every email;
once the broker is back, the relay publishes, a worker sends, and every email arrives exactly
once (each message also delivered a second time, as a redelivery would), each person's inbox
holds each event once, a person who turned email off gets the inbox only, and another unit nothing.
"""
from __future__ import annotations

import collections
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dossier.settings import Settings
from services.review import flow, queue
from storage import notifications
from storage.db import make_sessionmaker
from storage.models import OutboxMessage
from storage.notification_models import Notification
from storage.objects import open_store
from storage.review_models import ReviewTask
from tests.conftest import delete_queues, free_port, queue_names, unique
from tests.review_helpers import person, submission
from tests.test_notifications import Mailbox, mail_settings, smtp_server  # noqa: F401 (fixture)
from workers import notify, steps
from workers.celery_app import make_celery
from workers.relay import Relay

COUNTY = "武义县直机关工委"
ORG = "武义县某局机关支部"
DEPTS = ["政法委", "纪委", "卫生计生局", "信访局"]
UTC = dt.timezone.utc


def _events(session: Session, user_id: str) -> collections.Counter[str]:
    return collections.Counter(session.scalars(select(Notification.event).where(Notification.user_id == user_id)))


def walk_the_review(sessions: Any, cfg: Settings) -> dict[str, str]:
    """Every event, through the code that makes it happen; returns the people's ids."""
    with sessions() as s:
        unit = person(s, "unit", "unit", organisation=ORG)
        quiet = person(s, "unit-quiet", "unit", organisation=ORG)
        other = person(s, "other", "unit", organisation="其他单位")
        rec = person(s, "rec", "recommender", organisation=COUNTY)
        reviewers = {d: person(s, f"r{i}", "reviewer", stage_id="joint_review_county", department=d)
                     for i, d in enumerate(DEPTS)}
        admin = person(s, "admin", "admin")
        for u in (unit, quiet, other, rec, *reviewers.values()):
            u.email = f"{u.username}@example.org"
        notifications.set_email_enabled(s, quiet.id, False)
        s.commit()
        sid = submission(s, "jinhua-2015", ORG, COUNTY)
        flow.start_review(s, None, sid)                                    # task.assigned (rec)
        [notice] = s.scalars(select(ReviewTask).where(ReviewTask.submission_id == sid)).all()
        queue.claim(s, rec, notice.id, lease_seconds=600)
        flow.start_notice(s, rec, notice.id, dt.date(2015, 9, 30),          # notice.started
                          now=dt.datetime(2015, 9, 30, 2, tzinfo=UTC))
        obj = flow.raise_objection(s, rec, sid, "群众反映材料与事实不符")       # objection.raised
        flow.resolve_objection(s, rec, obj.id, "经核实，反映不属实")            # objection.resolved
        after = dt.datetime(2015, 10, 13, 3, tzinfo=UTC)
        notify.sweep(sessions, cfg, now=after)                             # notice.ended (unit, rec)
        notify.sweep(sessions, cfg, now=after)                             # the next pass adds nothing
        flow.decide(s, rec, notice.id, "pass", {}, now=after)              # review.passed
        task = s.scalar(select(ReviewTask).where(ReviewTask.submission_id == sid, ReviewTask.department == "纪委"))
        assert task is not None
        queue.reassign(s, admin, task.id, reviewers["纪委"], lease_seconds=600)  # task.assigned (纪委)
        due = task.due_at or after + dt.timedelta(days=10)
        task.due_at = due
        s.commit()
        notify.sweep(sessions, cfg, now=due - dt.timedelta(hours=2))       # task.due_soon (纪委 holds it)
        for d in ("政法委", "卫生计生局", "信访局"):                         # the joint review's others pass
            t = s.scalar(select(ReviewTask).where(ReviewTask.submission_id == sid, ReviewTask.department == d))
            assert t is not None
            queue.claim(s, reviewers[d], t.id, lease_seconds=600)
            flow.decide(s, reviewers[d], t.id, "pass", {"opinion": "无异议"}, now=due - dt.timedelta(hours=1))
        flow.decide(s, reviewers["纪委"], task.id, "return",                # review.returned
                    {"reasons": "缺少纪委出具的廉政意见，请补充。"}, now=due - dt.timedelta(hours=1))
        rt = steps.Runtime(settings=cfg, sessions=sessions, store=open_store(cfg))
        steps.check_submission(rt, sid)                                 # checks.errors (no forms)
        steps.check_submission(rt, sid)                                 # a redelivered check
        return {"unit": unit.id, "quiet": quiet.id, "other": other.id, "rec": rec.id,
                "jw": reviewers["纪委"].id, "sid": sid}


@pytest.mark.services
def test_every_event_once_in_the_inbox_and_once_by_email(
        settings: Settings, pg_schema_url: str, pg_engine: Engine, amqp_url: str,
        smtp_server: tuple[Mailbox, int]) -> None:  # noqa: F811
    box, port = smtp_server
    names = queue_names(unique("notify"))
    cfg = mail_settings(settings, port).model_copy(update={"database_url": pg_schema_url,
                                                           "broker_url": amqp_url, **names})
    sessions = make_sessionmaker(pg_engine)
    people = walk_the_review(sessions, cfg)

    unit_events = {"task.assigned": 0, "notice.started": 1, "objection.raised": 1, "objection.resolved": 1,
                   "notice.ended": 1, "review.passed": 1, "review.returned": 1, "checks.errors": 1}
    with sessions() as s:
        assert {k: v for k, v in _events(s, people["unit"]).items()} == {k: v for k, v in unit_events.items() if v}
        assert _events(s, people["quiet"]) == _events(s, people["unit"])      # email off: the inbox still
        assert _events(s, people["other"]) == {}                              # another unit: nothing
        assert _events(s, people["rec"]) == {"task.assigned": 1, "notice.ended": 1}
        assert _events(s, people["jw"])["task.assigned"] == 1 and _events(s, people["jw"])["task.due_soon"] == 1
        returned = s.scalar(select(Notification.text).where(Notification.user_id == people["unit"],
                                                            Notification.event == "review.returned"))
        assert returned is not None and "廉政意见" in returned
        pending = dict(s.execute(select(Notification.id, Notification.user_id)
                                 .where(Notification.email_state == "pending")).all())
        assert people["quiet"] not in pending.values() and len(pending) >= 13
        queued = [m.payload["args"][0] for m in s.scalars(select(OutboxMessage).where(
            OutboxMessage.topic == notifications.EMAIL_TOPIC, OutboxMessage.published_at.is_(None)))]
        assert sorted(queued) == sorted(pending)

    # the broker is down: the relay can publish nothing, the outbox keeps every email
    down = make_celery(cfg.model_copy(update={"broker_url": f"amqp://guest:guest@127.0.0.1:{free_port()}//"}),
                       broker_heartbeat=0, broker_connection_timeout=1)
    assert Relay(down.settings, down, sessions=sessions).drain_once() == 0
    assert box.messages == []

    # the broker is back: the relay publishes, a worker on the ingest queue sends
    app = make_celery(cfg, broker_heartbeat=0)
    done: list[str] = []

    def count(sender: Any = None, **_: Any) -> None:
        if getattr(sender, "name", "") == "notify.email":
            done.append("x")
    task_postrun.connect(count, weak=False)
    try:
        relay = Relay(cfg, app, sessions=sessions)
        deadline = time.monotonic() + 30
        while relay.drain_once() or _unpublished(sessions):
            assert time.monotonic() < deadline, "the outbox did not drain"
            time.sleep(0.3)
        for nid in pending:     # every message delivered a second time, as a redelivery would
            app.send_task(notifications.EMAIL_TOPIC, args=[nid])
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            deadline = time.monotonic() + 60
            while len(done) < 2 * len(pending):
                assert time.monotonic() < deadline, f"{len(done)} of {2 * len(pending)} tasks ran"
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(count)
        delete_queues(app, list(names.values()))
        app.resources.engine.dispose()

    ids = box.message_ids()
    assert sorted(ids) == sorted(f"<notification-{nid}@dossier>" for nid in pending)   # each exactly once
    with sessions() as s:
        assert set(s.scalars(select(Notification.email_state).where(Notification.id.in_(list(pending))))) == {"sent"}
        user_emails = {people[k]: f"{k if k != 'jw' else 'r1'}@example.org" for k in ("unit", "rec", "jw")}
    to_unit = [m for m in box.messages if m["To"] == user_emails[people["unit"]]]
    assert len(to_unit) == sum(unit_events.values())
    assert not [m for m in box.messages if m["To"] in ("unit-quiet@example.org", "other@example.org")]
    returned_mail = next(m for m in to_unit if "退回" in str(m["Subject"]))
    assert "廉政意见" in returned_mail.get_content() and f"/submissions/{people['sid']}" in returned_mail.get_content()


def _unpublished(sessions: Any) -> int:
    with sessions() as s:
        return len(s.scalars(select(OutboxMessage.id).where(OutboxMessage.published_at.is_(None))).all())
