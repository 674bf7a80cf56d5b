"""以后每年对创建单位和示范单位进行复查验收，实行动态管理 (yueyang): the relay's loop opens each
titled unit's 复查 when its year comes; a failed one withdraws the title; the outcome of every year is
recorded and listed.  The clock is moved over the years; people act through the API on PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.review import flow, queue
from tests.review_helpers import person, submission
from tests.rules_world import LEASE, api, caller, open_tasks, pg_sessions  # noqa: F401  (fixtures)
from workers.relay import Relay

pytestmark = pytest.mark.services

Y = "yueyang-2017"
UTC = dt.timezone.utc
T0 = dt.datetime(2017, 12, 20, 2, tzinfo=UTC)          # 年底 验收: 基层党建创建单位


def _decide(s: Session, who: Any, sid: str, decision: str, payload: dict[str, Any], when: dt.datetime) -> None:
    [t] = open_tasks(s, sid)
    queue.claim(s, who, t.id, lease_seconds=LEASE, now=when)
    flow.decide(s, who, t.id, decision, payload, now=when)


def at_acceptance(s: Session, boss: Any, organisation: str) -> str:
    """An application through the bureau and the report up, at the year-end 验收."""
    items = get_campaign(Y).document("score_sheet").rubric.items
    sid = submission(s, Y, organisation)
    flow.start_review(s, None, sid, now=T0 - dt.timedelta(days=200))
    _decide(s, boss, sid, "pass", {"opinion": "同意", "scores": {i.key: i.max for i in items}, "signed_by": "李明",
                                   "opinion_date": "2017-05-12",
                                   "inspection": {"date": "2017-05-10", "notes": "台账齐全"}}, T0 - dt.timedelta(days=190))
    _decide(s, boss, sid, "pass", {"opinion": "同意上报", "sealed": True, "opinion_date": "2017-06-01"},
            T0 - dt.timedelta(days=180))
    return sid


def titled(s: Session, boss: Any, sid: str, second: str) -> str:
    """The year-end 验收 at T0 (创建单位), then the 验收 a year later: `second` is pass (示范单位) or
    reject (stays 创建单位)."""
    _decide(s, boss, sid, "pass", {"opinion": "验收合格"}, T0)
    a_year = T0 + dt.timedelta(days=366)
    _decide(s, boss, sid, second, {"opinion": "再次验收", "reasons": "再次验收未达标"}, a_year)
    return sid


def year(n: int) -> dt.datetime:
    """A day after the n-th anniversary of the year-end 验收."""
    return T0.replace(year=T0.year + n) + dt.timedelta(days=1)


def test_two_years_of_reinspection(settings: Settings, api: TestClient, pg_sessions: sessionmaker[Session]) -> None:
    """GIVEN a 示范单位 and a 创建单位 that failed its second 验收 WHEN the years come THEN each year the
    relay's loop opens one 复查 per titled unit (never twice); the reviewer passes or withdraws through
    the API; a withdrawn title is re-inspected no more; every year's outcome is listed."""
    inspector = caller(api, pg_sessions, "insp", "reviewer", campaign_id=Y, stage_id="yearly_reinspection")
    admin = caller(api, pg_sessions, "admin", "admin")
    with pg_sessions() as s:
        boss = person(s, "boss", "admin")
        # three at the year-end 验收, two made 创建单位 (按一定比例: 0.5 in the file)
        sids = [at_acceptance(s, boss, org) for org in ("局机关党支部", "市律师协会党总支部", "局直单位党组织")]
        demo, build = titled(s, boss, sids[0], "pass"), titled(s, boss, sids[1], "reject")
        assert flow.review_of(s, demo).title == "基层党建示范单位"
        assert flow.review_of(s, build).title == "基层党建创建单位"
    relay = Relay(settings, sessions=pg_sessions)

    # the second 验收 counted for 2018; nothing is due before its anniversary
    assert relay.open_reinspections(year(2) - dt.timedelta(days=3)) == 0
    assert inspector.tasks() == []

    # 2019: both kinds of title are re-inspected, once
    assert relay.open_reinspections(year(2)) == 2
    assert relay.open_reinspections(year(2)) == 0
    tasks = {t["submission_id"]: t for t in inspector.tasks()}
    assert set(tasks) == {demo, build} and {t["data"]["year"] for t in tasks.values()} == {2019}
    for sid in (demo, build):
        r = inspector.decide(tasks[sid]["id"], "pass", opinion="复查合格")
        assert r.status_code == 200 and r.json()["title"] is not None, r.text
    assert inspector.tasks() == []

    # 2020: the 创建单位 fails: its title is withdrawn
    assert relay.open_reinspections(year(3)) == 2
    tasks = {t["submission_id"]: t for t in inspector.tasks()}
    r = inspector.decide(tasks[build]["id"], "withdraw")
    assert r.status_code == 422 and "理由" in r.json()["message"]
    r = inspector.decide(tasks[build]["id"], "withdraw", reasons="复查不合格：党费收缴未按时足额")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn" and r.json()["title"] is None
    assert inspector.decide(tasks[demo]["id"], "pass", opinion="复查合格").status_code == 200

    # 2021: only the title still held is re-inspected
    assert relay.open_reinspections(year(4)) == 1
    assert [t["submission_id"] for t in inspector.tasks()] == [demo]

    outcomes = admin.get(f"/api/review/campaigns/{Y}/reinspections").json()
    got = [(o["year"], o["submission_id"], o["outcome"]) for o in outcomes]
    assert sorted(got) == sorted([(2019, demo, "pass"), (2019, build, "pass"), (2020, demo, "pass"),
                                  (2020, build, "withdraw"), (2021, demo, None)])
    [failed] = [o for o in outcomes if o["outcome"] == "withdraw"]
    assert failed["title"] == "基层党建创建单位" and "党费" in failed["reasons"] and failed["decided_by"] == "insp"
    assert failed["outcome_label"] == "复查不合格，撤销称号"


def test_a_year_after_a_leap_day_is_the_last_day_of_february() -> None:
    """Month arithmetic for the yearly re-inspection: a month's missing day is its last day."""
    import datetime as dt

    from workers.routing.yearly import add_months

    assert add_months(dt.datetime(2024, 2, 29, 9), 12) == dt.datetime(2025, 2, 28, 9)
    assert add_months(dt.datetime(2023, 1, 31), 1) == dt.datetime(2023, 2, 28)
    assert add_months(dt.datetime(2024, 1, 31), 1) == dt.datetime(2024, 2, 29)
    assert add_months(dt.datetime(2017, 12, 15), 12) == dt.datetime(2018, 12, 15)
