"""Who may apply and who recommends, as the campaign files list them (jinhua's 推荐单位 with level and
county, yueyang's 创建的对象): accounts bound to them, and a submission off the list refused with the
notice's words, through the API on PostgreSQL and the CLI."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.cli import main as cli_main
from tests.docx_factory import narrative
from tests.review_helpers import PASSWORD
from tests.rules_world import api, caller, pg_sessions  # noqa: F401  (fixtures)
from storage.db import make_sessionmaker
from storage.models import Submission
from tests.packet_scenario import read, upload
from tests.review_helpers import submission
from workers.extraction import extract_file
from workers.packets import record, summary
from dossier.stages import applicants, engine

C, Y = "jinhua-2015", "yueyang-2017"
JINHUA_NOTICE = "市直各机关党委、有关党委，党群系统各机关党组织，各县（市、区）直机关工委、金华经济技术开发区直属机关党委"


YUEYANG_KINDS = "创建的对象为：局机关党支部，局直单位党组织，市律师协会党总支部"


def select_of(page: str, name: str) -> str:
    found = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert found, f"no select {name}"
    return found.group(0)


def optgroup(select: str, label_end: str) -> tuple[str, list[str]]:
    """The campaign and the option values of the optgroup whose label ends with `label_end`."""
    found = re.search(rf'<optgroup label="[^"]* · {re.escape(label_end)}" data-campaign="([^"]+)">(.*?)</optgroup>',
                      select, re.S)
    assert found, f"no optgroup {label_end} in {select}"
    return found.group(1), re.findall(r'<option value="([^"]+)">', found.group(2))


def login(c: TestClient, username: str, **kw: object) -> object:
    """Through the login form as a browser does, with the form's CSRF token where it carries one."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    token = {"csrf_token": found.group(1)} if found else {}
    return c.post("/login", data={"username": username, "password": PASSWORD, **token}, **kw)  # type: ignore[arg-type]


class TestTheLists:
    def test_jinhua_recommenders_with_level_and_county(self) -> None:
        """The notice's 主送 as data: nine county 工委 and the 开发区's 党委 with their county; the city's
        kinds (市直各机关党委…) open, their names taken by form or by a registered account."""
        c = get_campaign(C)
        listed = {r.name: r for r in applicants.recommenders(c)}
        assert len(listed) == 10 and listed["武义县直机关工委"].county == "武义县"
        assert listed["金华经济技术开发区直属机关党委"].level == "county"
        assert [k.kind for k in applicants.open_kinds(c)] == ["市直各机关党委", "有关党委", "党群系统各机关党组织"]
        assert engine.site_level(c, "金华市财政局机关党委") == "city"
        assert engine.site_level(c, "磐安县直机关工委") == "county"
        # the county list is the file's assumption: the admin page shows it
        assumed = [a.value for a in c.assumptions if a.path.startswith("recommenders.")]
        assert {a.get("name") for a in assumed} >= set(listed)
        assert {a.get("kind") for a in assumed} >= {"市直各机关党委", "有关党委", "党群系统各机关党组织"}

    def test_yueyang_applicant_kinds(self) -> None:
        assert applicants.applicant_kinds(get_campaign(Y)) == ["局机关党支部", "局直单位党组织", "市律师协会党总支部"]


@pytest.mark.services
class TestThroughTheApi:
    def test_off_the_list_refused_with_the_notices_words(self, api: TestClient,
                                                         pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN an unbound unit WHEN it names the 市直机关工委 itself, or a county body that is not its
        工委, as recommender THEN 422 quoting who the notice says recommends; a listed one is accepted."""
        unit = caller(api, pg_sessions, "u", "unit", organisation="金华市某局机关支部")
        for wrong in ("市直机关工委", "武义县某局机关党委"):
            r = unit.post("/api/submissions", json={"campaign": C, "organisation": "金华市某局机关支部",
                                                    "recommender": wrong})
            assert r.status_code == 422 and r.json()["error"] == "applicant.not_eligible", r.text
            assert JINHUA_NOTICE in r.json()["message"] and wrong in r.json()["message"]
        for right in ("武义县直机关工委", "金华市财政局机关党委"):
            r = unit.post("/api/submissions", json={"campaign": C, "organisation": "金华市某局机关支部",
                                                    "recommender": right})
            assert r.status_code == 201 and r.json()["recommender"] == right, r.text

    def test_a_bound_unit_applies_under_its_recommender(self, api: TestClient,
                                                        pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN a unit bound to 义乌市直机关工委 WHEN it creates a submission naming none THEN it is under
        its recommender; naming another is refused; the recommenders' list is what it picks from."""
        unit = caller(api, pg_sessions, "u", "unit", organisation="义乌市某局机关支部", campaign_id=C,
                      recommender="义乌市直机关工委")
        r = unit.post("/api/submissions", json={"campaign": C, "organisation": "义乌市某局机关支部"})
        assert r.status_code == 201 and r.json()["recommender"] == "义乌市直机关工委", r.text
        r = unit.post("/api/submissions", json={"campaign": C, "organisation": "义乌市某局机关支部",
                                                "recommender": "武义县直机关工委"})
        assert r.status_code == 422 and "本账号的推荐单位是“义乌市直机关工委”" in r.json()["message"]
        listed = unit.get(f"/api/review/campaigns/{C}/recommenders").json()
        assert "义乌市直机关工委" in listed["choices"] and "义乌市" in listed["counties"]
        assert {"name": "义乌市直机关工委", "level": "county", "kind": "各县（市、区）直机关工委",
                "county": "义乌市"} in listed["recommenders"]

    def test_registered_recommender_is_a_choice(self, api: TestClient, pg_sessions: sessionmaker[Session]) -> None:
        """A city recommender registered by the admin (an account of an open kind) is offered to units."""
        unit = caller(api, pg_sessions, "u", "unit", organisation="某支部")
        caller(api, pg_sessions, "rec", "recommender", organisation="金华市教育局机关党委")
        assert "金华市教育局机关党委" in unit.get(f"/api/review/campaigns/{C}/recommenders").json()["choices"]

    def test_a_self_check_names_no_recommender(self, api: TestClient, pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN an anonymous 自查 sent naming 武义县直机关工委 WHEN that recommender looks THEN it neither
        lists nor opens it: a 自查 never reaches review, so it is under no recommender."""
        rec = caller(api, pg_sessions, "rec", "recommender", organisation="武义县直机关工委")
        r = api.post("/api/submissions", json={"campaign": C, "organisation": "某局自查", "recommender": "武义县直机关工委"})
        assert r.status_code == 201 and r.json()["kind"] == "self_check" and r.json()["recommender"] is None, r.text
        assert rec.get(f"/api/submissions/{r.json()['id']}").status_code == 404
        assert r.json()["id"] not in rec.get("/unit").text

    def test_yueyang_applicant_kind(self, api: TestClient, pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN a unit bound to 局机关党支部 THEN it applies; binding a unit to a kind the notice does not
        name (市强戒所党委) is refused with 创建的对象's words."""
        unit = caller(api, pg_sessions, "u", "unit", organisation="局机关党支部", campaign_id=Y,
                      applicant_kind="局机关党支部")
        r = unit.post("/api/submissions", json={"campaign": Y, "organisation": "局机关党支部"})
        assert r.status_code == 201, r.text
        admin = caller(api, pg_sessions, "admin", "admin")
        caller(api, pg_sessions, "other", "unit", organisation="市强戒所党委")
        r = admin.put("/api/users/other/binding", json={"campaign_id": Y, "applicant_kind": "市强戒所党委"})
        assert r.status_code == 422, r.text
        assert "创建的对象为：局机关党支部，局直单位党组织，市律师协会党总支部" in r.json()["message"]


@pytest.mark.services
class TestApplicantKind:
    def test_an_unbound_unit_picks_a_listed_kind_through_the_api(self, api: TestClient,
                                                                pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN an unbound unit WHEN it creates a Yueyang draft with no 创建对象, or one the notice does not
        name THEN 422 quoting 创建的对象 and nothing is created; a listed one is accepted and binds the
        account, after which another kind is refused; Jinhua (no such list) refuses a kind."""
        unit = caller(api, pg_sessions, "u", "unit", organisation="岳阳市某局机关党支部")
        body = {"campaign": Y, "organisation": "岳阳市某局机关党支部"}
        for kind in (None, "市强戒所党委"):
            r = unit.post("/api/submissions", json={**body, "applicant_kind": kind})
            assert r.status_code == 422 and r.json()["error"] == "applicant.not_eligible", r.text
            assert YUEYANG_KINDS in r.json()["message"]
        with pg_sessions() as s:
            assert s.scalar(select(func.count()).select_from(Submission)) == 0
        r = unit.post("/api/submissions", json={**body, "applicant_kind": "局直单位党组织"})
        assert r.status_code == 201, r.text
        assert unit.post("/api/submissions", json=body).status_code == 201     # bound now: no need to repeat
        r = unit.post("/api/submissions", json={**body, "applicant_kind": "局机关党支部"})
        assert r.status_code == 422 and "本账号的创建对象是“局直单位党组织”" in r.json()["message"]
        r = unit.post("/api/submissions", json={"campaign": C, "organisation": "岳阳市某局机关党支部",
                                                "recommender": "武义县直机关工委", "applicant_kind": "局机关党支部"})
        assert r.status_code == 422 and "没有“创建对象”类别" in r.json()["message"]

    def test_the_openapi_document_names_the_field(self, api: TestClient) -> None:
        spec = api.get("/openapi.json").json()["components"]["schemas"]["SubmissionCreate"]["properties"]
        assert "创建对象" in spec["applicant_kind"]["description"]

    def test_the_unit_page_offers_the_kinds_and_refuses_others(self, api: TestClient,
                                                             pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN an unbound unit on /unit THEN it picks its 创建对象 from a select of Yueyang's list; a draft
        with none, or with a kind off the list, is refused with the notice's words; a Jinhua recommender
        sent with a Yueyang draft (all options show without JavaScript) is refused; a listed kind makes the
        draft and the page then shows the binding and no control."""
        caller(api, pg_sessions, "u", "unit", organisation="岳阳市某局机关党支部")
        login(api, "u")
        page = api.get("/unit").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert optgroup(select_of(page, "applicant_kind"), "创建的对象") == (
            Y, ["局机关党支部", "局直单位党组织", "市律师协会党总支部"])
        files = [("files", ("申报表.docx", b"x", "application/octet-stream"))]
        for extra, says in (({}, YUEYANG_KINDS), ({"applicant_kind": "市强戒所党委"}, YUEYANG_KINDS),
                            ({"applicant_kind": "局机关党支部", "recommender": "武义县直机关工委"}, "不须选择推荐单位")):
            r = api.post("/unit/submit", data={"csrf_token": csrf, "campaign": Y, **extra}, files=files)
            assert says in r.text and 'data-id="' not in r.text, r.text
        r = api.post("/unit/submit", data={"csrf_token": csrf, "campaign": Y, "applicant_kind": "局机关党支部"},
                     files=files, follow_redirects=True)
        assert "草稿已建立" in r.text
        page = api.get("/unit").text
        assert "创建对象：局机关党支部（“" in page and 'name="applicant_kind"' not in page


@pytest.mark.services
class TestPages:
    def test_the_admin_binds_a_unit_to_a_recommender_picked_from_the_list(
            self, api: TestClient, pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN the admin's users page WHEN it creates a unit bound to 义乌市直机关工委 THEN the page offers
        the file's recommenders to pick and shows the binding; one off the list is refused in Chinese."""
        caller(api, pg_sessions, "admin", "admin")
        r = login(api, "admin", follow_redirects=False)
        page = api.get("/admin/users").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert r.status_code == 303 and '<option value="义乌市直机关工委"' in page and "局机关党支部" in page
        r = api.post("/admin/users", data={"csrf_token": csrf, "username": "yw", "password": PASSWORD, "role": "unit",
                                           "organisation": "义乌市某局机关支部", "campaign_id": C,
                                           "recommender": "义乌市直机关工委"}, follow_redirects=True)
        assert "账号已创建" in r.text
        row = re.search(r'<tr data-user="yw">.*?</tr>', r.text, re.S).group(0)  # type: ignore[union-attr]
        assert '<option value="义乌市直机关工委" selected>' in row
        r = api.post("/admin/users", data={"csrf_token": csrf, "username": "x", "password": PASSWORD, "role": "unit",
                                           "organisation": "某支部", "campaign_id": C, "recommender": "市直机关工委"},
                     follow_redirects=True)
        assert "不在本次评选的推荐单位名单中" in r.text and 'data-user="x"' not in r.text


    def test_the_unit_page_offers_the_list_and_refuses_a_name_off_it(
            self, api: TestClient, pg_sessions: sessionmaker[Session]) -> None:
        """GIVEN an unbound unit on /unit THEN it picks its recommender from a select of the file's list
        grouped by kind and level, the accounts the admin registered for an open kind among them, never
        types one; a draft naming the 市直机关工委 is refused with the notice's words and nothing is created.
        A bound unit sees its own and no control."""
        caller(api, pg_sessions, "u", "unit", organisation="金华市某局机关支部")
        caller(api, pg_sessions, "rec", "recommender", organisation="金华市总工会党组")
        login(api, "u")
        page = api.get("/unit").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        assert '<input name="recommender"' not in page and "<datalist" not in page
        rec = select_of(page, "recommender")
        county = optgroup(rec, "各县（市、区）直机关工委（县级）")
        assert county[0] == C and "武义县直机关工委" in county[1] and len(county[1]) == 9
        # the registered account is under the kind its name fits (党群系统各机关党组织), not the first one
        assert optgroup(rec, "党群系统各机关党组织（市级）") == (C, ["金华市总工会党组"])
        r = api.post("/unit/submit", data={"csrf_token": csrf, "campaign": C, "recommender": "市直机关工委"},
                     files=[("files", ("推荐表.docx", b"x", "application/octet-stream"))], follow_redirects=True)
        assert JINHUA_NOTICE in r.text and "/submissions/" not in str(r.url)
        assert 'data-id="' not in api.get("/unit").text
        caller(api, pg_sessions, "b", "unit", organisation="兰溪市某局机关支部", campaign_id=C,
               recommender="兰溪市直机关工委")
        api.cookies.clear()                                  # another person on the same browser
        login(api, "b")
        page = api.get("/unit").text
        assert "推荐单位：兰溪市直机关工委（“" in page and "账号已绑定" in page and 'name="recommender"' not in page
        # its draft says by when its recommender needs the materials (a county point: 2015-10-29)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', api.get("/unit").text).group(1)  # type: ignore[union-attr]
        api.post("/unit/submit", data={"csrf_token": csrf, "campaign": C},
                 files=[("files", ("推荐表.docx", b"x", "application/octet-stream"))])
        page = api.get("/unit").text
        assert "截止日期：推荐单位“兰溪市直机关工委”须于 2015-11-15 前" in page and "请于 2015-10-29 前将材料交推荐单位" in page


class TestCli:
    def test_user_add_binds_a_recommender_from_the_list(self, settings: Settings, sqlite_engine: object,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
        """`dossier user add … --recommender` binds a listed recommender and refuses one off the list."""
        monkeypatch.setenv("DOSSIER_NEW_PASSWORD", PASSWORD)
        assert cli_main(["user", "add", "u1", "--role", "unit", "--organisation", "武义县某局机关支部",
                         "--campaign", C, "--recommender", "武义县直机关工委"], settings) == 0
        assert cli_main(["user", "add", "u2", "--role", "unit", "--organisation", "某支部",
                         "--campaign", C, "--recommender", "市直机关工委"], settings) == 1
        assert "不在本次评选的推荐单位名单中" in capsys.readouterr().err
        assert cli_main(["user", "add", "u3", "--role", "unit", "--organisation", "某支部",
                         "--campaign", C, "--applicant-kind", "局机关党支部"], settings) == 1
        assert "没有“创建对象”类别" in capsys.readouterr().err
        assert cli_main(["user", "add", "jw", "--role", "reviewer", "--campaign", C, "--stage",
                         "joint_review_county", "--department", "纪委", "--county", "武义县"], settings) == 0


class TestBriefKind:
    def test_brief_in_its_own_file_is_counted_and_checked(self, tmp_path: Path) -> None:
        """Yueyang's 简介材料（不超过1500字） in a file of its own is the `brief` kind, counted, and over
        1500 字 an error as inside the 申报表."""
        d = Document()
        d.add_paragraph("简介材料")
        d.add_paragraph(narrative(1600))
        path = tmp_path / "简介材料.docx"
        d.save(path)
        result = extract_file(path, get_campaign(Y))
        [doc] = result.documents
        assert doc.kind == "brief" and doc.counts["text"] > 1500
        assert ("length.over_limit", "text") in {(f.code, f.field) for f in result.findings}

    def test_brief_counted_in_the_summary(self, settings: Settings, sqlite_engine: Engine, tmp_path: Path) -> None:
        """GIVEN a submission whose 简介材料 came as its own file WHEN the workers read it THEN the 汇总表
        shows its 字数 in the 简介材料字数 column, and the submission holds a `brief` document."""
        d = Document()
        d.add_paragraph("简介材料")
        d.add_paragraph(narrative(1200))
        path = tmp_path / "简介.docx"
        d.save(path)
        sessions = make_sessionmaker(sqlite_engine)
        with sessions() as s:
            sid = submission(s, Y, "局机关党支部")
            read(settings, sessions, sid, [upload(s, settings, sid, "简介材料.docx", path.read_bytes())])
            rec = record.gather(s, get_campaign(Y), sid)
        assert [p.kind for p in rec.documents] == ["brief"] and 1100 < rec.counts["brief.text"] <= 1500
        [main] = summary.summary_sheets(get_campaign(Y), [rec])[:1]
        assert main.rows[0][main.headers.index("简介材料字数")] == rec.counts["brief.text"]
