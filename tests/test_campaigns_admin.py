"""/admin/campaigns: every campaign's data and assumptions on one page, and a third campaign file
(another city, another year, its own recommender list and stages) loaded there — validated, diffed,
versioned, audited — running from upload to the end of review with no code change and no restart."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from dossier.campaign_registry import reset
from dossier.campaigns import default_dir
from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from storage.campaign_models import CampaignVersion
from storage.db import make_sessionmaker
from storage.objects import ObjectStore
from storage.review_models import AuditEntry
from tests.auth_helpers import post_login
from tests.docx_factory import narrative, yueyang_form
from tests.review_helpers import PASSWORD
from tests.test_lifecycle_api import work

C = "changsha-2019"
REC = "长沙市芙蓉区直机关工委"
TITLE = "长沙市基层党建示范单位"


def third_campaign() -> dict[str, Any]:
    """长沙 2019: the Yueyang form's shape, an 800-字 hard limit, its own recommenders and stages."""
    data = yaml.safe_load((default_dir() / "yueyang-2017.yaml").read_text(encoding="utf-8"))
    form = next(d for d in data["documents"] if d["kind"] == "application_form")
    for f in form["fields"]:
        if f["key"] == "material":
            f["length"] = {"max": 800, "kind": "at_most"}
    return {
        "id": C, "title": "长沙市基层党建示范单位评选", "notice": "关于开展长沙市基层党建示范单位评选的通知",
        "issuer": "中共长沙市直属机关工作委员会", "issued": "2019-03-01", "deadline": "2019-05-10",
        "timezone": "Asia/Shanghai", "submitted_by": "各区直机关工委、市直机关党委",
        "award_count": {"value": 20, "assumed": True, "reason": "通知写“表彰20个左右”，按20计，为目标数"},
        "contact": {"name": "李明", "phone": "0731-88886666"},
        "standards": [{"title": "有坚强的班子", "detail": "班子健全，分工明确。"}],
        "documents": [form],
        "findings": {"length.over_limit": {"overridable": False, "notice": "申报材料不超过800字"}},
        "recommenders": {"notice": "各区直机关工委、市直机关党委", "list": [
            {"name": REC, "kind": "各区直机关工委", "level": "county", "county": "芙蓉区"},
            {"name": "长沙市财政局机关党委", "kind": "市直机关党委", "level": "city"}]},
        "stages": [
            {"id": "district_opinion", "name": "推荐单位意见", "kind": "opinion", "actor": "recommender",
             "requires": ["opinion"], "decisions": ["pass", "return", "reject"]},
            {"id": "city_review", "name": "市直机关工委审核", "kind": "review", "actor": "reviewer",
             "department": "市直机关工委组织部", "requires": ["opinion"], "due_days": 20,
             "decisions": ["pass", "return", "reject"]},
            {"id": "final_decision", "name": "集体研究", "kind": "decision", "actor": "reviewer",
             "requires": ["opinion"], "award_count": 20, "outcome_title": TITLE, "decisions": ["pass", "reject"]},
        ],
    }


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


@pytest.fixture
def client(settings: Settings, pg_engine: Engine, folder_store: ObjectStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=pg_engine, store=folder_store)) as c:
        yield c
    reset()     # the next test's app reads its own database's versions


def page_csrf(c: TestClient) -> str:
    return csrf_of(c.get("/admin/campaigns").text)


def login(c: TestClient, username: str) -> str:
    r = post_login(c, username, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(c.get("/admin/campaigns" if username == "admin" else "/review").text)


def bearer(session: Any, user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_token(session, user, 'test')}"}


@pytest.mark.services
class TestAdminCampaignPage:
    def test_page_lists_each_campaigns_data_and_every_assumption(self, client: TestClient,
                                                                 pg_engine: Engine) -> None:
        """The admin sees both seeds: deadline, quota, 100例左右 as a target, the contact, the standards,
        the stages, and each assumption the files make with its reason; a unit may not see the page."""
        with make_sessionmaker(pg_engine)() as s:
            accounts.create_user(s, username="admin", password=PASSWORD, role="admin")
            accounts.create_user(s, username="u", password=PASSWORD, role="unit", organisation="某单位")
        login(client, "admin")
        page = client.get("/admin/campaigns").text
        from dossier.campaigns import load_campaigns
        for c in load_campaigns().values():
            section = page.split(f'data-campaign="{c.id}"')[1].split("</section>")[0]
            assert str(c.deadline) in section
            assert len(re.findall(r'class="assumption"', section)) == len(c.assumptions) > 0
            for a in c.assumptions:
                assert a.reason.replace("“", "&#34;")[:10] in section or a.reason[:10] in section
        jinhua = page.split('data-campaign="jinhua-2015"')[1].split("</section>")[0]
        assert "100 例左右（目标数，不是上限" in jinhua and "董元善" in jinhua and "82469328" in jinhua
        assert "每个推荐单位 1—2 例" in jinhua and "政法委、纪委、卫生计生局、信访局" in jinhua
        yueyang = page.split('data-campaign="yueyang-2017"')[1].split("</section>")[0]
        assert "按一定比例" in yueyang and "合计 100 分" in yueyang
        unit = TestClient(client.app)
        post_login(unit, "u")
        assert unit.get("/admin/campaigns").status_code == 403

    def test_broken_file_is_refused_with_its_line(self, client: TestClient, pg_engine: Engine) -> None:
        """A file with a misspelt stage kind is refused on the preview, naming the line; nothing stored."""
        with make_sessionmaker(pg_engine)() as s:
            accounts.create_user(s, username="admin", password=PASSWORD, role="admin")
        csrf = login(client, "admin")
        text = yaml.safe_dump(third_campaign(), allow_unicode=True, sort_keys=False).replace(
            "kind: decision", "kind: decide")
        line = next(i for i, ln in enumerate(text.splitlines(), 1) if "kind: decide" in ln)
        r = client.post("/admin/campaigns/preview", data={"csrf_token": csrf},
                        files={"file": ("changsha.yaml", text.encode("utf-8"), "application/x-yaml")})
        assert r.status_code == 422 and f"changsha.yaml:{line}" in r.text and "评选活动文件有误" in r.text
        with make_sessionmaker(pg_engine)() as s:
            assert s.scalars(select(CampaignVersion)).all() == []


@pytest.mark.services
def test_third_campaign_loaded_on_the_admin_page_runs_end_to_end(
        client: TestClient, settings: Settings, pg_engine: Engine, tmp_path: Path) -> None:
    """GIVEN 长沙 2019's file loaded through /admin/campaigns (preview with its changes, then load)
    WHEN a unit under a recommender on its list uploads, the worker reads and checks under its
    800-字 limit, and its recommender and reviewers decide THEN the submission ends with the file's
    title; an off-list recommender is refused; the load is versioned and in the audit log."""
    sessions = make_sessionmaker(pg_engine)
    with sessions() as s:
        accounts.create_user(s, username="admin", password=PASSWORD, role="admin")
        unit = bearer(s, accounts.create_user(s, username="unit", password=PASSWORD, role="unit",
                                              organisation="芙蓉区某局机关党支部"))
        rec = bearer(s, accounts.create_user(s, username="rec", password=PASSWORD, role="recommender",
                                             organisation=REC))
        city = bearer(s, accounts.create_user(s, username="city", password=PASSWORD, role="reviewer",
                                              campaign_id=None, stage_id="city_review",
                                              department="市直机关工委组织部"))
        board = bearer(s, accounts.create_user(s, username="board", password=PASSWORD, role="reviewer",
                                               stage_id="final_decision"))
    assert C not in {c["id"] for c in client.get("/api/campaigns").json()}

    # --- the admin loads the file: preview (validated, every value new), then load
    csrf = login(client, "admin")
    text = "# 长沙 2019: loaded on the admin page\n" + yaml.safe_dump(third_campaign(), allow_unicode=True,
                                                                    sort_keys=False)
    r = client.post("/admin/campaigns/preview", data={"csrf_token": csrf, "note": "新增长沙评选"},
                    files={"file": ("changsha-2019.yaml", text.encode("utf-8"), "application/x-yaml")})
    assert r.status_code == 200, r.text
    assert "这是一个新的评选活动" in r.text and "stages[id=final_decision].award_count" in r.text
    assert "本文件有 1 项假定" in r.text
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', r.text).group(1)  # type: ignore[union-attr]
    r = client.post("/admin/campaigns/load", follow_redirects=False,      # not what was previewed: refused
                    data={"csrf_token": csrf, "text": text + "\n# x", "sha256": sha})
    assert "与校验时不同" in client.get(r.headers["location"]).text
    r = client.post("/admin/campaigns/load", follow_redirects=False,
                    data={"csrf_token": page_csrf(client), "text": text,
                          "file_name": "changsha-2019.yaml", "note": "新增长沙评选", "sha256": sha})
    assert r.status_code == 303 and f"/admin/campaigns/{C}" in r.headers["location"]
    page = client.get(r.headers["location"]).text
    assert "数据库第 1 版" in page and "第 1 版（当前）" in page and "表彰20个左右" in page
    # the same file again is no change; a changed one is version 2 with its difference listed
    r = client.post("/admin/campaigns/load", follow_redirects=False,
                    data={"csrf_token": csrf, "text": text, "file_name": "changsha-2019.yaml"})
    assert "与当前版本相同" in client.get(r.headers["location"]).text
    changed = text.replace("due_days: 20", "due_days: 25")
    r = client.post("/admin/campaigns/preview", data={"csrf_token": csrf, "text": changed})
    assert "stages[id=city_review].due_days" in r.text and r.text.count('class="change ') == 1
    client.post("/admin/campaigns/load", data={"csrf_token": csrf, "text": changed, "file_name": "c.yaml"})
    with sessions() as s:
        assert [v.version for v in s.scalars(select(CampaignVersion).where(CampaignVersion.campaign_id == C))
                ] == [1, 2]
        loads = [a.detail for a in s.scalars(select(AuditEntry).where(AuditEntry.action == "campaign_load"))]
        assert [(d["campaign_id"], d["version"], d["note"]) for d in loads] == [(C, 1, "新增长沙评选"), (C, 2, "")]
    assert C in {c["id"] for c in client.get("/api/campaigns").json()}       # no restart

    # --- its own recommender list: one off the list is refused with the file's words
    r = client.post("/api/submissions", headers=unit,
                    json={"campaign": C, "organisation": "芙蓉区某局机关党支部", "recommender": "岳阳市某机关党委"})
    assert r.status_code == 422, r.text
    r = client.post("/api/submissions", headers=unit,
                    json={"campaign": C, "organisation": "芙蓉区某局机关党支部", "recommender": REC})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]

    # --- upload, the worker reads and checks under this file's 800-字 limit
    long = yueyang_form(tmp_path / "long.docx", {"material": narrative(900)}).read_bytes()
    client.post(f"/api/submissions/{sid}/files", headers=unit,
                files=[("files", ("申报表.docx", long, "application/octet-stream"))])
    work(settings, pg_engine, sid)
    st = client.get(f"/api/submissions/{sid}", headers=unit).json()
    found = st["findings"] + [f for file in st["files"] for f in file.get("findings", [])]
    over = [f for f in found if f["code"] == "length.over_limit"]
    assert over and "800" in over[0]["message"]
    assert client.post(f"/api/submissions/{sid}/submit", headers=unit,
                       json={"warnings_read": True}).status_code == 409
    short = yueyang_form(tmp_path / "short.docx", {"material": narrative(700)}).read_bytes()
    client.post(f"/api/submissions/{sid}/files", headers=unit,
                files=[("files", ("申报表.docx", short, "application/octet-stream"))])
    work(settings, pg_engine, sid)
    r = client.post(f"/api/submissions/{sid}/submit", headers=unit, json={"warnings_read": True})
    assert r.status_code == 200, r.text

    # --- review through the file's three stages, each by whom the file says
    for who, stage in ((rec, "district_opinion"), (city, "city_review"), (board, "final_decision")):
        r = client.post("/api/review/claim-next", json={}, headers=who)
        task = r.json()["task"]
        assert task is not None and task["stage_id"] == stage and task["submission_id"] == sid, r.text
        r = client.post(f"/api/review/tasks/{task['id']}/decision", headers=who,
                        json={"decision": "pass", "opinion": "同意"})
        assert r.status_code == 200, (stage, r.text)
    st = client.get(f"/api/submissions/{sid}", headers=unit).json()
    assert st["lifecycle"]["code"] == "titled" and TITLE in str(st)


@pytest.mark.services
def test_scripts_load_through_the_api(client: TestClient, pg_engine: Engine) -> None:
    """`POST /api/admin/campaigns`: dry run lists the changes, a load is version 1, a broken file is 422
    with its line; `GET` lists each campaign with its assumptions; admins only."""
    with make_sessionmaker(pg_engine)() as s:
        admin = bearer(s, accounts.create_user(s, username="admin", password=PASSWORD, role="admin"))
        unit = bearer(s, accounts.create_user(s, username="u", password=PASSWORD, role="unit", organisation="x"))
    text = (default_dir() / "yueyang-2017.yaml").read_text(encoding="utf-8").replace(
        "deadline: 2017-04-25", "deadline: 2017-04-28")
    assert client.post("/api/admin/campaigns", json={"text": text}, headers=unit).status_code == 403
    dry = client.post("/api/admin/campaigns", json={"text": text, "dry_run": True}, headers=admin).json()
    assert dry["changes"] == [{"path": "deadline", "kind": "changed", "old": "2017-04-25", "new": "2017-04-28"}]
    done = client.post("/api/admin/campaigns", json={"text": text, "note": "延期"}, headers=admin).json()
    assert done["campaign"]["version"] == 1
    listed = {c["id"]: c for c in client.get("/api/admin/campaigns", headers=admin).json()}
    assert listed["yueyang-2017"]["deadline"] == "2017-04-28" and listed["yueyang-2017"]["version"] == 1
    assert any("按一定比例" in a["reason"] for a in listed["yueyang-2017"]["assumptions"])
    bad = text.replace("total: 100", "total: 99")
    r = client.post("/api/admin/campaigns", json={"text": bad, "file_name": "y.yaml"}, headers=admin)
    line = next(i for i, ln in enumerate(bad.splitlines(), 1) if "total: 99" in ln)
    assert r.status_code == 422 and r.json()["error"] == "campaign.invalid" and f"y.yaml:{line}" in r.json()["message"]
