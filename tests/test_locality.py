"""各县（市、区）示范点还须经本地政法委、纪委、卫生计生局、信访局等部门联审: a county joint reviewer
is bound to a county and sees and decides only that county's submissions.  Two counties, through
the API on PostgreSQL."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from services.review import flow
from services.kit.errors import DomainError
from tests.review_helpers import person
from tests.rules_world import api, caller, pg_sessions, through_notice  # noqa: F401  (fixtures)

pytestmark = pytest.mark.services

C = "jinhua-2015"
WUYI, YIWU = "武义县直机关工委", "义乌市直机关工委"


@pytest.fixture
def two_counties(api: TestClient, pg_sessions: sessionmaker[Session]) -> dict[str, object]:
    """A point from 武义县 and one from 义乌市, both past their 公示 and at the county joint review;
    a 纪委 reviewer in each county, and one bound to the city."""
    people = {
        "wuyi": caller(api, pg_sessions, "jw-wuyi", "reviewer", campaign_id=C, stage_id="joint_review_county",
                       department="纪委", county="武义县"),
        "yiwu": caller(api, pg_sessions, "jw-yiwu", "reviewer", campaign_id=C, stage_id="joint_review_county",
                       department="纪委", county="义乌市"),
        "admin": caller(api, pg_sessions, "admin", "admin"),
    }
    with pg_sessions() as s:
        sids = {"wuyi": through_notice(s, C, "武义县某局党支部", WUYI, person(s, "rec-w", "recommender", organisation=WUYI)),
                "yiwu": through_notice(s, C, "义乌市某局党支部", YIWU, person(s, "rec-y", "recommender", organisation=YIWU))}
        for sid in sids.values():
            assert flow.review_of(s, sid).stage_id == "joint_review_county"
    return {**people, "sids": sids}


class TestCountyJointReview:
    def test_each_county_sees_and_decides_only_its_own(self, two_counties: dict[str, object]) -> None:
        """GIVEN points of two counties at the joint review WHEN each county's 纪委 reviewer lists, claims
        and decides THEN it meets only its own county's point; the other's is not found."""
        wuyi, yiwu, sids = two_counties["wuyi"], two_counties["yiwu"], two_counties["sids"]
        mine = wuyi.tasks()                                             # type: ignore[attr-defined]
        assert {t["submission_id"] for t in mine} == {sids["wuyi"]}     # type: ignore[index]
        assert [t["department"] for t in mine] == ["纪委"]
        theirs = yiwu.tasks()                                           # type: ignore[attr-defined]
        assert {t["submission_id"] for t in theirs} == {sids["yiwu"]}   # type: ignore[index]
        # the other county's task: not claimable, not decidable, the submission not visible
        other = theirs[0]["id"]
        assert wuyi.post(f"/api/review/tasks/{other}/claim").status_code == 404          # type: ignore[attr-defined]
        r = wuyi.post(f"/api/review/tasks/{other}/decision", json={"decision": "pass", "opinion": "无异议"})  # type: ignore[attr-defined]
        assert r.status_code == 404
        assert wuyi.get(f"/api/review/submissions/{sids['yiwu']}").status_code == 404   # type: ignore[attr-defined,index]
        # claim-next hands each its own county's task, and its decision is recorded
        got = wuyi.post("/api/review/claim-next", json={}).json()["task"]              # type: ignore[attr-defined]
        assert got["submission_id"] == sids["wuyi"]                                     # type: ignore[index]
        r = wuyi.post(f"/api/review/tasks/{got['id']}/decision", json={"decision": "pass", "opinion": "纪委：无问题线索"})  # type: ignore[attr-defined]
        assert r.status_code == 200, r.text
        assert r.json()["data"]["joint_review_county"]["纪委"]["decision"] == "pass"
        assert yiwu.post("/api/review/claim-next", json={}).json()["task"]["submission_id"] == sids["yiwu"]  # type: ignore[attr-defined,index]

    def test_rebinding_moves_a_reviewer_to_another_county(self, two_counties: dict[str, object]) -> None:
        """GIVEN the 义乌 reviewer WHEN the admin binds it to 武义县 (PUT /api/users/…/binding) THEN it sees
        武义's point and no longer 义乌's; an unknown county is refused in Chinese."""
        admin, yiwu, sids = two_counties["admin"], two_counties["yiwu"], two_counties["sids"]
        r = admin.put("/api/users/jw-yiwu/binding", json={"campaign_id": C, "county": "武义县"})  # type: ignore[attr-defined]
        assert r.status_code == 200 and r.json()["county"] == "武义县", r.text
        assert {t["submission_id"] for t in yiwu.tasks()} == {sids["wuyi"]}   # type: ignore[attr-defined,index]
        r = admin.put("/api/users/jw-yiwu/binding", json={"campaign_id": C, "county": "杭州市"})  # type: ignore[attr-defined]
        assert r.status_code == 422 and "不是本次评选的县（市、区）" in r.json()["message"]

    def test_a_city_bound_reviewer_sees_no_county_point(self, two_counties: dict[str, object], api: TestClient,
                                                        pg_sessions: sessionmaker[Session]) -> None:
        """A reviewer bound to the city (`city`) at a county stage meets no county's point."""
        city = caller(api, pg_sessions, "jw-city", "reviewer", campaign_id=C, stage_id="joint_review_county",
                      department="纪委", county="city")
        assert city.tasks() == []


class TestBinding:
    def test_a_county_reviewer_must_be_bound_to_a_county(self, pg_sessions: sessionmaker[Session]) -> None:
        """Creating a reviewer of the county joint review for jinhua-2015 without a county is refused."""
        with pg_sessions() as s, pytest.raises(DomainError) as e:
            person(s, "jw", "reviewer", campaign_id=C, stage_id="joint_review_county", department="纪委")
        assert "绑定县（市、区）" in e.value.message
        with pg_sessions() as s:
            ok = person(s, "jw2", "reviewer", campaign_id=C, stage_id="joint_review_county", department="纪委",
                        county="磐安县")
            assert flow.eligibility.binding(s, ok).county == "磐安县"
