"""/admin/campaigns: each campaign's data as the file sets it, every assumption the file makes
where the notice is open, and loading a new or changed file — validated, diffed against the
current one (services/campaigns/service.py), then stored as the next version, recorded in the audit
log, in force without a restart.
"""
from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from dossier.campaigns import Campaign, load_campaigns
from dossier.stages import engine
from dossier.stages.engine import KIND_LABELS
from services.kit.deps import SessionDep, campaign_or_404
from services.kit.render import flash_back, read_form, render
from services.security.guards import AdminUser
from storage.campaign_models import versions_of

from .service import CampaignFileInvalid, changes, load, validate

router = APIRouter(include_in_schema=False)

def _rows(c: Campaign) -> dict[str, Any]:
    """What the page shows of one campaign."""
    return {"c": c, "stages": engine.stages(c), "model": c.model,
            "rubric": next((d.rubric for d in c.documents if d.rubric), None)}


@router.get("/admin/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, user: AdminUser, session: SessionDep) -> HTMLResponse:
    views = [_rows(c) for c in sorted(load_campaigns().values(), key=lambda c: c.id)]
    return render(request, "admin/campaigns.html", views=views, kind_labels=KIND_LABELS,
                  history={v["c"].id: versions_of(session, v["c"].id) for v in views})


@router.get("/admin/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(campaign_id: str, request: Request, user: AdminUser, session: SessionDep) -> HTMLResponse:
    c = campaign_or_404(campaign_id)
    return render(request, "admin/campaigns.html", views=[_rows(c)], kind_labels=KIND_LABELS,
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
        return flash_back("/admin/campaigns", "载入的内容与校验时不同，请重新上传并校验。")
    try:
        campaign, version, found = await run_in_threadpool(
            load, session, request.app.state.campaigns, user, text, name, fields.get("note", ""))
    except CampaignFileInvalid as e:
        return flash_back("/admin/campaigns", e.message)
    return flash_back(f"/admin/campaigns/{campaign.id}",
                       f"已载入“{campaign.title}”第 {version} 版（{len(found)} 处变化），即时生效。")
