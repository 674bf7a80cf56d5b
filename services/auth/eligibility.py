"""Who may apply and who recommends, against the campaign file's lists, for the API and the pages.

A unit account bound to its recommender (or applicant kind) applies under that binding: whatever
a form or a script names, the bound one is used, and a different one is refused.  A name off the
list is refused with the notice's own words (dossier/stages/applicants.py says who is on it).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.campaigns import Campaign
from services.kit.errors import InvalidInput
from storage.models import Submission
from storage.review_models import Role, User
from storage.rules_models import SubmissionPlace, UserBinding
from dossier.stages import applicants, engine


class NotEligible(InvalidInput):
    code = "applicant.not_eligible"


def registered_recommenders(session: Session | None, campaign: Campaign) -> list[str]:
    """Recommender accounts the admin created for this campaign (or for every campaign)."""
    if session is None:
        return []
    rows = session.scalars(select(User.organisation).where(
        User.role == Role.RECOMMENDER.value, User.active.is_(True), User.organisation.is_not(None),
        (User.campaign_id.is_(None)) | (User.campaign_id == campaign.id)))
    return sorted({r for r in rows if r})


def choice_groups(session: Session | None, campaign: Campaign) -> list[tuple[str, list[str]]]:
    """What a unit picks its recommender from, by kind and level: the file's list, then the
    registered accounts of the kinds the notice leaves open."""
    return applicants.recommender_groups(campaign, registered_recommenders(session, campaign))


def choices(session: Session | None, campaign: Campaign) -> list[str]:
    return [name for _, names in choice_groups(session, campaign) for name in names]


def check_choice(session: Session | None, campaign: Campaign, name: str | None) -> None:
    """A recommender picked on the unit's page: one of this campaign's choices.  Without JavaScript
    the page shows every campaign's choices, so a name of another campaign's list can come back."""
    name = (name or "").strip()
    if not name or name in choices(session, campaign):
        return
    if applicants.has_recommender_list(campaign):
        check_recommender(session, campaign, name)        # the notice's words for a name off the list
    raise NotEligible(f"“{name}”不是“{campaign.title}”的推荐单位，本次评选不须选择推荐单位。",
                      f"{name!r} picked for {campaign.id}, which lists no recommenders")


def check_recommender(session: Session | None, campaign: Campaign, name: str | None) -> None:
    try:
        applicants.check_recommender(campaign, name, registered_recommenders(session, campaign))
    except applicants.NotEligible as e:
        raise NotEligible(e.message, e.detail) from e


def binding(session: Session, user: User) -> UserBinding | None:
    return session.get(UserBinding, user.id)


def applicant_recommender(session: Session, user: User | None, campaign: Campaign, given: str | None,
                          applicant_kind: str | None = None) -> str | None:
    """The recommender a unit's new submission is under: its bound one (a different one named is
    refused), else the one named, checked against the list; and its applicant kind (创建的对象):
    the bound one, else the one named, which an unbound unit must pick where the campaign lists
    kinds.  The kind picked binds the account (the admin may change it on the people page)."""
    unit = user is not None and user.role == Role.UNIT.value
    row = binding(session, user) if unit and user is not None else None
    bound = row if row is not None and row.campaign_id in (None, campaign.id) else None
    _check_kind(session, user, campaign, row, bound, applicant_kind, unit)
    recommender = (given or "").strip() or None
    if bound is not None and bound.recommender:
        if recommender and recommender != bound.recommender:
            raise NotEligible(f"本账号的推荐单位是“{bound.recommender}”，不能以“{recommender}”名义申报；"
                              "如推荐单位有误，请联系管理员。", f"{user.username if user else ''} is bound to "
                              f"{bound.recommender!r}, not {recommender!r}")
        recommender = bound.recommender
    check_recommender(session, campaign, recommender)
    return recommender


def _check_kind(session: Session, user: User | None, campaign: Campaign, row: UserBinding | None,
                bound: UserBinding | None, given: str | None, unit: bool) -> None:
    given = (given or "").strip() or None
    try:
        if bound is not None and bound.applicant_kind:
            applicants.check_applicant_kind(campaign, bound.applicant_kind)
            if given and given != bound.applicant_kind:
                raise NotEligible(f"本账号的创建对象是“{bound.applicant_kind}”，不能以“{given}”申报；"
                                  "如有误，请联系管理员。", f"bound to {bound.applicant_kind!r}, not {given!r}")
            return
        kind = applicants.check_applicant_kind(campaign, given, required=unit)
    except applicants.NotEligible as e:
        raise NotEligible(e.message, e.detail) from e
    if kind and unit and user is not None and row is None:
        # the account had no binding: the kind it picked is its own from now on (one row per account;
        # an admin's binding for another campaign is never overwritten)
        session.add(UserBinding(user_id=user.id, campaign_id=campaign.id, applicant_kind=kind))


def bind(session: Session, user: User, *, campaign: Campaign | None, recommender: str | None = None,
         applicant_kind: str | None = None, county: str | None = None) -> UserBinding | None:
    """Bind an account to a recommender or applicant kind (units) or a county (reviewers), each
    checked against the campaign file's lists; all empty removes the binding.  Not committed."""
    row = session.get(UserBinding, user.id)
    if not (recommender or applicant_kind or county):
        if row is not None:
            session.delete(row)
        return None
    if campaign is None:
        raise InvalidInput("绑定推荐单位、创建对象或县（市、区）时须指定评选活动。", "binding needs a campaign")
    try:
        if recommender:
            applicants.check_recommender(campaign, recommender, registered_recommenders(session, campaign))
        applicants.check_applicant_kind(campaign, applicant_kind)
    except applicants.NotEligible as e:
        raise NotEligible(e.message, e.detail) from e
    if county and county != "city" and county not in applicants.counties(campaign):
        raise InvalidInput(f"“{county}”不是本次评选的县（市、区）。可选：{'、'.join(applicants.counties(campaign))}，"
                           "或 city（市本级）。", f"unknown county {county!r}", code="county.unknown")
    if row is None:
        row = UserBinding(user_id=user.id)
        session.add(row)
    row.campaign_id, row.recommender = campaign.id, recommender or None
    row.applicant_kind, row.county = applicant_kind or None, county or None
    return row


def record_place(session: Session, campaign: Campaign, sub: Submission) -> None:
    """The submission's county (its recommender's), for the 本地 reviewers' queues; not committed."""
    county = applicants.county_of(campaign, sub.recommender)
    if county and session.get(SubmissionPlace, sub.id) is None:
        session.add(SubmissionPlace(submission_id=sub.id, campaign_id=campaign.id, county=county))


def county_stage(campaign: Campaign, stage_id: str) -> bool:
    """Whether a stage is for county points only (各县（市、区）示范点……本地……联审): its reviewers are local."""
    try:
        s = engine.stage(campaign, stage_id)
    except engine.StageError:
        return False
    return s.applies_to.get("site_level") == "county"


def admin_lists(session: Session, campaigns: list[Campaign]) -> dict[str, dict[str, list[str]]]:
    """What the admin's users page offers per campaign: recommenders, applicant kinds, counties."""
    return {c.id: {"recommenders": choices(session, c), "applicant_kinds": applicants.applicant_kinds(c),
                   "counties": applicants.counties(c)} for c in campaigns}


def bindings(session: Session) -> dict[str, UserBinding]:
    return {b.user_id: b for b in session.scalars(select(UserBinding))}
