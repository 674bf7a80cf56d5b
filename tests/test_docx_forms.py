"""Word forms end to end through `extract_file`: reader, form location,
normalisation and every check that applies to a .docx.

GIVEN a form generated the way a unit fills it in Word, with one planted defect,
WHEN it is extracted for its campaign,
THEN the fields read back as written and exactly the planted finding appears.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document as NewDocx

from dossier.campaigns import get_campaign
from tests import docx_factory as make
from workers.extract.word.docx_reader import read_docx
from workers.extract.model import Table
from workers.extract.readers import ReadContext
from workers.extraction import extract_file

JINHUA = get_campaign("jinhua-2015")
YUEYANG = get_campaign("yueyang-2017")
MAXIMA = [it.max for it in YUEYANG.document("score_sheet").rubric.items]


def codes(result) -> set[tuple[str, str | None]]:
    return {(f.code, f.field) for f in result.findings}


def fields(result, kind: str) -> dict:
    for d in result.documents:
        if d.kind == kind:
            return {k: v.value for k, v in d.fields.items()}
    raise AssertionError(f"no {kind} in {[d.kind for d in result.documents]}")


class TestDocxReader:
    def test_merged_cells_resolved(self, tmp_path: Path) -> None:
        """gridSpan widens a cell and vMerge makes it taller; text is kept once."""
        path = make.jinhua_form(tmp_path / "f.docx")
        doc = read_docx(path, ReadContext(name="f.docx", format="docx"))
        table = next(doc.tables())
        group = next(c for c in table.cells if c.text.replace("\n", "") == "党组织书记情况")
        assert (group.rowspan, group.colspan) == (3, 1)
        org = table.at(0, 3)
        assert org is not None and org.text == make.JINHUA_VALUES["org_name"] and org.colspan == 3

    def test_seal_picture_in_its_cell(self, tmp_path: Path) -> None:
        """A picture in the 盖章 cell is attached to that cell only."""
        path = make.jinhua_form(tmp_path / "f.docx", seal=True)
        table = next(read_docx(path, ReadContext(name="f.docx", format="docx")).tables())
        with_pictures = [c for c in table.cells if c.pictures]
        assert len(with_pictures) == 1 and "情况属实" in with_pictures[0].text

    def test_page_break_starts_a_page(self, tmp_path: Path) -> None:
        """Text after a page break (the 附页) is on page 2."""
        path = make.jinhua_form(tmp_path / "f.docx", appendix="标题\n" + make.narrative(100))
        doc = read_docx(path, ReadContext(name="f.docx", format="docx"))
        assert doc.pages == 2
        last = doc.blocks[-1]
        assert not isinstance(last, Table) and last.page == 2


class TestJinhuaForm:
    def test_clean_form_reads_back(self, tmp_path: Path) -> None:
        """Every field of a clean 推荐表 reads back normalised, with no finding."""
        deeds = make.narrative(1000)
        r = extract_file(make.jinhua_form(tmp_path / "f.docx", {"deeds": deeds}), JINHUA)
        f = fields(r, "recommendation_form")
        assert f["star_rating"] == 4 and f["member_count"] == 45
        assert f["secretary.birth"] == "1972-05" and f["secretary.since"] == "2012-03"
        assert f["secretary.joined_party"] == "1995-07"
        assert f["opinion.submitting_org"] == "情况属实，同意推荐。"
        assert f["deeds"] == deeds
        assert r.documents[0].counts == {"deeds": 1000}
        assert r.findings == []
        assert r.file.method == "docx"

    def test_spaced_labels(self, tmp_path: Path) -> None:
        """Labels typed with spaces (党 组 织 名 称) are found as well."""
        r = extract_file(make.jinhua_form(tmp_path / "f.docx", {"deeds": make.narrative(1000)},
                                          spaced_labels=True), JINHUA)
        assert fields(r, "recommendation_form")["org_name"] == make.JINHUA_VALUES["org_name"]
        assert r.findings == []

    @pytest.mark.parametrize("values,expected", [
        ({"secretary.ethnicity": ""}, ("field.missing", "secretary.ethnicity")),
        ({"member_count": "无"}, ("field.missing", "member_count")),
        ({"star_rating": "三星级"}, ("eligibility.star_rating", "star_rating")),
        ({"unit_category": "企业"}, ("field.invalid", "unit_category")),
        ({"secretary.gender": "M"}, ("field.invalid", "secretary.gender")),
        ({"secretary.joined_party": "1960年5月"}, ("field.invalid", "secretary.joined_party")),
        ({"secretary.since": "1990.1"}, ("field.invalid", "secretary.since")),
        ({"secretary.birth": "不详"}, ("field.invalid", "secretary.birth")),
        ({"opinion.date": None}, ("date.missing", "opinion.submitting_org")),
    ])
    def test_one_defect_one_finding(self, tmp_path: Path, values: dict, expected: tuple) -> None:
        """Each planted defect gives its finding and nothing else."""
        r = extract_file(make.jinhua_form(tmp_path / "f.docx", {"deeds": make.narrative(1000), **values}), JINHUA)
        assert codes(r) == {expected}
        assert all(f.message and any("\u4e00" <= ch <= "\u9fff" for ch in f.message) for f in r.findings)

    def test_missing_seal(self, tmp_path: Path) -> None:
        """No picture in the 呈报单位 opinion cell: seal.missing on that field."""
        r = extract_file(make.jinhua_form(tmp_path / "f.docx", {"deeds": make.narrative(1000)}, seal=False), JINHUA)
        assert codes(r) == {("seal.missing", "opinion.submitting_org")}
        assert "呈报单位党组织意见" in r.findings[0].message

    def test_site_type_outside_the_list_is_a_warning(self, tmp_path: Path) -> None:
        """备注2 says 主要为…等: another 示范点类型 is a warning for the reviewer."""
        r = extract_file(make.jinhua_form(tmp_path / "f.docx", {"deeds": make.narrative(1000),
                                                                "site_type": "乡村振兴"}), JINHUA)
        assert [(f.code, f.severity) for f in r.findings] == [("field.invalid", "warning")]

    @pytest.mark.parametrize("n,finding", [(799, True), (800, False), (1200, False), (1201, True)])
    def test_about_1000_tolerance(self, tmp_path: Path, n: int, finding: bool) -> None:
        """约1000字: a warning outside 800–1200, counted by Word's rule."""
        r = extract_file(make.jinhua_form(tmp_path / "f.docx", {"deeds": make.narrative(n)}), JINHUA)
        assert r.documents[0].counts["deeds"] == n
        got = [f for f in r.findings if f.code == "length.out_of_range"]
        assert bool(got) is finding
        if got:
            assert got[0].severity == "warning" and "Microsoft Word 字数统计口径" in got[0].message

    def test_appendix_narrative(self, tmp_path: Path) -> None:
        """主要创建事迹 says 详见附页: the text after the page break is the narrative and is counted."""
        text = "某支部创建机关党建示范点事迹材料\n" + make.narrative(600)
        r = extract_file(make.jinhua_form(tmp_path / "f.docx", appendix=text), JINHUA)
        assert fields(r, "recommendation_form")["deeds"] == "详见附页"
        assert fields(r, "narrative")["text"] == text.replace("\n", "")
        assert codes(r) == {("length.out_of_range", "text")}


class TestYueyangForm:
    def test_clean_form_and_sheet(self, tmp_path: Path) -> None:
        """申报表 + 评分细则 with correct sums: all values, no finding."""
        r = extract_file(make.yueyang_form(tmp_path / "y.docx", {"material": make.narrative(1400)},
                                           scores=MAXIMA, total=100), YUEYANG)
        f = fields(r, "application_form")
        assert f["lead.name"] == "汪卫东" and f["lead.phone"] == "15982132044"
        assert (f["contact.name"], f["contact.title"], f["contact.phone"]) == ("阎亚萍", "办公室副主任", "0730-8180410")
        assert f["application_date"] == "2017-04-20" and f["member_count"] == 31
        s = fields(r, "score_sheet")
        assert s["rubric.1.1"] == 4 and s["rubric.6.4"] == 4 and s["rubric.total"] == 100
        assert r.findings == []

    def test_hard_limit(self, tmp_path: Path) -> None:
        """不超过1500字 is a hard limit: 1501 is an error, 1500 is fine."""
        ok = extract_file(make.yueyang_form(tmp_path / "a.docx", {"material": make.narrative(1500)}), YUEYANG)
        over = extract_file(make.yueyang_form(tmp_path / "b.docx", {"material": make.narrative(1501)}), YUEYANG)
        assert codes(ok) == set()
        assert codes(over) == {("length.over_limit", "material")}
        assert over.findings[0].severity == "error"

    def test_material_on_appendix(self, tmp_path: Path) -> None:
        """申报创建材料 says 见附页: the 附页 text is the material."""
        r = extract_file(make.yueyang_form(tmp_path / "y.docx", appendix="标题\n" + make.narrative(1000)), YUEYANG)
        assert r.documents[0].counts["material"] == 1002
        assert codes(r) == set()

    def test_seals_and_phone(self, tmp_path: Path) -> None:
        """No 公章 on 申报单位, no 签章 on the opinion, a phone with too few digits."""
        r = extract_file(make.yueyang_form(tmp_path / "y.docx", {"contact": "阎亚萍\n干事\n0730-80647"},
                                           seal=False, unit_seal=False), YUEYANG)
        assert codes(r) == {("seal.missing", "applicant_unit"), ("seal.missing", "opinion.party_group"),
                            ("field.invalid", "contact.phone")}

    def test_rubric_checks(self, tmp_path: Path) -> None:
        """A score above its item's maximum, a blank score, and a 合计 that does not add up."""
        scores: list = list(MAXIMA)
        scores[5] = 3.5          # rubric.1.6 is worth 3
        scores[18] = ""          # rubric.4.3 left blank
        r = extract_file(make.yueyang_form(tmp_path / "y.docx", scores=scores, total=100), YUEYANG)
        assert codes(r) == {("rubric.over_max", "rubric.1.6"), ("field.missing", "rubric.4.3"),
                            ("rubric.total_mismatch", "rubric.total")}

    def test_half_points_add_up(self, tmp_path: Path) -> None:
        """Halves are allowed and a correct 合计 gives no finding."""
        scores = [m - 0.5 for m in MAXIMA]
        r = extract_file(make.score_sheet(tmp_path / "s.docx", scores, total=100 - 14), YUEYANG)
        assert codes(r) == set()
        assert fields(r, "score_sheet")["rubric.3.2"] == 6.5


class TestBadInput:
    def test_empty_file(self, tmp_path: Path) -> None:
        """An empty file is unreadable, said in Chinese."""
        p = tmp_path / "空.docx"
        p.write_bytes(b"")
        r = extract_file(p, JINHUA)
        assert not r.readable and codes(r) == {("file.unreadable", None)}

    def test_exe_renamed(self, tmp_path: Path) -> None:
        """A Windows program renamed .docx is not a document."""
        p = tmp_path / "form.docx"
        p.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
        assert codes(extract_file(p, JINHUA)) == {("file.unsupported", None)}

    def test_zip_bomb(self, tmp_path: Path) -> None:
        """A member that inflates past the limit is refused before it is inflated."""
        from dossier.settings import Settings
        src = make.jinhua_form(tmp_path / "f.docx")
        bomb = tmp_path / "bomb.docx"
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                zout.writestr(item, zin.read(item.filename))
            zout.writestr("word/media/huge.bin", b"\0" * (3 * 1024 * 1024))
        ctx = ReadContext(name="bomb.docx", format="docx", settings=Settings(max_unzipped_bytes=1024 * 1024))
        r = extract_file(bomb, JINHUA, ctx=ctx)
        assert codes(r) == {("file.unreadable", None)} and "压缩炸弹" in r.findings[0].message

    def test_damaged_zip(self, tmp_path: Path) -> None:
        """A truncated .docx is unreadable, not a crash."""
        data = make.jinhua_form(tmp_path / "f.docx").read_bytes()
        p = tmp_path / "broken.docx"
        p.write_bytes(data[: len(data) // 2])
        assert codes(extract_file(p, JINHUA)) == {("file.unreadable", None)}

    def test_word_file_with_no_form(self, tmp_path: Path) -> None:
        """A Word file that holds neither form nor material: form.unrecognised."""
        d = NewDocx()
        d.add_paragraph("会议通知：请于周五下午三点到会议室开会。")
        p = tmp_path / "other.docx"
        d.save(p)
        assert codes(extract_file(p, YUEYANG)) == {("form.unrecognised", None)}

    def test_nested_table_text_kept(self, tmp_path: Path) -> None:
        """A docx with a nested table in a value cell still reads (its text is kept)."""
        path = make.jinhua_form(tmp_path / "f.docx", {"deeds": make.narrative(1000)})
        d = NewDocx(str(path))
        cell = d.tables[0].cell(5, 1)
        inner = cell.add_table(rows=1, cols=2)
        inner.cell(0, 0).text = "2014年"
        inner.cell(0, 1).text = "先进集体"
        buf = io.BytesIO()
        d.save(buf)
        p = tmp_path / "nested.docx"
        p.write_bytes(buf.getvalue())
        assert "先进集体" in fields(extract_file(p, JINHUA), "recommendation_form")["honors"]


class TestNarrativeFile:
    def test_narrative_in_its_own_file(self, tmp_path: Path) -> None:
        """A Word file holding only the 创建事迹介绍材料 is the narrative, counted whole."""
        d = NewDocx()
        d.add_paragraph("附件2：")
        d.add_paragraph("某支部创建机关党建示范点事迹材料")
        body = make.narrative(1300)
        for k in range(0, 1300, 260):
            d.add_paragraph(body[k:k + 260])
        d.add_paragraph("- 1 -")
        p = tmp_path / "事迹.docx"
        d.save(p)
        r = extract_file(p, JINHUA)
        assert [doc.kind for doc in r.documents] == ["narrative"]
        assert fields(r, "narrative")["text"] == "某支部创建机关党建示范点事迹材料" + body
        assert r.documents[0].counts == {"text": 16 + 1300}
        assert codes(r) == {("length.out_of_range", "text")}


class TestOtherLayouts:
    def test_values_below_a_header_row(self, tmp_path: Path) -> None:
        """Labels in one row and their values in the row below are read as pairs."""
        d = NewDocx()
        d.add_paragraph("市县机关党建示范点推荐表")
        d.add_paragraph("填报单位：中共某市直属机关工作委员会")
        t = d.add_table(rows=4, cols=4)
        rows = [("党组织名称", "所在单位类别", "评定星级", "党员人数"),
                ("中共某局机关支部委员会", "机关", "四星级", "30"),
                ("姓名", "性别", "出生年月", "民族"),
                ("李明", "女", "1980年3月", "汉族")]
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
        p = tmp_path / "header.docx"
        d.save(p)
        f = fields(extract_file(p, JINHUA), "recommendation_form")
        assert (f["org_name"], f["unit_category"], f["star_rating"], f["member_count"]) == (
            "中共某局机关支部委员会", "机关", 4, 30)
        assert (f["secretary.name"], f["secretary.gender"], f["secretary.birth"], f["secretary.ethnicity"]) == (
            "李明", "女", "1980-03", "汉族")
