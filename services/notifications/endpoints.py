"""The inbox as JSON: `GET /api/inbox`, `POST /api/inbox/read`, `PUT /api/inbox/settings`.

The same functions as the /inbox page (storage/notifications.py), for the person who asks (a session
cookie with the `X-CSRF-Token` header on changes, or an API token); nobody reads or marks another's.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.kit.deps import CurrentUser, SessionDep, SettingsDep
from services.kit.errors import InvalidInput
from services.kit.schemas import RowId
from storage import notifications
from storage.notification_models import Notification

router = APIRouter(prefix="/api/inbox", tags=["notifications"])

NotificationId = RowId
PAGE_MAX = 200


class NotificationOut(BaseModel):
    id: int
    event: str = Field(description="what happened, a code such as review.returned / 事件代码")
    label: str = Field(description="the event in Chinese / 事件名称")
    text: str = Field(description="the message in plain Chinese / 通知内容")
    link: str | None = Field(description="the page it concerns / 相关页面")
    created_at: dt.datetime = Field(description="when, UTC / 时间（UTC）")
    at: str = Field(description="when, Beijing time as the page shows it / 北京时间")
    read: bool


class InboxOut(BaseModel):
    unread: int = Field(description="the person's unread notifications, all pages / 未读条数")
    items: list[NotificationOut] = Field(description="newest first / 按时间倒序")
    next_before: int | None = Field(description="pass as `before` for the next page; null: no more / 下一页参数")


class ReadIn(BaseModel):
    ids: list[NotificationId] | None = Field(None, max_length=PAGE_MAX, description="these / 指定的通知")
    all: bool = Field(False, description="every unread one / 全部标为已读")


class ReadOut(BaseModel):
    marked: int = Field(description="how many were unread and are now read / 本次标为已读的条数")
    unread: int


class SettingsIn(BaseModel):
    email_enabled: bool = Field(description="also email each notification / 是否同时发送邮件")


class SettingsOut(BaseModel):
    email: str | None = Field(description="the address, set on the inbox page or by an admin / 邮箱")
    email_enabled: bool
    mail_configured: bool = Field(description="whether this service sends email at all / 是否已配置邮件服务器")


def _out(row: Notification) -> NotificationOut:
    return NotificationOut(**notifications.describe(row), created_at=row.created_at)


@router.get("", response_model=InboxOut, summary="My notifications / 我的消息")
def inbox(user: CurrentUser, session: SessionDep, limit: int = Query(50, ge=1, le=PAGE_MAX),
          before: int | None = Query(None, ge=1, le=2**62, description="only older than this id / 早于此编号")
          ) -> InboxOut:
    """The person's notifications, newest first, `limit` at a time, with the unread count.
    / 当前用户的通知（按时间倒序、分页）及未读条数。"""
    rows = notifications.inbox(session, user.id, limit=limit + 1, before=before)
    more = len(rows) > limit
    rows = rows[:limit]
    return InboxOut(unread=notifications.unread_count(session, user.id), items=[_out(r) for r in rows],
                    next_before=rows[-1].id if more else None)


@router.post("/read", response_model=ReadOut, summary="Mark notifications read / 标为已读")
def mark_read(body: ReadIn, user: CurrentUser, session: SessionDep) -> ReadOut:
    """`{"ids": [...]}` marks those, `{"all": true}` every one; another person's ids are ignored.
    / 按编号或全部标为已读。"""
    if body.all == (body.ids is not None):
        raise InvalidInput("请指定要标为已读的消息（ids），或选择全部（all）。", "give either ids or all: true")
    n = notifications.mark_read(session, user.id, None if body.all else body.ids)
    session.commit()
    return ReadOut(marked=n, unread=notifications.unread_count(session, user.id))


@router.put("/settings", response_model=SettingsOut, summary="Email on or off / 邮件提醒开关")
def settings(body: SettingsIn, user: CurrentUser, session: SessionDep, app_settings: SettingsDep) -> SettingsOut:
    """Whether the person's notifications are also emailed (to the address on the inbox page).
    / 设置是否同时通过邮件接收通知。"""
    notifications.set_email_enabled(session, user.id, body.email_enabled)
    session.commit()
    return SettingsOut(email=user.email, email_enabled=notifications.email_enabled(session, user.id),
                       mail_configured=bool(app_settings.smtp_host))
