"""Login CSRF: the login form carries a token that must match a cookie set with the form.

Before login there is no session to hold a CSRF token, so the token lives in a short-lived,
HttpOnly, SameSite=Strict cookie scoped to /login (double submit): another site can make a
browser post to /login, but it can neither read the cookie nor set it, so it cannot log the
visitor into the attacker's account.
"""
from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

LOGIN_COOKIE = "dossier_login_csrf"
MAX_AGE = 2 * 3600


def login_token(request: Request) -> str:
    """The token for the login form: the browser's own, or a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)


def set_login_cookie(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure,
                        max_age=MAX_AGE, path="/login")


def login_token_ok(request: Request, given: str | None) -> bool:
    expected = request.cookies.get(LOGIN_COOKIE)
    return bool(expected and given and hmac.compare_digest(expected, given))
