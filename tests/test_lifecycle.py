"""The lifecycle's rules (dossier/lifecycle.py): every move allowed, every one refused with its
Chinese reason, and the one state the rows of a submission say it is in."""
from __future__ import annotations

import itertools

import pytest

from dossier.lifecycle import (LABELS, REFUSALS, TRANSITIONS, Actor, Event, Facts, Refused, State,
                               actor_of, checks_done, label, move, state_of)

ALLOWED = {(t.event, t.source): t for t in TRANSITIONS}


def why(source: State, event: Event, actor: Actor) -> str:
    """The Chinese message of the refusal (the test fails if the move is allowed)."""
    with pytest.raises(Refused) as e:
        move(source, event, actor)
    return e.value.message


class TestMoves:
    @pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.event.value}:{t.source.value}")
    def test_every_allowed_move_lands_where_the_table_says_for_each_of_its_actors(self, t: object) -> None:
        """Each transition of the table is made by each actor it names, and by nobody else, whose
        refusal says in Chinese who may do it."""
        for actor in Actor:
            if actor in t.actors:  # type: ignore[attr-defined]
                assert move(t.source, t.event, actor) is t.target  # type: ignore[attr-defined]
            else:
                with pytest.raises(Refused) as e:
                    move(t.source, t.event, actor)  # type: ignore[attr-defined]
                assert e.value.message.startswith("只有") and "不能进行这项操作" in e.value.message

    @pytest.mark.parametrize("event,source", [(e, s) for e, s in itertools.product(Event, State)
                                              if (e, s) not in ALLOWED],
                             ids=lambda x: x.value)
    def test_every_other_move_is_refused_with_the_states_reason(self, event: Event, source: State) -> None:
        """A move the table does not hold is refused for everyone, with the reason of the state it is in."""
        for actor in Actor:
            with pytest.raises(Refused) as e:
                move(source, event, actor)
            assert e.value.message == REFUSALS[source]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in e.value.message)

    def test_the_paths_the_notices_describe(self) -> None:
        """Draft to title, with a return on the way; a 自查 never gets past itself."""
        s = State.DRAFT
        for event, actor in ((Event.UPLOAD, Actor.UNIT), (Event.CHECKED, Actor.SYSTEM), (Event.SUBMIT, Actor.UNIT),
                             (Event.OPEN_STAGE, Actor.SYSTEM), (Event.RETURN, Actor.REVIEWER),
                             (Event.UPLOAD, Actor.UNIT), (Event.SUBMIT, Actor.UNIT),
                             (Event.PASS_STAGE, Actor.RECOMMENDER), (Event.TITLE, Actor.REVIEWER)):
            s = move(s, event, actor)
        assert s is State.TITLED
        assert "自查" in why(State.SELF_CHECK, Event.SUBMIT, Actor.UNIT)

    def test_staff_decide_nothing_and_units_cannot_review(self) -> None:
        assert why(State.IN_REVIEW, Event.PASS_STAGE, Actor.STAFF).startswith("只有推荐单位、审核人员")
        assert why(State.IN_REVIEW, Event.RETURN, Actor.UNIT).startswith("只有")
        assert "审核期间不能更改材料" in why(State.IN_REVIEW, Event.UPLOAD, Actor.UNIT)
        assert "检查中" in why(State.CHECKING, Event.SUBMIT, Actor.UNIT) or \
            "检查完成后" in why(State.CHECKING, Event.SUBMIT, Actor.UNIT)

    def test_roles_map_to_actors(self) -> None:
        assert [actor_of(r) for r in (None, "unit", "recommender", "reviewer", "admin", "operator")] == [
            Actor.UNIT, Actor.UNIT, Actor.RECOMMENDER, Actor.REVIEWER, Actor.STAFF, Actor.STAFF]


class TestStateOfTheRows:
    @pytest.mark.parametrize("facts,state", [
        (Facts(self_check=True, files=2, checked=True), State.SELF_CHECK),
        (Facts(), State.DRAFT),
        (Facts(files=2, files_final=False), State.CHECKING),
        (Facts(files=2, files_final=True, checked=False), State.CHECKING),
        (Facts(files=2, files_final=True, checked=True), State.READY),
        (Facts(files=2, checked=True, submitted=True, review_status="in_review"), State.SUBMITTED),
        (Facts(files=2, checked=True, submitted=True, review_status="in_review", acted=True), State.IN_REVIEW),
        (Facts(files=2, submitted=True, review_status="returned", acted=True), State.RETURNED),
        (Facts(files=2, submitted=True, review_status="rejected", acted=True), State.REJECTED),
        (Facts(files=2, submitted=True, review_status="completed", acted=True), State.PASSED),
        (Facts(files=2, submitted=True, review_status="completed", title="示范点", acted=True), State.TITLED),
        (Facts(files=2, submitted=True, review_status="in_review", title="创建单位", acted=True), State.TITLED),
        (Facts(files=2, submitted=True, review_status="withdrawn", acted=True), State.WITHDRAWN),
    ])
    def test_state(self, facts: Facts, state: State) -> None:
        assert state_of(facts) is state

    def test_checks_done_only_once_every_file_is_final_and_the_submission_checked(self) -> None:
        """The page keeps refreshing until then: a read file alone is not enough."""
        assert not checks_done(Facts())
        assert not checks_done(Facts(files=1, files_final=False, checked=True))
        assert not checks_done(Facts(files=1, files_final=True, checked=False))
        assert checks_done(Facts(files=1, files_final=True, checked=True))

    def test_labels_are_chinese_and_name_the_stage_in_review(self) -> None:
        assert [LABELS[s] for s in (State.DRAFT, State.CHECKING, State.READY, State.SUBMITTED, State.RETURNED,
                                    State.PASSED, State.REJECTED, State.TITLED, State.SELF_CHECK)] == [
            "草稿", "检查中", "待提交", "已提交", "已退回", "通过", "未通过", "称号", "自查"]
        assert label(State.IN_REVIEW, "推荐单位意见") == "审核中（推荐单位意见）"
        assert label(State.IN_REVIEW) == "审核中"
