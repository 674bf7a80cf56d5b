"""The pages of who is who: logging in and out, and the admin's page that adds and binds people.

Server-rendered Chinese HTML; every form carries the session's CSRF token in a hidden field, checked
before anything changes (the login form has its own token, services/auth/login_csrf.py).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dossier.campaigns import load_campaigns
from dossier.stages import engine
from services.kit.deps import SessionDep, SettingsDep
from services.kit.errors import DomainError
from services.kit.render import flash_back, read_form, render
from services.kit.templates import template_global, templates
from services.auth import eligibility
from services.security.access import is_staff
from services.security.guards import AdminUser

from . import accounts, emails
from .accounts import ROLE_LABELS
from .login_csrf import login_token, login_token_ok, set_login_cookie
from .middleware import COOKIE, set_session_cookie

router = APIRouter(include_in_schema=False)

# every page's header names the person's role, and shows staff their links
templates.env.globals["roles"] = ROLE_LABELS
template_global("is_staff")(is_staff)


def _home(user: Any) -> str:
    return {"unit": "/unit", "recommender": "/review", "reviewer": "/review",
            "operator": "/ops"}.get(user.role, "/admin/users")


# ------------------------------------------------------------------ login

def _login_page(request: Request, settings: Any, status: int, nxt: str, error: str,
                headers: dict[str, str] | None = None) -> HTMLResponse:
    """The login form with its CSRF token (services.auth.login_csrf), set again as its cookie."""
    token = login_token(request)
    response = render(request, "review/login.html", status, next=nxt, error=error, login_csrf=token)
    set_login_cookie(response, token, settings.secure_cookies)
    response.headers.update(headers or {})
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep, next: str = "") -> HTMLResponse:
    return _login_page(request, settings, 200, next, "")


@router.post("/login")
async def login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    nxt = str(form.get("next", ""))
    if not login_token_ok(request, str(form.get("csrf_token") or "")):
        return _login_page(request, settings, 403, nxt, "页面已过期，请重新输入用户名和密码。")
    verdict = request.app.state.login_throttle.attempt(username, request.client.host if request.client else "")
    if not verdict.allowed:
        return _login_page(request, settings, 429, nxt, f"登录尝试过多，请 {verdict.retry_after} 秒后再试。",
                           headers={"Retry-After": str(verdict.retry_after)})
    try:
        user = await run_in_threadpool(accounts.authenticate, session, username, password)
    except DomainError as e:
        return _login_page(request, settings, e.status_code, nxt, e.message)
    request.app.state.login_throttle.succeeded(username)
    new = await run_in_threadpool(accounts.open_session, session, user, settings.session_hours)
    # only a local path, so a crafted link cannot send the person elsewhere after login
    target = nxt if nxt.startswith("/") and not nxt.startswith("//") else _home(user)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, new.token, settings)
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> Response:
    await read_form(request)
    token = request.cookies.get(COOKIE)
    if token:
        await run_in_threadpool(accounts.close_session, session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# -------------------------------------------------------------- admin

@router.get("/admin/users", response_class=HTMLResponse)
def admin_users(request: Request, user: AdminUser, session: SessionDep) -> HTMLResponse:
    campaigns = list(load_campaigns().values())
    stages = [(c.id, s.id, s.name, s.departments or ((s.department,) if s.department else ()))
              for c in campaigns for s in engine.stages(c)]
    # units pick their recommender (or 创建对象) and reviewers their county from the campaign file's lists
    return render(request, "review/admin_users.html", people=accounts.list_users(session), stages=stages,
                  campaigns=campaigns, lists=eligibility.admin_lists(session, campaigns),
                  bindings=eligibility.bindings(session))


@router.post("/admin/users")
async def admin_add(request: Request, user: AdminUser, session: SessionDep) -> Response:
    f = await read_form(request)
    try:
        emails.checked(f.get("email", ""))        # a malformed address makes no account
        new = await run_in_threadpool(lambda: accounts.create_user(
            session, username=f.get("username", ""), password=f.get("password", ""), role=f.get("role", ""),
            display_name=f.get("display_name", ""), organisation=f.get("organisation"),
            stage_id=f.get("stage_id"), department=f.get("department"), campaign_id=f.get("campaign_id"),
            recommender=f.get("recommender"), applicant_kind=f.get("applicant_kind"), county=f.get("county")))
    except DomainError as e:
        return flash_back("/admin/users", e.message)
    if f.get("email", "").strip():
        emails.set_email(session, user, new, f["email"])
        session.commit()
    return flash_back("/admin/users", "账号已创建。")


@router.post("/admin/users/{user_id}/bind")
async def admin_bind(user_id: str, request: Request, user: AdminUser, session: SessionDep) -> Response:
    f = await read_form(request)
    try:
        await run_in_threadpool(lambda: accounts.bind_user(
            session, user_id, role=f.get("role"), organisation=f.get("organisation"),
            campaign_id=f.get("campaign_id"), stage_id=f.get("stage_id"), department=f.get("department"),
            recommender=f.get("recommender"), applicant_kind=f.get("applicant_kind"), county=f.get("county")))
    except DomainError as e:
        return flash_back("/admin/users", e.message)
    return flash_back("/admin/users", "绑定已保存。")


@router.post("/admin/users/{user_id}/active")
async def admin_active(user_id: str, request: Request, user: AdminUser, session: SessionDep) -> Response:
    f = await read_form(request)
    target = accounts.get_user(session, user_id)
    await run_in_threadpool(accounts.set_active, session, target.username, f.get("active") == "1")
    return flash_back("/admin/users", "已更新。")


@router.post("/admin/users/{user_id}/email")
async def admin_email(user_id: str, request: Request, user: AdminUser, session: SessionDep) -> Response:
    """Set, change or clear (empty) where a person's notifications are emailed; audited."""
    f = await read_form(request)
    target = accounts.get_user(session, user_id)
    try:
        emails.set_email(session, user, target, f.get("email", ""))
    except DomainError as e:
        return flash_back("/admin/users", f"{target.username}：{e.message}")
    session.commit()
    return flash_back("/admin/users", f"{target.username} 的邮箱已{'保存' if target.email else '清除'}。")
