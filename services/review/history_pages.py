"""A submission's history (/review/submissions/{id}/history): every action on it, by whom and when,
with its versions, in people's words."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dossier.campaigns import CampaignError, get_campaign
from dossier.presenters import history_detail
from services.kit.deps import CurrentUser, SessionDep
from services.kit.render import render

from . import flow
from services.security import audit
from services.security.access import visible_submission
from services.security.audit import ACTION_LABELS

router = APIRouter(include_in_schema=False)


@router.get("/review/submissions/{submission_id}/history", response_class=HTMLResponse)
def history(submission_id: str, request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    sub = visible_submission(session, user, submission_id)
    try:
        campaign = get_campaign(sub.campaign_id)
    except CampaignError:       # a campaign file gone since: codes' labels without its fields
        campaign = None
    return render(request, "review/history.html", sub=sub, entries=audit.history(session, submission_id),
                  detail=lambda d: history_detail(campaign, d),
                  labels=ACTION_LABELS, review=flow.review_of(session, submission_id),
                  versions=flow.versions(session, submission_id))
