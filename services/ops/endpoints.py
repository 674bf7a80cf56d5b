"""The operators' API: liveness and readiness for the orchestrator; `/api/ops` (the /ops page's
figures as JSON), `/metrics` (Prometheus text) and retrying a parked file."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from services.kit.deps import SessionDep, SettingsDep, StoreDep
from services.security.guards import StaffUser

from . import actions, metrics, prometheus, readiness

health = APIRouter()
api = APIRouter(tags=["operations"])


class LiveOut(BaseModel):
    status: str


class HealthOut(BaseModel):
    status: str
    database: str
    store: str


@health.get("/healthz", response_model=LiveOut, tags=["health"], summary="Liveness / 存活检查")
def healthz() -> LiveOut:
    """The process answers. It never touches the database or the store, so an outage of
    theirs does not get the API restarted; readiness is `/readyz`. / 进程存活（不访问数据库与存储）。"""
    return LiveOut(status="ok")


@health.get("/readyz", response_model=HealthOut, tags=["health"],
            summary="Readiness / 就绪检查",
            responses={503: {"model": HealthOut, "description": "a dependency is down / 依赖服务不可用"}})
def readyz(request: Request, store: StoreDep, settings: SettingsDep) -> Any:
    """Whether the database and the object store answer within DOSSIER_READINESS_TIMEOUT
    seconds. / 数据库与对象存储能否在限定时间内响应。"""
    out = readiness.check(request.app.state.engine, store, settings.readiness_timeout)
    return JSONResponse(out, status_code=200 if out["status"] == "ok" else 503,
                        headers=None if out["status"] == "ok"
                        else {"Retry-After": str(settings.unavailable_retry_after)})


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
