"""The operator's page: throughput, queue depths, failures, reviewer load; retry a parked file.

`/ops` (page, refreshes itself) and the retry action, for operators and admins; the same figures as
JSON and Prometheus text in services/ops/endpoints.py.
"""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from dossier import beijing
from dossier.presenters import FILE_STATES
from dossier.presenters import METHODS as presenter_methods
from services.kit.deps import SessionDep, SettingsDep
from services.kit.errors import DomainError
from services.kit.render import flash_back, read_form, render
from services.security.guards import StaffUser

from . import actions, metrics

pages = APIRouter(include_in_schema=False)

# the same words for a file's state and method as the unit's page (dossier/presenters.py); a file
# not read yet has no method
METHODS = {**presenter_methods, "unknown": "无法识别"}


def _beijing(iso: str | None) -> str:
    """An ISO time from the database as people here read it: Beijing time, to the minute."""
    return beijing.shown(dt.datetime.fromisoformat(iso)) if iso else ""


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = int(seconds)
    if s < 120:
        return f"{s} 秒"
    if s < 7200:
        return f"{s // 60} 分钟"
    return f"{s // 3600} 小时 {s % 3600 // 60} 分"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


@pages.get("/ops", response_class=HTMLResponse)
def ops_page(request: Request, user: StaffUser, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    snap = metrics.snapshot(session, settings)
    peak = max([h["done"] + h["failed"] for h in snap.finished_per_hour] + [1])
    return render(request, "review/ops.html", snap=snap, peak=peak, file_states=FILE_STATES,
                  methods=METHODS, duration=_duration, beijing=_beijing, pct=_pct)


@pages.post("/ops/files/{file_id}/retry")
async def ops_retry(file_id: str, request: Request, user: StaffUser, session: SessionDep) -> Response:
    await read_form(request)
    try:
        row = await run_in_threadpool(actions.retry_file, session, user, file_id)
    except DomainError as e:
        return flash_back("/ops", e.message)
    return flash_back("/ops", f"已重新排队处理：{row.name}")
