"""The accounts API: the list of people, for staff; where a person's notifications are emailed, for
admins."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.kit.deps import SessionDep
from services.kit.errors import NotFound
from services.security.guards import AdminUser, StaffUser
from storage.review_models import User

from . import accounts, emails

users = APIRouter(prefix="/api/users", tags=["review"])


class UserOut(BaseModel):
    username: str
    role: str
    organisation: str | None
    stage_id: str | None
    department: str | None
    active: bool
    email: str | None = Field(description="where notifications are emailed; null: the inbox only / 通知邮箱")


class EmailIn(BaseModel):
    email: str = Field(max_length=254, description="the address; empty clears it / 邮箱，留空则清除")


def _out(u: User) -> UserOut:
    return UserOut(username=u.username, role=u.role, organisation=u.organisation, stage_id=u.stage_id,
                   department=u.department, active=u.active, email=u.email)


@users.get("", summary="List accounts / 账号列表", response_model=list[UserOut])
def list_users(user: StaffUser, session: SessionDep) -> list[UserOut]:
    return [_out(u) for u in accounts.list_users(session)]


@users.put("/{username}/email", summary="Set a person's email (admin) / 设置通知邮箱", response_model=UserOut)
def set_email(username: str, body: EmailIn, user: AdminUser, session: SessionDep) -> UserOut:
    """Where the person's notifications are emailed (when SMTP is configured); an empty string clears
    it. A malformed address is a 422 with a Chinese message. Audited. / 设置或清除通知邮箱（记入审计日志）。"""
    target = accounts.find_user(session, username)
    if target is None:
        raise NotFound(f"没有账号“{username}”。", f"no user {username!r}")
    emails.set_email(session, user, target, body.email)
    session.commit()
    return _out(target)
