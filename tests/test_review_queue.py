"""Reviewer queues: claims under concurrency (PostgreSQL, SKIP LOCKED), leases, scope, audit."""
from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from services.review import flow, queue
from services.security import audit
from services.kit.errors import DomainError
from storage.db import make_engine, make_sessionmaker
from storage.models import utcnow
from storage.review_models import AuditEntry, ReviewTask
from tests.review_helpers import person, submission

LEASE = 600


def _queue_of(session: Session, n: int) -> list[str]:
    ids = []
    for i in range(n):
        sid = submission(session, "yueyang-2017", f"支部{i}")
        flow.start_review(session, None, sid)
        ids.append(sid)
    return ids


@pytest.mark.services
class TestConcurrentClaims:
    def test_twenty_reviewers_each_task_claimed_once(self, pg_engine: Engine) -> None:
        """GIVEN 30 tasks in one queue WHEN 20 reviewers claim at the same moment, repeatedly
        THEN every task is claimed exactly once and nobody waits on a locked row."""
        # a pool as large as the crowd: with fewer connections the threads would queue for
        # one instead of contending for the rows, which is what this test is about
        wide = make_engine(pg_engine.url.render_as_string(hide_password=False), pool_size=22)
        sessions = make_sessionmaker(wide)
        with sessions() as s:
            _queue_of(s, 30)
            users = [person(s, f"r{i}", "reviewer", stage_id="bureau_review") for i in range(20)]
        claimed: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(20)

        def work(user_index: int) -> None:
            with sessions() as s:
                user = s.get(type(users[0]), users[user_index].id)
                s.commit()
                barrier.wait()
                while (task := queue.claim_next(s, user, lease_seconds=LEASE)) is not None:
                    with lock:
                        claimed.append(task.id)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        wide.dispose()
        assert len(claimed) == 30 and max(Counter(claimed).values()) == 1
        with sessions() as s:
            assert s.scalar(select(text("count(*)")).select_from(AuditEntry)
                            .where(AuditEntry.action == "claim")) == 30

    def test_audit_log_is_append_only_in_the_database(self, pg_engine: Engine) -> None:
        sessions = make_sessionmaker(pg_engine)
        with sessions() as s:
            audit.record(s, None, "claim", submission_id=None)
            s.commit()
            with pytest.raises(Exception, match="append-only"):
                s.execute(text("UPDATE audit_log SET actor = 'x'"))
            s.rollback()


class TestLeases:
    def test_expired_lease_makes_the_task_claimable_again(self, session: Session) -> None:
        a = person(session, "a", "reviewer", stage_id="bureau_review")
        b = person(session, "b", "reviewer", stage_id="bureau_review")
        _queue_of(session, 1)
        task = queue.claim_next(session, a, lease_seconds=60)
        assert task is not None and queue.claim_next(session, b, lease_seconds=60) is None
        later = utcnow() + dt.timedelta(seconds=61)
        again = queue.claim_next(session, b, lease_seconds=60, now=later)
        assert again is not None and again.id == task.id and again.assignee_id == b.id
        entry = audit.history(session, task.submission_id)[-1]
        assert entry.action == "claim" and entry.detail["lapsed_from"] == a.id

    def test_next_task_is_the_most_urgent(self, session: Session) -> None:
        """GIVEN an older task due in 15 days and a newer one already past its deadline THEN claiming
        the next task takes the overdue one first, then the other."""
        r = person(session, "r", "reviewer", stage_id="bureau_review")
        _queue_of(session, 2)
        older, newer = queue.list_tasks(session, r)
        newer.due_at = utcnow() - dt.timedelta(days=1)
        session.commit()
        first = queue.claim_next(session, r, lease_seconds=LEASE)
        second = queue.claim_next(session, r, lease_seconds=LEASE)
        assert (first.id, second.id) == (newer.id, older.id)

    def test_release_and_reassign(self, session: Session) -> None:
        a = person(session, "a", "reviewer", stage_id="bureau_review")
        b = person(session, "b", "reviewer", stage_id="bureau_review")
        other = person(session, "o", "reviewer", stage_id="report_city")
        admin = person(session, "admin", "admin")
        _queue_of(session, 1)
        task = queue.claim_next(session, a, lease_seconds=LEASE)
        with pytest.raises(DomainError):
            queue.release(session, b, task.id)
        queue.release(session, a, task.id)
        assert task.state == "open"
        with pytest.raises(DomainError) as e:
            queue.reassign(session, admin, task.id, other, lease_seconds=LEASE)
        assert e.value.code == "task.not_eligible"
        with pytest.raises(DomainError):
            queue.reassign(session, a, task.id, b, lease_seconds=LEASE)
        queue.reassign(session, admin, task.id, b, lease_seconds=LEASE)
        assert task.assignee_id == b.id and task.state == "claimed"
        actions = [e.action for e in audit.history(session, task.submission_id)]
        assert actions[-3:] == ["claim", "release", "reassign"]


class TestScope:
    def test_reviewer_sees_only_own_stage_and_department(self, session: Session) -> None:
        """GIVEN joint-review tasks for four departments THEN a 纪委 reviewer lists and claims only
        纪委's, a reviewer of another stage none."""
        jw = person(session, "jw", "reviewer", stage_id="joint_review_county", department="纪委")
        other = person(session, "other", "reviewer", stage_id="material_review")
        sid = submission(session, "jinhua-2015", "武义县某局党支部", "武义县直机关工委")
        flow.start_review(session, None, sid)
        for t in session.scalars(select(ReviewTask).where(ReviewTask.submission_id == sid)):
            t.stage_id = "joint_review_county"
        for dept in ("政法委", "纪委"):
            session.add(ReviewTask(submission_id=sid, campaign_id="jinhua-2015", stage_id="joint_review_county",
                                   department=dept, actor="reviewer", state="open", data={}))
        session.commit()
        mine = queue.list_tasks(session, jw)
        assert [t.department for t in mine] == ["纪委"]
        assert queue.list_tasks(session, other) == []
        assert queue.claim_next(session, other, lease_seconds=LEASE) is None

    def test_overdue_filter(self, session: Session) -> None:
        r = person(session, "r", "reviewer", stage_id="bureau_review")
        _queue_of(session, 2)
        tasks = queue.list_tasks(session, r)
        assert all(t.due_at is not None for t in tasks)       # due_days: 15 in the file
        later = utcnow() + dt.timedelta(days=16)
        assert len(queue.list_tasks(session, r, queue.TaskFilter(state="overdue"), now=later)) == 2
        assert queue.is_overdue(tasks[0], later) and not queue.is_overdue(tasks[0])
