"""Rendering a page and answering a form, the same way on every page.

`render` fills in what every page's header needs (who is logged in, the CSRF token, what the last
save said); `read_form` reads a posted form and refuses it without the session's CSRF token;
`flash_back` redirects after a post with the message in a one-time cookie, never in the address (so a
reload or a shared link does not repeat it, and a crafted link cannot put words on our page).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .csrf import csrf_ok
from .errors import DomainError
from .templates import templates

FLASH = "dossier_flash"


def page_context(request: Request, **kw: Any) -> dict[str, Any]:
    """What every page's header reads (the person, the CSRF token, the flash message) and `kw`."""
    if not kw.get("msg"):
        # what the last save said: carried in a one-time cookie, never in the address
        kw["msg"] = unquote(request.cookies.get(FLASH, ""))[:500]
    return {"user": getattr(request.state, "user", None), "csrf": getattr(request.state, "csrf", "") or "",
            **kw}


def render(request: Request, name: str, status_code: int = 200, **kw: Any) -> HTMLResponse:
    """The page `name`; the one-time message cookie, read into it, is deleted with this answer."""
    response = templates.TemplateResponse(request, name, page_context(request, **kw), status_code=status_code)
    if FLASH in request.cookies:
        response.delete_cookie(FLASH, path="/")
    return response


def render_message(request: Request, status_code: int, message: str) -> HTMLResponse:
    """The Chinese page for a refusal or error shown to a person (the API answers JSON instead)."""
    return render(request, "review/message.html", status_code, message=message, status=status_code)


async def read_form(request: Request) -> dict[str, str]:
    """The posted form's fields, refused (403, in Chinese) without the session's CSRF token."""
    data = {k: str(v) for k, v in (await request.form()).items()}
    if not csrf_ok(request, data.get("csrf_token")):
        raise DomainError("页面已过期，请刷新后重试。", "csrf token missing or wrong", code="auth.csrf",
                          status_code=403)
    return data


def local_path(url: str, default: str = "/review") -> str:
    """A form's own return path: a path on this site only, never another host."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else default


def flash_back(url: str, msg: str = "", anchor: str = "") -> RedirectResponse:
    """To `url` after a post, at the place the form was (`anchor`), with what happened in a one-time
    cookie rather than the address."""
    response = RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)
    if msg:
        response.set_cookie(FLASH, quote(msg), max_age=60, path="/", httponly=True, samesite="lax")
    return response

