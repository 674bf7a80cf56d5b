"""The recommender's own page: objections to the 公示 of its units' points are recorded and resolved
there (jinhua-2015: the recommender runs the 公示), access-checked and audited, over HTTP."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import Engine, select

from services.auth import accounts
from storage.db import make_sessionmaker
from storage.review_models import AuditEntry, Objection, SubmissionReview
from tests.review_helpers import PASSWORD
from tests.test_auth_access import app_settings, login, make_client, people, upload_as  # noqa: F401 (fixtures)

COUNTY = "武义县直机关工委"
OTHER = "兰溪市直机关工委"


def _submit(c: Any, csrf: str, recommender: str) -> str:
    return upload_as(c, csrf, "jinhua-2015", recommender=recommender)


@pytest.fixture
def recommenders(sqlite_engine: Engine) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        accounts.create_user(s, username="rec", password=PASSWORD, role="recommender", organisation=COUNTY)
        accounts.create_user(s, username="rec-other", password=PASSWORD, role="recommender", organisation=OTHER)


@pytest.mark.usefixtures("people", "recommenders")
class TestRecommenderObjections:
    def test_recommender_raises_and_resolves_on_own_page_and_an_open_one_blocks_the_stage(
            self, make_client: Any, sqlite_engine: Engine) -> None:
        """GIVEN a unit's point recommended by a county WHEN its recommender records an objection on
        /review THEN it is listed there, audited, and the 公示 stage cannot pass until the recommender
        resolves it from the same page; another recommender can neither see, raise nor resolve it."""
        unit_a, unit_b, rec, other = make_client(), make_client(), make_client(), make_client()
        sid = _submit(unit_a, login(unit_a, "unit-a"), COUNTY)
        sid_b = _submit(unit_b, login(unit_b, "unit-b"), OTHER)
        csrf = login(rec, "rec")
        csrf_o = login(other, "rec-other")

        page = rec.get("/review").text
        assert "公示与异议" in page and f'data-id="{sid}"' in page and sid_b not in page
        assert f'action="/review/submissions/{sid}/objections"' in page
        assert sid not in other.get("/review").text

        # no CSRF token, no change
        assert rec.post(f"/review/submissions/{sid}/objections", data={"text": "x"}).status_code == 403
        r = rec.post(f"/review/submissions/{sid}/objections", follow_redirects=False,
                     data={"csrf_token": csrf, "text": "群众反映材料与事实不符", "back": "/review"})
        assert r.status_code == 303 and r.headers["location"] == "/review"
        page = rec.get(r.headers["location"]).text
        assert "异议已登记" in page and "群众反映材料与事实不符（rec 登记）" in page
        oid = int(re.search(r'data-objection="(\d+)"', page).group(1))  # type: ignore[union-attr]
        assert f'action="/review/objections/{oid}/resolve"' in page

        # another recommender: not theirs to raise on, nor to resolve
        assert other.post(f"/review/submissions/{sid}/objections",
                          data={"csrf_token": csrf_o, "text": "冒名异议"}).status_code == 404
        assert other.post(f"/review/objections/{oid}/resolve",
                          data={"csrf_token": csrf_o, "text": "冒名处理"}).status_code == 404
        # and the unit itself may not object to its own point
        unit_csrf = re.search(r'name="csrf_token" value="([^"]+)"', unit_a.get("/unit").text).group(1)  # type: ignore[union-attr]
        own = unit_a.post(f"/review/submissions/{sid}/objections", data={"csrf_token": unit_csrf, "text": "自己的异议"})
        assert own.status_code == 403 and "不能办理审核任务" in own.json()["message"]   # a unit decides nothing
        # nor may this recommender object to another recommender's point
        r = rec.post(f"/review/submissions/{sid_b}/objections", data={"csrf_token": csrf, "text": "x"})
        assert r.status_code == 404
        with make_sessionmaker(sqlite_engine)() as s:
            assert [o.text for o in s.scalars(select(Objection))] == ["群众反映材料与事实不符"]

        # the 公示 has run its course; the open objection still holds the stage
        h = {"X-CSRF-Token": csrf}
        task = rec.post("/api/review/claim-next", json={}, headers=h).json()["task"]
        assert task["submission_id"] == sid and task["stage_id"] == "recommender_notice"
        with make_sessionmaker(sqlite_engine)() as s:
            review = s.get(SubmissionReview, sid)
            assert review is not None
            review.notice_start, review.notice_end = dt.date(2015, 9, 30), dt.date(2015, 10, 12)
            s.commit()
        blocked = rec.post(f"/api/review/tasks/{task['id']}/decision", json={"decision": "pass"}, headers=h)
        assert blocked.status_code == 409 and "未处理的异议" in blocked.json()["message"]

        r = rec.post(f"/review/objections/{oid}/resolve", follow_redirects=False,
                     data={"csrf_token": csrf, "text": "经核实，反映不属实", "back": "https://evil.example/"})
        assert r.status_code == 303 and r.headers["location"] == "/review"
        page = rec.get(r.headers["location"]).text
        assert "异议已处理" in page and "群众反映材料与事实不符" not in page
        passed = rec.post(f"/api/review/tasks/{task['id']}/decision", json={"decision": "pass"}, headers=h)
        assert passed.status_code == 200 and passed.json()["stage_id"] != "recommender_notice"

        with make_sessionmaker(sqlite_engine)() as s:
            acts = [(e.action, e.actor) for e in s.scalars(select(AuditEntry).where(AuditEntry.submission_id == sid)
                                                              .order_by(AuditEntry.id))]
        assert ("objection", "rec") in acts and ("objection_resolved", "rec") in acts
        history = rec.get(f"/review/submissions/{sid}/history").text
        assert "登记异议" in history and "异议处理完毕" in history
