"""The inbox: a person's notifications (/inbox), marking them read, and turning email on or off.

The unread count in the page header comes from `unread_count(request)`, a template global this
module registers on the pages' one template environment (one COUNT query per page a logged-in person
opens).  Every form carries the session's CSRF token, checked by `read_form` before anything changes.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.kit.deps import CurrentUser, SessionDep, SettingsDep
from services.auth import emails
from services.kit.errors import DomainError, InvalidInput
from storage import notifications
from storage.review_models import User

from services.kit.render import flash_back, read_form, render
from services.kit.templates import template_global

router = APIRouter(include_in_schema=False)


@template_global("unread_count")
def unread_count(request: Request) -> int:
    """The header's badge: the person's unread notifications (0 when nobody is logged in)."""
    user = getattr(request.state, "user", None)
    if user is None:
        return 0
    with request.app.state.sessions() as s:
        return notifications.unread_count(s, user.id)


def _back(msg: str = "") -> RedirectResponse:
    """Back to the inbox, with what happened in the pages' one-time cookie, never in the address."""
    return flash_back("/inbox", msg)


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser) -> HTMLResponse:
    rows = [notifications.describe(r) for r in notifications.inbox(session, user.id)]
    return render(request, "inbox.html", rows=rows, email=user.email or "",
                  email_on=notifications.email_enabled(session, user.id),
                  mail_configured=bool(settings.smtp_host),
                  unread=sum(1 for r in rows if not r["read"]))


@router.post("/inbox/read")
async def mark_read(request: Request, session: SessionDep, user: CurrentUser) -> RedirectResponse:
    """One notification (`id`) or all of them (no id) marked read; only the person's own."""
    form = await read_form(request)
    raw = form.get("id", "").strip()
    if raw and not raw.isdigit():
        raise InvalidInput("无法识别要标记的消息。", f"notification id {raw!r}")
    n = notifications.mark_read(session, user.id, [int(raw)] if raw else None)
    session.commit()
    return _back("已标为已读。" if n else "")


@router.post("/inbox/settings")
async def save_settings(request: Request, session: SessionDep, user: CurrentUser) -> RedirectResponse:
    """The person's email address and whether notifications are also emailed."""
    form = await read_form(request)
    row = session.get(User, user.id)
    assert row is not None
    try:
        emails.set_email(session, row, row, form.get("email", ""))
    except DomainError as e:
        return _back(e.message)
    notifications.set_email_enabled(session, user.id, form.get("email_enabled") == "on")
    session.commit()
    return _back("邮件提醒设置已保存。")
