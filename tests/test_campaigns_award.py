"""集中表彰100例左右 is a target, not a cap: the deciding stage and 活动概况 count against it and warn
past it; nothing refuses the pass beyond it (through the API on PostgreSQL)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from dossier.campaign_registry import reset
from dossier.campaigns import default_dir
from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from services.review import flow
from services.submissions.service import create_submission
from storage.db import make_sessionmaker
from storage.objects import ObjectStore
from storage.review_models import ReviewTask
from tests.auth_helpers import post_login
from tests.review_helpers import PASSWORD

pytestmark = pytest.mark.services

C, STAGE, TARGET = "jinhua-2015", "collective_decision", 2
DECISION = {"decision": "pass", "opinion": "同意表彰", "sealed": True, "opinion_date": "2026-12-20"}


@pytest.fixture
def client(settings: Settings, pg_engine: Engine, folder_store: ObjectStore, tmp_path: Path) -> Iterator[TestClient]:
    """Jinhua's file with 100例左右 made 2例左右, so that the third pass is past the target."""
    folder = tmp_path / "campaigns"
    folder.mkdir()
    text = (default_dir() / "jinhua-2015.yaml").read_text(encoding="utf-8")
    assert text.count("award_count: 100") == 2
    (folder / "jinhua-2015.yaml").write_text(text.replace("award_count: 100", f"award_count: {TARGET}"),
                                             encoding="utf-8")
    app = create_app(settings.model_copy(update={"campaigns_dir": folder}), engine=pg_engine, store=folder_store)
    with TestClient(app) as c:
        yield c
    reset()


def test_past_the_target_is_warned_never_refused(client: TestClient, pg_engine: Engine) -> None:
    """GIVEN three submissions at 班子集体研究 with a target of 2例左右 WHEN all three are passed THEN
    the third pass is accepted; the task list and the desk say the target is reached before it, and
    活动概况 shows 3 against about 2 with the warning."""
    sessions = make_sessionmaker(pg_engine)
    with sessions() as s:
        board = accounts.create_user(s, username="board", password=PASSWORD, role="reviewer", stage_id=STAGE)
        accounts.create_user(s, username="admin", password=PASSWORD, role="admin")
        h = {"Authorization": f"Bearer {accounts.issue_token(s, board, 'test')}"}
        for n in range(3):
            sid = create_submission(s, campaign_id=C, organisation=f"金华市第{n}局机关支部",
                                    recommender="金华市财政局机关党委").id
            flow.start_review(s, None, sid)
            # walked to the deciding stage through the data: the earlier stages are not this test's
            for t in s.scalars(select(ReviewTask).where(ReviewTask.submission_id == sid)):
                t.stage_id, t.actor, t.department = STAGE, "reviewer", None
            s.commit()

    seen = []
    for n in range(3):
        listed = client.get("/api/review/tasks", params={"state": "open"}, headers=h).json()
        seen.append(listed[0]["award"])
        task = client.post("/api/review/claim-next", json={}, headers=h).json()["task"]
        if n == 2:   # the reviewer's desk, before the pass past the target
            post_login(client, "board")
            desk = client.get(f"/review/tasks/{task['id']}").text
            assert re.search(r'id="award">计划表彰 2 例左右，已通过 2 例；已达到目标数', desk)
        r = client.post(f"/api/review/tasks/{task['id']}/decision", json=DECISION, headers=h)
        assert r.status_code == 200, r.text
    assert [(a["target"], a["passed"], a["over"]) for a in seen] == [(2, 0, False), (2, 1, False), (2, 2, True)]
    assert "不是上限" in seen[2]["message"]

    post_login(client, "admin")
    view = client.get(f"/api/review/campaigns/{C}/overview").json()
    row = next(r for r in view["stages"] if r["id"] == STAGE)
    assert (row["passed"], row["target"], row["limit"]) == (3, 2, None)
    assert view["titles"] == {"机关党建示范点": 3} and view["award_target"] == 2
    page = client.get(f"/review/campaigns/{C}").text
    assert "约 2（目标）" in page and "已通过 3 例；已达到目标数" in page
