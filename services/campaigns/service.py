"""Loading a campaign file: validated as a whole, compared with the version in force, stored as the
next version and audited; in force in this process at once, in the others within
`campaigns_refresh_seconds`.  The admin's page and the API both load through here."""
from __future__ import annotations

import yaml
from sqlalchemy.orm import Session

from dossier.campaign_diff import Change, diff
from dossier.campaign_registry import CampaignRegistry
from dossier.campaigns import Campaign, CampaignError, load_campaigns, parse_campaign_text
from dossier.stages import engine
from services.kit.errors import DomainError
from services.security import audit
from storage.campaign_models import add_version, current_versions
from storage.review_models import User

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
