"""The lists the notices publish, built from the campaign file's `public_lists`: each recommender's
公示名单 and the city's, the 表彰名单 (jinhua), the 最终名单 (yueyang), as XLSX and PDF through the
API on PostgreSQL."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.cli import main as cli_main
from services.review import flow, queue
from storage.db import make_sessionmaker
from tests.pdf_checks import not_embedded
from tests.review_helpers import person, submission
from tests.rules_world import LEASE, api, caller, open_tasks, pg_sessions, through_notice, user  # noqa: F401
from tests.test_stage_deadlines import bureau_pass
from workers.packets.public_lists import spec


C, Y = "jinhua-2015", "yueyang-2017"
WUYI, CITY = "武义县直机关工委", "金华市财政局机关党委"
SEALED = {"opinion": "同意", "sealed": True, "opinion_date": "2015-11-10"}


def rows(xlsx: bytes) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def pass_open(s: Session, who: Any, sid: str, payload: dict[str, Any]) -> None:
    for t in open_tasks(s, sid):
        queue.claim(s, who, t.id, lease_seconds=LEASE)
        flow.decide(s, who, t.id, "pass", payload)


@pytest.fixture
def jinhua(api: TestClient, pg_sessions: sessionmaker[Session]) -> dict[str, str]:
    """Two 武义 points and one of the 财政局 past their recommenders' 公示; the 财政局's then through
    every stage to the title; another 财政局 point still in its 公示."""
    for name, org in (("rec-w", WUYI), ("rec-c", CITY)):
        caller(api, pg_sessions, name, "recommender", organisation=org)
    with pg_sessions() as s:
        rw, rc, boss = user(s, "rec-w"), user(s, "rec-c"), person(s, "boss", "admin")
        ids = {"w1": through_notice(s, C, "武义县甲局党支部", WUYI, rw),
               "w2": through_notice(s, C, "武义县乙局党支部", WUYI, rw),
               "c1": through_notice(s, C, "金华市丙局党支部", CITY, rc)}
        ids["c2"] = submission(s, C, "金华市丁局党支部", CITY)
        flow.start_review(s, None, ids["c2"])
        pass_open(s, rc, ids["c1"], SEALED)                              # 推荐单位意见
        for _ in ("material_review", "joint_review_city", "collective_decision"):
            pass_open(s, boss, ids["c1"], SEALED)
        assert flow.review_of(s, ids["c1"]).title == "机关党建示范点"
    return ids


@pytest.mark.services
class TestJinhua:
    def test_each_recommender_has_its_own_notice_list(self, api: TestClient, pg_sessions: sessionmaker[Session],
                                                      jinhua: dict[str, str]) -> None:
        """GIVEN two recommenders' points WHEN each downloads its 公示名单 THEN it lists its own units only
        (the one not yet in its 公示 too: the list is what it puts up); another's list is not found."""
        tokens = {n: caller(api, pg_sessions, f"{n}-t", "recommender", organisation=o)
                  for n, o in (("w", WUYI), ("c", CITY))}
        listed = tokens["w"].get(f"/api/campaigns/{C}/lists").json()
        assert [(x["id"], x.get("recommenders")) for x in listed] == [("recommender_notice", [WUYI])]
        r = tokens["w"].get(f"/api/campaigns/{C}/lists/recommender_notice.xlsx")
        assert r.status_code == 200, r.text
        got = rows(r.content)
        assert got[0][:2] == ["序号", "单位"] and sorted(row[1] for row in got[1:]) == ["武义县乙局党支部", "武义县甲局党支部"]
        assert tokens["w"].get(f"/api/campaigns/{C}/lists/recommender_notice.xlsx",
                               params={"recommender": CITY}).status_code == 404
        mine = rows(tokens["c"].get(f"/api/campaigns/{C}/lists/recommender_notice.xlsx").content)
        assert sorted(row[1] for row in mine[1:]) == ["金华市丁局党支部", "金华市丙局党支部"]
        # its own page links them
        assert f"/api/campaigns/{C}/lists/recommender_notice.xlsx" in tokens["w"].get("/review").text
        pdf = tokens["c"].get(f"/api/campaigns/{C}/lists/recommender_notice.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    def test_city_notice_and_award_lists(self, api: TestClient, pg_sessions: sessionmaker[Session],
                                         jinhua: dict[str, str]) -> None:
        """The city's 公示名单 holds those that reached 班子集体研究; the 表彰名单 those titled; a unit
        reads neither."""
        admin = caller(api, pg_sessions, "admin", "admin")
        city = rows(admin.get(f"/api/campaigns/{C}/lists/city_notice.xlsx").content)
        assert [row[1:3] for row in city[1:]] == [["金华市丙局党支部", CITY]]
        awards = rows(admin.get(f"/api/campaigns/{C}/lists/awards.xlsx").content)
        assert awards[0][-1] == "称号" and [(row[1], row[-1]) for row in awards[1:]] == [("金华市丙局党支部", "机关党建示范点")]
        r = admin.get(f"/api/campaigns/{C}/lists/recommender_notice.xlsx")
        assert r.status_code == 422 and "请指定推荐单位" in r.json()["message"]
        assert rows(admin.get(f"/api/campaigns/{C}/lists/recommender_notice.xlsx",
                              params={"recommender": WUYI}).content)[1:][0][1].startswith("武义县")
        unit = caller(api, pg_sessions, "u", "unit", organisation="金华市丙局党支部")
        assert unit.get(f"/api/campaigns/{C}/lists/awards.xlsx").status_code == 404
        assert admin.get(f"/api/campaigns/{C}/lists/nothing.xlsx").status_code == 404
        # the admin's packets page links the lists each build stored (tests/test_built_lists.py), never
        # these compiled-now ones
        assert f"/api/campaigns/{C}/lists/" not in admin.get("/admin/packets").text


@pytest.mark.services
class TestYueyang:
    def test_final_list_is_those_the_bureau_passed(self, api: TestClient, pg_sessions: sessionmaker[Session]) -> None:
        """确定最终名单: the applications the bureau passed, with their 考评分合计; a returned one is not on it."""
        items = get_campaign(Y).document("score_sheet").rubric.items
        with pg_sessions() as s:
            bureau = person(s, "bureau", "reviewer", stage_id="bureau_review")
            ok, back = submission(s, Y, "局机关党支部"), submission(s, Y, "市律师协会党总支部")
            for sid in (ok, back):
                flow.start_review(s, None, sid)
            pass_open(s, bureau, ok, {"opinion": "同意", "scores": {i.key: i.max - (1 if i.number == 1 else 0) for i in items},
                                      "signed_by": "李明", "opinion_date": "2017-05-12",
                                      "inspection": {"date": "2017-05-10", "notes": "台账齐全"}})
            [t] = open_tasks(s, back)
            queue.claim(s, bureau, t.id, lease_seconds=LEASE)
            flow.decide(s, bureau, t.id, "return", {"reasons": "材料超过1500字"})
        admin = caller(api, pg_sessions, "admin", "admin")
        final = rows(admin.get(f"/api/campaigns/{Y}/lists/final_list.xlsx").content)
        assert final[0] == ["序号", "单位", "单位名称", "党组织类型", "考评分合计"]
        assert [(row[1], row[4]) for row in final[1:]] == [("局机关党支部", 94)]     # a point off each group
        assert [x["id"] for x in admin.get(f"/api/campaigns/{Y}/lists").json()] == ["final_list", "reinspections"]
        header = rows(admin.get(f"/api/campaigns/{Y}/lists/reinspections.xlsx").content)[0]
        assert header[:5] == ["序号", "年度", "单位", "复查的称号", "复查结果"]


class TestCli:
    def test_dossier_lists_writes_the_xlsx_and_pdf(self, settings: Settings, sqlite_engine: Engine,
                                                   tmp_path: Path) -> None:
        """`dossier lists yueyang-2017 final_list -o … --pdf …` writes the 最终名单; an unknown list exits 1."""
        with make_sessionmaker(sqlite_engine)() as s:
            bureau = person(s, "bureau", "reviewer", stage_id="bureau_review")
            sid = submission(s, Y, "局机关党支部")
            flow.start_review(s, None, sid)
            pass_open(s, bureau, sid, bureau_pass())
        out, pdf = tmp_path / "最终名单.xlsx", tmp_path / "最终名单.pdf"
        assert cli_main(["lists", Y, "final_list", "-o", str(out), "--pdf", str(pdf)], settings) == 0
        assert [row[1] for row in rows(out.read_bytes())[1:]] == ["局机关党支部"]
        printed = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "局机关党支部" in printed and spec(get_campaign(Y), "final_list").title in printed
        assert not_embedded(pdf.read_bytes()) == []      # the list carries its Chinese font
        assert cli_main(["lists", Y, "nothing", "-o", str(out)], settings) == 1
