"""/admin/campaigns: each campaign's data as the file sets it, every assumption the file makes
where the notice is open, and loading a new or changed file — validated, diffed against the
current one, stored as the next version, recorded in the audit log, in force without a restart.
"""
from __future__ import annotations

import hashlib
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from fastapi.responses import HTMLResponse, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from dossier.campaign_diff import Change, diff
from dossier.campaign_registry import CampaignRegistry
from dossier.campaigns import Campaign, CampaignError, load_campaigns, parse_campaign_text
from services.kit.deps import SessionDep
from services.kit.schemas import LongText, Name, Note
from services.security.guards import AdminUser
from services.review import audit
from services.kit.errors import DomainError
from services.kit.deps import campaign_or_404
from storage.campaign_models import add_version, current_versions, versions_of
from storage.review_models import User
from dossier.stages import engine
from dossier.stages.engine import KIND_LABELS

from services.kit.render import back, read_form, render

router = APIRouter(include_in_schema=False)
api = APIRouter(tags=["campaigns"])

MAX_FILE_BYTES = 512 * 1024     # a campaign file is a page or two of YAML


class CampaignFileInvalid(DomainError):
    """The file does not validate: the message names the line, in Chinese and English."""


def validate(text: str, name: str) -> Campaign:
    """The campaign a file's text describes, checked as a whole (the schema, then the stage engine)."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise CampaignFileInvalid("文件过大，评选活动文件不应超过 512 KB。", "campaign file too large",
                                  code="campaign.invalid", status_code=422)
    try:
        campaign = parse_campaign_text(text, name)
        engine.stages(campaign)
    except (CampaignError, engine.StageError) as e:
        raise CampaignFileInvalid(f"评选活动文件未通过校验：{e}", str(e), code="campaign.invalid",
                                  status_code=422) from e
    return campaign


def current_text(session: Session, campaign: Campaign | None) -> str | None:
    """The YAML text now in force for a campaign: its newest stored version, else its file."""
    if campaign is None:
        return None
    stored = current_versions(session).get(campaign.id)
    if stored is not None:
        return stored.source
    try:
        with open(campaign.source, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return None


def changes(session: Session, campaign: Campaign, text: str) -> list[Change]:
    existing = load_campaigns().get(campaign.id)
    old_text = current_text(session, existing)
    return diff(yaml.safe_load(old_text) if old_text else None, yaml.safe_load(text))


def load(session: Session, registry: CampaignRegistry, user: User, text: str, name: str,
         note: str) -> tuple[Campaign, int, list[Change]]:
    """Validate, store as the next version, audit, and put it in force in this process at once
    (the other processes read it within `campaigns_refresh_seconds`)."""
    campaign = validate(text, name)
    found = changes(session, campaign, text)
    if not found:
        raise CampaignFileInvalid("这份文件与当前版本相同，未载入。", "no change against the current version",
                                  code="campaign.unchanged", status_code=409)
    row = add_version(session, campaign.id, text, loaded_by=user.username, file_name=name, note=note)
    audit.record(session, user, "campaign_load", campaign_id=campaign.id, version=row.version,
                 sha256=row.sha256, file_name=name, note=note, changes=len(found))
    session.commit()
    registry.invalidate()
    return campaign, row.version, found


def _rows(c: Campaign) -> dict[str, Any]:
    """What the page shows of one campaign."""
    return {"c": c, "stages": engine.stages(c), "model": c.model,
            "rubric": next((d.rubric for d in c.documents if d.rubric), None)}


@router.get("/admin/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, user: AdminUser, session: SessionDep, msg: str = "") -> HTMLResponse:
    views = [_rows(c) for c in sorted(load_campaigns().values(), key=lambda c: c.id)]
    return render(request, "admin/campaigns.html", views=views, msg=msg, kind_labels=KIND_LABELS,
                  history={v["c"].id: versions_of(session, v["c"].id) for v in views})


@router.get("/admin/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(campaign_id: str, request: Request, user: AdminUser, session: SessionDep,
                  msg: str = "") -> HTMLResponse:
    c = campaign_or_404(campaign_id)
    return render(request, "admin/campaigns.html", views=[_rows(c)], msg=msg, kind_labels=KIND_LABELS,
                  history={c.id: versions_of(session, c.id)}, one=True)


async def _upload(request: Request) -> tuple[dict[str, str], str, str]:
    """The form's fields, and the file's text (an uploaded file, or text pasted into the box)."""
    form = await request.form()
    upload = form.get("file")
    fields = await read_form(request)
    if upload is not None and hasattr(upload, "read"):
        raw = await upload.read()
        if raw:
            try:
                return fields, raw.decode("utf-8-sig"), str(getattr(upload, "filename", "") or "campaign.yaml")
            except UnicodeDecodeError:
                raise CampaignFileInvalid("文件须为 UTF-8 编码的 YAML 文本。", "campaign file is not UTF-8",
                                          code="campaign.invalid", status_code=422) from None
    return fields, fields.get("text", ""), fields.get("file_name") or "campaign.yaml"


@router.post("/admin/campaigns/preview", response_class=HTMLResponse)
async def preview(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Step one: the file validated and compared with the current version; nothing stored yet."""
    fields, text, name = await _upload(request)
    try:
        campaign = await run_in_threadpool(validate, text, name)
    except CampaignFileInvalid as e:
        return render(request, "admin/campaigns_preview.html", error=e.message, text=text, file_name=name,
                      status_code=422)
    found = await run_in_threadpool(changes, session, campaign, text)
    return render(request, "admin/campaigns_preview.html", campaign=campaign, changes=found, text=text,
                  file_name=name, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                  is_new=campaign.id not in load_campaigns(), note=fields.get("note", ""))


@router.post("/admin/campaigns/load")
async def load_file(request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Step two: the admin confirmed the preview; the text is validated again and stored."""
    fields, text, name = await _upload(request)
    previewed = fields.get("sha256")
    if previewed and previewed != hashlib.sha256(text.encode("utf-8")).hexdigest():
        return back("/admin/campaigns", "载入的内容与校验时不同，请重新上传并校验。")
    try:
        campaign, version, found = await run_in_threadpool(
            load, session, request.app.state.campaigns, user, text, name, fields.get("note", ""))
    except CampaignFileInvalid as e:
        return back("/admin/campaigns", e.message)
    return back(f"/admin/campaigns/{campaign.id}",
                 f"已载入“{campaign.title}”第 {version} 版（{len(found)} 处变化），即时生效。")


# ------------------------------------------------------------------ the same for scripts

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


@api.get("/api/admin/campaigns", summary="Campaigns and their assumptions / 评选活动及其假定")
def list_campaigns(user: AdminUser) -> list[dict[str, Any]]:
    return [campaign_json(c) for c in sorted(load_campaigns().values(), key=lambda c: c.id)]


@api.post("/api/admin/campaigns", summary="Load a campaign file / 载入评选活动文件",
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
