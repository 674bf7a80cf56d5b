"""Who is asking, on every request: session cookie or API token; CSRF; access to submissions.

One middleware resolves the person (an `Authorization: Bearer` API token, or
the `dossier_session` cookie of a server-side session) and guards the unit's
submission pages and API, which live in another package, by their paths: a
person who may not see a submission gets the same 404 as for an id that does
not exist.  Requests authenticated by cookie that change something must carry
the session's CSRF token (hidden form field on our forms, checked by the
route; the `X-CSRF-Token` header elsewhere: services/kit/csrf.py).  Routes read the
person through `services.kit.deps.CurrentUser`.
"""
from __future__ import annotations

import json
import re
from typing import Any, Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.middleware.base import BaseHTTPMiddleware

from services.kit.csrf import csrf_ok
from services.kit.errors import wants_html
from services.kit.render import render_message
from storage.review_models import User

from . import accounts

COOKIE = "dossier_session"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
SUBMISSION_PATH = re.compile(r"^/(api/)?submissions/([^/]+)")
CREATE_PATHS = ("/api/submissions", "/submit")
# our own pages and API: a login is always needed
PROTECTED = ("/review", "/admin", "/unit", "/api/review", "/api/users", "/api/packets", "/ops", "/api/ops",
             "/metrics", "/inbox")
# our forms check the CSRF field themselves (the body is theirs to read)
FORM_CHECKED = ("/review", "/admin", "/unit", "/login", "/logout", "/ops", "/submissions/", "/submit",
                "/inbox")


def _refuse(request: Request, status: int, code: str, message: str) -> Response:
    # scripts and scrapers (the API, /metrics) get 401, people a login page
    if status == 401 and not request.url.path.startswith(("/api/", "/metrics")):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if not wants_html(request):   # the API and scripts: the one JSON error shape
        return JSONResponse({"error": code, "message": message, "detail": code}, status_code=status)
    return render_message(request, status, message)


def _resolve(request: Request, session: Session) -> tuple[User | None, str | None, bool]:
    """(user, csrf token of the cookie session, whether the cookie authenticated)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        days = request.app.state.settings.api_token_days
        return accounts.token_user(session, auth[7:].strip(), days), None, False
    token = request.cookies.get(COOKIE)
    if token:
        found = accounts.session_user(session, token)
        if found:
            return found[0], found[1].csrf_token, True
    return None, None, False


class AuthMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        from fastapi.concurrency import run_in_threadpool

        path, method = request.url.path, request.method
        settings = request.app.state.settings
        session: Session = request.app.state.sessions()
        try:
            user, csrf, by_cookie = await run_in_threadpool(_resolve, request, session)
            request.state.user, request.state.csrf, request.state.by_cookie = user, csrf, by_cookie
            if request.headers.get("authorization") and user is None:
                return _refuse(request, 401, "auth.invalid_token", "访问令牌无效或已停用。")
            if method in UNSAFE and by_cookie and not path.startswith(FORM_CHECKED):
                # the header only: a token in a URL would reach access logs and Referer headers
                given = request.headers.get("x-csrf-token")
                if not csrf_ok(request, given):
                    return _refuse(request, 403, "auth.csrf", "页面已过期，请刷新后重试。")
            if path.startswith(PROTECTED) and user is None:
                return _refuse(request, 401, "auth.required", "请先登录。")
            m = SUBMISSION_PATH.match(path)
            if m:
                refusal = await run_in_threadpool(self._guard, request, session, user, m.group(2),
                                                  method in UNSAFE, settings.anonymous_uploads)
                if refusal is not None:
                    return refusal
            elif method == "POST" and path in CREATE_PATHS and user is None and not settings.anonymous_uploads:
                return _refuse(request, 401, "auth.required", "请先登录。")
        finally:
            session.close()
        response = await call_next(request)
        if method == "POST" and path in CREATE_PATHS and user is not None and response.status_code in (201, 303):
            response = await self._record_owner(request, user, response)
        return response

    @staticmethod
    def _guard(request: Request, session: Session, user: User | None, submission_id: str, change: bool,
               anonymous: bool) -> Response | None:
        from services.security.guards import submission_refusal

        refusal = submission_refusal(session, user, submission_id, change=change, anonymous_uploads=anonymous)
        return None if refusal is None else _refuse(request, *refusal)

    @staticmethod
    async def _record_owner(request: Request, user: User, response: Response) -> Response:
        """A unit that creates a submission owns it, whatever organisation name it typed."""
        from fastapi.concurrency import run_in_threadpool

        from services.security.access import record_owner

        submission_id = None
        if response.status_code == 303:
            m = SUBMISSION_PATH.match(response.headers.get("location", ""))
            submission_id = m.group(2) if m else None
            out = response
        else:
            body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
            submission_id = json.loads(body or b"{}").get("id")
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
            out = Response(body, status_code=response.status_code, headers=headers,
                           media_type=response.media_type)
        if submission_id:
            session: Session = request.app.state.sessions()
            try:
                await run_in_threadpool(record_owner, session, user, submission_id)
            finally:
                session.close()
        return out


def set_session_cookie(response: Response, token: str, settings: Any) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                        max_age=settings.session_hours * 3600, path="/")
