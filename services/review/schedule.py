"""A submission's deadlines as its unit reads them: the notice's date for the stage its recommender
reports by, and the date by which the recommender needs the unit's materials (dossier/stages/deadlines)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dossier.campaigns import get_campaign
from storage.models import Submission
from storage.review_models import SubmissionReview
from dossier.stages import deadlines, engine


def of_submission(session: Session, sub: Submission) -> dict[str, Any]:
    """The campaign's schedule for this submission's level (its recommender's), with `message` in
    Chinese when there is a date to tell the unit."""
    campaign = get_campaign(sub.campaign_id)
    review = session.get(SubmissionReview, sub.id)
    level = review.site_level if review else engine.site_level(campaign, sub.recommender)
    out = deadlines.schedule(campaign, {"site_level": level} if level else {})
    dated = next((s for s in out["stages"] if s["due"]), None)
    if out["units_by"] and dated and sub.recommender and dated["actor"] == "recommender":
        out["message"] = (f"推荐单位“{sub.recommender}”须于 {dated['due']} 前完成公示等程序并报送（{dated['name']}），"
                          f"请于 {out['units_by']} 前将材料交推荐单位。")
    elif out["units_by"]:
        out["message"] = f"请于 {out['units_by']} 前报送申报材料。"
    return out


def note(session: Session, sub: Submission) -> str:
    """The message alone ("" when the campaign sets no date)."""
    return str(of_submission(session, sub).get("message") or "")
