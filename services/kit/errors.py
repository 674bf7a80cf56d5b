"""Every error people and scripts are told about, and the handlers that render them.

`{"error": code, "message": 中文 for the unit, "detail": English for logs}`.
Domain errors carry their HTTP status; the handlers here only render them, so
a route never builds an error response by hand (Polar's way).  Every domain
raises these classes or its own subclasses of `DomainError`; none defines its
own base, so a page or endpoint catches one class whatever domain refused.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storage import outages

log = logging.getLogger("dossier.api")


class DomainError(Exception):
    """A refusal the unit should read: HTTP status, code, 中文 message, English detail."""
    status_code = 400
    code = "error"

    def __init__(self, message: str, detail: str = "", *, code: str | None = None,
                 status_code: int | None = None) -> None:
        super().__init__(detail or message)
        self.message = message
        self.detail = detail
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class UnknownCampaign(DomainError):
    status_code = 404
    code = "campaign.unknown"


class InvalidInput(DomainError):
    status_code = 422
    code = "request.invalid"


class Forbidden(DomainError):
    status_code = 403
    code = "auth.forbidden"


class LoginRequired(DomainError):
    status_code = 401
    code = "auth.required"


class ApiError(DomainError):
    """An error of the HTTP edge itself (bad multipart, …), status first."""

    def __init__(self, status_code: int, code: str, message: str, detail: str = "") -> None:
        super().__init__(message, detail, code=code, status_code=status_code)


def error_body(code: str, message: str, detail: str = "") -> dict[str, str]:
    return {"error": code, "message": message, "detail": detail}


def error_response(status_code: int, code: str, message: str, detail: str = "",
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, detail), status_code=status_code, headers=headers)


# Chinese for the statuses Starlette raises on its own (unknown path, wrong method)
_HTTP_MESSAGES = {
    404: ("not_found", "找不到请求的内容，请检查链接是否正确。"),
    405: ("method_not_allowed", "不支持这种请求方式。"),
    413: ("upload.too_large", "上传的文件太大。"),
}


def _domain_fields(exc: Exception) -> tuple[int, str, str, str]:
    """Status, code, Chinese message and English detail of a `DomainError`."""
    status = int(getattr(exc, "status_code", None) or getattr(exc, "http_status", None) or 400)
    code = str(getattr(exc, "code", None) or "error")
    message = str(getattr(exc, "message", None) or "请求无法处理。")
    detail = str(getattr(exc, "detail", None) or exc)
    return status, code, message, detail


# renders a Chinese HTML page: (request, status, message) -> response
HtmlRenderer = Callable[[Request, int, str], Response]


def wants_html(request: Request) -> bool:
    """A person's browser rather than a script: a page outside /api/ asked for with Accept: text/html.

    The API keeps its JSON whatever the Accept header says, so scripts never parse a page.
    """
    return (not request.url.path.startswith("/api/")
            and "text/html" in request.headers.get("accept", "").lower())


def install_error_handlers(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    """JSON errors everywhere; with `html`, a browser asking for a page gets a Chinese page instead."""
    def respond(request: Request, status: int, code: str, message: str, detail: str,
                headers: dict[str, str] | None = None) -> Response:
        if html is not None and wants_html(request):
            if status == 401:   # a lapsed session on a page: log in again, then come back
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            return html(request, status, message)
        return error_response(status, code, message, detail, headers=headers)

    async def on_domain(request: Request, exc: Exception) -> Response:
        status, code, message, detail = _domain_fields(exc)
        if status >= 500:
            log.error("%s: %s / %s", code, detail, message)
        return respond(request, status, code, message, detail)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg", ""))
                          for e in exc.errors())
        return respond(request, 422, "request.invalid", "提交的内容不完整或格式不对，请检查后重试。", where)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求无法处理。"))
        detail: Any = exc.detail
        return respond(request, exc.status_code, code, message, str(detail or ""), headers=exc.headers)

    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


# ------------------------------------------------------------------ outages

_UNAVAILABLE = {
    outages.DATABASE: ("database.unavailable", "数据库暂时不可用，请稍后重试。"),
    outages.STORE: ("store.unavailable", "文件存储暂时不可用，请稍后重试。"),
    outages.BROKER: ("broker.unavailable", "任务队列暂时不可用，请稍后重试。"),
}


class _OutageLog:
    """One log line per outage and kind (not one per request, not a traceback): a 60 s outage
    under load would otherwise bury the log."""

    def __init__(self, quiet_seconds: float = 30.0) -> None:
        self.quiet = quiet_seconds
        self.last: dict[str, float] = {}
        self.suppressed: dict[str, int] = {}
        self.lock = threading.Lock()

    def note(self, kind: str, exc: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(kind, -1e9) < self.quiet:
                self.suppressed[kind] = self.suppressed.get(kind, 0) + 1
                return
            more = self.suppressed.pop(kind, 0)
            self.last[kind] = now
        log.error("%s unavailable: %s: %s (answering 503; %d more since the last line)",
                  kind, type(exc).__name__, str(exc).splitlines()[0][:300] if str(exc) else "", more)


def unavailable_response(kind: str, retry_after: int) -> JSONResponse:
    code, message = _UNAVAILABLE[kind]
    return error_response(503, code, f"{message}（约 {retry_after} 秒后）",
                          f"the {kind} is unavailable; retry after {retry_after} s",
                          headers={"Retry-After": str(retry_after)})


class UnavailableMiddleware:
    """Outermost: an outage of the database, store or broker, raised anywhere (a route, a
    dependency, another middleware), becomes 503 JSON with Retry-After instead of a 500 that
    the server logs with a traceback and follows by closing the connection."""

    def __init__(self, app: ASGIApp, retry_after: int = 15) -> None:
        self.app = app
        self.retry_after = retry_after
        self.log = _OutageLog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            kind = outages.unavailable(exc)
            if kind is None or started:
                raise
            self.log.note(kind, exc)
            await unavailable_response(kind, self.retry_after)(scope, receive, send)


def install_unavailable(app: FastAPI, retry_after: int) -> None:
    """Call after every other middleware is added, so that this one is outermost."""
    app.add_middleware(UnavailableMiddleware, retry_after=retry_after)
