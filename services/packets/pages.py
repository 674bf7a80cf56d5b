"""The admin page for packets: the builds with their progress and downloads (each build's lists as
it stored them), and a button per campaign that starts one.  Server-rendered Chinese HTML; the form
carries the CSRF token, and what a post did comes back in the one-time cookie (flash_back), never in
the address."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from dossier.campaigns import load_campaigns
from services.kit.deps import SessionDep, SettingsDep
from services.kit.errors import DomainError
from services.kit.render import flash_back, read_form, render
from services.security.guards import StaffUser
from storage.models import Submission

from . import service

router = APIRouter(include_in_schema=False)


@router.get("/admin/packets", response_class=HTMLResponse)
def packets_page(request: Request, user: StaffUser, session: SessionDep) -> HTMLResponse:
    campaigns = load_campaigns()
    builds = [service.build_json(b) for b in service.list_builds(session, user)]
    ids = {sid for b in builds for sid in b["downloads"]["dossiers"]}
    names = dict(session.execute(select(Submission.id, Submission.organisation)
                                 .where(Submission.id.in_(ids))).all()) if ids else {}
    running = any(b["state"] in ("queued", "running") for b in builds)
    return render(request, "review/packets.html", campaigns=list(campaigns.values()), builds=builds,
                  names=names, titles={c.id: c.title for c in campaigns.values()}, running=running)


@router.post("/admin/packets")
async def packets_start(request: Request, user: StaffUser, session: SessionDep, settings: SettingsDep) -> Response:
    f = await read_form(request)
    try:
        await run_in_threadpool(service.start_build, session, settings, user, f.get("campaign", ""))
    except DomainError as e:
        return flash_back("/admin/packets", e.message)
    return flash_back("/admin/packets", "已开始生成汇编，完成后可在下方下载。", anchor="builds-live")
