"""改派: an admin hands a task to someone who works that queue, from the queue page."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.review import flow
from services.security import audit
from services.security.access import in_scope, task_scope
from storage.db import make_sessionmaker
from storage.review_models import ReviewTask, User
from tests.review_helpers import person, submission
from tests.test_auth_access import app_settings, login, make_client  # noqa: F401 (fixtures)


def _people_and_tasks(s: Session) -> None:
    person(s, "bureau", "reviewer", stage_id="bureau_review")
    person(s, "bureau-j", "reviewer", stage_id="bureau_review", campaign_id="jinhua-2015")
    person(s, "city", "reviewer", stage_id="report_city")
    person(s, "jw", "reviewer", stage_id="joint_review_county", department="纪委")
    person(s, "zfw", "reviewer", stage_id="joint_review_county", department="政法委")
    person(s, "rec", "recommender", organisation="武义县直机关工委")
    person(s, "rec2", "recommender", organisation="市直机关工委")
    person(s, "unit", "unit", organisation="支部0")
    person(s, "op", "operator")
    person(s, "admin", "admin")
    for i in range(2):
        flow.start_review(s, None, submission(s, "yueyang-2017", f"支部{i}"))
    county = submission(s, "jinhua-2015", "武义县某局", "武义县直机关工委")
    flow.start_review(s, None, county)
    for dept in ("纪委", "政法委"):
        s.add(ReviewTask(submission_id=county, campaign_id="jinhua-2015", stage_id="joint_review_county",
                         department=dept, actor="reviewer", state="open", data={}))
    s.commit()


def test_the_page_check_agrees_with_the_database_check(session: Session) -> None:
    """GIVEN people of every role and binding and tasks of both campaigns THEN for every pair the
    check the queue page uses says what the database query says."""
    _people_and_tasks(session)
    users = list(session.scalars(select(User)))
    tasks = list(session.scalars(select(ReviewTask)))
    for u in users:
        by_db = set(session.scalars(select(ReviewTask.id).where(task_scope(u))))
        assert {t.id for t in tasks if in_scope(u, t)} == by_db, u.username


def test_admin_reassigns_from_the_queue(make_client: Any, sqlite_engine: Engine) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        _people_and_tasks(s)
        jw_task = s.scalar(select(ReviewTask.id).where(ReviewTask.department == "纪委"))
    admin, reviewer = make_client(), make_client()
    csrf = login(admin, "admin")
    page = admin.get("/review").text
    row = re.search(r'<tr class="[^"]*" data-task="%s">(.*?)</tr>' % jw_task, page, re.S).group(1)  # type: ignore[union-attr]
    assert re.findall(r'<option value="([^"]+)"', row) == ["jw"]        # only 纪委's reviewer
    assert admin.post(f"/review/tasks/{jw_task}/reassign", data={"to": "jw"},
                      follow_redirects=False).status_code == 403         # no CSRF token
    r = admin.post(f"/review/tasks/{jw_task}/reassign", data={"to": "zfw", "csrf_token": csrf})
    assert "不负责这个环节或部门" in r.text
    r = admin.post(f"/review/tasks/{jw_task}/reassign", data={"to": "jw", "csrf_token": csrf})
    assert "已改派给" in r.text
    with make_sessionmaker(sqlite_engine)() as s:
        task = s.get(ReviewTask, jw_task)
        jw = s.scalar(select(User).where(User.username == "jw"))
        assert task is not None and jw is not None and (task.state, task.assignee_id) == ("claimed", jw.id)
        entry = audit.history(s, task.submission_id)[-1]
        assert (entry.action, entry.actor, entry.detail["to"]) == ("reassign", "admin", "jw")
    rcsrf = login(reviewer, "bureau")
    assert "改派" not in reviewer.get("/review").text
    r = reviewer.post(f"/review/tasks/{jw_task}/reassign", data={"to": "jw", "csrf_token": rcsrf})
    assert r.status_code == 403 and "只有管理员" in r.text
