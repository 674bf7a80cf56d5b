"""Packets at the edges people touch: the API (staff start and download builds, a unit gets its own
dossier only), the admin page, and the `dossier packet` / `dossier summary` commands."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine, select

from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from services.cli import main
from services.review import flow
from services.security.access import record_owner
from storage.db import make_sessionmaker
from storage.models import OutboxMessage
from storage.objects import open_store
from tests.auth_helpers import post_login
from tests.packet_scenario import pdf_pages, upload
from tests.review_helpers import PASSWORD, submission
from workers.packets.build import run_build

YUEYANG = "yueyang-2017"


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"anonymous_uploads": False})


@pytest.fixture
def world(app_settings: Settings, sqlite_engine: Engine) -> dict[str, str]:
    """Two units with a submission each (a scanned PDF: no LibreOffice needed), an admin, a reviewer."""
    with make_sessionmaker(sqlite_engine)() as s:
        out = {}
        for name, org in (("unit-a", "甲局机关党支部"), ("unit-b", "乙局机关党支部")):
            u = accounts.create_user(s, username=name, password=PASSWORD, role="unit", organisation=org)
            sid = submission(s, YUEYANG, org)
            record_owner(s, u, sid)
            upload(s, app_settings, sid, "申报表扫描.pdf", pdf_pages(2, f"scan of {name}"))
            flow.start_review(s, None, sid)          # submitted: only those go into packets
            out[name] = sid
        admin = accounts.create_user(s, username="admin", password=PASSWORD, role="admin")
        accounts.create_user(s, username="bureau", password=PASSWORD, role="reviewer", stage_id="bureau_review")
        out["token"] = accounts.issue_token(s, admin, "script")
        return out


@pytest.fixture
def client(app_settings: Settings, sqlite_engine: Engine) -> Iterator[TestClient]:
    app = create_app(app_settings, engine=sqlite_engine, store=open_store(app_settings))
    with TestClient(app) as c:
        yield c


def login(c: TestClient, username: str, page: str = "/review") -> str:
    r = post_login(c, username, follow_redirects=False)
    assert r.status_code == 303, r.text
    html = c.get(page).text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


class TestApi:
    def test_staff_build_then_poll_and_download(self, client: TestClient, world: dict[str, str],
                                                app_settings: Settings, sqlite_engine: Engine) -> None:
        """GIVEN an admin's API token WHEN it starts a build THEN 202 with the build id and a queued task;
        once the worker has run, the status shows the progress and the summary and dossiers download."""
        auth = {"Authorization": f"Bearer {world['token']}"}
        r = client.post(f"/api/campaigns/{YUEYANG}/packets", headers=auth)
        assert r.status_code == 202, r.text
        build_id = r.json()["id"]
        assert r.json()["state"] == "queued" and r.json()["status_url"] == f"/api/packets/{build_id}"
        sessions = make_sessionmaker(sqlite_engine)
        with sessions() as s:
            assert [m.payload["args"] for m in s.scalars(select(OutboxMessage).where(
                OutboxMessage.topic == "packets.build"))] == [[build_id]]
        assert run_build(sessions, open_store(app_settings), app_settings, build_id) == "done"
        st = client.get(f"/api/packets/{build_id}", headers=auth).json()
        assert st["state"] == "done" and st["progress"] == {"done": 2, "total": 2}
        x = client.get(st["downloads"]["summary_xlsx"], headers=auth)
        assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
        rows = list(load_workbook(io.BytesIO(x.content))["汇总表"].iter_rows(values_only=True))
        assert [r[1] for r in rows[1:]] == ["甲局机关党支部", "乙局机关党支部"]
        assert client.get(st["downloads"]["summary_pdf"], headers=auth).content.startswith(b"%PDF")
        d = client.get(st["downloads"]["dossiers"][world["unit-a"]], headers=auth)
        assert d.status_code == 200 and "甲局机关党支部" in PdfReader(io.BytesIO(d.content)).pages[0].extract_text()
        assert client.get(f"/api/campaigns/{YUEYANG}/packets", headers=auth).json()[0]["id"] == build_id

    def test_units_and_reviewers_may_not_build(self, client: TestClient, world: dict[str, str]) -> None:
        """GIVEN a unit logged in WHEN it asks for a build (with its CSRF token) THEN 403; without a login 401;
        a cookie request without the token is refused before anything is recorded."""
        assert client.post(f"/api/campaigns/{YUEYANG}/packets").status_code == 401
        csrf = login(client, "unit-a", "/unit")
        assert client.post(f"/api/campaigns/{YUEYANG}/packets").status_code == 403          # no CSRF token
        r = client.post(f"/api/campaigns/{YUEYANG}/packets", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 403 and r.json()["error"] == "auth.forbidden"
        assert client.get("/api/packets/nope").status_code == 403

    def test_unknown_campaign_is_404(self, client: TestClient, world: dict[str, str]) -> None:
        r = client.post("/api/campaigns/nope/packets", headers={"Authorization": f"Bearer {world['token']}"})
        assert r.status_code == 404 and "评选活动" in r.json()["message"]

    def test_a_unit_downloads_its_own_dossier_only(self, client: TestClient, world: dict[str, str]) -> None:
        """GIVEN unit A logged in THEN its own dossier PDF downloads (cover, then its scan's 2 pages);
        unit B's answers 404, like an id that does not exist."""
        login(client, "unit-a", "/unit")
        page = client.get("/unit").text                 # the unit's own page links to it
        assert f'href="/api/submissions/{world["unit-a"]}/packet.pdf"' in page
        r = client.get(f"/api/submissions/{world['unit-a']}/packet.pdf")
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(r.content))
        assert "甲局机关党支部" in reader.pages[0].extract_text()
        assert "scan of unit-a 2" in reader.pages[-1].extract_text()
        assert client.get(f"/api/submissions/{world['unit-b']}/packet.pdf").status_code == 404
        assert client.get("/api/submissions/0123456789abcdef0123456789abcdef/packet.pdf").status_code == 404


class TestPage:
    def test_admin_page_starts_a_build_and_lists_it(self, client: TestClient, world: dict[str, str]) -> None:
        """GIVEN the admin on 材料汇编 WHEN they press the campaign's button THEN the build is listed with
        its progress; a unit may not open the page."""
        csrf = login(client, "admin", "/admin/packets")
        page = client.get("/admin/packets").text
        assert "材料汇编" in page and "生成“基层党建示范单位创建”汇编" in page
        assert client.post("/admin/packets", data={"campaign": YUEYANG}).status_code == 403   # no token
        r = client.post("/admin/packets", data={"campaign": YUEYANG, "csrf_token": csrf}, follow_redirects=False)
        # what happened comes back once, in a cookie: never in the address (a reload does not repeat it)
        assert r.status_code == 303 and "msg=" not in r.headers["location"]
        r = client.get(r.headers["location"])
        assert "已开始生成汇编" in r.text and 'data-state="queued"' in r.text and "排队中" in r.text
        assert "已开始生成汇编" not in client.get("/admin/packets").text
        unit = TestClient(client.app)
        login(unit, "unit-b", "/unit")
        assert unit.get("/admin/packets").status_code == 403


class TestCli:
    def test_summary_and_packet_commands(self, app_settings: Settings, world: dict[str, str], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
        """`dossier summary` writes the XLSX (and PDF), `dossier packet` the dossier; unknown ids exit 1
        with the Chinese message."""
        out = tmp_path / "s.xlsx"
        assert main(["summary", YUEYANG, "-o", str(out), "--pdf", str(tmp_path / "s.pdf")], settings=app_settings) == 0
        assert load_workbook(out).sheetnames[0] == "汇总表" and (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")
        pdf = tmp_path / "p.pdf"
        assert main(["packet", world["unit-b"], "-o", str(pdf)], settings=app_settings) == 0
        assert "乙局机关党支部" in PdfReader(pdf).pages[0].extract_text()
        assert "wrote" in capsys.readouterr().out
        assert main(["packet", "nope", "-o", str(pdf)], settings=app_settings) == 1
        assert "找不到这份申报" in capsys.readouterr().err
        assert main(["summary", "nope", "-o", str(out)], settings=app_settings) == 1
        assert "评选活动" in capsys.readouterr().err
