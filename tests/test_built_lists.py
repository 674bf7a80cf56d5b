"""The lists the notices publish, built with a campaign's packets: each list of the campaign file's
`public_lists` is stored with the build (XLSX and PDF, one per recommender where the list says so)
and downloaded from it as it stood then, through the API on PostgreSQL."""
from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.review import flow
from storage.objects import open_store
from tests.pdf_checks import not_embedded
from tests.review_helpers import person, submission
from tests.rules_world import api, caller, pg_sessions, through_notice, user  # noqa: F401
from tests.test_public_lists import CITY, WUYI, jinhua, pass_open, rows  # noqa: F401
from tests.test_stage_deadlines import bureau_pass
from workers.packets.build import run_build

C, Y = "jinhua-2015", "yueyang-2017"


def build(admin: Any, sessions: sessionmaker[Session], settings: Settings, campaign: str) -> dict[str, Any]:
    """A build started through the API, run as the packets worker runs it, and its state as the API says."""
    r = admin.post(f"/api/campaigns/{campaign}/packets")
    assert r.status_code == 202, r.text
    assert run_build(sessions, open_store(settings), settings, r.json()["id"]) == "done"
    got = admin.get(r.json()["status_url"]).json()
    assert got["state"] == "done", got
    return dict(got)


def lists_of(built: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {entry["id"]: entry["files"] for entry in built["downloads"]["lists"]}


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without the line breaks and spaces a long title is wrapped at."""
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def download(admin: Any, url: str, name: str) -> bytes:
    """A built file, named in Chinese (the title and the build's date) in its Content-Disposition."""
    r = admin.get(url)
    assert r.status_code == 200, r.text
    disposition = unquote(r.headers["content-disposition"])
    assert disposition.startswith("attachment") and name in disposition, disposition
    return bytes(r.content)


def units(xlsx: bytes) -> list[str]:
    return sorted(row[1] for row in rows(xlsx)[1:])


@pytest.mark.services
class TestJinhuaBuild:
    def test_each_list_is_built_and_one_per_recommender(self, api: TestClient, pg_sessions: sessionmaker[Session],
                                                        settings: Settings, jinhua: dict[str, str]) -> None:
        """GIVEN 武义's two points and the 财政局's two (one titled) WHEN the packets are built THEN the
        build holds the 公示名单 once per recommender, the city's 公示名单 and the 表彰名单, each an XLSX
        with its units and a PDF naming them under the list's title, fonts embedded."""
        admin = caller(api, pg_sessions, "admin", "admin")
        built = build(admin, pg_sessions, settings, C)
        lists = lists_of(built)
        assert list(lists) == [s["id"] for s in get_campaign(C).raw["public_lists"]]
        assert [f["recommender"] for f in lists["recommender_notice"]] == sorted([CITY, WUYI])
        expected = {("recommender_notice", WUYI): ["武义县乙局党支部", "武义县甲局党支部"],
                    ("recommender_notice", CITY): ["金华市丁局党支部", "金华市丙局党支部"],
                    ("city_notice", None): ["金华市丙局党支部"], ("awards", None): ["金华市丙局党支部"]}
        for (list_id, rec), names in expected.items():
            [f] = [f for f in lists[list_id] if f["recommender"] == rec]
            title = f"{rec or ''}{next(s['title'] for s in get_campaign(C).raw['public_lists'] if s['id'] == list_id)}"
            assert units(download(admin, f["xlsx"], f"{title}-")) == names
            pdf = download(admin, f["pdf"], f"{title}-")
            text = pdf_text(pdf)
            assert title in text and all(n in text for n in names), (list_id, rec, text)
            assert not_embedded(pdf) == []
        assert admin.get(f"/api/packets/{built['id']}/lists/recommender_notice.xlsx",
                         params={"recommender": "东阳市直机关工委"}).status_code == 404
        assert admin.get(f"/api/packets/{built['id']}/lists/nothing.pdf").status_code == 404
        # the packets page links the build's own files, a recommender's 公示名单 under its name
        page = admin.get("/admin/packets").text
        assert f'href="/api/packets/{built["id"]}/lists/awards.xlsx"' in page
        assert f'/api/packets/{built["id"]}/lists/recommender_notice.pdf?recommender=%E6%AD%A6' in page and WUYI in page

    def test_a_unit_added_after_the_build_is_not_in_its_list(
            self, api: TestClient, pg_sessions: sessionmaker[Session], settings: Settings,
            jinhua: dict[str, str]) -> None:
        """GIVEN a build WHEN 武义 puts a third point through its 公示 afterwards THEN that build's
        公示名单 still lists two (what was built, not what stands now), a new build's lists three, and
        the quick look (compiled on demand) three; a recommender may not download a build."""
        admin = caller(api, pg_sessions, "admin", "admin")
        first = build(admin, pg_sessions, settings, C)
        with pg_sessions() as s:
            through_notice(s, C, "武义县丙局党支部", WUYI, user(s, "rec-w"))
        second = build(admin, pg_sessions, settings, C)
        [old] = [f for f in lists_of(first)["recommender_notice"] if f["recommender"] == WUYI]
        [new] = [f for f in lists_of(second)["recommender_notice"] if f["recommender"] == WUYI]
        assert units(admin.get(old["xlsx"]).content) == ["武义县乙局党支部", "武义县甲局党支部"]
        assert units(admin.get(new["xlsx"]).content) == ["武义县丙局党支部", "武义县乙局党支部", "武义县甲局党支部"]
        now = admin.get(f"/api/campaigns/{C}/lists/recommender_notice.xlsx", params={"recommender": WUYI})
        assert len(units(now.content)) == 3
        rec = caller(api, pg_sessions, "rec-w-t", "recommender", organisation=WUYI)
        assert rec.get(old["xlsx"]).status_code == 403


@pytest.mark.services
class TestYueyangBuild:
    def test_final_list_and_reinspections_are_built(self, api: TestClient, pg_sessions: sessionmaker[Session],
                                                    settings: Settings) -> None:
        """GIVEN one application the bureau passed and one still before it WHEN the packets are built
        THEN the 最终名单 holds the passed one only, and the 复查 outcomes are built too (no year yet:
        the headings alone), both as XLSX and as a PDF with the list's title and its fonts."""
        with pg_sessions() as s:
            bureau = person(s, "bureau", "reviewer", stage_id="bureau_review")
            ok, waiting = submission(s, Y, "局机关党支部"), submission(s, Y, "市律师协会党总支部")
            for sid in (ok, waiting):
                flow.start_review(s, None, sid)
            pass_open(s, bureau, ok, bureau_pass())
        admin = caller(api, pg_sessions, "admin", "admin")
        lists = lists_of(build(admin, pg_sessions, settings, Y))
        assert list(lists) == ["final_list", "reinspections"]
        [final], [checks] = lists["final_list"], lists["reinspections"]
        assert final["recommender"] is None and units(download(admin, final["xlsx"], "创建基层党建示范单位最终名单-")) \
            == ["局机关党支部"]
        pdf = download(admin, final["pdf"], "创建基层党建示范单位最终名单-")
        assert "局机关党支部" in pdf_text(pdf) and "市律师协会党总支部" not in pdf_text(pdf)
        assert "创建基层党建示范单位最终名单" in pdf_text(pdf) and not_embedded(pdf) == []
        assert rows(download(admin, checks["xlsx"], "基层党建示范单位年度复查验收结果-"))[0][:5] == \
            ["序号", "年度", "单位", "复查的称号", "复查结果"]
        assert "基层党建示范单位年度复查验收结果" in pdf_text(admin.get(checks["pdf"]).content)
