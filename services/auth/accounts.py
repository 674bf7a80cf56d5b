"""Accounts: create, list, disable, bind; log in; sessions and API tokens.

Tokens (session cookies and API tokens) are 32 random bytes; the database keeps
only their sha256, so a leaked table logs nobody in.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.kit.errors import DomainError, InvalidInput, NotFound
from storage.models import utcnow
from storage.review_models import ApiToken, Role, User, UserSession

from . import eligibility
from .passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password

ROLE_LABELS = {"unit": "申报单位", "recommender": "推荐单位", "reviewer": "审核人员",
               "operator": "运维人员", "admin": "管理员"}


class LoginFailed(DomainError):
    status_code = 401
    code = "auth.failed"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_binding(role: str, organisation: str | None, stage_id: str | None) -> None:
    if role not in {r.value for r in Role}:
        raise InvalidInput(f"未知的角色“{role}”。", f"unknown role {role!r}")
    if role in ("unit", "recommender") and not (organisation or "").strip():
        raise InvalidInput("申报单位和推荐单位账号须绑定所属单位。", f"{role} needs an organisation")
    if role == "reviewer" and not (stage_id or "").strip():
        raise InvalidInput("审核人员账号须绑定审核环节。", "reviewer needs a stage")


def create_user(session: Session, *, username: str, password: str, role: str,
                display_name: str = "", organisation: str | None = None, campaign_id: str | None = None,
                stage_id: str | None = None, department: str | None = None, recommender: str | None = None,
                applicant_kind: str | None = None, county: str | None = None) -> User:
    """A new account; a unit's recommender or applicant kind and a reviewer's county (the campaign
    file's lists) are bound with it, in the same transaction."""
    username = check_username(username)
    if len(password) < 8:
        raise InvalidInput("用户名不能为空，密码至少 8 位。", "username empty or password under 8 characters")
    _check_binding(role, organisation, stage_id)
    user = User(username=username, password_hash=hash_password(password), role=role,
                display_name=display_name or username, organisation=organisation or None,
                campaign_id=campaign_id or None, stage_id=stage_id or None, department=department or None)
    session.add(user)
    try:
        session.flush()
        _bind_rules(session, user, recommender, applicant_kind, county)
        session.commit()
    except IntegrityError as e:
        session.rollback()
        raise DomainError(f"用户名“{username}”已存在。", f"username {username!r} taken",
                          code="user.exists", status_code=409) from e
    except DomainError:
        session.rollback()
        raise
    return user


def get_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("没有这个账号。", f"no user {user_id}")
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def bind_user(session: Session, user_id: str, *, role: str | None = None, organisation: str | None = None,
              campaign_id: str | None = None, stage_id: str | None = None,
              department: str | None = None, recommender: str | None = None,
              applicant_kind: str | None = None, county: str | None = None) -> User:
    """Bind a person to an organisation, a stage and a department, and to a recommender, applicant
    kind or county from the campaign file's lists (the admin page)."""
    user = get_user(session, user_id)
    role = role or user.role
    _check_binding(role, organisation, stage_id)
    user.role, user.organisation = role, organisation or None
    user.campaign_id, user.stage_id, user.department = campaign_id or None, stage_id or None, department or None
    try:
        _bind_rules(session, user, recommender, applicant_kind, county)
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return user


def _bind_rules(session: Session, user: User, recommender: str | None, applicant_kind: str | None,
                county: str | None) -> None:
    from services.kit.deps import campaign_or_404

    if (recommender or applicant_kind) and user.role != "unit":
        raise InvalidInput("只有申报单位账号绑定推荐单位或创建对象。", f"{user.role} cannot bind a recommender")
    if county and user.role != "reviewer":
        raise InvalidInput("只有审核人员账号绑定县（市、区）。", f"{user.role} cannot bind a county")
    campaign = campaign_or_404(user.campaign_id) if user.campaign_id else None
    if campaign is not None and user.role == "reviewer" and user.stage_id and not county \
            and eligibility.county_stage(campaign, user.stage_id):
        raise InvalidInput("县（市、区）部门联审由本地部门办理，请为该审核人员绑定县（市、区）。",
                           f"{user.stage_id} is reviewed locally: bind a county")
    eligibility.bind(session, user, campaign=campaign, recommender=recommender,
                     applicant_kind=applicant_kind, county=county)


def set_active(session: Session, username: str, active: bool) -> User:
    user = find_user(session, username)
    if user is None:
        raise NotFound(f"没有账号“{username}”。", f"no user {username!r}")
    user.active = active
    if not active:   # a disabled account is logged out everywhere at once, and its tokens die with it:
        # enabling it again revives none of them (a new token has to be issued)
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        _revoke(session, user.id, None)
    session.commit()
    return user


def check_username(username: str) -> str:
    """A username as typed, stripped; refused (422) when empty, over 100 characters or holding a
    control character (a NUL would reach SQL)."""
    username = username.strip()
    if not username or len(username) > 100 or re.search(r"[\x00-\x1f\x7f]", username):
        raise InvalidInput("用户名须为 1—100 个字符，不能包含控制字符。", "username empty, too long or with control characters")
    return username


def authenticate(session: Session, username: str, password: str) -> User:
    if len(password) > 1024:     # argon2 would hash a megabyte as readily as a word
        raise LoginFailed("用户名或密码不正确，或账号已停用。", "password over 1024 characters")
    user = find_user(session, check_username(username))
    # verify even for an unknown name, so timing does not tell which names exist
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        raise LoginFailed("用户名或密码不正确，或账号已停用。", "bad credentials or disabled")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: dt.datetime


def open_session(session: Session, user: User, hours: int) -> NewSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(hours=hours)
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id, csrf_token=csrf,
                            expires_at=expires))
    session.commit()
    return NewSession(token, csrf, expires)


def session_user(session: Session, token: str) -> tuple[User, UserSession] | None:
    row = session.get(UserSession, token_hash(token))
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def close_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))
    session.commit()


def issue_token(session: Session, user: User, name: str = "") -> str:
    """A new API token for scripts; shown once, only its hash is kept."""
    token = "dsr_" + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=token_hash(token), user_id=user.id, name=name))
    session.commit()
    return token


def _revoke(session: Session, user_id: str, name: str | None) -> int:
    q = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if name is not None:
        q = q.where(ApiToken.name == name)
    return int(session.execute(q.values(revoked_at=utcnow())).rowcount or 0)  # type: ignore[attr-defined]


def revoke_tokens(session: Session, user: User, name: str | None = None) -> int:
    """Revoke the account's live API tokens (those called `name` only, when given); how many."""
    n = _revoke(session, user.id, name)
    session.commit()
    return n


def token_user(session: Session, token: str, max_age_days: int = 0) -> User | None:
    """The account behind a live API token: not revoked, not older than `max_age_days` (0: no
    limit), its account active."""
    row = session.get(ApiToken, token_hash(token))
    if row is None or row.revoked_at is not None:
        return None
    if max_age_days and row.created_at + dt.timedelta(days=max_age_days) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None
