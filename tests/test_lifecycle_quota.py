"""择优推荐1—2例 on the recommender's desk: it sees how many it has put forward against the places
when it decides, and the page refuses a third (embedded SQLite, through the pages)."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, select

from dossier.campaigns import get_campaign
from services.auth import accounts
from services.review import flow, standings
from storage.db import make_sessionmaker
from storage.models import Submission, utcnow
from storage.review_models import ReviewTask
from tests.review_helpers import PASSWORD, submission
from tests.test_auth_access import app_settings, login, make_client  # noqa: F401 (fixtures)
from dossier.stages import engine as stages

C = "jinhua-2015"
REC = "金华市财政局机关党委"


@pytest.fixture
def at_opinion(sqlite_engine: Engine) -> list[str]:
    """Three of the recommender's units past its 公示, each waiting for its 推荐意见."""
    with make_sessionmaker(sqlite_engine)() as s:
        accounts.create_user(s, username="rec", password=PASSWORD, role="recommender", organisation=REC)
        sids = []
        for n in "甲乙丙":
            sid = submission(s, C, f"金华市{n}局机关支部", REC)
            review = flow.start_review(s, None, sid)
            for t in s.scalars(select(ReviewTask).where(ReviewTask.submission_id == sid)):
                t.state, t.decision = "done", "pass"          # the 公示 has run and passed
            flow._open_stage(s, s.get(Submission, sid), review,
                             stages.stage(get_campaign(C), "recommender_opinion"), utcnow())
            s.commit()
            sids.append(sid)
        return sids


def _task_of(sqlite_engine: Engine, sid: str) -> str:
    with make_sessionmaker(sqlite_engine)() as s:
        return s.scalars(select(ReviewTask.id).where(ReviewTask.submission_id == sid,
                                                     ReviewTask.stage_id == "recommender_opinion")).one()


def test_the_desk_shows_the_places_and_a_third_is_refused(make_client: Any, sqlite_engine: Engine,
                                                         at_opinion: list[str]) -> None:
    rec = make_client()
    csrf = login(rec, "rec")
    opinion = {"csrf_token": csrf, "opinion": "同意推荐", "sealed": "1", "opinion_date": "2026-01-20",
               "signed_by": "张明"}
    for k, sid in enumerate(at_opinion):
        task = _task_of(sqlite_engine, sid)
        assert rec.post(f"/review/tasks/{task}/claim", data={"csrf_token": csrf}).status_code in (200, 303)
        page = rec.get(f"/review/tasks/{task}").text
        quota = re.search(r'<p class="quota[^"]*" id="quota">([^<]+)</p>', page)
        assert quota is not None, page
        assert f"已推荐 {k} 例" in quota.group(1) and "名额 1—2 例" in quota.group(1)
        r = rec.post(f"/review/tasks/{task}/decide", data={**opinion, "decision": "pass"})   # redirects followed
        if k < 2:
            assert "还可推荐" in quota.group(1) and "已通过" in r.text
        else:
            assert "名额已满" in quota.group(1) and 'class="quota error"' in page
            assert "推荐名额已满" in r.text          # back on the desk with the refusal
    with make_sessionmaker(sqlite_engine)() as s:
        assert standings.passed_count(s, C, "recommender_opinion", recommender=REC) == 2
