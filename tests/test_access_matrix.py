"""Every route as every role, against the table of what each may do (issue 15).

GIVEN a unit's submission in review at its first stage (one file, one open task, one objection)
and people of every role and binding WHEN each route is called by each of them THEN those the
table names are let through (whatever the route then answers: 200, 409, 422 …) and everyone else
is refused: 401 or a login page for the anonymous, 403 for a role that may not, 404 for a
submission or task out of their sight.  A route missing from the table fails the test, so a new
route has to be placed in it.
"""
from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from services.review import flow
from storage.db import make_sessionmaker
from storage.models import StoredFile
from storage.review_models import Objection, ReviewTask, User
from tests.review_helpers import person
from tests.test_auth_access import app_settings, login, make_client, upload_as  # noqa: F401 (fixtures)
from tests.test_route_walk import api_routes

ANON, UNIT, OTHER_UNIT, REC = "anonymous", "unit", "other_unit", "recommender"
REV, REV_STAGE, REV_CAMPAIGN, OP, ADMIN = "reviewer", "reviewer_other_stage", "reviewer_other_campaign", \
    "operator", "admin"
ROLES = (ANON, OTHER_UNIT, REC, REV_STAGE, REV_CAMPAIGN, OP, UNIT, REV, ADMIN)
LOGINS = {UNIT: "unit-a", OTHER_UNIT: "unit-b", REC: "rec", REV: "bureau", REV_STAGE: "city",
          REV_CAMPAIGN: "bureau-j", OP: "op", ADMIN: "admin"}

EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {ANON}
VIEW = {UNIT, REV, OP, ADMIN}                   # who sees the unit's submission in review
CHANGE = {UNIT}                                 # who changes it: its own unit, nobody on its behalf
TASK = {REV, ADMIN}                             # who acts on its task (operators decide nothing)
TASK_READ = {REV, OP, ADMIN}
DECIDERS = {REC, REV, REV_STAGE, REV_CAMPAIGN, ADMIN}
STAFF = {OP, ADMIN}
ADMINS = {ADMIN}
OVERVIEW = {REV, REV_STAGE, OP, ADMIN}          # yueyang's: not the reviewer bound to jinhua
REVIEWERS_AND_STAFF = {REV, REV_STAGE, REV_CAMPAIGN, OP, ADMIN}

S, F, T, O, C = "{sid}", "{fid}", "{tid}", "{oid}", "yueyang-2017"

# (method, path) -> (who may, body); body is JSON for /api/ and form fields for pages
TABLE: dict[tuple[str, str], tuple[set[str], dict[str, Any] | None]] = {
    ("GET", "/healthz"): (EVERYONE, None),
    ("GET", "/readyz"): (EVERYONE, None),
    ("GET", "/api/campaigns"): (EVERYONE, None),
    ("POST", "/api/submissions"): (CHANGE, {"campaign": C, "organisation": "甲局机关党支部"}),
    ("POST", "/api/submissions/{submission_id}/files"): (CHANGE, None),
    ("DELETE", "/api/submissions/{submission_id}/files/{file_id}"): (CHANGE, None),
    ("POST", "/api/submissions/{submission_id}/submit"): (CHANGE, {"warnings_read": True}),
    ("GET", "/api/submissions/{submission_id}"): (VIEW, None),
    ("GET", "/api/submissions/{submission_id}/findings"): (VIEW, None),
    ("GET", "/api/submissions/{submission_id}/files/{file_id}/original"): (VIEW, None),
    ("GET", "/"): (EVERYONE, None),
    ("GET", "/docs"): (EVERYONE, None),        # the API documentation, its Swagger UI served here
    ("POST", "/submit"): (LOGGED_IN, {}),       # anonymous uploads are off here
    ("GET", "/submissions/{submission_id}"): (VIEW, None),
    ("GET", "/submissions/{submission_id}/panel"): (VIEW, None),
    ("POST", "/submissions/{submission_id}/files"): (CHANGE, {}),
    ("POST", "/submissions/{submission_id}/files/{file_id}/delete"): (CHANGE, {}),
    ("POST", "/submissions/{submission_id}/submit"): (CHANGE, {}),
    ("GET", "/submissions/{submission_id}/pages/{file_id}/{page}"): (VIEW, None),
    ("GET", "/api/review/tasks"): (LOGGED_IN, None),
    ("POST", "/api/review/claim-next"): (DECIDERS, {}),
    ("POST", "/api/review/tasks/{task_id}/claim"): (TASK, None),
    ("POST", "/api/review/tasks/{task_id}/renew"): (TASK, None),
    ("POST", "/api/review/tasks/{task_id}/release"): (TASK, None),
    ("POST", "/api/review/tasks/{task_id}/reassign"): (ADMINS, {"username": "bureau"}),
    ("POST", "/api/review/tasks/{task_id}/corrections"): (TASK, {"field": "member_count", "value": "45"}),
    ("POST", "/api/review/tasks/{task_id}/scores"): (TASK, {"scores": {}}),
    ("POST", "/api/review/tasks/{task_id}/notice"): (TASK, {"start": "2017-04-01"}),
    ("POST", "/api/review/tasks/{task_id}/decision"): (TASK, {"decision": "nonsense"}),
    ("POST", "/api/review/submissions/{submission_id}/start"): (CHANGE, {}),
    ("GET", "/api/review/submissions/{submission_id}"): (VIEW, None),
    ("POST", "/api/review/submissions/{submission_id}/resubmit"): (CHANGE, {}),
    ("POST", "/api/review/submissions/{submission_id}/objections"): (TASK, {"text": "异议"}),
    ("POST", "/api/review/objections/{objection_id}/resolve"): (TASK, {"text": "已核实"}),
    ("GET", "/api/review/submissions/{submission_id}/history"): (VIEW, None),
    ("POST", "/api/submissions/{submission_id}/findings/{finding_id}/contest"): (CHANGE, {"note": "有章"}),
    ("GET", "/api/submissions/{submission_id}/contests"): (VIEW, None),
    ("POST", "/api/review/tasks/{task_id}/findings/{finding_id}/contest"): (TASK, {"upheld": False, "note": "x"}),
    ("POST", "/api/review/tasks/{task_id}/overrides"): (TASK, {"finding_id": 1, "reason": "x"}),
    ("GET", "/api/review/tasks/{task_id}/blocking"): (TASK_READ, None),
    ("GET", "/api/users"): (STAFF, None),
    ("POST", "/api/campaigns/{campaign_id}/packets"): (STAFF, {"kind": "nonsense"}),
    ("GET", "/api/campaigns/{campaign_id}/packets"): (STAFF, None),
    ("GET", "/api/packets/{build_id}"): (STAFF, None),
    ("GET", "/api/packets/{build_id}/summary.xlsx"): (STAFF, None),
    ("GET", "/api/packets/{build_id}/summary.pdf"): (STAFF, None),
    ("GET", "/api/packets/{build_id}/dossiers/{submission_id}.pdf"): (STAFF, None),
    ("GET", "/api/packets/{build_id}/lists/{list_id}.{fmt}"): (STAFF, None),
    ("GET", "/api/review/campaigns/{campaign_id}/recommenders"): (LOGGED_IN, None),
    ("GET", "/api/review/campaigns/{campaign_id}/schedule"): (LOGGED_IN, None),
    ("GET", "/api/review/submissions/{submission_id}/schedule"): (VIEW, None),
    ("GET", "/api/review/campaigns/{campaign_id}/reinspections"): (REVIEWERS_AND_STAFF, None),
    ("PUT", "/api/users/{username}/binding"): (ADMINS, {}),
    ("PUT", "/api/users/{username}/email"): (ADMINS, {"email": "spare@example.cn"}),
    ("GET", "/api/campaigns/{campaign_id}/lists"): (LOGGED_IN, None),
    ("GET", "/api/campaigns/{campaign_id}/lists/{list_id}.{fmt}"): (LOGGED_IN, None),
    ("GET", "/login"): (EVERYONE, None),
    ("GET", "/unit"): (LOGGED_IN, None),
    ("POST", "/unit/submit"): ({UNIT, OTHER_UNIT}, {}),
    ("POST", "/unit/submissions/{submission_id}/resubmit"): (CHANGE, {}),
    ("GET", "/review"): (LOGGED_IN, None),
    ("POST", "/review/claim-next"): (DECIDERS, {}),
    ("POST", "/review/tasks/{task_id}/claim"): (TASK, {}),
    ("POST", "/review/tasks/{task_id}/release"): (TASK, {}),
    ("POST", "/review/tasks/{task_id}/lease"): (TASK, {}),
    ("POST", "/review/tasks/{task_id}/reassign"): (ADMINS, {"to": "bureau"}),
    ("GET", "/review/tasks/{task_id}"): (TASK_READ, None),
    ("POST", "/review/tasks/{task_id}/correct"): (TASK, {"field": "member_count", "value": "45"}),
    ("POST", "/review/tasks/{task_id}/scores"): (TASK, {}),
    ("POST", "/review/tasks/{task_id}/notice"): (TASK, {"start": "2017-04-01"}),
    ("POST", "/review/tasks/{task_id}/decide"): (TASK, {"decision": "nonsense"}),
    ("POST", "/submissions/{submission_id}/findings/{finding_id}/contest"): (CHANGE, {"note": "有章"}),
    ("POST", "/review/tasks/{task_id}/findings/{finding_id}/contest"): (TASK, {"upheld": "0", "note": "x"}),
    ("POST", "/review/tasks/{task_id}/overrides"): (TASK, {"finding_id": "1", "reason": "x"}),
    ("POST", "/review/submissions/{submission_id}/objections"): (TASK, {"text": "异议"}),
    ("POST", "/review/objections/{objection_id}/resolve"): (TASK, {"text": "已核实"}),
    ("GET", "/review/files/{submission_id}/{file_id}"): (VIEW, None),
    ("GET", "/review/pages/{submission_id}/{file_id}/{page}"): (VIEW, None),
    ("GET", "/review/submissions/{submission_id}/history"): (VIEW, None),
    ("GET", "/admin/users"): (ADMINS, None),
    ("POST", "/admin/users"): (ADMINS, {}),
    ("POST", "/admin/users/{user_id}/bind"): (ADMINS, {}),
    ("POST", "/admin/users/{user_id}/active"): (ADMINS, {"active": "1"}),
    ("POST", "/admin/users/{user_id}/email"): (ADMINS, {"email": "spare@example.cn"}),
    ("GET", "/api/ops"): (STAFF, None),
    ("POST", "/api/ops/files/{file_id}/retry"): (STAFF, None),
    ("GET", "/metrics"): (STAFF, None),
    ("GET", "/ops"): (STAFF, None),
    ("POST", "/ops/files/{file_id}/retry"): (STAFF, {}),
    ("GET", "/api/review/campaigns/{campaign_id}/overview"): (OVERVIEW, None),
    ("GET", "/review/campaigns"): (REVIEWERS_AND_STAFF, None),
    ("GET", "/review/campaigns/{campaign_id}"): (OVERVIEW, None),
    ("GET", "/admin/packets"): (STAFF, None),
    ("POST", "/admin/packets"): (STAFF, {}),
    ("GET", "/admin/campaigns"): (ADMINS, None),
    ("GET", "/admin/campaigns/{campaign_id}"): (ADMINS, None),
    ("POST", "/admin/campaigns/preview"): (ADMINS, {}),
    ("POST", "/admin/campaigns/load"): (ADMINS, {}),
    ("GET", "/inbox"): (LOGGED_IN, None),
    ("POST", "/inbox/read"): (LOGGED_IN, {}),
    ("POST", "/inbox/settings"): (LOGGED_IN, {}),
    ("GET", "/api/inbox"): (LOGGED_IN, None),
    ("POST", "/api/inbox/read"): (LOGGED_IN, {"all": True}),
    ("PUT", "/api/inbox/settings"): (LOGGED_IN, {"email_enabled": False}),
    ("GET", "/api/admin/campaigns"): (ADMINS, None),
    ("POST", "/api/admin/campaigns"): (ADMINS, {}),
}
# not called here, each for its reason (tested where named)
SKIPPED = {
    ("POST", "/login"): "its own CSRF token and throttle: tests/test_csrf.py, tests/test_throttle.py",
    ("POST", "/logout"): "ends the caller's session: tests/test_auth_access.py",
    ("GET", "/api/submissions/{submission_id}/packet.pdf"): "compiles with LibreOffice: tests/test_packets.py",
}
# ids this world has none of: the route's own 404 cannot be told from a refusal's, so a 404 there
# counts as let through for the roles the table names (401 and 403 still fail)
NO_SUCH_ID = ("{finding_id}", "{build_id}", "{list_id}", "{page}", "/overrides")


def refused(r: Any) -> bool:
    if r.status_code in (303, 307) and r.headers.get("location", "").startswith("/login"):
        return True
    return r.status_code in (401, 403, 404)


@pytest.fixture
def world(make_client: Any, sqlite_engine: Engine) -> dict[str, Any]:
    sessions = make_sessionmaker(sqlite_engine)
    with sessions() as s:
        person(s, "unit-a", "unit", organisation="甲局机关党支部")
        person(s, "unit-b", "unit", organisation="乙局机关党支部")
        person(s, "rec", "recommender", organisation="武义县直机关工委")
        person(s, "bureau", "reviewer", stage_id="bureau_review", campaign_id="yueyang-2017")
        person(s, "city", "reviewer", stage_id="report_city", campaign_id="yueyang-2017")
        person(s, "bureau-j", "reviewer", stage_id="bureau_review", campaign_id="jinhua-2015")
        person(s, "op", "operator")
        person(s, "admin", "admin")
        spare = person(s, "spare", "operator").id
    clients: dict[str, TestClient] = {ANON: make_client()}
    csrf: dict[str, str] = {}
    for role, username in LOGINS.items():
        clients[role] = make_client()
        csrf[role] = login(clients[role], username)
    sid = upload_as(clients[UNIT], csrf[UNIT])          # in review at bureau_review
    with sessions() as s:
        fid = s.scalar(select(StoredFile.id).where(StoredFile.submission_id == sid))
        tid = s.scalar(select(ReviewTask.id).where(ReviewTask.submission_id == sid))
        admin = s.scalar(select(User).where(User.username == "admin"))
        oid = flow.raise_objection(s, admin, sid, "公示期间收到的异议").id
    return {"clients": clients, "csrf": csrf, "ids": {
        "submission_id": sid, "file_id": fid, "task_id": tid, "objection_id": str(oid), "campaign_id": C,
        "username": "spare", "user_id": spare, "finding_id": "999999", "build_id": "nobuild",
        "list_id": "nolist", "fmt": "xlsx", "page": "1"}}


def call(c: TestClient, token: str, method: str, path: str, body: dict[str, Any] | None) -> Any:
    headers = {"X-CSRF-Token": token} if token else {}
    if body is None:
        return c.request(method, path, headers=headers, follow_redirects=False)
    if path.startswith("/api/"):
        return c.request(method, path, json=body, headers=headers, follow_redirects=False)
    return c.request(method, path, data={**body, "csrf_token": token}, headers=headers, follow_redirects=False)


def test_every_route_is_in_the_table(world: dict[str, Any]) -> None:
    app = world["clients"][ANON].app
    present = {(m, p) for m, p, _ in api_routes(app)}
    assert present - set(TABLE) - set(SKIPPED) == set()


def test_every_role_on_every_route(world: dict[str, Any]) -> None:
    app = world["clients"][ANON].app
    present = {(m, p) for m, p, _ in api_routes(app)}
    wrong: list[str] = []
    for (method, template), (allowed, body) in TABLE.items():
        if (method, template) not in present:
            continue
        path = template.format(**world["ids"])
        weak = any(k in template for k in NO_SUCH_ID)
        for role in ROLES:
            r = call(world["clients"][role], world["csrf"].get(role, ""), method, path, body)
            if role in allowed:
                ok = not refused(r) or (weak and r.status_code == 404)
            else:
                ok = refused(r)
            if not ok:
                wrong.append(f"{method} {template} as {role}: {r.status_code} "
                             f"{'let through' if role not in allowed else 'refused'} {r.text[:120]!r}")
    assert wrong == [], "\n".join(wrong)


def test_operator_decides_nothing_on_the_desk(world: dict[str, Any]) -> None:
    """GIVEN the operator on the desk of the open task THEN it reads it, and every button there (claim,
    correct, score, decide, objection) is refused with 403 in Chinese; the task stays open."""
    op, token, ids = world["clients"][OP], world["csrf"][OP], world["ids"]
    assert op.get(f"/review/tasks/{ids['task_id']}").status_code == 200
    for action in ("claim", "correct", "scores", "decide"):
        r = op.post(f"/review/tasks/{ids['task_id']}/{action}", data={"csrf_token": token})
        assert r.status_code == 403 and "不能办理审核任务" in r.json()["message"], action
    task = world["clients"][ADMIN].get("/api/review/tasks").json()
    assert [t["state"] for t in task if t["id"] == ids["task_id"]] == ["open"]


def test_a_recommender_cannot_push_a_units_draft_into_review(make_client: Any, sqlite_engine: Engine) -> None:
    """GIVEN a Jinhua unit's checked draft that names its recommender (who may see it) WHEN the
    recommender tries to start its review, by the API or the page THEN 403, and it stays the unit's
    draft; the unit itself puts it forward."""
    with make_sessionmaker(sqlite_engine)() as s:
        person(s, "unit-j", "unit", organisation="武义县某局机关党支部")
        person(s, "rec", "recommender", organisation="武义县直机关工委")
    unit, rec = make_client(), make_client()
    csrf_u, csrf_r = login(unit, "unit-j"), login(rec, "rec")
    sid = upload_as(unit, csrf_u, campaign="jinhua-2015", submit=False, recommender="武义县直机关工委")
    assert rec.get(f"/api/submissions/{sid}").status_code == 200          # it sees the draft …
    h = {"X-CSRF-Token": csrf_r}
    for url in (f"/api/review/submissions/{sid}/start", f"/api/submissions/{sid}/submit"):
        r = rec.post(url, json={"warnings_read": True}, headers=h)
        assert r.status_code == 403 and "只有申报单位" in r.json()["message"], url   # … and cannot submit it
    r = rec.post(f"/submissions/{sid}/submit", data={"csrf_token": csrf_r, "warnings_read": "1"})
    assert r.status_code == 403
    assert unit.get(f"/api/review/submissions/{sid}").json()["status"] is None
    r = unit.post(f"/api/submissions/{sid}/submit", json={"warnings_read": True}, headers={"X-CSRF-Token": csrf_u})
    assert r.status_code == 200, r.text


def test_a_reviewer_of_another_department_cannot_touch_a_departments_task(make_client: Any,
                                                                           sqlite_engine: Engine) -> None:
    """GIVEN a joint-review task of 纪委 WHEN the 政法委 reviewer of the same stage lists, claims,
    reads, corrects or decides it THEN it sees nothing and each call is refused as if the task did
    not exist (404); the 纪委 reviewer claims it."""
    from services.submissions.service import create_submission

    with make_sessionmaker(sqlite_engine)() as s:
        person(s, "jw", "reviewer", stage_id="joint_review_city", campaign_id="jinhua-2015", department="纪委")
        person(s, "zfw", "reviewer", stage_id="joint_review_city", campaign_id="jinhua-2015", department="政法委")
        sid = create_submission(s, campaign_id="jinhua-2015", organisation="某局机关党委",
                                recommender="市直机关工委").id
        task = ReviewTask(submission_id=sid, campaign_id="jinhua-2015", stage_id="joint_review_city",
                          department="纪委", actor="reviewer", state="open", data={})
        s.add(task)
        s.commit()
        tid = task.id
    jw, zfw = make_client(), make_client()
    csrf_j, csrf_z = login(jw, "jw"), login(zfw, "zfw")
    h = {"X-CSRF-Token": csrf_z}
    assert zfw.get("/api/review/tasks").json() == []
    assert zfw.get(f"/review/tasks/{tid}").status_code == 404
    for path, body in ((f"/api/review/tasks/{tid}/claim", None), (f"/api/review/tasks/{tid}/decision",
                       {"decision": "pass"}), (f"/api/review/tasks/{tid}/corrections", {"field": "x", "value": "y"}),
                       (f"/api/review/tasks/{tid}/blocking", None)):
        r = zfw.request("GET" if path.endswith("blocking") else "POST", path, json=body, headers=h)
        assert r.status_code == 404, path
    assert [t["id"] for t in jw.get("/api/review/tasks").json()] == [tid]
    r = jw.post(f"/api/review/tasks/{tid}/claim", headers={"X-CSRF-Token": csrf_j})
    assert r.status_code == 200 and r.json()["state"] == "claimed"
