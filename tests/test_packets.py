"""Packets: the dossier PDF of a submission walked through its review, the campaign's summary
workbook with its lists, and a build that survives a submission it cannot compile.

Word originals are printed to PDF by LibreOffice; here a stand-in printer is handed in (one
page per Word file), so that these tests stay fast; tests/test_packets_convert.py runs the real
one.  Everything else is real: the forms are read by the pipeline's functions, the review by
the flow's."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import CampaignError, get_campaign, parse_campaign
from dossier.settings import Settings
from storage.db import make_sessionmaker
from storage.models import OutboxMessage, StoredFile
from storage.objects import open_store
from storage.packet_models import PacketBuild
from services.review import flow
from services.submissions.service import create_submission
from tests.packet_scenario import (CORRECTED_MEMBERS, OTHER_UNIT, UNIT, jinhua_with_form, pdf_pages, recommend,
                                   staff, upload, yueyang_passed)
from tests.pdf_checks import fonts, not_embedded
from tests.review_helpers import submission
from workers.packets.build import request_build, run_build
from workers.packets.dossier_pdf import compile_dossier

YUEYANG = "yueyang-2017"
SECTIONS = ["封面", "申报信息", "字数与检查结果", "考评分", "审核记录", "申报材料原件"]


def word_stand_in(path: Path, settings: Settings, fmt: str | None) -> bytes:
    return pdf_pages(1, f"word original {path.suffix}")


@pytest.fixture
def sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(sqlite_engine)


def text_of(pdf: bytes, pages: range | None = None) -> str:
    r = PdfReader(io.BytesIO(pdf))
    return "\n".join(r.pages[i].extract_text() for i in (pages or range(len(r.pages))))


def outline_titles(pdf: bytes) -> list[Any]:
    def walk(items: list[Any]) -> list[Any]:
        return [walk(i) if isinstance(i, list) else i.title for i in items]
    return walk(PdfReader(io.BytesIO(pdf)).outline)


def sheet_rows(xlsx: bytes, name: str) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(xlsx))[name]
    return [list(r) for r in ws.iter_rows(values_only=True)]


class TestDossier:
    def test_the_dossier_says_what_a_reviewer_checks_and_appends_the_originals(
            self, settings: Settings, sessions: sessionmaker[Session], tmp_path: Path) -> None:
        """GIVEN a yueyang application scored, inspected, corrected, objected to and passed to 基层党建创建单位
        WHEN its dossier is compiled THEN the generated pages name the unit, the labels and values, the
        corrected 党员人数 beside the machine's, the opinions, the 考评分 total and the objection; then
        every original of the current version follows, a scan's pages as they are; bookmarks name each
        section and each original."""
        with sessions() as s:
            y = yueyang_passed(s, settings, sessions, tmp_path)
        with sessions() as s:
            d = compile_dossier(s, open_store(settings), settings, get_campaign(YUEYANG), y.sid,
                                word_to_pdf=word_stand_in, now=dt.datetime(2017, 12, 30, 17, 0, tzinfo=dt.timezone.utc))
        reader = PdfReader(io.BytesIO(d.pdf))
        # 2 Word files (one page each from the printer), the scan's 2 pages, the photo's 1
        assert d.original_pages == {y.form: 1, y.sheet: 1, y.scan: 2, y.picture: 1}
        assert len(reader.pages) == d.generated_pages + 5
        generated = text_of(d.pdf, range(d.generated_pages))
        for expected in (UNIT, "基层党建示范单位创建", "第1版", "基层党建创建单位", "2017-12-31",   # Beijing date
                         "单位名称", f"中共{UNIT}", "党组织类型", "机关党支部", "上年度党建考核等次", "优秀",
                         "申报创建材料",                    # a 字数 row names the field
                         "材料齐全，实地检查属实", "同意上报市直机关工委", "验收合格", "2017-05-10", "党员活动阵地规范",
                         "群众反映党员人数与花名册不符", "经核实，花名册为32人，已更正",
                         "自评分合计 100 分", "考评分合计 94 分", "实地照片扫描.pdf", "党员活动室.jpg"):
            assert expected in generated, expected
        # the correction beside the machine's value, on the 党员人数 row
        row = next(line for line in generated.splitlines() if "党员人数" in line)
        tail = generated[generated.index(row):][:80]
        assert y.machine_members in tail and f"{CORRECTED_MEMBERS}（bureau更正）" in tail
        # the scan's own pages, in order, after the Word originals
        assert f"scanned page 1" not in generated
        assert y.sid + " 1" in reader.pages[d.generated_pages + 2].extract_text()
        assert y.sid + " 2" in reader.pages[d.generated_pages + 3].extract_text()
        outline = outline_titles(d.pdf)
        assert [t for t in outline if isinstance(t, str)] == SECTIONS
        # each section's bookmark opens the page its heading is on
        for item in (i for i in reader.outline if not isinstance(i, list)):
            page = reader.get_destination_page_number(item)
            assert page < d.generated_pages
            assert item.title == "封面" and page == 0 or item.title in reader.pages[page].extract_text(), item.title
        # the generated pages carry their Chinese font: a viewer without one still shows them
        assert fonts(d.pdf, range(d.generated_pages)) and not_embedded(d.pdf, range(d.generated_pages)) == []
        assert outline[-1] == ["原件 1：申报表.docx", "原件 2：评分细则.docx", "原件 3：实地照片扫描.pdf",
                               "原件 4：党员活动室.jpg"]

    def test_a_resubmitted_document_replaces_only_its_kind(
            self, settings: Settings, sessions: sessionmaker[Session], tmp_path: Path) -> None:
        """GIVEN an application returned and resubmitted with a new 评分细则 only WHEN compiled THEN the
        dossier is 第2版 and appends the form and the new sheet, not the old sheet."""
        from services.review import flow, queue
        from tests.docx_factory import score_sheet, yueyang_form
        from tests.packet_scenario import read

        items = list(get_campaign(YUEYANG).document("score_sheet").rubric.items)
        with sessions() as s:
            unit = staff(s, "unit", "unit", organisation=UNIT)
            bureau = staff(s, "bureau", "reviewer", stage_id="bureau_review")
            sid = submission(s, YUEYANG, UNIT)
            form = upload(s, settings, sid, "申报表.docx", yueyang_form(tmp_path / "f.docx").read_bytes())
            old = upload(s, settings, sid, "评分细则.docx", score_sheet(tmp_path / "a.docx", [i.max for i in items], 100).read_bytes())
            read(settings, sessions, sid, [form, old])
            flow.start_review(s, unit, sid)
            task = queue.claim_next(s, bureau, lease_seconds=600)
            flow.decide(s, bureau, task.id, "return", {"reasons": "评分细则合计有误"})
            new = upload(s, settings, sid, "评分细则（修改）.docx",
                         score_sheet(tmp_path / "b.docx", [i.max for i in items][:-1] + [0], 96).read_bytes())
            read(settings, sessions, sid, [new])
            flow.resubmit(s, unit, sid)
        with sessions() as s:
            d = compile_dossier(s, open_store(settings), settings, get_campaign(YUEYANG), sid, word_to_pdf=word_stand_in)
        assert list(d.original_pages) == [form, new]
        generated = text_of(d.pdf, range(d.generated_pages))
        assert "第2版" in generated and "自评分合计 96 分" in generated
        assert "退回修改" in generated and "评分细则合计有误" in generated

    def test_an_original_that_cannot_become_pages_is_said_and_attached(
            self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        """GIVEN a submission whose original is not a document we can turn into pages WHEN compiled THEN
        a page says so in Chinese and the original is embedded in the PDF byte for byte."""
        junk = b"PK\x03\x04 this is not a real archive" * 20
        with sessions() as s:
            sid = submission(s, YUEYANG, UNIT)
            upload(s, settings, sid, "附件.zip", junk)
        with sessions() as s:
            d = compile_dossier(s, open_store(settings), settings, get_campaign(YUEYANG), sid, word_to_pdf=word_stand_in)
        assert len(d.not_converted) == 1
        last = text_of(d.pdf, range(d.generated_pages, d.pages))
        assert "无法转换" in last and "附件.zip" in last and "附件嵌入" in last
        assert not_embedded(d.pdf) == []
        assert PdfReader(io.BytesIO(d.pdf)).attachments["附件.zip"] == [junk]


    def test_a_word_original_is_printed_once(self, settings: Settings, sessions: sessionmaker[Session],
                                             tmp_path: Path) -> None:
        """GIVEN a submission of two Word files WHEN its dossier is compiled twice (packets are built
        again as the campaign goes on) THEN each file is printed to PDF once, the print is kept beside
        the original, and the second dossier is the same length."""
        from tests.docx_factory import score_sheet, yueyang_form
        from tests.packet_scenario import read
        from workers.packets.dossier_pdf import printed_key

        printed: list[Path] = []

        def counting(path: Path, settings: Settings, fmt: str | None) -> bytes:
            printed.append(path)
            return word_stand_in(path, settings, fmt)

        items = list(get_campaign(YUEYANG).document("score_sheet").rubric.items)
        store = open_store(settings)
        with sessions() as s:
            sid = submission(s, YUEYANG, UNIT)
            ids = [upload(s, settings, sid, "申报表.docx", yueyang_form(tmp_path / "f.docx").read_bytes()),
                   upload(s, settings, sid, "评分细则.docx",
                          score_sheet(tmp_path / "s.docx", [i.max for i in items], 100).read_bytes())]
            read(settings, sessions, sid, ids)
        with sessions() as s:
            first = compile_dossier(s, store, settings, get_campaign(YUEYANG), sid, word_to_pdf=counting)
            second = compile_dossier(s, store, settings, get_campaign(YUEYANG), sid, word_to_pdf=counting)
            rows = [s.get(StoredFile, i) for i in ids]
        assert len(printed) == 2
        assert all(store.get(printed_key(r)).startswith(b"%PDF") for r in rows if r is not None)
        assert second.pages == first.pages and second.original_pages == first.original_pages


class TestCampaignFile:
    def test_packets_section_is_data_with_defaults(self) -> None:
        """GIVEN a campaign without `packets:` THEN the 汇总表 has the default columns; a column naming an
        unknown field is refused."""
        raw = {"id": "x", "documents": [{"kind": "form", "fields": [{"key": "name", "label": "名称"}]}]}
        c = parse_campaign(raw)
        assert [col.header for col in c.packets.columns] == ["序号", "单位", "推荐单位", "字数", "当前环节", "状态", "称号"]
        with pytest.raises(CampaignError):
            parse_campaign({**raw, "packets": {"summary": {"columns": [{"field": "nope"}]}}})
        assert [col.header for col in parse_campaign({**raw, "packets": {"summary": {"columns": [
            "seq", {"field": "name"}]}}}).packets.columns] == ["序号", "名称"]


class TestBuild:
    def test_build_stores_every_dossier_and_the_summary_and_survives_a_broken_submission(
            self, settings: Settings, sessions: sessionmaker[Session], tmp_path: Path) -> None:
        """GIVEN three yueyang submissions — one made 创建单位, one still in review, one whose stored result
        is damaged — WHEN a build runs THEN it finishes: two dossiers, a page saying why for the third,
        the 汇总表 with the YAML's columns and one row each, and 创建单位名单 holding exactly the first."""
        with sessions() as s:
            made = yueyang_passed(s, settings, sessions, tmp_path)
            pending = yueyang_passed(s, settings, sessions, tmp_path, organisation=OTHER_UNIT, to_title=False)
            broken = submission(s, YUEYANG, "丙单位党支部")
            fid = upload(s, settings, broken, "申报表.pdf", pdf_pages(1))
            flow.start_review(s, None, broken)
            s.get(StoredFile, fid).result = {"documents": [{"kind": "application_form", "fields": ["damaged"]}]}
            s.commit()
            # a draft never submitted and a 自查 are no part of any packet
            draft = submission(s, YUEYANG, "丁单位党支部")
            upload(s, settings, draft, "申报表.pdf", pdf_pages(1))
            create_submission(s, campaign_id=YUEYANG, organisation="戊单位党支部", self_check=True)
            build = request_build(s, YUEYANG, "boss")
            [msg] = s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "packets.build")).all()
            assert msg.payload["args"] == [build.id]            # recorded with its task, one transaction
            build_id = build.id
        store = open_store(settings)
        assert run_build(sessions, store, settings, build_id, word_to_pdf=word_stand_in) == "done"
        with sessions() as s:
            b = s.get(PacketBuild, build_id)
            assert (b.state, b.done, b.total, b.error) == ("done", 3, 3, None)
            objects = b.objects
        assert set(objects["dossiers"]) == {made.sid, pending.sid, broken}
        assert list(objects["failed"]) == [broken]
        assert all(k.startswith(f"packets/{YUEYANG}/{build_id}/") for k in
                   [objects["summary_xlsx"], objects["summary_pdf"], *objects["dossiers"].values()])
        assert "未能生成" in text_of(store.get(objects["dossiers"][broken]))
        assert not_embedded(store.get(objects["dossiers"][broken])) == []
        assert UNIT in text_of(store.get(objects["dossiers"][made.sid]))

        xlsx = store.get(objects["summary_xlsx"])
        wb = load_workbook(io.BytesIO(xlsx))
        assert wb.sheetnames == ["汇总表", "创建单位名单", "示范单位名单"]
        assert wb["汇总表"].freeze_panes == "A2" and wb["汇总表"]["A1"].font.bold
        rows = sheet_rows(xlsx, "汇总表")
        headers = [c.header for c in get_campaign(YUEYANG).packets.columns]
        assert rows[0] == headers
        by_unit = {r[1]: dict(zip(headers, r)) for r in rows[1:]}
        assert len(rows) == 4
        first = by_unit[UNIT]
        assert (first["序号"], first["单位名称"], first["党员人数"]) == (1, f"中共{UNIT}", CORRECTED_MEMBERS)
        assert (first["自评分合计"], first["考评分合计"], first["称号"]) == (100, 94, "基层党建创建单位")
        assert first["当前环节"] == "一年后再次验收" and first["申报材料字数"] > 0
        assert by_unit[OTHER_UNIT]["当前环节"] == "年底检查验收" and not by_unit[OTHER_UNIT]["称号"]
        assert any("未能汇总" in str(r[1]) for r in rows[1:])
        assert [r[1] for r in sheet_rows(xlsx, "创建单位名单")[1:]] == [UNIT]
        assert sheet_rows(xlsx, "示范单位名单")[1:] == []
        printed = text_of(store.get(objects["summary_pdf"]))
        assert "基层党建示范单位创建汇总表" in printed and "基层党建创建单位名单" in printed
        assert UNIT in printed and not_embedded(store.get(objects["summary_pdf"])) == []
        assert PdfReader(io.BytesIO(store.get(objects["summary_pdf"]))).pages[0].mediabox.width > \
            PdfReader(io.BytesIO(store.get(objects["summary_pdf"]))).pages[0].mediabox.height   # landscape
        # a redelivered message finds the build finished and does nothing
        assert run_build(sessions, store, settings, build_id, word_to_pdf=word_stand_in) == "done"

    def test_a_long_build_continues_in_a_new_task(
            self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        """GIVEN a build out of time after each submission WHEN it runs THEN it stores what it did, enqueues
        its own continuation, and the next run finishes without compiling a dossier twice."""
        with sessions() as s:
            for org in ("甲", "乙"):
                sid = submission(s, YUEYANG, org)
                upload(s, settings, sid, "扫描.pdf", pdf_pages(1))
                flow.start_review(s, None, sid)
            build_id = request_build(s, YUEYANG, None).id
        store = open_store(settings)
        assert run_build(sessions, store, settings, build_id, budget_s=-1) == "continued"
        with sessions() as s:
            b = s.get(PacketBuild, build_id)
            assert (b.state, b.done, b.total) == ("running", 0, 2)
            assert len(s.scalars(select(OutboxMessage).where(OutboxMessage.topic == "packets.build")).all()) == 2
        assert run_build(sessions, store, settings, build_id) == "done"
        with sessions() as s:
            assert s.get(PacketBuild, build_id).done == 2


class TestJinhuaLists:
    def test_lists_hold_exactly_the_submissions_that_qualify(
            self, settings: Settings, sessions: sessionmaker[Session], tmp_path: Path) -> None:
        """GIVEN three jinhua points of one recommender, two recommended after their 公示 and one not WHEN
        the summary is built THEN 推荐名单 lists the two, 示范点名单 none, and the 汇总表 shows each
        point's 党组织名称 from its form."""
        from services.packets.service import campaign_summary

        when = dt.datetime(2015, 11, 12, 2, 0, tzinfo=dt.timezone.utc)
        rec_org = "金华市某局机关党委"
        with sessions() as s:
            rec = staff(s, "rec", "recommender", organisation=rec_org)
            a = jinhua_with_form(s, settings, sessions, tmp_path, "甲科室", rec_org)
            b = jinhua_with_form(s, settings, sessions, tmp_path, "乙科室", rec_org)
            flow.start_review(s, None, jinhua_with_form(s, settings, sessions, tmp_path, "丙科室", rec_org))
            recommend(s, a, rec, when)
            recommend(s, b, rec, when)
            xlsx, pdf, n = campaign_summary(s, settings, "jinhua-2015")
        assert n == 3
        rows = sheet_rows(xlsx, "汇总表")
        assert rows[0][:4] == ["序号", "单位", "推荐单位", "党组织名称"]
        assert [r[3] for r in rows[1:]] == ["中共甲科室支部委员会", "中共乙科室支部委员会", "中共丙科室支部委员会"]
        assert [r[1] for r in sheet_rows(xlsx, "推荐名单")[1:]] == ["甲科室", "乙科室"]
        assert sheet_rows(xlsx, "示范点名单")[1:] == []
        assert "机关党建示范点推荐名单" in text_of(pdf)


class TestPrintedAhead:
    def test_a_word_original_printed_when_read_is_not_printed_again(
            self, settings: Settings, sessions: sessionmaker[Session], tmp_path: Path) -> None:
        """GIVEN a Word form printed by the packets queue when it was read THEN its dossier appends that
        print without printing again; a second print is not made; a PDF is skipped; a print that
        fails is reported as such, not raised."""
        from tests.docx_factory import yueyang_form
        from tests.packet_scenario import read
        from workers.extract.convert import ConvertError
        from workers.packets.dossier_pdf import printed_key
        from workers.packets.prints import print_original

        calls: list[Path] = []

        def counting(path: Path, settings: Settings, fmt: str | None) -> bytes:
            calls.append(path)
            return word_stand_in(path, settings, fmt)

        def broken(path: Path, settings: Settings, fmt: str | None) -> bytes:
            raise ConvertError("LibreOffice wrote no output")

        store = open_store(settings)
        with sessions() as s:
            sid = submission(s, YUEYANG, UNIT)
            form = upload(s, settings, sid, "申报表.docx", yueyang_form(tmp_path / "f.docx").read_bytes())
            scan = upload(s, settings, sid, "扫描件.pdf", pdf_pages(2))
            read(settings, sessions, sid, [form, scan])
        assert print_original(sessions, store, settings, form, word_to_pdf=broken) == "unprintable"
        assert print_original(sessions, store, settings, form, word_to_pdf=counting) == "printed"
        assert print_original(sessions, store, settings, form, word_to_pdf=counting) == "kept"
        assert print_original(sessions, store, settings, scan, word_to_pdf=counting) == "skipped"
        assert print_original(sessions, store, settings, "nope", word_to_pdf=counting) == "gone"
        assert len(calls) == 1
        with sessions() as s:
            row = s.get(StoredFile, form)
            assert row is not None and store.get(printed_key(row)).startswith(b"%PDF")
            d = compile_dossier(s, store, settings, get_campaign(YUEYANG), sid, word_to_pdf=counting)
        assert len(calls) == 1 and d.original_pages[form] == 1
