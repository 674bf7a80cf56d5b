"""Jinhua 2015 (机关党建示范点推荐评选) from the first upload to the title and the packets, through the
HTTP API only, on PostgreSQL, RabbitMQ and a real worker.

Six units under three recommenders (one of them with three applicants for its 1–2 places), each
uploading good or defective forms, and 自查 beside them.  At each step: what the unit, the
recommender and the reviewers see; the quota only at the recommender's decision; errors that
block 提交审核 and 通过; an audited override; packets holding exactly the submitted ones.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from dossier.settings import Settings
from tests.docx_factory import jinhua_form, narrative
from tests.scenario_world import codes, narrative_docx, seen, today, world

pytestmark = pytest.mark.services

C = "jinhua-2015"
R1, R2, R3 = "金华市财政局机关党委", "金华市教育局机关党委", "金华市卫生局机关党委"
UNITS = {"甲": R1, "乙": R1, "丙": R1, "丁": R2, "戊": R2, "己": R3}


def form(tmp: Path, name: str, **values: object) -> bytes:
    seal = bool(values.pop("seal", True))
    return jinhua_form(tmp / f"{name}.docx", {"org_name": f"中共金华市{name}局机关支部委员会", **values},
                       seal=seal).read_bytes()


def test_jinhua_from_draft_to_title_and_packets(settings: Settings, pg_schema_url: str, pg_engine: Engine,
                                                amqp_url: str, tmp_path: Path) -> None:
    with world(settings, pg_schema_url, pg_engine, amqp_url, "jinhua") as w:
        unit = {n: w.person(f"unit-{n}", "unit", organisation=f"金华市{n}局机关支部") for n in UNITS}
        rec = {r: w.person(f"rec-{i}", "recommender", organisation=r) for i, r in enumerate((R1, R2, R3))}
        material = w.person("material", "reviewer", campaign_id=C, stage_id="material_review")
        joint = w.person("joint", "reviewer", campaign_id=C, stage_id="joint_review_city", department="相关单位")
        board = w.person("board", "reviewer", campaign_id=C, stage_id="collective_decision")
        admin = w.person("admin", "admin")
        box = {"sealed": True, "opinion_date": today(), "signed_by": "审核人"}   # the opinion box's 盖章/签字, 日期
        good = narrative(1000)

        # --- 自查 beside them: anonymous and a unit's own; never a submission
        anon = w.anonymous.draft(C, "某局自查", R1)
        w.anonymous.upload(anon, ("推荐表.docx", form(tmp_path, "自查", deeds=good, star_rating="三星级")))
        mine = unit["甲"].draft(C, "金华市甲局机关支部", R1, self_check=True)
        unit["甲"].upload(mine, ("推荐表.docx", form(tmp_path, "甲自查", deeds=good)))

        # --- drafts: each unit builds one; nothing is in review yet
        sid = {n: unit[n].draft(C, f"金华市{n}局机关支部", r) for n, r in UNITS.items()}
        assert seen(unit["甲"].status(sid["甲"])) == ("draft", "草稿")
        unit["甲"].upload(sid["甲"], ("推荐表.docx", form(tmp_path, "甲", deeds=good)))
        unit["乙"].upload(sid["乙"], ("推荐表.docx", form(tmp_path, "乙", deeds="详见附页")))    # 另附页, not yet sent
        unit["丙"].upload(sid["丙"], ("推荐表.docx", form(tmp_path, "丙", deeds=good)))
        unit["丁"].upload(sid["丁"], ("推荐表.docx", form(tmp_path, "丁", deeds=good, seal=False)))
        unit["戊"].upload(sid["戊"], ("推荐表.docx", form(tmp_path, "戊", deeds=good)))
        unit["己"].upload(sid["己"], ("推荐表.docx", form(tmp_path, "己", deeds=good, star_rating="三星级")))
        # while the files are read the page says 检查中, never 未发现问题
        early = unit["甲"].status(sid["甲"])
        assert early["lifecycle"]["code"] in ("checking", "ready")
        if early["lifecycle"]["code"] == "checking":
            assert early["lifecycle"]["label"] == "检查中" and not early["summary"]["final"]
        st = {n: unit[n].checked(sid[n]) for n in UNITS}
        assert all(seen(s) == ("ready", "待提交") for s in st.values())
        # a form with its 主要创建事迹 inside is complete; one that says 详见附页 lacks the narrative
        assert "document.missing" not in codes(st["甲"]) and "document.missing" in codes(st["乙"])
        # no unit is told about the others: three drafts under R1 and not a word of a quota
        for n in UNITS:
            text = str(st[n])
            assert "quota" not in text and "名额" not in text
            assert not any(f"金华市{o}局" in text for o in UNITS if o != n)
        for s in (w.anonymous.checked(anon), unit["甲"].checked(mine)):
            assert seen(s) == ("self_check", "自查")

        # --- 提交审核: errors block, listed with what to fix; warnings are read first
        r = unit["乙"].submit(sid["乙"])
        assert r.status_code == 409 and "创建事迹介绍材料" in r.json()["message"]
        r = unit["己"].submit(sid["己"])
        assert r.status_code == 409 and "评定星级" in r.json()["message"]
        r = unit["甲"].submit(sid["甲"], warnings_read=False)         # 超过截止日期 is a warning
        assert r.status_code == 409 and r.json()["error"] == "submit.warnings_unread"
        assert unit["甲"].submit(sid["甲"]).status_code == 200
        assert seen(unit["甲"].status(sid["甲"]))[0] == "submitted"
        r = unit["甲"].submit(mine)
        assert r.status_code == 409 and "自查" in r.json()["message"]
        r = unit["甲"].post(f"/api/submissions/{sid['甲']}/files",
                            files=[("files", ("又一份.docx", form(tmp_path, "甲2", deeds=good), "x/y"))])
        assert r.status_code == 409 and "审核期间不能更改材料" in r.json()["message"]
        # the narrative in its own file completes the form that says 详见附页
        unit["乙"].upload(sid["乙"], ("创建事迹介绍材料.docx", narrative_docx(1000)))
        assert "document.missing" not in codes(unit["乙"].checked(sid["乙"]))
        # the unit believes the seal is there: 识别有误 with a note, then it no longer blocks the unit
        [seal] = [f for f in unit["丁"].status(sid["丁"])["files"][0]["findings"] if f["code"] == "seal.missing"]
        assert unit["丁"].submit(sid["丁"]).status_code == 409
        r = unit["丁"].post(f"/api/submissions/{sid['丁']}/findings/{seal['id']}/contest",
                            json={"note": "原件已盖章，扫描件颜色较浅"})
        assert r.status_code == 200, r.text
        for n in ("乙", "丙", "丁", "戊"):
            assert unit[n].submit(sid[n]).status_code == 200, n

        # three of R1's units submitted for its 1–2 places: still nothing said to any unit about it
        for n in "甲乙丙":
            assert "名额" not in str(unit[n].status(sid[n])) and "quota" not in codes(unit[n].status(sid[n]))
        # nothing reaches a reviewer before its recommender; no 自查 or draft reaches anyone
        assert material.tasks() == [] and board.tasks() == []
        assert not {anon, mine, sid["己"]} & {t["submission_id"] for r in rec.values() for t in r.tasks()}

        # --- the recommenders' 公示: only their own units; a pass with an open error is refused
        assert {t["submission_id"] for t in rec[R1].tasks()} == {sid["甲"], sid["乙"], sid["丙"]}
        assert {t["submission_id"] for t in rec[R3].tasks()} == set()          # 己 never submitted
        for r_name, names in ((R1, "甲乙丙"), (R2, "丁戊")):
            for n in names:
                task = rec[r_name].task_of(sid[n])
                assert rec[r_name].post(f"/api/review/tasks/{task['id']}/notice",
                                        json={"start": today()}).status_code == 200
                if n == "丁":      # an open error stops the pass first; the recommender overrides it
                    r = rec[r_name].decide(task, "pass")
                    assert r.status_code == 409 and "盖章" in r.json()["message"]
                    r = rec[r_name].post(f"/api/review/tasks/{task['id']}/overrides",
                                         json={"finding_id": seal["id"], "reason": "已核对纸质原件，印章清晰"})
                    assert r.status_code == 200, r.text
                r = rec[r_name].decide(task, "pass")
                assert r.status_code == 409 and "公示期" in r.json()["message"]       # it runs its days first
                w.notice_over(sid[n])
                r = rec[r_name].decide(task, "pass")
                assert r.status_code == 200, (n, r.text)
        history = unit["丁"].get(f"/api/review/submissions/{sid['丁']}/history").json()
        assert any("已核对纸质原件，印章清晰" in str(h) for h in history)
        assert seen(unit["甲"].status(sid["甲"])) == ("in_review", "审核中（推荐单位意见）")

        # --- 推荐单位意见: R1 has three applicants for 1–2 places; the quota holds at its decision
        opinion = {"opinion": "同意推荐", "sealed": True, "opinion_date": today(), "signed_by": "张明"}
        for n in ("甲", "乙"):
            task = rec[R1].task_of(sid[n])
            assert rec[R1].decide(task, "pass", **opinion).status_code == 200
        task = rec[R1].task_of(sid["丙"])
        [listed] = [t for t in rec[R1].tasks(state="mine") if t["id"] == task["id"]]
        assert listed["quota"]["put_forward"] == 2 and listed["quota"]["full"] and listed["quota"]["max"] == 2
        r = rec[R1].decide(task, "pass", **opinion)
        assert r.status_code == 409 and r.json()["error"] == "quota.exceeded" and "名额已满" in r.json()["message"]
        assert rec[R1].decide(task, "reject", reasons="名额已满，择优推荐了其他单位").status_code == 200
        assert seen(unit["丙"].status(sid["丙"]))[0] == "rejected"
        for n in ("丁", "戊"):
            assert rec[R2].decide(rec[R2].task_of(sid[n]), "pass", **opinion).status_code == 200

        # --- 材料审核: 乙 goes back with reasons per field
        for n in ("甲", "丁", "戊"):
            assert material.decide(material.task_of(sid[n]), "pass", opinion="材料齐全", **box).status_code == 200
        r = material.decide(material.task_of(sid["乙"]), "return", reasons="请核对书记信息",
                            field_reasons={"secretary.birth": "出生年月与档案不符"})
        assert r.status_code == 200, r.text
        back = unit["乙"].status(sid["乙"])
        assert seen(back) == ("returned", "已退回") and back["lifecycle"]["stage_name"] == "市直机关工委组宣处材料审核"
        assert back["lifecycle"]["reasons"] == "请核对书记信息"
        assert back["lifecycle"]["field_reasons_labelled"] == [
            {"field": "secretary.birth", "label": "党组织书记情况 · 出生年月", "reason": "出生年月与档案不符"}]
        # the corrected form replaces the old one; only the current version's files and findings show
        old_form = next(f["id"] for f in back["files"] if f["name"] == "推荐表.docx")
        unit["乙"].upload(sid["乙"], ("推荐表（修改）.docx", form(tmp_path, "乙改", deeds="详见附页",
                                                                  **{"secretary.birth": "1973.06"})))
        again = unit["乙"].checked(sid["乙"])
        assert seen(again)[0] == "returned"
        assert [h["id"] for h in again["history"]] == [old_form]
        assert {f["name"] for f in again["files"]} == {"推荐表（修改）.docx", "创建事迹介绍材料.docx"}
        assert unit["乙"].submit(sid["乙"]).status_code == 200
        assert seen(unit["乙"].status(sid["乙"])) == ("in_review", "审核中（市直机关工委组宣处材料审核）")
        assert material.decide(material.task_of(sid["乙"]), "pass", opinion="已改正", **box).status_code == 200

        # --- 联审 and 班子集体研究: 甲 becomes a 示范点
        assert joint.decide(joint.task_of(sid["甲"]), "pass", opinion="无异议", **box).status_code == 200
        r = board.decide(board.task_of(sid["甲"]), "pass", opinion="同意", sealed=True, opinion_date=today(),
                         signed_by="李华")
        assert r.status_code == 200, r.text
        assert seen(unit["甲"].status(sid["甲"])) == ("titled", "称号")

        # --- the overview and the packets: submitted ones only, states in Chinese
        ov = admin.get(f"/api/review/campaigns/{C}/overview").json()
        r1 = next(r for r in ov["recommenders"] if r["name"] == R1)
        assert (r1["submissions"], r1["recommended"]) == (3, 2)
        assert ov["submissions"] == 6 and ov["lifecycle"].get("待提交") == 1     # 己, never submitted
        packets = w.packets(admin, C)
        orgs = {row[1]: row for row in packets["rows"][1:]}
        assert set(orgs) == {f"金华市{n}局机关支部" for n in "甲乙丙丁戊"}
        assert packets["build"]["progress"] == {"done": 5, "total": 5}
        statuses = {str(v) for row in packets["rows"][1:] for v in row}
        assert "称号" in statuses and "未通过" in statuses
