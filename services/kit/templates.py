"""The one Jinja2 environment of every page (templates in services/web/templates).

Filters and globals every page may use live here; a domain that gives the templates something of
its own (the header's unread count, `is_staff`) registers it from its pages module with
`template_global`, so this kit imports no domain.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, TypeVar

from fastapi.templating import Jinja2Templates

from dossier import beijing
from dossier.campaigns import CampaignError, get_campaign
from dossier.stages import engine

# the templates stay beside the static files in services/web (shipped as that package's data)
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "web" / "templates"
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))

F = TypeVar("F", bound=Callable[..., Any])


def template_global(name: str) -> Callable[[F], F]:
    """Register a function as a global of every template (a domain's own helper for its pages)."""
    def register(fn: F) -> F:
        templates.env.globals[name] = fn
        return fn
    return register


def filesize(n: int | None) -> str:
    """Bytes as people read them: `12 KB`, `3.4 MB`."""
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(n)


def campaign_title(campaign_id: str) -> str:
    try:
        return get_campaign(campaign_id).title
    except CampaignError:   # a campaign file gone since: say so rather than print its id
        return "（已停用的评选活动）"


def stage_name(campaign_id: str, stage_id: str) -> str:
    try:
        return engine.stage(get_campaign(campaign_id), stage_id).name
    except Exception:   # a stage renamed in the file since: show its id
        return stage_id


templates.env.filters["filesize"] = filesize
templates.env.filters["beijing_time"] = lambda when, fmt="%Y-%m-%d %H:%M": beijing.shown(when, fmt)
templates.env.globals["stage_name"] = stage_name
templates.env.globals["campaign_title"] = campaign_title
