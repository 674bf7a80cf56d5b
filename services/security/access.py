"""Who may see what.  A refusal is a 404, like a missing row, so guessing ids tells nothing."""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session, object_session

from services.kit.errors import NotFound
from storage.models import Submission
from storage.review_models import ReviewTask, Role, SubmissionOwner, User
from storage.rules_models import CITY, SubmissionPlace, UserBinding

STAFF = (Role.ADMIN.value, Role.OPERATOR.value)


def is_staff(user: User) -> bool:
    return user.role in STAFF


def _locality(user: User) -> ColumnElement[bool]:
    """本地: a reviewer bound to a county sees only that county's submissions, one bound to the city
    only the city's; one bound to neither (user_bindings has no county) every one."""
    bound = select(UserBinding.county).where(UserBinding.user_id == user.id).scalar_subquery()
    place = select(SubmissionPlace.county).where(
        SubmissionPlace.submission_id == ReviewTask.submission_id).scalar_subquery()
    return or_(bound.is_(None), and_(bound == CITY, place.is_(None)), place == bound)


def _local(session: Session | None, user: User, task: ReviewTask) -> bool:
    """`_locality` for one task already loaded."""
    if session is None:
        return True
    row = session.get(UserBinding, user.id)
    if row is None or not row.county:
        return True
    place = session.get(SubmissionPlace, task.submission_id)
    return (place.county if place else CITY) == row.county


def task_scope(user: User) -> ColumnElement[bool]:
    """The reviewer tasks a person may see and claim: their stage (and department, and county), or
    their recommender's tasks; staff see every queue."""
    if is_staff(user):
        return true()
    if user.role == Role.REVIEWER.value:
        cond = and_(ReviewTask.actor == Role.REVIEWER.value, ReviewTask.stage_id == user.stage_id,
                    or_(ReviewTask.department.is_(None), ReviewTask.department == user.department),
                    _locality(user))
        if user.campaign_id:
            cond = and_(cond, ReviewTask.campaign_id == user.campaign_id)
        return cond
    if user.role == Role.RECOMMENDER.value:
        return and_(ReviewTask.actor == Role.RECOMMENDER.value, ReviewTask.organisation == user.organisation)
    return false()


def in_scope(user: User, task: ReviewTask) -> bool:
    """`task_scope` for one task already loaded (the admin's 改派 list checks every pair, and one
    query per pair would not do); tests/test_review_reassign.py holds the two to the same answers."""
    if is_staff(user):
        return True
    if user.role == Role.REVIEWER.value:
        return (task.actor == Role.REVIEWER.value and task.stage_id == user.stage_id
                and (task.department is None or task.department == user.department)
                and (not user.campaign_id or task.campaign_id == user.campaign_id)
                and _local(object_session(task), user, task))
    if user.role == Role.RECOMMENDER.value:
        return task.actor == Role.RECOMMENDER.value and task.organisation == user.organisation
    return False


def owner_organisation(session: Session, sub: Submission) -> str:
    owner = session.get(SubmissionOwner, sub.id)
    return owner.organisation if owner else sub.organisation


def can_view(session: Session, user: User, sub: Submission) -> bool:
    if is_staff(user):
        return True
    if user.role == Role.UNIT.value:
        return owner_organisation(session, sub) == user.organisation
    if user.role == Role.RECOMMENDER.value:
        return sub.recommender == user.organisation
    if user.role == Role.REVIEWER.value:
        found = session.scalar(select(ReviewTask.id).where(ReviewTask.submission_id == sub.id)
                               .where(task_scope(user)).limit(1))
        return found is not None
    return False


def can_change(session: Session, user: User, sub: Submission) -> bool:
    """Uploading files, removing them, submitting or resubmitting: the owning unit only (staff read
    and retry; nobody acts on a unit's behalf)."""
    return user.role == Role.UNIT.value and owner_organisation(session, sub) == user.organisation


def visible_submission(session: Session, user: User, submission_id: str, *, change: bool = False) -> Submission:
    sub = session.get(Submission, submission_id)
    allowed = sub is not None and (can_change if change else can_view)(session, user, sub)
    if not allowed:
        raise NotFound("找不到这份申报，或您无权查看。", f"submission {submission_id} not visible to {user.username}")
    assert sub is not None
    return sub


def submissions_of(session: Session, user: User) -> list[Submission]:
    """A unit's own submissions (owned, or named after it and unowned)."""
    owned = select(SubmissionOwner.submission_id).where(SubmissionOwner.organisation == user.organisation)
    unowned = select(SubmissionOwner.submission_id)
    q = select(Submission).where(or_(Submission.id.in_(owned),
                                     and_(Submission.organisation == user.organisation,
                                          Submission.id.not_in(unowned))))
    if user.role == Role.RECOMMENDER.value:
        q = select(Submission).where(Submission.recommender == user.organisation)
    elif is_staff(user):
        q = select(Submission)
    return list(session.scalars(q.order_by(Submission.created_at.desc())))


def record_owner(session: Session, user: User, submission_id: str) -> None:
    if user.role == Role.UNIT.value and session.get(SubmissionOwner, submission_id) is None:
        session.add(SubmissionOwner(submission_id=submission_id, organisation=user.organisation or "",
                                    user_id=user.id))
        session.commit()


def on_campaign(user: User, campaign_id: str, stage_ids: set[str]) -> bool:
    """Whether `user` works on the campaign (with these stages): staff on every one; a reviewer on
    the campaign it is bound to, or, bound to a stage only, on each campaign that has that stage."""
    if is_staff(user):
        return True
    if user.role != Role.REVIEWER.value:
        return False
    if user.campaign_id:
        return user.campaign_id == campaign_id
    return user.stage_id in stage_ids
