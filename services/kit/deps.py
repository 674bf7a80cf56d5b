"""Dependency aliases, so that routes read `session: SessionDep` and nothing more.

The engine, the session factory, the store and the campaigns are built once
by `create_app` and kept on `app.state`; these functions hand them to routes.
Who is asking (`CurrentUser`) is resolved once per request by the auth
middleware (services/auth/middleware.py) and read here from `request.state`.
"""
from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from dossier.campaigns import Campaign, CampaignError, get_campaign
from dossier.settings import Settings
from storage.objects import ObjectStore
from storage.review_models import User

from .errors import LoginRequired, UnknownCampaign
from .schemas import MAX_ROW_ID


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A session per request; the service layer commits, we roll back leftovers."""
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_store(request: Request) -> ObjectStore:
    return request.app.state.store


def current_user(request: Request) -> User:
    """The person the auth middleware found for this request, or 401 (a login page for a browser)."""
    user = getattr(request.state, "user", None)
    if user is None:
        raise LoginRequired("请先登录。", "no session or token")
    return user


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
CurrentUser = Annotated[User, Depends(current_user)]
# a row's number in a path: a larger one than the database holds is a 422, not a server error
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def campaign_or_404(campaign_id: str) -> Campaign:
    """The campaign `campaign_id`, or UnknownCampaign (404, in Chinese) for an id nobody knows."""
    try:
        return get_campaign(campaign_id)
    except CampaignError as e:
        raise UnknownCampaign(f"没有编号为“{campaign_id}”的评选活动，请从列表中选择。", str(e)) from e
