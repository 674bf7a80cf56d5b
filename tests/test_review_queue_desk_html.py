"""What a reviewer relies on in the served HTML and JS, over HTTP (fast; the browser test drives it):
an overdue task stands out in the queue, and the desk's keyboard shortcuts are announced and wired."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import Engine, select

from dossier.beijing import shown
from storage.db import make_sessionmaker
from storage.models import StoredFile
from storage.review_models import ReviewTask
from tests.test_auth_access import app_settings, login, make_client, people, upload_as  # noqa: F401 (fixtures)
from tests.test_review_pages_view import _result


def _row(page: str, task_id: str) -> str:
    m = re.search(r'<tr class="([^"]*)" data-task="%s">(.*?)</tr>' % task_id, page, re.S)
    assert m, f"no queue row for {task_id}"
    return m.group(0)


def _two_tasks_due(make_client: Any, engine: Engine, first: dt.datetime, second: dt.datetime) -> tuple[Any, str, str]:
    """Unit A uploads twice; the bureau's two tasks fall due at `first` and `second`.
    Returns the bureau's logged-in client and the two task ids."""
    unit, bureau = make_client(), make_client()
    csrf = login(unit, "unit-a")
    a, b = upload_as(unit, csrf), upload_as(unit, csrf)
    login(bureau, "bureau")
    with make_sessionmaker(engine)() as s:
        tasks = {t.submission_id: t for t in s.scalars(select(ReviewTask))}
        tasks[a].due_at, tasks[b].due_at = first, second
        ids = tasks[a].id, tasks[b].id
        s.commit()
    return bureau, *ids


@pytest.mark.usefixtures("people")
class TestQueueAndDeskHtml:
    def test_overdue_task_is_marked_in_the_queue(self, make_client: Any, sqlite_engine: Engine) -> None:
        """GIVEN two open tasks, one past its deadline WHEN the reviewer opens the queue THEN only that
        row is marked overdue (row class and the words 已超期) and the overdue filter lists it alone."""
        now = dt.datetime.now(dt.timezone.utc)
        bureau, late_id, ok_id = _two_tasks_due(make_client, sqlite_engine, now - dt.timedelta(days=2),
                                                now + dt.timedelta(days=5))
        page = bureau.get("/review").text
        late, ok = _row(page, late_id), _row(page, ok_id)
        assert late.startswith('<tr class="overdue"') and '<strong class="error">已超期</strong>' in late
        # the page shows Beijing time: after 16:00 UTC that is already the next day
        assert shown(now - dt.timedelta(days=2), "%Y-%m-%d") in late
        assert ok.startswith('<tr class=""') and "已超期" not in ok
        overdue_only = bureau.get("/review", params={"state": "overdue"}).text
        assert f'data-task="{late_id}"' in overdue_only and f'data-task="{ok_id}"' not in overdue_only
        css = bureau.get("/static/review.css").text
        assert "tr.overdue" in css

    def test_deadline_filter(self, make_client: Any, sqlite_engine: Engine) -> None:
        """GIVEN tasks due on 12月3日 (late evening, Beijing time) and 12月10日 WHEN the reviewer asks
        for tasks due by 12月3日 THEN only the first, on the page and in the API; a mangled date is
        ignored with a message, not an error."""
        # 23:30 on 3 December in Beijing is 15:30 UTC the same day
        bureau, soon_id, later_id = _two_tasks_due(
            make_client, sqlite_engine, dt.datetime(2026, 12, 3, 15, 30, tzinfo=dt.timezone.utc),
            dt.datetime(2026, 12, 10, 1, 0, tzinfo=dt.timezone.utc))
        page = bureau.get("/review", params={"due_by": "2026-12-03"}).text
        assert f'data-task="{soon_id}"' in page and f'data-task="{later_id}"' not in page
        assert 'name="due_by" value="2026-12-03"' in page
        api = bureau.get("/api/review/tasks", params={"due_by": "2026-12-03"}).json()
        assert [t["id"] for t in api] == [soon_id]
        assert bureau.get("/api/review/tasks", params={"due_by": "2026-12-02"}).json() == []
        bad = bureau.get("/review", params={"due_by": "12/03"})
        assert bad.status_code == 200 and "期限日期格式不对" in bad.text and f'data-task="{later_id}"' in bad.text

    def test_desk_announces_and_wires_the_keyboard_shortcuts(self, make_client: Any, sqlite_engine: Engine) -> None:
        """GIVEN a claimed task THEN the desk names j/k/a/n, loads the script, and carries the elements
        the script acts on (field rows, the pass button in #decide, the next-task form); the script
        binds exactly those keys to them; the queue's 领取下一份 is reachable by n as well."""
        unit, bureau = make_client(), make_client()
        sid = upload_as(unit, login(unit, "unit-a"))
        with make_sessionmaker(sqlite_engine)() as s:       # the file as read, so the desk has fields
            s.scalars(select(StoredFile).where(StoredFile.submission_id == sid)).one().result = _result(sid)
            s.commit()
        csrf = login(bureau, "bureau")
        task = bureau.post("/api/review/claim-next", json={}, headers={"X-CSRF-Token": csrf}).json()["task"]
        page = bureau.get(f"/review/tasks/{task['id']}").text
        assert "快捷键：j/k 上下字段，a 通过，n 下一份" in page
        assert '<script src="/static/review.js" defer></script>' in page
        assert 'class="field-row" data-key="unit_name"' in page
        assert re.search(r'<form[^>]*id="decide"', page) and 'name="decision" value="pass"' in page
        assert re.search(r'<form method="post" action="/review/claim-next" id="next-task"', page)
        js = bureau.get("/static/review.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        for key in ("j", "k", "a", "n"):
            assert f'e.key === "{key}"' in js.text, key
        assert 'querySelectorAll(".field-row")' in js.text
        assert 'querySelector("#decide button[value=pass]")' in js.text
        assert 'getElementById("next-task")' in js.text
        assert "typing(e)" in js.text            # keys typed into a box are not shortcuts
        queue_page = bureau.get("/review").text
        assert 'id="claim-next" accesskey="n"' in queue_page and "领取下一份（n）" in queue_page
