"""活动概况: a campaign at a glance, counted from the rows, limits and quotas from the file."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dossier.campaigns import get_campaign
from services.review import flow, queue
from services.review.overview import overview
from services.submissions.service import create_submission
from storage.db import make_sessionmaker
from storage.models import FindingRow, utcnow
from storage.review_models import ReviewTask
from tests.packet_scenario import recommend
from tests.review_helpers import person, submission
from tests.test_auth_access import app_settings, login, make_client  # noqa: F401 (fixtures)

LEASE = 600


def _world(s: Session) -> dict[str, str]:
    """yueyang: one returned, one waiting past its deadline, one never put forward (with an error
    finding); jinhua: three from one recommender (its quota is 1–2), one from another."""
    bureau = person(s, "bureau", "reviewer", stage_id="bureau_review")
    returned, late, fresh = (submission(s, "yueyang-2017", f"支部{i}") for i in range(3))
    flow.start_review(s, None, returned)
    flow.start_review(s, None, late)
    task = queue.claim_next(s, bureau, lease_seconds=LEASE)
    flow.decide(s, bureau, task.id, "return", {"reasons": "党员人数有误"})  # type: ignore[union-attr]
    for t in s.scalars(select(ReviewTask).where(ReviewTask.submission_id == late)):
        t.due_at = utcnow() - dt.timedelta(days=1)
    s.add(FindingRow(submission_id=fresh, code="field.missing", severity="error", field="unit_name",
                     message="请填写单位名称。"))
    s.add(FindingRow(submission_id=late, code="ocr.low_confidence", severity="warning", field="unit_name",
                     message="请核对。"))
    for i in range(3):
        flow.start_review(s, None, submission(s, "jinhua-2015", f"武义县某局{i}", "武义县直机关工委"))
    # a draft never submitted and a 自查 count for nothing, under the same recommender
    submission(s, "jinhua-2015", "武义县某局草稿", "武义县直机关工委")
    create_submission(s, campaign_id="jinhua-2015", organisation="武义县某局自查", recommender="武义县直机关工委",
                      self_check=True)
    city = submission(s, "jinhua-2015", "市某局", "市直机关工委")
    s.commit()
    # the city's recommender runs its 公示 and puts its unit forward
    rec = person(s, "rec", "recommender", organisation="市直机关工委")
    recommend(s, city, rec, dt.datetime(2015, 11, 12, 2, 0, tzinfo=dt.timezone.utc))
    return {"returned": returned, "late": late, "fresh": fresh, "task": task.id}  # type: ignore[union-attr]


def test_counts_from_the_rows_and_limits_from_the_file(session: Session) -> None:
    _world(session)
    v = overview(session, get_campaign("yueyang-2017"))
    assert (v.submissions, v.not_in_review, v.needs_fixing) == (3, 1, 1)
    assert v.statuses == {"returned": 1, "in_review": 1}
    bureau = next(r for r in v.stages if r.id == "bureau_review")
    assert (bureau.at_stage, bureau.returned, bureau.open_tasks, bureau.overdue_tasks, bureau.passed) == (1, 1, 1, 1, 0)
    assert [r.id for r in v.stages][:2] == ["bureau_review", "report_city"]      # the file's order
    year_end = next(r for r in v.stages if r.id == "acceptance_year_end")
    assert year_end.limit == 0 and v.titles == {}      # proportion 0.5 of no candidates yet

    j = overview(session, get_campaign("jinhua-2015"))
    # three units under one recommender with 1–2 places: it must choose, and has chosen none yet
    assert [(r.name, r.submissions, r.recommended, r.must_choose, r.over) for r in j.recommenders] == [
        ("武义县直机关工委", 3, 0, True, False), ("市直机关工委", 1, 1, False, False)]
    material = next(r for r in j.stages if r.id == "material_review")
    assert (material.at_stage, material.open_tasks) == (1, 1)
    assert j.award_target == 100
    # by lifecycle state, in Chinese; the draft is one, the 自查 is none
    assert j.lifecycle.get("草稿") == 1 and "自查" not in j.lifecycle and j.submissions == 5


@pytest.mark.usefixtures("sqlite_engine")
def test_page_and_json_for_staff_only(make_client: Any, sqlite_engine: Engine) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        _world(s)
        person(s, "unit", "unit", organisation="支部0")
        person(s, "admin", "admin")
        s.commit()
    reviewer, unit, admin = make_client(), make_client(), make_client()
    login(reviewer, "bureau")
    page = reviewer.get("/review/campaigns").text
    # a reviewer sees the campaigns it works on only (bureau_review is yueyang's stage)
    assert "活动概况" in page and 'data-campaign="yueyang-2017"' in page and 'data-campaign="jinhua-2015"' not in page
    assert reviewer.get("/review/campaigns/jinhua-2015").status_code == 404
    assert reviewer.get("/api/review/campaigns/jinhua-2015/overview").status_code == 404
    login(admin, "admin")
    assert 'data-campaign="jinhua-2015"' in admin.get("/review/campaigns").text
    one = admin.get("/review/campaigns/jinhua-2015").text
    assert "须择优推荐" in one and "本次计划表彰约 100 个" in one and "yueyang-2017" not in one
    data = reviewer.get("/api/review/campaigns/yueyang-2017/overview").json()
    assert data["submissions"] == 3 and data["statuses"]["returned"] == 1
    assert reviewer.get("/api/review/campaigns/nope/overview").status_code == 404
    login(unit, "unit")
    assert unit.get("/review/campaigns").status_code == 403
    assert unit.get("/api/review/campaigns/yueyang-2017/overview").status_code == 403

