"""API tokens: expiry, revocation from the command line, no revival on re-enabling; reassignment
never to a disabled account (issue 15)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from services.cli import main as cli_main
from services.review import flow
from storage.db import make_sessionmaker
from storage.models import utcnow
from storage.objects import open_store
from storage.review_models import ApiToken, ReviewTask
from tests.review_helpers import person, submission


@pytest.fixture
def world(settings: Settings, sqlite_engine: Engine) -> Any:
    s = make_sessionmaker(sqlite_engine)()
    person(s, "bureau", "reviewer", stage_id="bureau_review", campaign_id="yueyang-2017")
    person(s, "bureau2", "reviewer", stage_id="bureau_review", campaign_id="yueyang-2017")
    person(s, "admin", "admin")
    app = create_app(settings.model_copy(update={"api_token_days": 90}), engine=sqlite_engine,
                     store=open_store(settings))
    with TestClient(app) as c:
        yield c, s
    s.close()


def token_of(s: Any, username: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + accounts.issue_token(s, accounts.find_user(s, username), "script")}


def works(c: TestClient, headers: dict[str, str]) -> bool:
    return c.get("/api/review/tasks", headers=headers).status_code == 200


def test_a_token_expires(world: Any) -> None:
    """GIVEN a token issued 91 days ago with a 90-day lifetime THEN it is refused; a new one works."""
    c, s = world
    old = token_of(s, "bureau")
    assert works(c, old)
    s.execute(update(ApiToken).values(created_at=utcnow() - dt.timedelta(days=91)))
    s.commit()
    r = c.get("/api/review/tasks", headers=old)
    assert r.status_code == 401 and "访问令牌无效" in r.json()["message"]
    assert works(c, token_of(s, "bureau"))


def test_revoked_from_the_command_line(world: Any, settings: Settings, capsys: Any) -> None:
    c, s = world
    script, other = token_of(s, "bureau"), token_of(s, "bureau2")
    assert cli_main(["user", "token", "bureau", "--revoke"], settings) == 0
    assert "revoked 1 token(s) of bureau" in capsys.readouterr().out
    assert not works(c, script) and works(c, other)


def test_re_enabling_an_account_revives_no_token(world: Any, settings: Settings) -> None:
    """GIVEN a token WHEN its account is disabled and enabled again THEN the token stays dead."""
    c, s = world
    script = token_of(s, "bureau")
    assert cli_main(["user", "disable", "bureau"], settings) == 0
    assert not works(c, script)
    assert cli_main(["user", "enable", "bureau"], settings) == 0
    s.expire_all()
    assert not works(c, script) and works(c, token_of(s, "bureau"))


def test_no_reassignment_to_a_disabled_account(world: Any, settings: Settings) -> None:
    c, s = world
    flow.start_review(s, None, submission(s, "yueyang-2017", "某局机关党支部"))
    task_id = s.scalar(select(ReviewTask.id))
    assert cli_main(["user", "disable", "bureau2"], settings) == 0
    admin = token_of(s, "admin")
    r = c.post(f"/api/review/tasks/{task_id}/reassign", json={"username": "bureau2"}, headers=admin)
    assert r.status_code == 422 and "已停用" in r.json()["message"]
    r = c.post(f"/api/review/tasks/{task_id}/reassign", json={"username": "bureau"}, headers=admin)
    assert r.status_code == 200 and r.json()["state"] == "claimed"
