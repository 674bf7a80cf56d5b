"""Campaigns are data: one YAML file each in the campaigns folder.

This module is where callers get them: the typed objects (`dossier/campaign_model.py`), and
`load_campaigns` / `get_campaign`, which ask the process's registry
(`dossier/campaign_registry.py`: the configured folder overlaid by the versions an admin
loaded) or read a folder a tool or test names.  Nothing here knows a campaign by name; a third
city's file with the same keys works without a code change.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from dossier.campaign_model import (SUMMARY_VALUES, Assumption, Campaign, CampaignError,  # noqa: F401
                                    DocumentSpec, FieldSpec, FindingRule, Length, PacketList,
                                    Packets, Rubric, RubricItem, SourceError, SummaryColumn,
                                    default_dir, load_folder, parse_campaign, parse_campaign_text,
                                    pick)
from dossier.campaign_registry import registry

__all__ = ["Assumption", "Campaign", "CampaignError", "SourceError", "get_campaign", "load_campaigns"]


def load_campaigns(folder: Path | str | None = None) -> dict[str, Campaign]:
    """Every campaign by id: from the registry (the configured folder and the versions loaded
    on the admin page), or from `folder` when one is given (tools, tests)."""
    if folder is None:
        return registry().all()
    return dict(_load_dir(str(folder)))


@lru_cache(maxsize=16)
def _load_dir(folder: str) -> dict[str, Campaign]:
    return load_folder(folder)


def get_campaign(campaign_id: str, folder: Path | str | None = None) -> Campaign:
    return pick(load_campaigns(folder), campaign_id)
