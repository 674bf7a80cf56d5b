"""Errors block a pass on PostgreSQL through the HTTP API: the reviewer corrects the value (the
document checks run again on it), records an override with a reason (in the history), or — for the
rules the notice makes absolute, 四星级以上 and 不超过1500字 — can only return or reject."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.review import flow
from services.security.access import record_owner
from storage.models import FindingRow, utcnow
from storage.review_models import User
from tests.docx_factory import narrative
from tests.edges import jinhua_form_docx
from tests.packet_scenario import read, upload
from tests.review_helpers import person, submission
from tests.test_packets import text_of
from workers.packets.pages import render_sections
from workers.packets.record import gather
from tests.test_findings_contest import (claim, client, finding, full_pass, login, people,  # noqa: F401
                                         pg_sessions, pg_settings, yueyang_application)

pytestmark = pytest.mark.services

COUNTY = "武义县直机关工委"


def held(pg_settings: Settings, pg_sessions: sessionmaker[Session], client: Any, tmp: Path, code: str,
         **form: Any) -> tuple[str, int, Any, str]:
    """A yueyang-2017 application with `code` among its findings, in review, its task held by the
    bureau: (submission id, the finding's id, the bureau's client, task id)."""
    with pg_sessions() as s:
        people(s)
        sid = yueyang_application(s, pg_settings, pg_sessions, tmp, **form)
        found = finding(s, sid, code).id
        flow.start_review(s, None, sid)
        rev = client()
        login(rev, "bureau")
        return sid, found, rev, claim(rev, sid, s)


class TestOverride:
    def test_an_override_is_audited_and_lets_the_pass_through(self, pg_settings: Settings,
                                                              pg_sessions: sessionmaker[Session], client: Any,
                                                              tmp_path: Path) -> None:
        """GIVEN seal.missing open in review THEN a pass is refused naming 单位党组（党委）推荐理由及意见;
        WHEN the reviewer overrides it with a reason THEN the history shows who, what and why, and
        the pass goes through."""
        sid, seal, rev, task = held(pg_settings, pg_sessions, client, tmp_path, "seal.missing", seal=False)
        r = rev.post(f"/api/review/tasks/{task}/decision", json=full_pass())
        assert r.status_code == 409 and "单位党组（党委）推荐理由及意见" in r.json()["message"]
        assert "填写放行理由" in r.json()["message"]
        r = rev.post(f"/api/review/tasks/{task}/overrides", json={"finding_id": seal, "reason": " "})
        assert r.status_code == 422 and "放行理由" in r.json()["message"]
        why = "原件已补盖公章，电子版为盖章前扫描"
        r = rev.post(f"/api/review/tasks/{task}/overrides", json={"finding_id": seal, "reason": why})
        assert r.status_code == 200 and (r.json()["by"], r.json()["reason"]) == ("bureau", why)
        r = rev.post(f"/api/review/tasks/{task}/overrides", json={"finding_id": seal, "reason": why})
        assert r.status_code == 409
        desk = rev.get(f"/review/tasks/{task}").text             # the desk says what was passed over
        assert "已放行或已核实的问题（1）" in desk and why in desk and "通过前须处理的问题" not in desk
        r = rev.post(f"/api/review/tasks/{task}/decision", json=full_pass())
        assert r.status_code == 200, r.text
        entries = rev.get(f"/api/review/submissions/{sid}/history").json()
        (ov,) = [e for e in entries if e["action"] == "override"]
        assert (ov["actor"], ov["detail"]["code"], ov["detail"]["reason"]) == ("bureau", "seal.missing", why)
        page = rev.get(f"/review/submissions/{sid}/history").text
        assert "放行" in page and why in page
        with pg_sessions() as s:                  # and in the dossier PDF, beside the finding
            pdf, _ = render_sections(gather(s, get_campaign("yueyang-2017"), sid), utcnow())
        text = text_of(pdf).replace("\n", "")
        assert "放行与识别有误（1 条）" in text and f"放行：{why}" in text

    def test_the_1500_limit_cannot_be_overridden_only_returned_or_rejected(
            self, pg_settings: Settings, pg_sessions: sessionmaker[Session], client: Any, tmp_path: Path) -> None:
        """GIVEN a 1600-字 申报创建材料 THEN an override answers 409 with the notice's words, the pass
        stays refused, and a rejection with reasons is accepted."""
        sid, over, rev, task = held(pg_settings, pg_sessions, client, tmp_path, "length.over_limit",
                                    values={"material": narrative(1600)})
        r = rev.post(f"/api/review/tasks/{task}/overrides", json={"finding_id": over, "reason": "内容充实"})
        assert r.status_code == 409 and r.json()["error"] == "override.forbidden"
        assert "不超过1500字" in r.json()["message"] and "只能退回" in r.json()["message"]
        r = rev.post(f"/api/review/tasks/{task}/decision", json=full_pass())
        assert r.status_code == 409 and "不能放行" in r.json()["message"]
        desk = rev.get(f"/review/tasks/{task}").text             # no 放行 form for it on the desk
        item = re.search(rf'<li class="error" data-finding="{over}"[^>]*>(.*?)</li>', desk, re.S).group(1)  # type: ignore[union-attr]
        assert "不超过1500字" in item and "放行理由" not in item
        csrf = rev.headers["X-CSRF-Token"]
        r = rev.post(f"/review/tasks/{task}/overrides", data={"csrf_token": csrf, "finding_id": over, "reason": "x"})
        assert "只能退回申报单位或作出不予通过的决定" in r.text
        r = rev.post(f"/api/review/tasks/{task}/decision", json={"decision": "reject", "reasons": "材料超过1500字"})
        assert r.status_code == 200 and r.json()["status"] == "rejected"


class TestJinhuaStarRating:
    def test_below_four_stars_cannot_be_overridden_but_a_correction_rechecks(
            self, pg_settings: Settings, pg_sessions: sessionmaker[Session], client: Any, tmp_path: Path) -> None:
        """GIVEN a 推荐表 read as 三星级 at the recommender's stage THEN an override is refused with
        “四星级以上”; WHEN the recommender corrects 评定星级 to 四星级 (the form said so) THEN the
        checks run again and the finding no longer blocks; a correction to 二星级 blocks again."""
        with pg_sessions() as s:
            person(s, "unit-j", "unit", organisation="武义县某局机关党支部")
            person(s, "rec", "recommender", organisation=COUNTY)
            sid = submission(s, "jinhua-2015", "武义县某局机关党支部", COUNTY)
            record_owner(s, s.scalar(select(User).where(User.username == "unit-j")), sid)
            read(pg_settings, pg_sessions, sid,
                 [upload(s, pg_settings, sid, "推荐表.docx", jinhua_form_docx(opinion="同意推荐。\n2015年11月10日"))])
            star = finding(s, sid, "eligibility.star_rating").id
            flow.start_review(s, None, sid)
            rec = client()
            login(rec, "rec")
            task = claim(rec, sid, s)
        r = rec.post(f"/api/review/tasks/{task}/overrides", json={"finding_id": star, "reason": "确有特色"})
        assert r.status_code == 409 and "四星级以上基层党组织" in r.json()["message"]
        blocking = rec.get(f"/api/review/tasks/{task}/blocking").json()
        assert "eligibility.star_rating" in [b["code"] for b in blocking]
        assert next(b for b in blocking if b["code"] == "eligibility.star_rating")["overridable"] is False
        r = rec.post(f"/api/review/tasks/{task}/corrections",
                     json={"field": "star_rating", "value": "四星级", "machine_value": "3"})
        assert r.status_code == 200
        assert "eligibility.star_rating" not in [b["code"] for b in rec.get(f"/api/review/tasks/{task}/blocking").json()]
        rec.post(f"/api/review/tasks/{task}/corrections", json={"field": "star_rating", "value": "二星级"})
        again = rec.get(f"/api/review/tasks/{task}/blocking").json()
        assert [b["message"] for b in again if b["code"] == "eligibility.star_rating"] == \
            ["「评定星级」为二星级，通知要求在四星级以上基层党组织中推荐，本单位不符合推荐条件。"]


def test_a_corrected_phone_is_checked_again(pg_settings: Settings, pg_sessions: sessionmaker[Session],
                                            client: Any, tmp_path: Path) -> None:
    """GIVEN 联络人电话 read as 0730-818 (field.invalid) WHEN the reviewer types the number on the form
    THEN nothing blocks and the pass goes through; a mistyped correction would have blocked."""
    sid, invalid, rev, task = held(pg_settings, pg_sessions, client, tmp_path, "field.invalid",
                                   values={"contact": "阎亚萍\n办公室副主任\n0730-818"})
    with pg_sessions() as s:
        assert s.get(FindingRow, invalid).field == "contact.phone"
    url = f"/api/review/tasks/{task}/corrections"
    r = rev.post(url, json={"field": "contact.phone", "value": "0730-81"})    # the answer says it at once
    assert r.status_code == 200 and [b["field"] for b in r.json()["blocking"]] == ["contact.phone"]
    assert "0730-81" in r.json()["blocking"][0]["message"]
    assert rev.post(url, json={"field": "contact.phone", "value": "(0730)8180410"}).status_code == 200
    assert rev.get(f"/api/review/tasks/{task}/blocking").json() == []
    r = rev.post(f"/api/review/tasks/{task}/decision", json=full_pass())
    assert r.status_code == 200, r.text
