"""Deadlines per stage as the notices set them, the 公示 that cannot be backdated, and the review
inputs the forms require, through the API on PostgreSQL.

jinhua: 申报材料于11月15日前……报到市直机关工委组宣处 — the recommender's report (after its 公示 and,
for a county point, the joint review) is due then, and its units see by when it needs them; the
city's 集中表彰 is 年底前.  yueyang: 年底前 检查验收 and its report up.
"""
from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from dossier import beijing
from dossier.campaigns import get_campaign
from services.review import flow, queue
from services.security.access import record_owner
from tests.review_helpers import person, submission
from tests.rules_world import (LEASE, api, caller, open_tasks, pg_sessions, through_notice,  # noqa: F401
                               user)
from workers.packets import record
from dossier.stages import deadlines, engine

C, Y = "jinhua-2015", "yueyang-2017"
WUYI, CITY = "武义县直机关工委", "金华市财政局机关党委"


class TestTheSchedule:
    def test_stage_dates_come_from_the_file(self) -> None:
        j = {s.id: s for s in engine.stages(get_campaign(C))}
        assert j["recommender_opinion"].due == dt.date(2015, 11, 15)
        assert j["collective_decision"].due == dt.date(2015, 12, 31)
        y = {s.id: s for s in engine.stages(get_campaign(Y))}
        assert y["report_city"].due == dt.date(2017, 12, 31) and y["acceptance_year_end"].due == dt.date(2017, 12, 31)

    def test_units_by_works_back_through_the_notice_and_the_joint_review(self) -> None:
        """A county point: 11-15 less the joint review's 10 days is 11-05; the 公示 of 5 working days must
        end by 11-04 (Wednesday), so it starts by 10-29.  A city point has no joint review: 11-09."""
        c = get_campaign(C)
        assert deadlines.schedule(c, {"site_level": "county"})["units_by"] == "2015-10-29"
        assert deadlines.schedule(c, {"site_level": "city"})["units_by"] == "2015-11-09"
        # yueyang's units report to the bureau themselves: the campaign's 4月25日
        assert deadlines.schedule(get_campaign(Y), {})["units_by"] == "2017-04-25"

    def test_a_task_is_due_at_the_earlier_of_its_days_and_the_notices_date(self) -> None:
        s = engine.stage(get_campaign(C), "recommender_opinion")
        early = dt.datetime(2015, 11, 1, tzinfo=dt.timezone.utc)
        assert deadlines.task_due(s, early) == beijing.end_of_day(dt.date(2015, 11, 15))
        joint = engine.stage(get_campaign(C), "joint_review_county")
        assert deadlines.task_due(joint, early) == early + dt.timedelta(days=10)


@pytest.mark.services
class TestThroughTheApi:
    def test_recommender_report_due_11_15_and_overdue(self, api: TestClient,
                                                      pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN a city point past its 公示 WHEN its recommender lists its tasks THEN the 推荐单位意见 task
        is due at the end of 2015-11-15 (Beijing) and, that day gone, marked overdue."""
        rec = caller(api, pg_sessions, "rec", "recommender", organisation=CITY)
        unit = caller(api, pg_sessions, "unit", "unit", organisation="金华市某局机关支部")
        with pg_sessions() as s:
            sid = through_notice(s, C, "金华市某局机关支部", CITY, user(s, "rec"))
            record_owner(s, user(s, "unit"), sid)
        [task] = rec.tasks()
        assert task["stage_id"] == "recommender_opinion" and task["overdue"] is True
        assert task["due_at"] == "2015-11-15T16:00:00+00:00"
        assert [t["id"] for t in rec.tasks(state="overdue")] == [task["id"]]
        # the unit sees the date its recommender reports by, and by when it needs the unit's materials
        sched = unit.get(f"/api/review/submissions/{sid}/schedule").json()
        assert sched["units_by"] == "2015-11-09"
        assert "2015-11-15" in sched["message"] and "2015-11-09" in sched["message"] and CITY in sched["message"]

    def test_yueyang_report_up_due_year_end(self, api: TestClient, pg_sessions: sessionmaker[Session]) -> None:
        city = caller(api, pg_sessions, "city", "reviewer", campaign_id=Y, stage_id="report_city")
        """GIVEN the bureau passed an application WHEN the report up opens THEN it is due at the end of
        2017-12-31 (年底前), overdue now."""
        with pg_sessions() as s:
            sid = submission(s, Y, "局机关党支部")
            flow.start_review(s, None, sid)
            [t] = open_tasks(s, sid)
            bureau = person(s, "bureau", "reviewer", stage_id="bureau_review")
            queue.claim(s, bureau, t.id, lease_seconds=LEASE)
            flow.decide(s, bureau, t.id, "pass", bureau_pass())
        [task] = city.tasks()
        assert task["due_at"] == "2017-12-31T16:00:00+00:00" and task["overdue"] is True


def bureau_pass() -> dict[str, object]:
    items = get_campaign(Y).document("score_sheet").rubric.items
    return {"opinion": "同意", "scores": {i.key: i.max for i in items}, "signed_by": "李明",
            "opinion_date": "2017-05-12", "inspection": {"date": "2017-05-10", "notes": "台账齐全"}}


@pytest.mark.services
class TestNotice:
    def test_a_notice_cannot_start_in_the_past(self, api: TestClient, pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN the recommender's 公示 task WHEN it enters yesterday as the start THEN 422 in Chinese
        (the 5 working days cannot be skipped by backdating); today is accepted, its end 5 working days on."""
        rec = caller(api, pg_sessions, "rec", "recommender", organisation=WUYI)
        with pg_sessions() as s:
            flow.start_review(s, None, submission(s, C, "武义县某局党支部", WUYI))
        [task] = rec.tasks()
        assert rec.post(f"/api/review/tasks/{task['id']}/claim").status_code == 200
        today = beijing.today()
        r = rec.post(f"/api/review/tasks/{task['id']}/notice", json={"start": (today - dt.timedelta(days=1)).isoformat()})
        assert r.status_code == 422 and r.json()["error"] == "notice.backdated", r.text
        assert "不能早于今天" in r.json()["message"] and "5 个工作日" in r.json()["message"]
        r = rec.post(f"/api/review/tasks/{task['id']}/notice", json={"start": today.isoformat()})
        assert r.status_code == 200, r.text
        assert r.json()["start"] == today.isoformat() and r.json()["end"] > today.isoformat()


@pytest.mark.services
class TestReviewInputs:
    def test_yueyang_opinion_boxes_ask_for_signature_seal_and_date(self, api: TestClient,
                                                                   pg_sessions: sessionmaker[Session]) -> None:
        """系统机关党委意见 (签字, 年月日) at the bureau's stage and 市直机关工委意见 (签章, 年月日) at the
        report up: a pass without them is refused in Chinese; with them, kept under the form's field."""
        bureau = caller(api, pg_sessions, "bureau", "reviewer", campaign_id=Y, stage_id="bureau_review")
        city = caller(api, pg_sessions, "city", "reviewer", campaign_id=Y, stage_id="report_city")
        with pg_sessions() as s:
            sid = submission(s, Y, "局机关党支部")
            flow.start_review(s, None, sid)
        items = get_campaign(Y).document("score_sheet").rubric.items
        base = {"opinion": "同意", "scores": {i.key: i.max for i in items},
                "inspection": {"date": "2017-05-10", "notes": "台账齐全"}}
        [task] = bureau.tasks()
        r = bureau.decide(task["id"], "pass", **base)
        assert r.status_code == 422 and "签字" in r.json()["message"] and "落款日期" in r.json()["message"]
        # the desk asks for them where the stage requires them
        desk = api.get(f"/review/tasks/{task['id']}", headers=bureau.h).text
        assert 'name="signed_by"' in desk and 'name="opinion_date"' in desk and 'name="sealed"' not in desk
        r = bureau.decide(task["id"], "pass", **base, signed_by="李明", opinion_date="2017年5月")
        assert r.status_code == 422 and "不是有效日期" in r.json()["message"]
        r = bureau.decide(task["id"], "pass", **base, signed_by="李明", opinion_date="2017-05-12")
        assert r.status_code == 200, r.text
        assert r.json()["data"]["opinions"]["opinion.system_committee"]["signed_by"] == "李明"
        [task] = city.tasks()
        r = city.decide(task["id"], "pass", opinion="同意上报", opinion_date="2017-06-01")
        assert r.status_code == 422 and "盖章" in r.json()["message"]
        r = city.decide(task["id"], "pass", opinion="同意上报", sealed=True, opinion_date="2017-06-01")
        assert r.status_code == 200, r.text
        assert r.json()["data"]["opinions"]["opinion.city_committee"]["sealed"] is True
        # printed in the dossier's review record beside each stage's opinion
        with pg_sessions() as s:
            entries = {e.stage: dict(e.extra) for e in record.gather(s, get_campaign(Y), sid).entries}
        assert entries["市局机关党委材料审核及实地检查"]["签字"] == "李明"
        assert entries["市局机关党委材料审核及实地检查"]["意见日期"] == "2017-05-12"
        assert entries["上报市直机关工委"]["盖章"] == "已盖章"
