"""Route guards: every route names who may call it by one of these FastAPI dependencies.

`tests/test_route_walk.py` walks `app.routes` and fails on a route that is not on its
public list and has none of `GUARDS` among its dependencies; `tests/test_access_matrix.py`
tries every route as every role against the table of what each may do.

Roles: operators read and retry, nothing else; deciders (reviewers, recommenders, admins)
act on review tasks; only the owning unit changes its submission.
"""
from __future__ import annotations

from typing import Annotated, Callable

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from services.kit.deps import CurrentUser, current_user
from services.kit.errors import Forbidden, LoginRequired
from services.security.access import can_change, can_view, task_scope
from storage.models import Submission
from storage.review_models import Role, SubmissionOwner, User

_NOT_YOURS = "找不到这份申报，或您无权查看。"


def _role_guard(name: str, roles: tuple[str, ...], message: str) -> Callable[[User], User]:
    def guard(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(message, f"{user.username} ({user.role}) may not: {name}")
        return user
    guard.__name__ = name
    return guard


# act on review tasks: claim, correct, score, decide, objections (operators decide nothing)
decider = _role_guard("decider", (Role.REVIEWER.value, Role.RECOMMENDER.value, Role.ADMIN.value),
                      "您的账号不能办理审核任务。")
admin_only = _role_guard("admin_only", (Role.ADMIN.value,), "只有管理员可以办理这项操作。")
staff_only = _role_guard("staff_only", (Role.ADMIN.value, Role.OPERATOR.value), "只有运维人员和管理员可以查看。")
unit_only = _role_guard("unit_only", (Role.UNIT.value,), "只有申报单位账号可以办理这项操作。")
overview_reader = _role_guard("overview_reader", (Role.ADMIN.value, Role.OPERATOR.value, Role.REVIEWER.value),
                              "您的账号没有这项权限。")

Decider = Annotated[User, Depends(decider)]
AdminUser = Annotated[User, Depends(admin_only)]
StaffUser = Annotated[User, Depends(staff_only)]
UnitUser = Annotated[User, Depends(unit_only)]
OverviewReader = Annotated[User, Depends(overview_reader)]


_ONLY_THE_UNIT = "只有申报单位本身可以修改或提交这份申报。"


def submission_refusal(session: Session, user: User | None, submission_id: str, *, change: bool,
                       anonymous_uploads: bool) -> tuple[int, str, str] | None:
    """(status, code, Chinese message) when `user` may not see (or, with `change`, change) the
    submission; None when it may, or when there is no such submission (the route answers its own 404).
    Someone who may see it but not change it (staff, its reviewers) is told so (403); to anyone else
    it does not exist (404)."""
    sub = session.get(Submission, submission_id)
    if sub is None:
        return None
    if user is None:
        # embedded dev mode: unowned submissions (anonymous 自查) stay open to their link
        if anonymous_uploads and session.get(SubmissionOwner, submission_id) is None:
            return None
        return 401, "auth.required", "请先登录。"
    if not can_view(session, user, sub):
        return 404, "not_found", _NOT_YOURS
    if change and not can_change(session, user, sub):
        return 403, "auth.forbidden", _ONLY_THE_UNIT
    return None


def _submission_guard(change: bool) -> Callable[..., None]:
    def guard(submission_id: str, request: Request) -> None:
        from services.kit.errors import NotFound

        session: Session = request.app.state.sessions()
        try:
            refusal = submission_refusal(session, getattr(request.state, "user", None), submission_id,
                                         change=change, anonymous_uploads=request.app.state.settings.anonymous_uploads)
        finally:
            session.close()
        if refusal is None:
            return
        status, _, message = refusal
        detail = f"submission {submission_id} not {'changeable' if change else 'visible'}"
        if status == 401:
            raise LoginRequired(message, detail)
        raise (Forbidden if status == 403 else NotFound)(message, detail)
    guard.__name__ = "changeable_submission" if change else "visible_submission"
    return guard


visible_submission = _submission_guard(change=False)
changeable_submission = _submission_guard(change=True)
VisibleSubmission = Depends(visible_submission)
ChangeableSubmission = Depends(changeable_submission)

# what the route walk accepts as "declares who may call it"
GUARDS: tuple[Callable[..., object], ...] = (current_user, decider, admin_only, staff_only, unit_only,
                                              overview_reader, visible_submission, changeable_submission)


def check_creator(user: User | None, organisation: str, self_check: bool) -> None:
    """A submission (not a 自查) is made by a unit, in its own organisation's name only: a person
    logged in under one organisation never files for another, and staff, reviewers and recommenders
    file for nobody."""
    if user is None or self_check:
        return
    if user.role != Role.UNIT.value:
        raise Forbidden("只有申报单位账号可以新建申报。", f"{user.username} ({user.role}) cannot create submissions")
    if organisation.strip() != (user.organisation or ""):
        raise Forbidden(f"只能以本单位（{user.organisation}）的名义新建申报。",
                        f"{user.username} of {user.organisation!r} named {organisation!r}")


def visible_task(task_id: str, request: Request, user: CurrentUser) -> None:
    """A review task in the caller's queues (their stage, department, county or recommender; staff
    see all); any other id answers the 404 of a missing one."""
    from sqlalchemy import select

    from services.kit.errors import NotFound
    from storage.review_models import ReviewTask

    session: Session = request.app.state.sessions()
    try:
        found = session.scalar(select(ReviewTask.id).where(ReviewTask.id == task_id, task_scope(user)))
    finally:
        session.close()
    if found is None:
        raise NotFound("找不到这个审核任务，或您无权办理。", f"task {task_id} not in {user.username}'s queues")


VisibleTask = Depends(visible_task)
GUARDS = (*GUARDS, visible_task)
