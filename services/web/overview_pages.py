"""活动概况: each campaign at a glance for admins, operators and reviewers (page and JSON)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dossier.campaigns import load_campaigns
from services.api.deps import SessionDep
from services.auth.web import CurrentUser, require_role
from services.review.overview import overview
from services.submissions import campaign_or_404

from .review_pages import STATUS_LABELS, render

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["review"])

STAFF = ("admin", "operator", "reviewer")


@pages.get("/review/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    require_role(user, *STAFF)
    views = [overview(session, c) for c in load_campaigns().values()]
    return render(request, "review/overview.html", views=views, status_labels=STATUS_LABELS)


@pages.get("/review/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(campaign_id: str, request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    require_role(user, *STAFF)
    view = overview(session, campaign_or_404(campaign_id))
    return render(request, "review/overview.html", views=[view], status_labels=STATUS_LABELS)


@api.get("/api/review/campaigns/{campaign_id}/overview", summary="Campaign overview / 活动概况")
def campaign_json(campaign_id: str, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """Submissions by review status and stage, tasks per stage, passes against each stage's limit,
    recommenders against the quota, titles against the award count.
    / 各环节进度、推荐名额、表彰数量。"""
    require_role(user, *STAFF)
    return overview(session, campaign_or_404(campaign_id)).to_json()
