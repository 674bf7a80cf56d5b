"""The unit's pages, server-rendered, in embedded mode (no worker: states only;
the pages with findings are driven in a real browser in test_browser.py)."""
from __future__ import annotations

from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.app import create_app
from dossier.presenters import field_label, present_status
from storage.models import StoredFile, Submission
from storage.objects import open_store
from tests.edges import jinhua_form_docx


@pytest.fixture
def client(settings: Settings, sqlite_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=sqlite_engine, store=open_store(settings))) as c:
        yield c


class TestIndex:
    def test_form_lists_campaigns_in_chinese(self, client: TestClient) -> None:
        html = client.get("/").text
        assert '<html lang="zh-CN">' in html
        assert "机关党建示范点推荐评选" in html and "基层党建示范单位创建" in html
        assert 'name="files"' in html and "multiple" in html
        assert "市县机关党建示范点推荐表" in html          # what the campaign needs

    def test_static_assets(self, client: TestClient) -> None:
        assert "XMLHttpRequest" in client.get("/static/app.js").text
        assert "Noto Sans CJK SC" in client.get("/static/app.css").text


class TestSubmitWithoutJavaScript:
    def test_form_post_creates_and_redirects(self, client: TestClient) -> None:
        """GIVEN the plain form WHEN posted with a file THEN 303 to the submission page, file listed."""
        r = client.post("/submit", data={"campaign": "jinhua-2015", "organisation": "某某局机关党委"},
                        files=[("files", ("推荐表.docx", jinhua_form_docx(), "application/octet-stream"))],
                        follow_redirects=False)
        assert r.status_code == 303
        page = client.get(r.headers["location"]).text
        assert "某某局机关党委" in page and "推荐表.docx" in page
        assert "已上传，等待处理" in page and 'data-final="false"' in page
        assert "下载原件" in page

    def test_refusal_is_shown_on_the_form(self, client: TestClient) -> None:
        r = client.post("/submit", data={"campaign": "jinhua-2015", "organisation": " "},
                        files=[("files", ("a.docx", b"x", "application/octet-stream"))])
        assert r.status_code == 422
        assert "请填写申报（推荐）单位名称" in r.text


class TestSubmissionPage:
    def test_unknown_submission(self, client: TestClient) -> None:
        r = client.get("/submissions/nope")
        assert r.status_code == 404 and "找不到" in r.text

    def test_done_file_shows_fields_by_label_and_findings_grouped(
            self, client: TestClient, sqlite_engine: Engine) -> None:
        """A finished file shows its fields under the form's labels and its findings, errors first."""
        sid = client.post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": "甲"}).json()["id"]
        fid = client.post(f"/api/submissions/{sid}/files",
                          files=[("files", ("推荐表.docx", jinhua_form_docx(), "x/y"))]).json()["files"][0]["id"]
        with Session(sqlite_engine) as s:   # what the extract step records
            row = s.get(StoredFile, fid)
            row.state, row.progress, row.method = "done", 100, "docx"
            row.result = {"documents": [{"kind": "recommendation_form", "counts": {"deeds": 1013},
                                         "fields": {"star_rating": {"value": 3, "confidence": 1.0, "page": 1},
                                                    "secretary.birth": {"value": "1975-03", "confidence": 0.5,
                                                                        "page": 1}}}]}
            from storage.models import FindingRow
            s.add(FindingRow(submission_id=sid, file_id=fid, code="eligibility.star_rating", severity="error",
                             field="star_rating", message="评定星级为三星级，须四星级以上。", document="recommendation_form"))
            s.add(FindingRow(submission_id=sid, file_id=fid, code="length.out_of_range", severity="warning",
                             field="deeds", message="主要创建事迹字数偏多。"))
            s.commit()
        panel = client.get(f"/submissions/{sid}/panel").text
        # the file is read but the whole-submission checks have not run: 检查中, never 未发现问题
        assert 'data-final="false"' in panel and "检查中" in panel and "未发现问题" not in panel
        with Session(sqlite_engine) as s:   # what the check.submission step records
            s.get(Submission, sid).state = "checked"
            s.commit()
        panel = client.get(f"/submissions/{sid}/panel").text
        assert 'data-final="true"' in panel
        assert "需要修改（1）" in panel and "请注意（1）" in panel
        assert panel.index("需要修改") < panel.index("请注意（1）")
        assert "栏目：评定星级" in panel and "栏目：主要创建事迹" in panel
        assert "党组织书记情况 · 出生年月" in panel and "请核对（50%）" in panel
        assert "1013 字" in panel and "Microsoft Word" in panel


class TestPresenters:
    def test_labels_come_from_the_campaign_file(self) -> None:
        jinhua = get_campaign("jinhua-2015")
        yueyang = get_campaign("yueyang-2017")
        assert field_label(jinhua, "secretary.since") == "党组织书记情况 · 担任书记时间"
        assert field_label(jinhua, "opinion.submitting_org") == "呈报单位党组织意见"
        assert field_label(yueyang, "rubric.1.1") == "评分细则第 1 部分第 1 项"
        assert field_label(yueyang, "unknown.key") == "unknown.key"
        assert field_label(jinhua, None) == ""
        # document.missing carries the kind in its field: people read the document's title
        assert field_label(yueyang, "score_sheet") == "创建基层党建示范单位评分细则"

    def test_present_status_keeps_the_keys(self) -> None:
        raw = {"submission": {"id": "s"}, "files": [{"id": "f", "state": "failed", "findings": [],
                                                        "documents": []}],
               "findings": [{"code": "document.missing", "severity": "error", "field": None, "message": "缺"}],
               "summary": {"final": True}}
        out = present_status(get_campaign("jinhua-2015"), raw)
        assert out["files"][0]["state_label"] == "处理失败" and out["files"][0]["final"] is True
        assert out["submission_errors"][0]["code"] == "document.missing"
        assert out["summary"] == {"final": True}
