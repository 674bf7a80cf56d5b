"""The campaign's rules through the API: who may apply and recommend, the deadlines per stage, the
yearly 复查 outcomes, accounts' bindings, and the lists the notices publish (XLSX and PDF); and the
admin's campaign files (list, validate, load).
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from dossier import beijing
from dossier.campaigns import Campaign, load_campaigns
from dossier.campaign_diff import Change
from dossier.stages import applicants, deadlines, engine
from services.auth import accounts
from services.kit.deps import CurrentUser, SessionDep, SettingsDep, campaign_or_404
from services.kit.downloads import content_disposition
from services.kit.errors import DomainError, NotFound
from services.kit.schemas import Ident, LongText, Name, Note
from services.auth import eligibility
from services.review import schedule as schedule_of
from services.security.access import is_staff, visible_submission
from services.security.guards import AdminUser, OverviewReader
from storage.models import utcnow
from storage.review_models import Role
from workers.packets import public_lists
from workers.routing import yearly

from .service import changes, load, validate

router = APIRouter(tags=["rules"])
# the admin's campaign files, for scripts (the page is services/campaigns/pages.py)
files_api = APIRouter(tags=["campaigns"])

MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


class BindingIn(BaseModel):
    campaign_id: Ident
    recommender: Name | None = Field(None, description="a unit's recommender, from the campaign's list / 推荐单位")
    applicant_kind: Name | None = Field(None, description="a unit's applicant kind / 创建对象类别")
    county: Name | None = Field(None, description="a reviewer's county, or `city` / 审核人员所属县（市、区）")


@router.get("/api/review/campaigns/{campaign_id}/recommenders", summary="Who may recommend and apply / 推荐单位与创建对象")
def recommenders(campaign_id: str, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """The campaign file's recommenders (level, county), what a unit picks from, the applicant kinds
    and the counties reviewers are bound to. / 推荐单位名单（级别、所属县市区）、创建对象、县（市、区）。"""
    campaign = campaign_or_404(campaign_id)
    return {"campaign_id": campaign.id,
            "recommenders": [{"name": r.name, "level": r.level, "kind": r.kind, "county": r.county}
                             for r in applicants.recommenders(campaign)],
            "open_kinds": [{"kind": k.kind, "level": k.level} for k in applicants.open_kinds(campaign)],
            "choices": eligibility.choices(session, campaign),
            "applicant_kinds": applicants.applicant_kinds(campaign),
            "counties": applicants.counties(campaign)}


@router.get("/api/review/campaigns/{campaign_id}/schedule", summary="Deadlines per stage / 各环节截止日期")
def schedule(campaign_id: str, user: CurrentUser, site_level: str | None = None) -> dict[str, Any]:
    """Each stage with the notice's date, and `units_by`: when the recommender needs its units'
    materials for its 公示 and the stages before the dated one. / 各环节截止日期及推荐单位收取材料的日期。"""
    campaign = campaign_or_404(campaign_id)
    return deadlines.schedule(campaign, {"site_level": site_level} if site_level else {})


@router.get("/api/review/submissions/{submission_id}/schedule", summary="A submission's deadlines / 本申报的截止日期")
def submission_schedule(submission_id: str, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """As the campaign's schedule, for this submission's level (its recommender's); `message` says
    in Chinese by when the unit's materials must reach its recommender. / 本单位材料须交推荐单位的日期。"""
    return schedule_of.of_submission(session, visible_submission(session, user, submission_id))


@router.get("/api/review/campaigns/{campaign_id}/reinspections", summary="Yearly 复查 outcomes / 年度复查结果")
def reinspections(campaign_id: str, user: OverviewReader, session: SessionDep) -> list[dict[str, Any]]:
    """Each year's re-inspection of each titled unit: open (outcome null), pass, or withdraw."""
    campaign = campaign_or_404(campaign_id)
    return [{"submission_id": r.submission_id, "year": r.year, "title": r.title, "outcome": r.outcome,
             "outcome_label": public_lists.OUTCOME_LABELS.get(r.outcome, r.outcome), "task_id": r.task_id,
             "decided_by": r.decided_by, "reasons": r.reasons,
             "decided_at": beijing.shown(r.decided_at) or None} for r in yearly.outcomes(session, campaign.id)]


@router.put("/api/users/{username}/binding", summary="Bind an account (admin) / 绑定推荐单位、创建对象或县（市、区）")
def bind(username: str, body: BindingIn, user: AdminUser, session: SessionDep) -> dict[str, Any]:
    target = accounts.find_user(session, username)
    if target is None:
        raise NotFound(f"没有账号“{username}”。", f"no user {username!r}")
    u = accounts.bind_user(session, target.id, role=target.role, organisation=target.organisation,
                           campaign_id=body.campaign_id, stage_id=target.stage_id, department=target.department,
                           recommender=body.recommender, applicant_kind=body.applicant_kind, county=body.county)
    row = eligibility.binding(session, u)
    return {"username": u.username, "campaign_id": u.campaign_id,
            "recommender": row.recommender if row else None, "applicant_kind": row.applicant_kind if row else None,
            "county": row.county if row else None}


@router.get("/api/campaigns/{campaign_id}/lists", summary="The lists the notice publishes / 公示名单、表彰名单")
def lists(campaign_id: str, user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    """Each list of the campaign file's `public_lists`, with the recommenders that have one of their own."""
    campaign = campaign_or_404(campaign_id)
    out = []
    for entry in public_lists.index(session, campaign):
        s = public_lists.spec(campaign, entry["id"])
        if not _may_read(user, s, None, probe=True):
            continue
        if s.per == "recommender":
            entry["recommenders"] = [n for n in entry["recommenders"] if _may_read(user, s, n)]
        out.append(entry)
    return out


def _may_read(user: Any, s: public_lists.ListSpec, recommender: str | None, *, probe: bool = False) -> bool:
    """Staff and reviewers read every list; a recommender its own 公示名单 only; units none."""
    if is_staff(user) or user.role == Role.REVIEWER.value:
        return True
    if user.role == Role.RECOMMENDER.value and s.per == "recommender":
        return probe or recommender == user.organisation
    return False


@router.get("/api/campaigns/{campaign_id}/lists/{list_id}.{fmt}", summary="A list as XLSX or PDF / 名单下载",
            response_class=Response)
async def list_file(campaign_id: str, list_id: str, fmt: str, user: CurrentUser, session: SessionDep,
                    settings: SettingsDep, recommender: str | None = None) -> Response:
    """`fmt` is xlsx or pdf; a list made per recommender needs `?recommender=` (a recommender's
    account gets its own). / 每个推荐单位的公示名单须指定推荐单位。"""
    campaign = campaign_or_404(campaign_id)
    if fmt not in MEDIA:
        raise NotFound("名单只提供 xlsx 和 pdf 两种格式。", f"format {fmt!r}")
    try:
        s = public_lists.spec(campaign, list_id)
    except public_lists.ListError as e:
        raise NotFound("该评选活动没有这份名单。", f"no list {list_id!r}") from e
    if user.role == Role.RECOMMENDER.value and s.per == "recommender":
        recommender = recommender or user.organisation
    if not _may_read(user, s, recommender):
        raise NotFound("找不到这份名单，或您无权查看。", f"{user.username} may not read {list_id}")
    if s.per == "recommender" and not recommender:
        raise DomainError("这是各推荐单位各自的公示名单，请指定推荐单位（recommender）。", "recommender needed",
                          code="list.recommender_needed", status_code=422)
    data = await run_in_threadpool(public_lists.render, session, campaign, list_id, fmt, recommender=recommender,
                                   compiled=utcnow(), font_path=settings.packet_font)
    name = f"{(recommender or '')}{s.title}.{fmt}"
    return Response(data, media_type=MEDIA[fmt], headers={"Content-Disposition": content_disposition(name),
                                                          "X-Content-Type-Options": "nosniff"})


# ------------------------------------------------------------------ the campaign files

class CampaignFileIn(BaseModel):
    text: Annotated[LongText, Field(max_length=200_000)] = Field(description="the campaign file's YAML text / 活动文件全文")
    file_name: Name = "campaign.yaml"
    note: Note = ""
    dry_run: bool = Field(False, description="validate and diff only / 只校验、比较，不载入")


def campaign_json(c: Campaign) -> dict[str, Any]:
    return {"id": c.id, "title": c.title, "version": c.version, "source": c.source.split("/")[-1],
            "deadline": c.deadline.isoformat() if c.deadline else None, "award_count": c.award_count,
            "stages": [s.id for s in engine.stages(c)],
            "assumptions": [{"path": a.path, "value": a.value, "reason": a.reason} for a in c.assumptions]}


def change_json(ch: Change) -> dict[str, Any]:
    return {"path": ch.path, "kind": ch.kind, "old": ch.old, "new": ch.new}


@files_api.get("/api/admin/campaigns", summary="Campaigns and their assumptions / 评选活动及其假定")
def list_campaigns(user: AdminUser) -> list[dict[str, Any]]:
    return [campaign_json(c) for c in sorted(load_campaigns().values(), key=lambda c: c.id)]


@files_api.post("/api/admin/campaigns", summary="Load a campaign file / 载入评选活动文件",
          responses={422: {"description": "`campaign.invalid`: the file does not validate (path and line)"},
                     409: {"description": "`campaign.unchanged`: the same as the current version"}})
def load_campaign(body: CampaignFileIn, request: Request, user: AdminUser, session: SessionDep) -> dict[str, Any]:
    """Validated, compared with the current version, and (unless `dry_run`) stored as the next version,
    audited and in force without a restart. / 校验、比较，并保存为新版本，即时生效。"""
    if body.dry_run:
        campaign = validate(body.text, body.file_name)
        return {"campaign": campaign_json(campaign), "changes": [change_json(c) for c in
                                                                 changes(session, campaign, body.text)]}
    campaign, version, found = load(session, request.app.state.campaigns, user, body.text, body.file_name, body.note)
    return {"campaign": {**campaign_json(campaign), "version": version},
            "changes": [change_json(c) for c in found]}
