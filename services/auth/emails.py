"""Where a person's notifications are emailed: set by the admin (/admin/users and
`PUT /api/users/{username}/email`) or by the person on the inbox page; checked the same way
everywhere, and audited."""
from __future__ import annotations

import re

from sqlalchemy.orm import Session

from services.kit.errors import InvalidInput
from services.security import audit
from storage.notifications import checked_email
from storage.review_models import User

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def checked(address: str) -> str | None:
    """The address as typed, stripped (None for empty); 422 with a Chinese message when malformed."""
    try:
        if _CONTROL.search(address.strip()):       # NUL and the like pass the address pattern: never stored
            raise ValueError("邮箱地址格式不正确，请检查后重新填写。")
        return checked_email(address)
    except ValueError as e:
        raise InvalidInput(str(e), f"malformed email address {address[:80]!r}", code="user.email_invalid") from None


def set_email(session: Session, actor: User, target: User, address: str) -> User:
    """`target`'s address set to `address` (empty: none, the inbox only), with an audit entry naming
    who changed it from what; in the caller's transaction (the caller commits)."""
    email = checked(address)
    if email != target.email:
        audit.record(session, actor, "user_email", user=target.username, before=target.email, after=email)
        target.email = email
    return target
