"""The unit's home (/unit): its submissions with where each stands, a new draft, and the corrected
files after a return; and 识别有误 on a finding from the submission's page.

Server-rendered Chinese HTML; every form carries the session's CSRF token (multipart forms in the
action's query string, checked by the auth middleware; the others' hidden field, checked here).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from sqlalchemy.orm import Session

from dossier.campaigns import Campaign, CampaignError, get_campaign, load_campaigns
from dossier.stages import applicants, engine
from services.kit.csrf import csrf_ok, require_csrf
from services.kit.deps import CurrentUser, RowIdPath, SessionDep, SettingsDep, StoreDep
from services.kit.errors import DomainError, InvalidInput
from services.kit.render import flash_back, read_form, render
from services.review import flow, schedule
from services.auth import eligibility
from services.review import findings as finding_actions
from services.security.access import record_owner, submissions_of, visible_submission
from services.review.rows import review_row
from services.security.guards import UnitUser
from storage import standing as lifecycle
from storage.rules_models import UserBinding

from . import service as subs
from .uploads import receive_form, store_uploads

router = APIRouter(include_in_schema=False)


@router.get("/unit", response_class=HTMLResponse)
def unit_home(request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    rows = [review_row(session, s) for s in submissions_of(session, user)]
    campaigns = list(load_campaigns().values())
    bound = eligibility.binding(session, user)
    return render(request, "review/unit.html", rows=rows, campaigns=campaigns,
                  campaign_titles={c.id: c.title for c in campaigns},
                  deadline_note=lambda sub: schedule.note(session, sub), bound=bound,
                  **pick_lists(session, campaigns, bound),
                  needs_recommender={c.id for c in campaigns if engine.needs_recommender(c)})


def pick_lists(session: Session, campaigns: list[Campaign], bound: UserBinding | None) -> dict[str, Any]:
    """What an unbound unit picks from, per campaign: its recommenders grouped by kind and level, and
    its applicant kinds (创建的对象).  A campaign the account is bound for offers no choice of what
    the binding already says."""
    def covers(c: Campaign, value: str | None) -> bool:
        return bound is not None and bool(value) and bound.campaign_id in (None, c.id)

    groups: dict[str, list[tuple[str, list[str]]]] = {}
    kinds: dict[str, list[str]] = {}
    for c in campaigns:
        if not covers(c, bound.recommender if bound else None) and (g := eligibility.choice_groups(session, c)):
            groups[c.id] = g
        if not covers(c, bound.applicant_kind if bound else None) and (k := applicants.applicant_kinds(c)):
            kinds[c.id] = k
    return {"recommender_groups": groups, "kind_choices": kinds,
            "open_kinds": {c.id: [k.kind for k in applicants.open_kinds(c)] for c in campaigns},
            "bound_title": next((c.title for c in campaigns if bound and bound.campaign_id == c.id), "")}


@router.post("/unit/submit")
async def unit_submit(request: Request, user: UnitUser, session: SessionDep, store: StoreDep,
                      settings: SettingsDep) -> Response:
    """A unit's new draft: created under its own organisation, its files stored and checked; the unit
    submits it from its page once the checks are done (services.submissions.submitting)."""
    fields, uploads = await receive_form(request.headers, request.stream(), max_file_bytes=settings.max_upload_bytes)
    try:
        require_csrf(request, fields.get("csrf_token"))
        # checked before anything is stored: a flow whose recommender is not named would open
        # a task nobody may claim (the campaign is chosen on the page, never defaulted)
        if not fields.get("campaign"):
            raise InvalidInput("请选择评选活动。", "campaign not chosen")
        campaign = get_campaign(fields["campaign"])
        # the unit's bound recommender, or one from the campaign file's list (the notice's words otherwise)
        # picked from the page's lists: one of this campaign's (the page without JavaScript shows all)
        eligibility.check_choice(session, campaign, fields.get("recommender"))
        recommender = eligibility.applicant_recommender(session, user, campaign, fields.get("recommender"),
                                                        fields.get("applicant_kind"))
        flow.check_recommender(campaign, recommender, listed=False)
        sub = await run_in_threadpool(subs.create_submission, session, campaign_id=campaign.id,
                                      organisation=user.organisation or "", recommender=recommender)
    except (DomainError, CampaignError) as e:
        session.rollback()          # an applicant kind bound on the way stays unbound
        for up in uploads:
            await up.close()
        return flash_back("/unit", getattr(e, "message", None) or "请选择评选活动。")
    await run_in_threadpool(record_owner, session, user, sub.id)
    await store_uploads(session, store, settings, sub.id, uploads)
    return flash_back(f"/submissions/{sub.id}", "草稿已建立，材料正在检查；检查完成后请在本页提交审核。")


@router.post("/unit/submissions/{submission_id}/resubmit")
async def unit_resubmit(submission_id: str, request: Request, user: CurrentUser, session: SessionDep,
                        store: StoreDep, settings: SettingsDep) -> Response:
    """The corrected files after a return: stored and checked; the unit resubmits from the
    submission's page once the checks are done, through the same gate as the first time."""
    sub = await run_in_threadpool(visible_submission, session, user, submission_id, change=True)
    if lifecycle.standing(session, sub).to_json()["code"] != "returned":
        # refused before a byte of the body is read: a refused resubmit stores nothing
        raise DomainError("只有被退回的申报才能上传修改后的材料并重新提交。", f"{submission_id} is not returned",
                          code="submission.not_returned", status_code=409)
    fields, uploads = await receive_form(request.headers, request.stream(), max_file_bytes=settings.max_upload_bytes)
    if not csrf_ok(request, fields.get("csrf_token")):
        for up in uploads:
            await up.close()
        return flash_back("/unit", "页面已过期，请刷新后重试。")
    await store_uploads(session, store, settings, submission_id, uploads)
    return flash_back(f"/submissions/{submission_id}", "修改后的材料已上传，正在检查；检查完成后请点“重新提交”。")


@router.post("/submissions/{submission_id}/findings/{finding_id}/contest")
async def unit_contest(submission_id: str, finding_id: RowIdPath, request: Request, user: CurrentUser,
                       session: SessionDep) -> Response:
    """识别有误 from the unit's page (templates/_contest.html); back to the page with the outcome."""
    f = await read_form(request)
    page = f"/submissions/{submission_id}"
    try:
        await run_in_threadpool(finding_actions.contest, session, user, submission_id, finding_id,
                                f.get("note", ""))
    except DomainError as e:
        return flash_back(page, e.message)
    return flash_back(page, "已标记识别有误，此问题不再阻止提交，审核人员将对照原件核实。")
