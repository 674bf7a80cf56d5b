"""Logging in through the page as a browser does: the login form's CSRF token, then the post."""
from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

PASSWORD = "correct horse 1"


def login_token(c: TestClient) -> str:
    """The login form's CSRF token (its cookie is now in the client's jar)."""
    page = c.get("/login").text
    # the login form's own field (a logged-in page also has the logout form's session token)
    form = re.search(r'<form method="post" action="/login">(.*?)</form>', page, re.S).group(1)  # type: ignore[union-attr]
    return re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]


def post_login(c: TestClient, username: str, password: str = PASSWORD, **kw: Any) -> Any:
    return c.post("/login", data={"username": username, "password": password, "csrf_token": login_token(c)}, **kw)
