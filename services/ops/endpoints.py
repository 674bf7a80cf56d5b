"""The operators' API: liveness and readiness for the orchestrator."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.kit.deps import SettingsDep, StoreDep

from . import readiness

health = APIRouter()


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
