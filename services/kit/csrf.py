"""The session's CSRF token on forms and scripts' requests (the auth middleware sets it on `request.state`).

Requests authenticated by the session cookie that change something must carry the token: a hidden
form field on our forms, the `X-CSRF-Token` header elsewhere; never in the URL, where access logs and
Referer headers would carry it.  API tokens are not sent by browsers on their own, so need none.
"""
from __future__ import annotations

import hmac

from fastapi import Request

from .errors import DomainError


def csrf_ok(request: Request, given: str | None) -> bool:
    """The form's field (or, for our scripts, the `X-CSRF-Token` header) matches the session's token;
    requests not authenticated by the cookie need none (a browser never sends a Bearer token itself)."""
    expected = getattr(request.state, "csrf", None)
    if not getattr(request.state, "by_cookie", False):
        return True
    given = given or request.headers.get("x-csrf-token")
    return bool(expected and given and hmac.compare_digest(expected, given))


def require_csrf(request: Request, given: str | None) -> None:
    """`csrf_ok` or a 403 in Chinese."""
    if not csrf_ok(request, given):
        raise DomainError("页面已过期，请刷新后重试。", "csrf token missing or wrong", code="auth.csrf",
                          status_code=403)
