"""Yueyang 2017 (基层党建示范单位创建) from the first upload to 创建单位 and the packets, through the HTTP
API only, on PostgreSQL, RabbitMQ and a real worker.

Six units of three submitting organisations, good and defective 申报表 (the 1500 字 hard limit, a
missing seal), 自查 beside them.  At each step what the unit and the reviewers see; errors block
提交审核 and 通过; an audited override; no quota anywhere (the notice sets none); packets holding
exactly the submitted ones.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from tests.docx_factory import narrative, yueyang_form
from tests.scenario_world import codes, seen, today, world

pytestmark = pytest.mark.services

C = "yueyang-2017"
R1, R2, R3 = "岳阳市司法局机关党委", "岳阳市律师协会党总支部", "岳阳市公证处党支部"
UNITS = {"一": R1, "二": R1, "三": R1, "四": R2, "五": R2, "六": R3}


def rubric_full() -> dict[str, float]:
    rubric = next(d.rubric for d in get_campaign(C).documents if d.rubric is not None)
    return {item.key: item.max for item in rubric.items}


def form(tmp: Path, name: str, words: int = 1200, seal: bool = True) -> bytes:
    scores = list(rubric_full().values())
    return yueyang_form(tmp / f"{name}.docx", {"unit_name": f"中共岳阳市{name}支部委员会",
                                               "material": narrative(words)},
                        seal=seal, scores=scores, total=sum(scores)).read_bytes()


def test_yueyang_from_draft_to_title_and_packets(settings: Settings, pg_schema_url: str, pg_engine: Engine,
                                                 amqp_url: str, tmp_path: Path) -> None:
    with world(settings, pg_schema_url, pg_engine, amqp_url, "yueyang") as w:
        unit = {n: w.person(f"unit-{n}", "unit", organisation=f"岳阳市第{n}支部") for n in UNITS}
        bureau = w.person("bureau", "reviewer", campaign_id=C, stage_id="bureau_review")
        city = w.person("city", "reviewer", campaign_id=C, stage_id="report_city")
        year_end = w.person("year-end", "reviewer", campaign_id=C, stage_id="acceptance_year_end")
        admin = w.person("admin", "admin")
        box = {"sealed": True, "opinion_date": today(), "signed_by": "审核人"}   # the opinion box's 盖章/签字, 日期
        # what the stage's box asks for (签字, 年月日) besides its opinion, inspection and 考评分
        bureau_pass = {"opinion": "同意", "inspection": {"date": today(), "notes": "实地检查属实"},
                       "scores": rubric_full(), "signed_by": "王强", "opinion_date": today(), "sealed": True}

        anon = w.anonymous.draft(C, "某支部自查", R1)
        w.anonymous.upload(anon, ("申报表.docx", form(tmp_path, "自查", words=1600)))

        sid = {n: unit[n].draft(C, f"岳阳市第{n}支部", r, applicant_kind="局机关党支部") for n, r in UNITS.items()}
        for n in UNITS:
            long_one = n in ("三", "六")
            unit[n].upload(sid[n], ("申报表.docx", form(tmp_path, n, words=1600 if long_one else 1200,
                                                         seal=n != "四")))
        st = {n: unit[n].checked(sid[n]) for n in UNITS}
        assert all(seen(s) == ("ready", "待提交") for s in st.values())
        assert "length.over_limit" in codes(st["三"]) and "seal.missing" in codes(st["四"])
        assert "document.missing" not in codes(st["一"])      # 申报表 and 评分细则 in one file
        assert seen(w.anonymous.checked(anon)) == ("self_check", "自查")

        # 1600 字 is over the hard limit: it blocks 提交审核, listed with the field
        r = unit["三"].submit(sid["三"])
        assert r.status_code == 409 and "申报创建材料" in r.json()["message"]
        assert unit["一"].submit(sid["一"], warnings_read=False).status_code == 409    # 截止日期 warning unread
        # the corrected 申报表 replaces the long one; its findings go with it
        unit["三"].upload(sid["三"], ("申报表（压缩后）.docx", form(tmp_path, "三改")))
        fixed = unit["三"].checked(sid["三"])
        assert "length.over_limit" not in codes(fixed) and [h["name"] for h in fixed["history"]] == ["申报表.docx"]
        [seal] = [f for f in st["四"]["files"][0]["findings"] if f["code"] == "seal.missing"]
        assert unit["四"].post(f"/api/submissions/{sid['四']}/findings/{seal['id']}/contest",
                               json={"note": "原件已加盖党组公章"}).status_code == 200
        for n in ("一", "二", "三", "四", "五"):
            assert unit[n].submit(sid[n]).status_code == 200, n
            assert seen(unit[n].status(sid[n]))[0] == "submitted"

        # the bureau: only submitted ones, no quota anywhere; an open error blocks the pass until overridden
        assert {t["submission_id"] for t in bureau.tasks()} == {sid[n] for n in "一二三四五"}
        assert not any("quota" in t for t in bureau.tasks())
        task = bureau.task_of(sid["四"])
        r = bureau.decide(task, "pass", **bureau_pass)
        assert r.status_code == 409 and r.json()["error"] == "findings.blocking"
        assert bureau.post(f"/api/review/tasks/{task['id']}/overrides",
                           json={"finding_id": seal["id"], "reason": "现场查看原件，签章齐全"}).status_code == 200
        assert bureau.decide(task, "pass", **bureau_pass).status_code == 200
        assert any("现场查看原件，签章齐全" in str(h)
                   for h in admin.get(f"/api/review/submissions/{sid['四']}/history").json())
        for n in ("一", "三", "五"):
            assert bureau.decide(bureau.task_of(sid[n]), "pass", **bureau_pass).status_code == 200
        r = bureau.decide(bureau.task_of(sid["二"]), "return", reasons="请补充党员人数",
                          field_reasons={"member_count": "党员人数与花名册不一致"})
        assert r.status_code == 200, r.text
        back = unit["二"].status(sid["二"])
        assert seen(back) == ("returned", "已退回")
        assert back["lifecycle"]["stage_name"] == "市局机关党委材料审核及实地检查"
        assert [x["label"] for x in back["lifecycle"]["field_reasons_labelled"]] == ["党员人数"]
        r = unit["二"].submit(sid["二"])                               # nothing new yet
        assert r.status_code == 422 and "请先上传修改后的材料" in r.json()["message"]
        unit["二"].upload(sid["二"], ("申报表（修改）.docx", form(tmp_path, "二改")))
        again = unit["二"].checked(sid["二"])
        assert [f["name"] for f in again["files"]] == ["申报表（修改）.docx"] and len(again["history"]) == 1
        assert unit["二"].submit(sid["二"]).status_code == 200
        assert seen(unit["二"].status(sid["二"])) == ("in_review", "审核中（市局机关党委材料审核及实地检查）")

        # up to 年底检查验收: 一 becomes 基层党建创建单位
        assert city.decide(city.task_of(sid["一"]), "pass", opinion="同意上报", **box).status_code == 200
        assert year_end.decide(year_end.task_of(sid["一"]), "pass", opinion="验收合格", **box).status_code == 200
        assert seen(unit["一"].status(sid["一"])) == ("titled", "称号")

        packets = w.packets(admin, C)
        orgs = {row[1] for row in packets["rows"][1:]}
        assert orgs == {f"岳阳市第{n}支部" for n in "一二三四五"}               # 六 and the 自查 are not there
        assert "称号" in {str(v) for row in packets["rows"][1:] for v in row}
