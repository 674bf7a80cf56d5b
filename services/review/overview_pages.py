"""活动概况: each campaign at a glance for admins, operators and reviewers (page and JSON)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dossier.campaigns import load_campaigns
from dossier.presenters import REVIEW_STATUS_LABELS as STATUS_LABELS
from services.kit.deps import SessionDep, campaign_or_404
from services.kit.errors import NotFound
from services.kit.render import render
from services.security.guards import OverviewReader

from services.security.access import on_campaign
from .overview import overview

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["review"])



def _on(user: Any, campaign: Any) -> bool:
    return on_campaign(user, campaign.id, {str(st.get("id")) for st in campaign.stages if isinstance(st, dict)})


def _campaign_for(user: Any, campaign_id: str) -> Any:
    """The campaign, if `user` works on it; a reviewer of another campaign gets the 404 of a missing one."""
    campaign = campaign_or_404(campaign_id)
    if not _on(user, campaign):
        raise NotFound("没有这个评选活动，或您不参与该活动的审核。", f"{user.username} not on {campaign_id}")
    return campaign


@pages.get("/review/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, user: OverviewReader, session: SessionDep) -> HTMLResponse:
    views = [overview(session, c) for c in load_campaigns().values() if _on(user, c)]
    return render(request, "review/overview.html", views=views, status_labels=STATUS_LABELS)


@pages.get("/review/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(campaign_id: str, request: Request, user: OverviewReader, session: SessionDep) -> HTMLResponse:
    view = overview(session, _campaign_for(user, campaign_id))
    return render(request, "review/overview.html", views=[view], status_labels=STATUS_LABELS)


@api.get("/api/review/campaigns/{campaign_id}/overview", summary="Campaign overview / 活动概况")
def campaign_json(campaign_id: str, user: OverviewReader, session: SessionDep) -> dict[str, Any]:
    """Submissions by review status and stage, tasks per stage, passes against each stage's limit,
    recommenders against the quota, titles against the award count.
    / 各环节进度、推荐名额、表彰数量。"""
    return overview(session, _campaign_for(user, campaign_id)).to_json()
