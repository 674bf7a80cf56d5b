"""A submission as the lists show it (the unit's home, the recommender's part of the queue)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dossier.campaigns import CampaignError, get_campaign
from dossier.presenters import present_lifecycle
from services.kit.templates import stage_name
from storage import standing as lifecycle
from storage.models import Submission

from . import flow


def review_row(session: Session, sub: Submission) -> dict[str, Any]:
    """A submission in a list of them: its review, its lifecycle label and stage, in people's words."""
    r = flow.review_of(session, sub.id)
    try:
        campaign = get_campaign(sub.campaign_id)
    except CampaignError:          # a campaign file gone since: the state still shows, stage by its id
        campaign = None
    life = present_lifecycle(campaign, lifecycle.standing(session, sub).to_json())
    return {"sub": sub, "review": r, "status": life["label"], "life": life,
            "stage": stage_name(sub.campaign_id, r.stage_id) if r and r.stage_id else ""}
