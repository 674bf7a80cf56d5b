"""The reviewer is told what a decision did: in joint review the first department to pass hears the
others are pending; the stage that confers a title says the title was granted."""
from __future__ import annotations

from sqlalchemy import Engine

from services.auth import accounts
from services.review import flow, queue
from services.review.outcome_messages import decision_outcome
from storage.db import make_sessionmaker
from tests.review_helpers import PASSWORD, at_joint_review, submission

COUNTY = "武义县直机关工委"


def test_first_department_of_a_joint_review_is_told_the_others_are_pending(sqlite_engine: Engine) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        for name, dept in (("zfw", "政法委"), ("jw", "纪委")):
            accounts.create_user(s, username=name, password=PASSWORD, role="reviewer",
                                 stage_id="joint_review_county", department=dept)
        at_joint_review(s, county=COUNTY)
        user = accounts.find_user(s, "zfw")
        task = queue.claim_next(s, user, lease_seconds=600)  # type: ignore[arg-type]
        assert task is not None
        review = flow.decide(s, user, task.id, "pass", {"opinion": "同意"})  # type: ignore[arg-type]
        said = decision_outcome(s, review, "joint_review_county", "政法委", "pass")
    assert said.startswith("政法委已同意通过。联审尚有 3 个部门未作出决定")
    assert "纪委" in said and "转下一环节" not in said.split("。")[0]


def test_a_stage_that_confers_a_title_says_it_was_granted(sqlite_engine: Engine) -> None:
    """GIVEN the year-end 验收 passed (the review holds its title, the next year's stage open)
    THEN the reviewer reads that the title was granted, not only that it moved on."""
    with make_sessionmaker(sqlite_engine)() as s:
        sid = submission(s, "yueyang-2017", "某局机关党支部")
        review = flow.start_review(s, None, sid)
        review.title, review.stage_id = "基层党建创建单位", "acceptance_next_year"
        s.commit()
        said = decision_outcome(s, review, "acceptance_year_end", None, "pass")
    assert said == "已通过，申报单位获得“基层党建创建单位”称号。"
