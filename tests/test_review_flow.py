"""The review flow, driven through the service layer on SQLite and PostgreSQL:
both seeds' stages as the campaign files give them."""
from __future__ import annotations

import contextlib
import datetime as dt
from typing import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.campaigns import get_campaign, load_campaigns
from services.review import flow, queue
from services.security import audit
from services.kit.errors import DomainError
from storage.models import utcnow
from storage.review_models import ReviewStatus, ReviewTask, TaskState
from tests.review_helpers import person, submission
from dossier.stages import engine
from workers.routing import yearly

LEASE = 600
COUNTY = "武义县直机关工委"
CITY = "金华市某局机关党委"
DEPTS = ["政法委", "纪委", "卫生计生局", "信访局"]


@contextlib.contextmanager
def refused(text: str) -> Iterator[None]:
    """A DomainError whose Chinese message says `text`."""
    with pytest.raises(DomainError) as e:
        yield
    assert text in e.value.message, e.value.message


def _pass(session: Session, user: object, task: ReviewTask, **payload: object) -> None:
    queue.claim(session, user, task.id, lease_seconds=LEASE)  # type: ignore[arg-type]
    flow.decide(session, user, task.id, "pass", dict(payload))  # type: ignore[arg-type]


def _open(session: Session, sid: str) -> list[ReviewTask]:
    return list(session.scalars(select(ReviewTask).where(ReviewTask.submission_id == sid,
                                                         ReviewTask.state == "open")))


class TestEngine:
    def test_both_seeds_parse(self) -> None:
        j = engine.stages(get_campaign("jinhua-2015"))
        assert [s.kind for s in j] == ["public_notice", "joint_review", "opinion", "review",
                                       "joint_review", "decision"]
        assert j[0].working_days == 5 and j[1].departments == tuple(DEPTS)
        assert j[-1].award_count == 100
        y = engine.stages(get_campaign("yueyang-2017"))
        assert "scores" in y[0].requires and "inspection" in y[0].requires
        assert y[2].proportion and y[3].outcome_title == "基层党建示范单位" and y[4].every_months == 12

    def test_county_joint_review_applies_to_county_points_only(self) -> None:
        c = get_campaign("jinhua-2015")
        assert engine.site_level(c, COUNTY) == "county" and engine.site_level(c, CITY) == "city"
        assert engine.next_stage(c, "recommender_notice", {"site_level": "county"}).id == "joint_review_county"
        assert engine.next_stage(c, "recommender_notice", {"site_level": "city"}).id == "recommender_opinion"

    def test_joint_outcome(self) -> None:
        assert engine.joint_outcome(["a", "b"], {"a": "pass"}) is None
        assert engine.joint_outcome(["a", "b"], {"a": "pass", "b": "pass"}) == "pass"
        assert engine.joint_outcome(["a", "b"], {"a": "return", "b": "pass"}) == "return"
        assert engine.joint_outcome(["a", "b"], {"a": "reject"}) == "reject"

    def test_scores_checked_against_max(self) -> None:
        rubric = get_campaign("yueyang-2017").document("score_sheet").rubric
        full = {i.key: i.max for i in rubric.items}
        _, total, problems = engine.rubric_scores(rubric, full)
        assert total == 100 and problems == []
        _, _, problems = engine.rubric_scores(rubric, {**full, "rubric.1.1": 5})
        assert any("超出范围（0–4 分）" in p for p in problems)

    def test_unknown_kind_refused(self) -> None:
        with pytest.raises(engine.StageError):
            engine.parse_stage({"id": "x", "kind": "magic"})


class TestJinhua:
    def test_county_point_through_notice_joint_review_and_quota(self, session: Session) -> None:
        """GIVEN a county recommender's point WHEN its 公示 ends and the four departments pass in
        parallel THEN the recommender's opinion (盖章, date) is next; a third point is over quota."""
        rec = person(session, "rec", "recommender", organisation=COUNTY)
        reviewers = {d: person(session, f"r-{i}", "reviewer", stage_id="joint_review_county", department=d)
                     for i, d in enumerate(DEPTS)}
        sid = submission(session, "jinhua-2015", "武义县某局党支部", COUNTY)
        review = flow.start_review(session, None, sid)
        assert review.site_level == "county" and review.stage_id == "recommender_notice"
        [notice] = _open(session, sid)
        assert notice.actor == "recommender" and notice.organisation == COUNTY
        queue.claim(session, rec, notice.id, lease_seconds=LEASE)
        # recorded on the day it went up (a start in the past is refused: tests/test_stage_deadlines.py)
        flow.start_notice(session, rec, notice.id, dt.date(2015, 9, 30),
                          now=dt.datetime(2015, 9, 30, 2, tzinfo=dt.timezone.utc))
        assert review.notice_end == dt.date(2015, 10, 12)
        # still running on 10-12 (Beijing time)
        during = dt.datetime(2015, 10, 12, 3, tzinfo=dt.timezone.utc)
        with refused("公示期满"):
            flow.decide(session, rec, notice.id, "pass", {}, now=during)
        obj = flow.raise_objection(session, rec, sid, "群众反映材料与事实不符")
        after = dt.datetime(2015, 10, 13, 3, tzinfo=dt.timezone.utc)
        with refused("未处理的异议"):
            flow.decide(session, rec, notice.id, "pass", {}, now=after)
        flow.resolve_objection(session, rec, obj.id, "经核实，反映不属实")
        flow.decide(session, rec, notice.id, "pass", {}, now=after)
        tasks = _open(session, sid)
        assert sorted(t.department for t in tasks) == sorted(DEPTS)
        for d in DEPTS[:3]:
            _pass(session, reviewers[d], next(t for t in tasks if t.department == d), opinion=f"{d}：无异议")
        assert flow.review_of(session, sid).stage_id == "joint_review_county"   # waits for 信访局
        _pass(session, reviewers["信访局"], next(t for t in tasks if t.department == "信访局"), opinion="无信访问题")
        session.refresh(review)
        assert review.stage_id == "recommender_opinion"
        assert set(review.data["joint_review_county"]) == set(DEPTS)
        [op] = _open(session, sid)
        queue.claim(session, rec, op.id, lease_seconds=LEASE)
        with refused("盖章"):
            flow.decide(session, rec, op.id, "pass", {"opinion": "同意推荐", "opinion_date": "2015-11-10"})
        flow.decide(session, rec, op.id, "pass", {"opinion": "同意推荐", "sealed": True,
                                                   "opinion_date": "2015-11-10"})
        assert review.data["opinions"]["opinion.recommender"]["sealed"] is True
        assert review.stage_id == "material_review"

    def test_flow_with_recommender_stages_needs_a_recommender(self, session: Session) -> None:
        """GIVEN a Jinhua submission that names no recommender WHEN it enters review THEN it is refused
        with nothing opened (its 公示 task would belong to nobody); Yueyang needs none."""
        assert engine.needs_recommender(get_campaign("jinhua-2015"))
        assert not engine.needs_recommender(get_campaign("yueyang-2017"))
        sid = submission(session, "jinhua-2015", "某局党支部")
        with refused("请选择推荐单位"):
            flow.start_review(session, None, sid)
        session.rollback()
        assert flow.review_of(session, sid) is None and _open(session, sid) == []
        flow.start_review(session, None, submission(session, "yueyang-2017", "局机关党支部"))

    def test_quota_exceeded(self, session: Session) -> None:
        """GIVEN a recommender whose quota (1–2 in the file) is used WHEN it recommends a third THEN quota.exceeded."""
        admin = person(session, "admin", "admin")
        rec = person(session, "rec", "recommender", organisation=CITY)
        for n in range(3):
            sid = submission(session, "jinhua-2015", f"单位{n}", CITY)
            flow.start_review(session, None, sid)
            [notice] = _open(session, sid)
            queue.claim(session, rec, notice.id, lease_seconds=LEASE)
            flow.start_notice(session, rec, notice.id, dt.date(2015, 10, 8),
                              now=dt.datetime(2015, 10, 8, 2, tzinfo=dt.timezone.utc))
            flow.decide(session, rec, notice.id, "pass", {}, now=dt.datetime(2015, 10, 20, tzinfo=dt.timezone.utc))
            [op] = _open(session, sid)
            assert op.stage_id == "recommender_opinion"
            payload = {"opinion": "同意", "sealed": True, "opinion_date": "2015-11-10"}
            queue.claim(session, rec, op.id, lease_seconds=LEASE)
            if n < 2:
                flow.decide(session, rec, op.id, "pass", payload)
            else:
                with pytest.raises(DomainError) as e:
                    flow.decide(session, rec, op.id, "pass", payload)
                assert e.value.code == "quota.exceeded"
        assert admin.role == "admin"


class TestYueyang:
    def test_return_resubmit_then_titles_and_withdrawal(self, session: Session) -> None:
        """GIVEN the bureau's review WHEN it returns the application THEN the unit sees the reasons,
        resubmits, and the stage opens again; later acceptances give the titles and 复查 withdraws."""
        bureau = person(session, "bureau", "reviewer", stage_id="bureau_review")
        city = person(session, "city", "reviewer", stage_id="report_city")
        unit = person(session, "unit", "unit", organisation="局机关党支部")
        boss = person(session, "boss", "admin")
        sid = submission(session, "yueyang-2017", "局机关党支部")
        flow.start_review(session, unit, sid)
        task = queue.claim_next(session, bureau, lease_seconds=LEASE)
        assert task is not None and task.stage_id == "bureau_review"
        rubric = get_campaign("yueyang-2017").document("score_sheet").rubric
        with pytest.raises(DomainError) as e:
            flow.save_scores(session, bureau, task.id, {"rubric.1.1": "4.5"})
        assert e.value.code == "rubric.over_max"
        _, total = flow.save_scores(session, bureau, task.id, {i.key: i.max - 1 for i in rubric.items})
        assert total == 100 - 28
        with refused("实地检查日期"):
            flow.decide(session, bureau, task.id, "pass", {"opinion": "同意"})
        flow.decide(session, bureau, task.id, "return", {"reasons": "申报创建材料超过1500字，请删减后重新提交。"})
        review = flow.review_of(session, sid)
        assert review.status == ReviewStatus.RETURNED.value and "1500字" in review.return_reasons
        with refused("先上传"):
            flow.resubmit(session, unit, sid)
        _add_file(session, sid)
        flow.resubmit(session, unit, sid)
        assert review.version == 2 and review.status == "in_review"
        task = queue.claim_next(session, bureau, lease_seconds=LEASE)
        assert task is not None and task.version == 2
        flow.save_scores(session, bureau, task.id, {i.key: i.max for i in rubric.items})
        # 系统机关党委意见 asks for 签字 and 年月日 on the form: the stage that fills it does too
        with refused("签字"):
            flow.decide(session, bureau, task.id, "pass", {"opinion": "材料齐全，实地检查属实",
                                                           "inspection": {"date": "2017-05-10", "notes": "阵地规范"}})
        flow.decide(session, bureau, task.id, "pass", {"opinion": "材料齐全，实地检查属实", "signed_by": "李明",
                                                       "opinion_date": "2017-05-12",
                                                       "inspection": {"date": "2017-05-10", "notes": "阵地规范"}})
        assert review.data["bureau_review"]["_"]["total"] == 100
        assert review.data["opinions"]["opinion.system_committee"]["signed_by"] == "李明"
        _pass(session, city, _open(session, sid)[0], opinion="同意上报", sealed=True, opinion_date="2017-06-01")
        [acc] = _open(session, sid)
        assert acc.stage_id == "acceptance_year_end"
        _pass(session, boss, acc, opinion="验收合格")
        assert review.title == "基层党建创建单位"
        [nxt] = _open(session, sid)
        assert nxt.available_at is not None and nxt.available_at > utcnow() + dt.timedelta(days=300)
        assert queue.claim_next(session, boss, lease_seconds=LEASE) is None      # not before a year
        later = utcnow() + dt.timedelta(days=370)
        t = queue.claim_next(session, boss, lease_seconds=LEASE, now=later)
        flow.decide(session, boss, t.id, "pass", {"opinion": "再次验收合格"}, now=later)
        assert review.title == "基层党建示范单位"
        even_later = later + dt.timedelta(days=370)
        assert queue.claim_next(session, boss, lease_seconds=LEASE, now=even_later) is None
        yearly.open_due(session, load_campaigns(), even_later)    # the relay's loop, when the year comes
        t = queue.claim_next(session, boss, lease_seconds=LEASE, now=even_later)
        assert t.stage_id == "yearly_reinspection"
        flow.decide(session, boss, t.id, "withdraw", {"reasons": "复查不合格"}, now=even_later)
        assert review.status == "withdrawn" and review.title is None
        actions = [e.action for e in audit.history(session, sid)]
        for a in ("start", "claim", "score", "decide", "resubmit"):
            assert a in actions

    def test_desk_sees_what_the_new_version_changed(self, session: Session) -> None:
        """GIVEN version 1 read 党员人数 31 WHEN the unit resubmits a file that reads 36 THEN the
        changes between versions name that field only, before and after."""
        from storage.models import StoredFile
        bureau = person(session, "bureau", "reviewer", stage_id="bureau_review")
        unit = person(session, "unit", "unit", organisation="局机关党支部")
        sid = submission(session, "yueyang-2017", "局机关党支部")
        session.add(StoredFile(submission_id=sid, name="申报表.docx", sha256="b" * 64, size=1,
                               object_key=f"y/{sid}", state="done", created_at=utcnow() - dt.timedelta(seconds=5),
                               result={"documents": [{"kind": "application_form", "fields": {
                                   "member_count": {"value": 31}, "unit_name": {"value": "某局支部"}}}]}))
        session.commit()
        flow.start_review(session, unit, sid)
        assert flow.changes_between_versions(session, sid) == []
        task = queue.claim_next(session, bureau, lease_seconds=LEASE)
        flow.decide(session, bureau, task.id, "return", {"reasons": "党员人数有误"})  # type: ignore[union-attr]
        _add_file(session, sid)
        flow.resubmit(session, unit, sid)
        assert flow.changes_between_versions(session, sid) == [
            {"field": "member_count", "before": 31, "after": 36},
            {"field": "unit_name", "before": "某局支部", "after": None}]

    def test_proportion_limits_year_end_acceptance(self, session: Session) -> None:
        """GIVEN proportion 0.5 in the file and two candidates THEN only one becomes 创建单位."""
        boss = person(session, "boss", "admin")
        ids = []
        for n in range(2):
            sid = submission(session, "yueyang-2017", f"支部{n}")
            flow.start_review(session, None, sid)
            ids.append(sid)
        # walk both to acceptance_year_end through the data, quickly
        for sid in ids:
            for task in _open(session, sid):
                task.stage_id = "acceptance_year_end"
            session.commit()
        _pass(session, boss, _open(session, ids[0])[0], opinion="合格")
        with pytest.raises(DomainError) as e:
            _pass(session, boss, _open(session, ids[1])[0], opinion="合格")
        assert e.value.code == "stage.limit_reached"


def _add_file(session: Session, sid: str) -> None:
    from storage.models import StoredFile
    session.add(StoredFile(submission_id=sid, name="申报表-修改.docx", sha256="a" * 64, size=1,
                           object_key=f"x/{sid}", state="done", created_at=utcnow() + dt.timedelta(seconds=1),
                           result={"documents": [{"kind": "application_form",
                                                  "fields": {"member_count": {"value": 36}}}]}))
    session.commit()
