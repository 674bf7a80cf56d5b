"""The operator's page and API: throughput, queue depths, failures, reviewer load; retry a parked file.

`/ops` (page, refreshes itself), `/api/ops` (the same figures as JSON),
`/metrics` (Prometheus text) and the retry action, for operators and admins.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from dossier import beijing
from services.kit.deps import SessionDep, SettingsDep
from services.security.guards import StaffUser
from services.ops import actions, metrics, prometheus
from services.kit.errors import DomainError

from services.kit.render import back, read_form, render

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["operations"])

FILE_STATES = {"stored": "已保存", "queued": "排队中", "processing": "处理中", "done": "已完成", "failed": "处理失败"}
METHODS = {"docx": "Word", "pdf-text": "文字版 PDF", "ocr": "扫描件/照片识别", "converted": "旧版 Word/WPS 转换",
           "unknown": "无法识别"}


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
def ops_page(request: Request, user: StaffUser, session: SessionDep, settings: SettingsDep,
             msg: str = "") -> HTMLResponse:
    snap = metrics.snapshot(session, settings)
    peak = max([h["done"] + h["failed"] for h in snap.finished_per_hour] + [1])
    return render(request, "review/ops.html", snap=snap, peak=peak, msg=msg, file_states=FILE_STATES,
                  methods=METHODS, duration=_duration, beijing=_beijing, pct=_pct)


@pages.post("/ops/files/{file_id}/retry")
async def ops_retry(file_id: str, request: Request, user: StaffUser, session: SessionDep) -> Response:
    await read_form(request)
    try:
        row = await run_in_threadpool(actions.retry_file, session, user, file_id)
    except DomainError as e:
        return back("/ops", e.message)
    return back("/ops", f"已重新排队处理：{row.name}")


@api.get("/api/ops", summary="Operator figures / 运行监控数据")
def ops_json(user: StaffUser, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Files by state, throughput per hour, seconds per method, failures, outbox, Celery queue depths,
    workers, reviewer tasks. / 文件状态、吞吐量、失败、待发消息、队列长度、工作进程、审核任务。"""
    return metrics.snapshot(session, settings).to_json()


@api.post("/api/ops/files/{file_id}/retry", summary="Retry a failed file / 重新处理失败的文件")
def ops_retry_api(file_id: str, user: StaffUser, session: SessionDep) -> dict[str, Any]:
    row = actions.retry_file(session, user, file_id)
    return {"file_id": row.id, "state": row.state}


@api.get("/metrics", include_in_schema=False)
def prometheus_metrics(user: StaffUser, session: SessionDep, settings: SettingsDep) -> Response:
    return Response(prometheus.exposition(metrics.snapshot(session, settings)),
                    media_type=prometheus.CONTENT_TYPE)
