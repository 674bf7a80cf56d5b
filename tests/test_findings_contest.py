"""识别有误 through the HTTP API on PostgreSQL: a unit contests a finding of its own submission
(another unit cannot see it), the contested finding no longer blocks the unit, the reviewer sees it
first and confirms it (the pass goes through) or upholds it (the submission goes back with the
reason); real .docx forms read by the pipeline's own functions."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.app import create_app
from services.security.access import record_owner
from storage.db import make_sessionmaker
from workers.findings_gate import blocking_findings
from storage.models import FindingRow
from storage.objects import open_store
from storage.review_models import ReviewTask, User
from tests.docx_factory import narrative, yueyang_form
from tests.packet_scenario import read, upload
from tests.review_helpers import person, submission
from tests.test_auth_access import login as login_form

pytestmark = pytest.mark.services

UNIT = "甲局机关党支部"
OTHER = "乙局机关党支部"
FAINT_SEAL = "原件第1页已盖公章，扫描件颜色较浅"


@pytest.fixture
def pg_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"anonymous_uploads": False})


@pytest.fixture
def pg_sessions(pg_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(pg_engine)


@pytest.fixture
def client(pg_settings: Settings, pg_engine: Engine) -> Iterator[Any]:
    """A function that gives a fresh HTTP client of the app on PostgreSQL (one per person)."""
    app = create_app(pg_settings, engine=pg_engine, store=open_store(pg_settings))
    clients: list[TestClient] = []

    def new() -> TestClient:
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        return c
    yield new
    for c in clients:
        c.__exit__(None, None, None)


def login(c: TestClient, username: str) -> None:
    """Log in through the form; the session's CSRF token goes with every later request."""
    c.headers["X-CSRF-Token"] = login_form(c, username)


def people(s: Session) -> None:
    person(s, "unit-a", "unit", organisation=UNIT)
    person(s, "unit-b", "unit", organisation=OTHER)
    person(s, "bureau", "reviewer", stage_id="bureau_review")
    person(s, "op", "operator")


def yueyang_application(s: Session, settings: Settings, sessions: sessionmaker[Session], tmp: Path, *,
                        owner: str = "unit-a", **form: Any) -> str:
    """A unit's yueyang-2017 submission: its 申报表 with the 评分细则 (full marks), read and checked."""
    items = get_campaign("yueyang-2017").document("score_sheet").rubric.items
    sid = submission(s, "yueyang-2017", UNIT)
    user = s.scalar(select(User).where(User.username == owner))
    record_owner(s, user, sid)
    d = tmp / sid
    d.mkdir()
    data = yueyang_form(d / "f.docx", scores=[i.max for i in items], total=100.0, **form).read_bytes()
    read(settings, sessions, sid, [upload(s, settings, sid, "申报表.docx", data)])
    return sid


def finding(s: Session, sid: str, code: str) -> FindingRow:
    row = s.scalar(select(FindingRow).where(FindingRow.submission_id == sid, FindingRow.code == code))
    assert row is not None, f"no {code} in {sid}"
    return row


def claim(c: TestClient, sid: str, s: Session) -> str:
    task_id = s.scalar(select(ReviewTask.id).where(ReviewTask.submission_id == sid, ReviewTask.state == "open"))
    assert c.post(f"/api/review/tasks/{task_id}/claim").status_code == 200
    return str(task_id)


def full_pass() -> dict[str, Any]:
    """What the bureau's stage asks for a pass: 考评分 for every item, the 实地检查, and its 系统机关党委意见
    with 签字 and 年月日 as the form asks."""
    items = get_campaign("yueyang-2017").document("score_sheet").rubric.items
    return {"decision": "pass", "opinion": "材料齐全，同意上报", "scores": {i.key: i.max for i in items},
            "inspection": {"date": "2017-05-10", "notes": "实地检查，台账齐全"}, "signed_by": "李明",
            "opinion_date": "2017-05-12"}


def codes(session: Session, sid: str, audience: str) -> list[str]:
    session.expire_all()
    return [f.code for f in blocking_findings(session, sid, audience=audience)]


class TestTheUnitContests:
    def test_only_its_own_and_the_finding_stops_blocking(self, pg_settings: Settings,
                                                         pg_sessions: sessionmaker[Session], client: Any,
                                                         tmp_path: Path) -> None:
        """GIVEN a unit's 申报表 read without its seal WHEN the unit marks seal.missing 识别有误 THEN it
        no longer blocks the unit; another unit gets 404, an operator 403, an empty note 422, a
        second mark 409, all in Chinese; the mark is in the history and the contests list."""
        with pg_sessions() as s:
            people(s)
            sid = yueyang_application(s, pg_settings, pg_sessions, tmp_path, seal=False)
            seal = finding(s, sid, "seal.missing").id
            assert codes(s, sid, "unit") == ["seal.missing"]
        url = f"/api/submissions/{sid}/findings/{seal}/contest"
        a, b, op = client(), client(), client()
        login(a, "unit-a")
        login(b, "unit-b")
        login(op, "op")
        r = b.post(url, json={"note": FAINT_SEAL})
        assert r.status_code == 404 and "找不到这份申报" in r.json()["message"]
        r = op.post(url, json={"note": FAINT_SEAL})          # staff may see it, only the unit contests
        assert r.status_code == 403 and "只有申报单位" in r.json()["message"]
        r = a.post(url, json={"note": "  "})
        assert r.status_code == 422 and "请简要写明" in r.json()["message"]
        r = a.post(url, json={"note": FAINT_SEAL})
        assert r.status_code == 200, r.text
        assert (r.json()["code"], r.json()["outcome"]) == ("seal.missing", None)
        r = a.post(url, json={"note": FAINT_SEAL})
        assert r.status_code == 409 and "已标记为识别有误" in r.json()["message"]
        with pg_sessions() as s:
            assert codes(s, sid, "unit") == []
            assert codes(s, sid, "reviewer") == ["seal.missing"]      # a person has yet to look
        history = a.get(f"/api/review/submissions/{sid}/history").json()
        assert [(h["action"], h["detail"]["note"]) for h in history if h["action"] == "contest"] == \
            [("contest", FAINT_SEAL)]
        assert [c["note"] for c in a.get(f"/api/submissions/{sid}/contests").json()] == [FAINT_SEAL]
        assert b.get(f"/api/submissions/{sid}/contests").status_code == 404

    def test_a_warning_or_another_submissions_finding_is_refused(self, pg_settings: Settings,
                                                                 pg_sessions: sessionmaker[Session],
                                                                 client: Any, tmp_path: Path) -> None:
        with pg_sessions() as s:
            people(s)
            mine = yueyang_application(s, pg_settings, pg_sessions, tmp_path, seal=False)
            other = yueyang_application(s, pg_settings, pg_sessions, tmp_path, owner="unit-b", seal=False)
            theirs = finding(s, other, "seal.missing").id
        a = client()
        login(a, "unit-a")
        r = a.post(f"/api/submissions/{mine}/findings/{theirs}/contest", json={"note": FAINT_SEAL})
        assert r.status_code == 404 and "找不到这条检查结果" in r.json()["message"]


class TestTheReviewerJudges:
    def _contested_in_review(self, pg_settings: Settings, pg_sessions: sessionmaker[Session], client: Any,
                             tmp_path: Path) -> tuple[str, int, TestClient, TestClient, str]:
        with pg_sessions() as s:
            people(s)
            sid = yueyang_application(s, pg_settings, pg_sessions, tmp_path, seal=False)
            seal = finding(s, sid, "seal.missing").id
        unit, rev = client(), client()
        login(unit, "unit-a")
        submit = f"/api/submissions/{sid}/submit"
        r = unit.post(submit, json={"warnings_read": True})
        assert r.status_code == 409 and "单位党组（党委）推荐理由及意见" in r.json()["message"]
        assert unit.post(f"/api/submissions/{sid}/findings/{seal}/contest",
                         json={"note": FAINT_SEAL}).status_code == 200
        r = unit.post(submit, json={"warnings_read": True})        # the contested one no longer blocks
        assert r.status_code == 200, r.text
        with pg_sessions() as s:
            login(rev, "bureau")
            task = claim(rev, sid, s)
        return sid, seal, unit, rev, task

    def test_contested_first_on_the_desk_then_confirmed_and_passed(self, pg_settings: Settings,
                                                                   pg_sessions: sessionmaker[Session],
                                                                   client: Any, tmp_path: Path) -> None:
        """GIVEN a seal.missing that blocked 提交审核 until the unit contested it, now in review THEN a pass is refused with the unit's note and what
        to do, the desk lists it first beside the page; WHEN the reviewer confirms it THEN it passes."""
        sid, seal, _unit, rev, task = self._contested_in_review(pg_settings, pg_sessions, client, tmp_path)
        r = rev.post(f"/api/review/tasks/{task}/decision", json=full_pass())
        assert r.status_code == 409 and r.json()["error"] == "findings.blocking", r.text
        msg = r.json()["message"]
        assert "还有 1 处错误未处理" in msg and "单位党组（党委）推荐理由及意见" in msg and FAINT_SEAL in msg
        items = rev.get(f"/api/review/tasks/{task}/blocking").json()
        assert [(i["id"], i["contested"]) for i in items] == [(seal, FAINT_SEAL)]
        desk = rev.get(f"/review/tasks/{task}").text
        assert "识别有误" in desk and FAINT_SEAL in desk and f'data-finding="{seal}"' in desk
        row = re.search(rf'<tr class="[^"]*" data-task="{task}">(.*?)</tr>', rev.get("/review").text, re.S)
        assert row is not None and "识别有误 1" in row.group(1)         # the queue says so too
        r = rev.post(f"/api/review/tasks/{task}/findings/{seal}/contest", json={"upheld": False})
        assert r.status_code == 200 and r.json()["outcome"] == "confirmed"
        assert rev.get(f"/api/review/tasks/{task}/blocking").json() == []
        r = rev.post(f"/api/review/tasks/{task}/decision", json=full_pass())
        assert r.status_code == 200, r.text
        assert r.json()["stage_id"] != "bureau_review"

    def test_upheld_returns_the_submission_with_the_reason(self, pg_settings: Settings,
                                                           pg_sessions: sessionmaker[Session],
                                                           client: Any, tmp_path: Path) -> None:
        """WHEN the reviewer upholds the finding THEN the submission is back with the unit, the reason
        names the field and says why, and the finding blocks the unit again."""
        sid, seal, unit, rev, task = self._contested_in_review(pg_settings, pg_sessions, client, tmp_path)
        url = f"/api/review/tasks/{task}/findings/{seal}/contest"
        r = rev.post(url, json={"upheld": True})
        assert r.status_code == 422 and "维持该问题的理由" in r.json()["message"]
        why = "对照原件，意见栏确未加盖公章"
        r = rev.post(url, json={"upheld": True, "note": why})
        assert r.status_code == 200 and r.json()["outcome"] == "upheld"
        state = unit.get(f"/api/review/submissions/{sid}").json()
        assert state["status"] == "returned" and why in state["return_reasons"]
        assert "单位党组（党委）推荐理由及意见" in state["return_reasons"]
        with pg_sessions() as s:
            assert codes(s, sid, "unit") == ["seal.missing"]
        r = unit.post(f"/api/submissions/{sid}/findings/{seal}/contest", json={"note": FAINT_SEAL})
        assert r.status_code == 409 and "审核已核对原件并维持这条问题" in r.json()["message"]
        assert rev.post(url, json={"upheld": False}).status_code in (404, 409)   # the task is done
        actions = [h["action"] for h in unit.get(f"/api/review/submissions/{sid}/history").json()]
        assert actions.index("contest_upheld") < actions.index("decide")

    def test_from_the_desk(self, pg_settings: Settings, pg_sessions: sessionmaker[Session], client: Any,
                           tmp_path: Path) -> None:
        """The desk's form: 维持问题并退回 without a note is refused, with one the submission goes back."""
        sid, seal, unit, rev, task = self._contested_in_review(pg_settings, pg_sessions, client, tmp_path)
        url, csrf = f"/review/tasks/{task}/findings/{seal}/contest", rev.headers["X-CSRF-Token"]
        r = rev.post(url, data={"csrf_token": csrf, "verdict": "upheld", "note": ""})
        assert "维持该问题的理由" in r.text
        r = rev.post(url, data={"csrf_token": csrf, "verdict": "upheld", "note": "意见栏确未盖章"})
        assert "已维持该问题，申报已退回申报单位。" in r.text
        assert unit.get(f"/api/review/submissions/{sid}").json()["status"] == "returned"


def test_other_errors_still_block_after_a_contest(pg_settings: Settings, pg_sessions: sessionmaker[Session],
                                                  client: Any, tmp_path: Path) -> None:
    """Contesting one finding leaves the others: the 1600-字 material still blocks the unit."""
    with pg_sessions() as s:
        people(s)
        sid = yueyang_application(s, pg_settings, pg_sessions, tmp_path, seal=False,
                                  values={"material": narrative(1600)})
        seal = finding(s, sid, "seal.missing").id
    a = client()
    login(a, "unit-a")
    assert a.post(f"/api/submissions/{sid}/findings/{seal}/contest", json={"note": FAINT_SEAL}).status_code == 200
    with pg_sessions() as s:
        assert codes(s, sid, "unit") == ["length.over_limit"]



def test_from_the_units_page(pg_settings: Settings, pg_sessions: sessionmaker[Session], client: Any,
                             tmp_path: Path) -> None:
    """The unit's page offers 识别有误 beside each error finding; the form records it and says so."""
    with pg_sessions() as s:
        people(s)
        sid = yueyang_application(s, pg_settings, pg_sessions, tmp_path, seal=False)
        seal = finding(s, sid, "seal.missing").id
    a = client()
    csrf = login_form(a, "unit-a")
    page = a.get(f"/submissions/{sid}").text
    assert f'data-contest="{seal}"' in page and "识别有误？" in page
    r = a.post(f"/submissions/{sid}/findings/{seal}/contest?csrf_token={csrf}",
               data={"csrf_token": csrf, "note": FAINT_SEAL})
    assert r.status_code == 200 and "已标记识别有误，此问题不再阻止提交" in r.text
    mark = re.search(rf'<p class="contest meta" data-contest="{seal}">(.*?)</p>', r.text, re.S)
    assert mark is not None and FAINT_SEAL in mark.group(1) and "审核人员将对照原件核实" in mark.group(1)
    assert [c["note"] for c in a.get(f"/api/submissions/{sid}/contests").json()] == [FAINT_SEAL]


def test_a_contested_missing_document_stays_contested_when_checked_again(
        pg_settings: Settings, pg_sessions: sessionmaker[Session], client: Any, tmp_path: Path) -> None:
    """GIVEN a 申报表 whose 评分细则 the checks did not find (document.missing, a finding of the whole
    submission) WHEN the unit contests it and the submission is checked again (new finding rows)
    THEN the 识别有误 still holds for it, and the page's mark follows it."""
    from services.review.findings import contest_marks
    from workers import steps

    with pg_sessions() as s:
        people(s)
        sid = submission(s, "yueyang-2017", UNIT)
        record_owner(s, s.scalar(select(User).where(User.username == "unit-a")), sid)
        (tmp_path / "f").mkdir()
        read(pg_settings, pg_sessions, sid,
             [upload(s, pg_settings, sid, "申报表.docx", yueyang_form(tmp_path / "f" / "f.docx").read_bytes())])
        missing = finding(s, sid, "document.missing").id
        assert codes(s, sid, "unit") == ["document.missing"]
    a = client()
    login(a, "unit-a")
    note = "评分细则在申报表第2页"
    assert a.post(f"/api/submissions/{sid}/findings/{missing}/contest", json={"note": note}).status_code == 200
    rt = steps.Runtime(pg_settings, pg_sessions, open_store(pg_settings))
    assert steps.check_submission(rt, sid) == "checked"
    with pg_sessions() as s:
        again = finding(s, sid, "document.missing").id
        assert again != missing and codes(s, sid, "unit") == []
        assert contest_marks(s, sid)[again]["note"] == note

