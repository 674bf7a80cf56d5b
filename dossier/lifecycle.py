"""The submission lifecycle: its states, who moves a submission between them, and the
Chinese words for a refusal.  Pure rules: no database, no web; services and workers ask
here and do the moving themselves.

    草稿 draft ──上传──▶ 检查中 checking ──检查完成──▶ 待提交 ready ──提交审核──▶ 已提交 submitted
                          ▲  └────────────────────────────┘ (又上传或删除文件)        │
                          │                                                         ▼
    已退回 returned ◀──退回── 审核中（环节） in_review ◀──────────────────────── first stage
        └──重新提交──▶ 审核中            ├──通过（最后一环）──▶ 通过 passed / 称号 titled
                                         └──不通过──▶ 未通过 rejected        称号 ──撤销──▶ 称号已撤销

A 自查 (self_check: the home page's anonymous upload) is read and checked like a draft
but is never a submission: it cannot be submitted, never counts toward a quota, and
never appears in packets, lists or the review.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class State(str, enum.Enum):
    SELF_CHECK = "self_check"
    DRAFT = "draft"
    CHECKING = "checking"
    READY = "ready"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    PASSED = "passed"
    REJECTED = "rejected"
    TITLED = "titled"
    WITHDRAWN = "withdrawn"


LABELS: dict[State, str] = {
    State.SELF_CHECK: "自查",
    State.DRAFT: "草稿",
    State.CHECKING: "检查中",
    State.READY: "待提交",
    State.SUBMITTED: "已提交",
    State.IN_REVIEW: "审核中",
    State.RETURNED: "已退回",
    State.PASSED: "通过",
    State.REJECTED: "未通过",
    State.TITLED: "称号",
    State.WITHDRAWN: "称号已撤销",
}

# the states of a submission that was put into review: these count, appear in packets and lists
SUBMITTED_STATES = frozenset({State.SUBMITTED, State.IN_REVIEW, State.RETURNED, State.PASSED,
                              State.REJECTED, State.TITLED, State.WITHDRAWN})
# the unit may add, replace or remove files
EDITABLE_STATES = frozenset({State.SELF_CHECK, State.DRAFT, State.CHECKING, State.READY, State.RETURNED})


class Actor(str, enum.Enum):
    UNIT = "unit"
    RECOMMENDER = "recommender"
    REVIEWER = "reviewer"
    SYSTEM = "system"          # the workers: reading and checking files, opening stages
    STAFF = "staff"            # admin and operator: they watch and reassign, they decide nothing


class Event(str, enum.Enum):
    UPLOAD = "upload"          # a file added, replaced or removed
    CHECKED = "checked"        # every file final and the submission-level checks ran
    SUBMIT = "submit"          # 提交审核 (the first time) or 重新提交 (after a return)
    OPEN_STAGE = "open_stage"  # the first stage opens: 已提交 becomes 审核中 once someone acts
    PASS_STAGE = "pass_stage"  # a stage passed, the next one opens
    RETURN = "return"
    PASS_FINAL = "pass_final"  # the last stage passed (no title)
    TITLE = "title"            # a stage that gives a title passed
    REJECT = "reject"
    WITHDRAW = "withdraw"      # 复查: the title taken back


@dataclass(frozen=True)
class Transition:
    event: Event
    source: State
    target: State
    actors: frozenset[Actor]


def _t(event: Event, source: State, target: State, *actors: Actor) -> Transition:
    return Transition(event, source, target, frozenset(actors))


U, R, V, S = Actor.UNIT, Actor.RECOMMENDER, Actor.REVIEWER, Actor.SYSTEM
DECIDERS = (R, V)

TRANSITIONS: tuple[Transition, ...] = (
    _t(Event.UPLOAD, State.DRAFT, State.CHECKING, U),
    _t(Event.UPLOAD, State.CHECKING, State.CHECKING, U),
    _t(Event.UPLOAD, State.READY, State.CHECKING, U),
    _t(Event.UPLOAD, State.RETURNED, State.RETURNED, U),        # checked again, still 已退回
    _t(Event.UPLOAD, State.SELF_CHECK, State.SELF_CHECK, U),
    _t(Event.CHECKED, State.CHECKING, State.READY, S),
    _t(Event.CHECKED, State.RETURNED, State.RETURNED, S),
    _t(Event.CHECKED, State.SELF_CHECK, State.SELF_CHECK, S),
    _t(Event.SUBMIT, State.READY, State.SUBMITTED, U),
    _t(Event.SUBMIT, State.RETURNED, State.IN_REVIEW, U),
    _t(Event.OPEN_STAGE, State.SUBMITTED, State.IN_REVIEW, S, *DECIDERS),
    _t(Event.PASS_STAGE, State.SUBMITTED, State.IN_REVIEW, *DECIDERS),
    _t(Event.PASS_STAGE, State.IN_REVIEW, State.IN_REVIEW, *DECIDERS),
    _t(Event.PASS_STAGE, State.TITLED, State.TITLED, V),          # a yearly 复查 passed
    _t(Event.RETURN, State.SUBMITTED, State.RETURNED, *DECIDERS),
    _t(Event.RETURN, State.IN_REVIEW, State.RETURNED, *DECIDERS),
    _t(Event.REJECT, State.SUBMITTED, State.REJECTED, *DECIDERS),
    _t(Event.REJECT, State.IN_REVIEW, State.REJECTED, *DECIDERS),
    _t(Event.PASS_FINAL, State.SUBMITTED, State.PASSED, *DECIDERS),
    _t(Event.PASS_FINAL, State.IN_REVIEW, State.PASSED, *DECIDERS),
    _t(Event.TITLE, State.SUBMITTED, State.TITLED, *DECIDERS),
    _t(Event.TITLE, State.IN_REVIEW, State.TITLED, *DECIDERS),
    _t(Event.WITHDRAW, State.TITLED, State.WITHDRAWN, V),
)

_BY_KEY = {(t.event, t.source): t for t in TRANSITIONS}

ACTOR_WORDS = {U: "申报单位", R: "推荐单位", V: "审核人员", S: "系统", Actor.STAFF: "管理员和运维人员"}
EVENT_WORDS = {
    Event.UPLOAD: "上传或更换文件", Event.CHECKED: "完成检查", Event.SUBMIT: "提交审核",
    Event.OPEN_STAGE: "进入审核", Event.PASS_STAGE: "通过本环节", Event.RETURN: "退回",
    Event.PASS_FINAL: "审核通过", Event.TITLE: "授予称号", Event.REJECT: "作出不通过决定",
    Event.WITHDRAW: "撤销称号",
}

# why an event cannot happen in a state, in the unit's or reviewer's words
REFUSALS: dict[State, str] = {
    State.SELF_CHECK: "这是自查，不是申报：自查结果不会提交审核，也不计入推荐名额。请登录后在“我的申报”中新建申报。",
    State.DRAFT: "这份申报还没有上传材料，请先上传文件。",
    State.CHECKING: "材料还在检查中，请等全部文件识别完、整份申报检查完成后再操作。",
    State.READY: "这份申报尚未提交审核。",
    State.SUBMITTED: "这份申报已提交审核，审核期间不能更改材料；如需修改，请等审核人员退回。",
    State.IN_REVIEW: "这份申报正在审核中，审核期间不能更改材料；如需修改，请等审核人员退回。",
    State.RETURNED: "这份申报已被退回，请按退回理由修改后重新提交。",
    State.PASSED: "这份申报已审核通过，不能再更改。",
    State.REJECTED: "这份申报未通过审核，不能再更改。",
    State.TITLED: "这份申报已获得称号，不能再更改。",
    State.WITHDRAWN: "这份申报的称号已撤销，不能再更改。",
}


class Refused(Exception):
    """A move the lifecycle does not allow; `message` is Chinese, for the person who asked."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(detail)
        self.message = message
        self.detail = detail


def label(state: State, stage: str | None = None) -> str:
    """The state in Chinese; in review it names the stage: 审核中（机关党委审核）."""
    if state is State.IN_REVIEW and stage:
        return f"审核中（{stage}）"
    return LABELS[state]


def allowed(event: Event, source: State) -> Transition | None:
    return _BY_KEY.get((event, source))


def move(source: State, event: Event, actor: Actor) -> State:
    """The state after `actor` does `event` in `source`; Refused (with a Chinese message) when not allowed."""
    t = _BY_KEY.get((event, source))
    if t is None:
        raise Refused(REFUSALS[source], f"{event.value} not allowed in {source.value}")
    if actor not in t.actors:
        who = "、".join(ACTOR_WORDS[a] for a in sorted(t.actors, key=lambda a: a.value))
        raise Refused(f"只有{who}可以{EVENT_WORDS[event]}，您的账号不能进行这项操作。",
                      f"{actor.value} may not {event.value} in {source.value}")
    return t.target


def actor_of(role: str | None) -> Actor:
    """The lifecycle's actor for an account role (None: an anonymous visitor, a unit's self-check)."""
    if role in ("admin", "operator"):
        return Actor.STAFF
    if role in (None, "unit"):
        return Actor.UNIT
    return Actor(role)


@dataclass(frozen=True)
class Facts:
    """What the database says about one submission, enough to tell its state."""
    self_check: bool = False
    files: int = 0                     # current files (replaced ones not counted)
    files_final: bool = True           # every current file read (or parked as failed)
    checked: bool = False              # the submission-level checks ran after the last change
    submitted: bool = False            # 提交审核 recorded
    review_status: str | None = None   # in_review | returned | rejected | completed | withdrawn
    title: str | None = None
    acted: bool = False                # someone has decided a task of this submission


def state_of(f: Facts) -> State:
    """The one state a submission is in (derived, so it never disagrees with its rows)."""
    if f.self_check:
        return State.SELF_CHECK
    if f.review_status is None:
        if f.submitted:
            return State.SUBMITTED
        if f.files == 0:
            return State.DRAFT
        return State.READY if f.files_final and f.checked else State.CHECKING
    if f.review_status == "returned":
        return State.RETURNED
    if f.review_status == "rejected":
        return State.REJECTED
    if f.review_status == "withdrawn":
        return State.WITHDRAWN
    if f.title:
        return State.TITLED
    if f.review_status == "completed":
        return State.PASSED
    return State.IN_REVIEW if f.acted else State.SUBMITTED


def checks_done(f: Facts) -> bool:
    """Some file uploaded, every file final and the submission-level checks ran after the last
    change: nothing more will appear, the page may stop refreshing."""
    return f.files > 0 and f.files_final and f.checked
