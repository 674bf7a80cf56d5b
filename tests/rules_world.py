"""The world of the campaign-rules tests (locality, eligibility, deadlines, re-inspection, lists):
the API on PostgreSQL, people with API tokens, and the flow's earlier stages walked through the
service layer where the notice's calendar matters (a 公示 of 2015 ended long ago).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from services.review import flow, queue
from storage.db import make_sessionmaker
from storage.objects import open_store
from storage.review_models import ReviewTask, User
from tests.review_helpers import PASSWORD, submission

LEASE = 600
UTC = dt.timezone.utc


@dataclass
class Caller:
    """Someone calling the API with a token."""
    http: TestClient
    token: str

    @property
    def h(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, headers=self.h, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.http.post(url, headers=self.h, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.http.put(url, headers=self.h, **kw)

    def tasks(self, **params: str) -> list[dict[str, Any]]:
        r = self.get("/api/review/tasks", params=params)
        assert r.status_code == 200, r.text
        return list(r.json())

    def decide(self, task_id: str, decision: str, **payload: Any) -> Any:
        assert self.post(f"/api/review/tasks/{task_id}/claim").status_code == 200
        return self.post(f"/api/review/tasks/{task_id}/decision", json={"decision": decision, **payload})


@pytest.fixture
def pg_sessions(pg_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(pg_engine)


@pytest.fixture
def api(settings: Settings, pg_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=pg_engine, store=open_store(settings))) as c:
        yield c


def caller(http: TestClient, sessions: sessionmaker[Session], username: str, role: str, **binding: Any) -> Caller:
    with sessions() as s:
        user = accounts.create_user(s, username=username, password=PASSWORD, role=role, **binding)
        return Caller(http, accounts.issue_token(s, user, "test"))


def user(s: Session, username: str) -> User:
    found = accounts.find_user(s, username)
    assert found is not None
    return found


def open_tasks(s: Session, sid: str) -> list[ReviewTask]:
    return list(s.scalars(select(ReviewTask).where(ReviewTask.submission_id == sid, ReviewTask.state == "open")))


def through_notice(s: Session, campaign: str, organisation: str, recommender: str, rec: User,
                   start: dt.date = dt.date(2015, 10, 19)) -> str:
    """A submission whose recommender's 公示 went up on `start` (recorded that day) and ended: the
    stage after it is open."""
    sid = submission(s, campaign, organisation, recommender)
    flow.start_review(s, None, sid)
    [notice] = open_tasks(s, sid)
    that_day = dt.datetime.combine(start, dt.time(2), tzinfo=UTC)
    queue.claim(s, rec, notice.id, lease_seconds=LEASE, now=that_day)
    flow.start_notice(s, rec, notice.id, start, now=that_day)
    later = that_day + dt.timedelta(days=14)
    queue.claim(s, rec, notice.id, lease_seconds=LEASE, now=later)
    flow.decide(s, rec, notice.id, "pass", {}, now=later)
    return sid
