"""The FastAPI application: `create_app(settings)` builds it, nothing at import time.

Each domain's folder (submissions, review, auth, ops, packets, campaigns, notifications) gives its
routers; this module only puts them together with the kit's error handlers and the middleware.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from dossier.settings import Settings, get_settings
from storage.objects import ObjectStore

# the pages' static files stay beside their templates in services/web (shipped as its package data)
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"

DESCRIPTION = """\
dossier 接收党建示范评选的申报材料，识别表格字段并检查问题。
Receives submissions for 党建示范 award campaigns, reads the forms' fields and checks them.

1. `POST /api/submissions` — 新建申报 / create a submission
2. `POST /api/submissions/{id}/files` — 上传文件（可多个）/ upload files
3. `GET /api/submissions/{id}` — 轮询处理状态 / poll the status until `summary.final`
4. `GET /api/submissions/{id}/findings` — 问题清单 / the findings

Errors are always `{"error": code, "message": 中文, "detail": English}`.
"""


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               store: ObjectStore | None = None) -> FastAPI:
    """The app for `settings`; tests may hand in an engine and a store of their own."""
    from dossier.stages import calendar
    from services.kit.docs import install_docs
    from services.kit.errors import install_error_handlers, install_unavailable
    from services.kit.openapi import document_errors
    from services.kit.render import render_message
    from storage.campaign_models import attach_registry
    from storage.db import make_engine, make_sessionmaker
    from storage.objects import open_store

    settings = settings or get_settings()
    own_engine = engine is None
    engine = engine or make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from services.ops import broker_cache
        # /ops's broker figures asked for now, in the background: the first load need not wait for
        # them, and a broker that is down neither delays nor fails the start
        broker_cache.warm(settings)
        yield
        if own_engine:
            engine.dispose()

    # /docs is served by services/kit/docs.py with Swagger UI from the package (no CDN); no ReDoc
    app = FastAPI(title="dossier", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  openapi_tags=[
                      {"name": "submissions", "description": "申报、上传、状态与问题 / submissions"},
                      {"name": "campaigns", "description": "评选活动 / campaigns"},
                      {"name": "packets", "description": "汇编：申报材料PDF、汇总表 / packets"},
                      {"name": "notifications", "description": "站内消息与邮件提醒 / the inbox"},
                      {"name": "health", "description": "健康检查 / health"}])
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    # the campaigns: the configured files (a broken one stops the start) and the admin's versions
    app.state.campaigns = attach_registry(settings, app.state.sessions)
    calendar.configure(settings.holidays_dir)
    app.state.store = store or open_store(settings)
    install_error_handlers(app, html=render_message)
    install_docs(app)      # before /static: its /static/swagger-ui mount must match first
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    install_middleware(app)
    for router in routers():
        app.include_router(router)
    document_errors(app)
    install_unavailable(app, settings.unavailable_retry_after)   # last: the outermost middleware
    return app


def install_middleware(app: FastAPI) -> None:
    """Who is asking on every request (auth), then the headers and input checks around it."""
    from services.auth.middleware import AuthMiddleware
    from services.auth.passwords import bound_concurrency
    from services.security.headers import SecurityHeaders
    from services.security.inputs import RefuseControlCharacters
    from services.security.throttle import LoginThrottle

    app.add_middleware(AuthMiddleware)
    # outside the auth middleware, so its refusals carry the headers too
    app.add_middleware(RefuseControlCharacters)
    app.add_middleware(SecurityHeaders)
    app.state.login_throttle = LoginThrottle.from_settings(app.state.settings)
    bound_concurrency(app.state.settings.password_hash_concurrency)


def routers() -> list[APIRouter]:
    """Every domain's endpoints and pages, in the order they are matched."""
    from services.auth import endpoints as auth_api
    from services.auth import pages as auth_pages
    from services.campaigns import endpoints as campaigns_api
    from services.campaigns import pages as campaign_pages
    from services.notifications import endpoints as inbox_api
    from services.notifications import pages as inbox_pages
    from services.ops import endpoints as ops_api
    from services.ops import pages as ops_pages
    from services.packets import endpoints as packets_api
    from services.packets import pages as packet_pages
    from services.review import desk_pages, history_pages, overview_pages, queue_pages
    from services.review import endpoints as review_api
    from services.review import lease_pages   # the desk's lease widget (htmx)
    from services.submissions import endpoints as submissions_api
    from services.submissions import pages as submission_pages
    from services.submissions import unit_pages

    return [ops_api.health, submissions_api.router, submission_pages.router,
            review_api.router, review_api.findings_router, auth_api.users, packets_api.router,
            campaigns_api.router, auth_pages.router, unit_pages.router, queue_pages.router, desk_pages.router,
            history_pages.router, ops_api.api, ops_pages.pages, overview_pages.api, overview_pages.pages,
            packet_pages.router, campaign_pages.router, campaigns_api.files_api, inbox_api.router, inbox_pages.router,
            lease_pages.router]
