"""The accounts API: the list of people, for staff."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.kit.deps import SessionDep
from services.security.guards import StaffUser

from . import accounts

users = APIRouter(prefix="/api/users", tags=["review"])


@users.get("", summary="List accounts / 账号列表")
def list_users(user: StaffUser, session: SessionDep) -> list[dict[str, Any]]:
    return [{"username": u.username, "role": u.role, "organisation": u.organisation, "stage_id": u.stage_id,
             "department": u.department, "active": u.active} for u in accounts.list_users(session)]
