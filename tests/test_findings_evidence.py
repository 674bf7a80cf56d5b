"""A unit is not told about an error its form does not have: findings on weak evidence are
warnings for the reviewer (evidence "weak"), findings on strong evidence stay errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from dossier.campaigns import DocumentSpec, get_campaign
from tests import docx_factory as make
from workers.checks.document import check_document
from workers.checks.evidence import FORM_CONFIDENT, for_reviewer
from workers.forms.labels import label_key
from workers.extraction import extract_file
from workers.results import ExtractedDocument, FieldValue, Finding, Mark

JINHUA = get_campaign("jinhua-2015")
YUEYANG = get_campaign("yueyang-2017")
FORM = JINHUA.document("recommendation_form")
APPLICATION = YUEYANG.document("application_form")
SCORES = YUEYANG.document("score_sheet")

GOOD = {"filing_unit": "中共金华市直属机关工作委员会", "org_name": "中共金华市财政局机关支部委员会",
        "unit_category": "机关", "star_rating": 4, "site_type": "服务民生关爱群众", "member_count": 45,
        "secretary.name": "王建国", "secretary.gender": "男", "secretary.birth": "1972-05",
        "secretary.ethnicity": "汉族", "secretary.education": "大学", "secretary.position": "副局长",
        "secretary.joined_party": "1995-07", "secretary.since": "2012-03", "honors": "",
        "deeds": "见附页", "opinion.submitting_org": "同意推荐。"}


def form(changes: dict[str, object] | None = None, *, confidence: dict[str, float] | None = None,
         not_located: tuple[str, ...] = (), marks: list[Mark] | None = None) -> ExtractedDocument:
    """A 推荐表 as read: every field's label found and its value good, except what the test changes."""
    doc = ExtractedDocument(kind=FORM.kind)
    values = {**GOOD, **(changes or {})}
    for f in FORM.leaf_fields():
        fv = FieldValue(value=values.get(f.key, ""), confidence=(confidence or {}).get(f.key, 1.0), label=f.label)
        if f.key in not_located:
            fv.extra["located"] = False
        doc.fields[f.key] = fv
    doc.marks = marks if marks is not None else [
        Mark(field="opinion.submitting_org", kind="seal", present=True),
        Mark(field="opinion.submitting_org", kind="date", present=True, value="2015-11-05")]
    return doc


def only(findings: list[Finding], code: str, field: str | None = None) -> Finding:
    hits = [f for f in findings if f.code == code and (field is None or f.field == field)]
    assert len(hits) == 1, [(f.code, f.field) for f in findings]
    return hits[0]


def is_weak(f: Finding) -> bool:
    return f.severity == "warning" and f.to_json().get("evidence") == "weak"


class TestStrongEvidenceStaysAnError:
    def test_empty_cell_in_a_word_form(self) -> None:
        """民族 found on a Word form, its cell empty: an error for the unit, as before."""
        f = only(check_document(form({"secretary.ethnicity": ""}), FORM, method="docx"), "field.missing")
        assert f.severity == "error" and "evidence" not in f.to_json()
        assert "请填写后重新上传" in f.message

    def test_invalid_value_read_clearly_from_a_scan(self) -> None:
        """A confidently read value that breaks its rule is an error even on a scan."""
        doc = form({"member_count": "若干"}, confidence={"member_count": 0.97})
        assert only(check_document(doc, FORM, method="ocr"), "field.invalid").severity == "error"

    def test_no_seal_on_a_word_form(self) -> None:
        """No seal anywhere in a Word file: seal.missing is an error."""
        doc = form(marks=[Mark(field="opinion.submitting_org", kind="seal", present=False)])
        assert only(check_document(doc, FORM, method="docx"), "seal.missing").severity == "error"

    def test_word_count_over_the_limit(self) -> None:
        """字数 counted from a Word file over 不超过 1500 is an error, however close."""
        doc = ExtractedDocument(kind=APPLICATION.kind, fields={"material": FieldValue("文" * 1510)},
                                counts={"material": 1510})
        assert only(check_document(doc, APPLICATION, method="docx"), "length.over_limit").severity == "error"


class TestWeakEvidenceAsksTheReviewer:
    def test_label_not_found(self) -> None:
        """A value missing because its label was never found is the reader's doubt, not the unit's error."""
        f = only(check_document(form({"secretary.ethnicity": ""}, not_located=("secretary.ethnicity",)), FORM,
                                method="docx"), "field.missing")
        assert is_weak(f)
        assert "原件" in f.message and "重新上传" not in f.message

    def test_label_in_the_file_but_not_read(self) -> None:
        """GIVEN a Word file whose 民族 label the locator did not find, though the label is in the
        file's text (a layout the reading did not follow) THEN its value was not read: field.unread
        for the reviewer; with the label nowhere in the file it is missing, as the form says."""
        doc = form({"secretary.ethnicity": ""}, not_located=("secretary.ethnicity",))
        printed = label_key("姓 名 王建国 民 族 汉族 学历 大学")
        f = only(check_document(doc, FORM, method="docx", printed=printed), "field.unread")
        assert is_weak(f) and f.to_json()["checked"] == "field.missing"
        absent = label_key("姓 名 王建国 学历 大学")
        assert is_weak(only(check_document(doc, FORM, method="docx", printed=absent), "field.missing"))

    def test_label_not_found_on_a_print(self) -> None:
        """On a print the label may be there unseen: the finding says the value was not read, not
        that it is missing, and names the check that raised it."""
        f = only(check_document(form({"secretary.ethnicity": ""}, not_located=("secretary.ethnicity",)), FORM,
                                method="pdf-text"), "field.unread")
        assert is_weak(f) and f.to_json()["checked"] == "field.missing"
        assert "「民族」未能从文件中读出" in f.message and "未填写" not in f.message

    def test_layout_not_understood(self) -> None:
        """When few of the form's labels were found, an empty value found is weak too."""
        keys = [f.key for f in FORM.leaf_fields()]
        lost = tuple(k for k in keys if k != "secretary.ethnicity")[: int(len(keys) * (1 - FORM_CONFIDENT)) + 2]
        doc = form({"secretary.ethnicity": ""}, not_located=lost)
        assert is_weak(only(check_document(doc, FORM, method="ocr"), "field.unread", "secretary.ethnicity"))

    def test_empty_value_on_an_illegible_scan(self) -> None:
        """An empty 民族 on a scan whose other values were read with low confidence: faint writing may
        have been missed, so weak; on a legible scan the same empty cell is an error."""
        blurred = form({"secretary.ethnicity": ""}, confidence={k: 0.6 for k in GOOD if k != "secretary.ethnicity"})
        assert is_weak(only(check_document(blurred, FORM, method="ocr"), "field.unread"))
        clear = form({"secretary.ethnicity": ""}, confidence={k: 0.95 for k in GOOD})
        assert only(check_document(clear, FORM, method="ocr"), "field.missing").severity == "error"

    def test_low_confidence_value(self) -> None:
        """An OCR value read with low confidence that breaks its rule (a 5 read as S) is weak."""
        doc = form({"member_count": "4S"}, confidence={"member_count": 0.55})
        f = only(check_document(doc, FORM, method="ocr", low_confidence=0.8), "field.uncertain")
        assert is_weak(f) and "55%" in f.message and "“4S”" in f.message

    @pytest.mark.parametrize("value,title", [("1875043", "办公室主任及0719"), ("0730-51", "综合科科长43534"),
                                             ("135 0579", "0000办公室主任")])
    def test_a_phone_cut_where_it_wrapped(self, value: str, title: str) -> None:
        """A phone read from a scan that is a number's first line only (a mobile's first seven
        digits, an area code and two more) while its rest was read into the next field: the number
        wrapped in a narrow cell.  The reviewer is asked; from a .docx's or a text PDF's own text it
        is the unit's error, and so is a short number with no rest anywhere."""
        good = {"applicant_unit": "岳阳市财政局", "application_date": "2017-04-10", "unit_name": "中共岳阳市财政局机关支部委员会",
                "org_type": "机关党支部", "leadership": "书记1名、委员3名", "org_structure": "1个党支部",
                "last_year_rating": "好", "member_count": 40, "lead.name": "李明", "lead.phone": "13907301234",
                "contact.name": "王芳", "contact.title": title, "contact.phone": value,
                "material": "我们坚持党建引领。" * 120, "opinion.party_group": "同意推荐。"}
        doc = ExtractedDocument(kind=APPLICATION.kind, counts={"material": 1080},
                                fields={f.key: FieldValue(value=good.get(f.key, ""), confidence=0.95, label=f.label)
                                        for f in APPLICATION.leaf_fields()})
        doc.marks = [Mark(field="opinion.party_group", kind="seal", present=True),
                     Mark(field="opinion.party_group", kind="date", present=True, value="2017-04-10")]
        f = only(check_document(doc, APPLICATION, method="ocr"), "field.uncertain", "contact.phone")
        assert is_weak(f) and "折行" in f.message
        for method in ("docx", "pdf-text"):
            assert only(check_document(doc, APPLICATION, method=method), "field.invalid",
                        "contact.phone").severity == "error"
        doc.fields["contact.title"] = FieldValue(value="办公室主任", confidence=0.95, label="联络人职务")
        assert only(check_document(doc, APPLICATION, method="ocr"), "field.invalid", "contact.phone").severity == "error"

    @pytest.mark.parametrize("value", ["姓名", "性 别", "民族"])
    def test_printed_word_read_as_the_value(self, value: str) -> None:
        """A value that is a word printed on the form (a nested 姓名|性别 head) was misread: weak."""
        f = only(check_document(form({"secretary.gender": value}), FORM, method="docx"), "field.uncertain")
        assert is_weak(f)

    def test_order_of_dates_with_a_doubtful_date(self) -> None:
        """入党时间 before 出生年月 when the birth date was read with low confidence: weak."""
        doc = form({"secretary.birth": "1996-05"}, confidence={"secretary.birth": 0.5})
        f = only(check_document(doc, FORM, method="ocr"), "field.uncertain", "secretary.joined_party")
        assert is_weak(f)

    def test_seal_not_seen_on_a_poor_scan(self) -> None:
        """A seal not seen where the opinion was read with low confidence: weak."""
        doc = form(confidence={"opinion.submitting_org": 0.6},
                   marks=[Mark(field="opinion.submitting_org", kind="seal", present=False)])
        assert is_weak(only(check_document(doc, FORM, method="ocr"), "seal.uncertain"))

    def test_seal_not_seen_on_an_illegible_scan(self) -> None:
        """On a scan whose values were mostly read with low confidence, a seal not seen proves little;
        on a legible one it is an error."""
        marks = [Mark(field="opinion.submitting_org", kind="seal", present=False)]
        blurred = form(confidence={**{k: 0.6 for k in GOOD}, "opinion.submitting_org": 0.95}, marks=marks)
        assert is_weak(only(check_document(blurred, FORM, method="ocr"), "seal.uncertain"))
        clear = form(confidence={k: 0.95 for k in GOOD}, marks=marks)
        assert only(check_document(clear, FORM, method="ocr"), "seal.missing").severity == "error"

    @pytest.mark.parametrize("method", ["docx", "pdf-text", "ocr"])
    def test_seal_elsewhere_in_the_file(self, method: str) -> None:
        """A floating picture no field took may be the seal: seal.missing is weak in every format."""
        doc = form(marks=[Mark(field="opinion.submitting_org", kind="seal", present=False)])
        assert is_weak(only(check_document(doc, FORM, method=method, loose_seals=1), "seal.uncertain"))

    def test_mark_of_a_field_not_found(self) -> None:
        """A date or seal looked for beside a field whose label was never found proves nothing: weak."""
        doc = form({"opinion.submitting_org": ""}, not_located=("opinion.submitting_org",),
                   marks=[Mark(field="opinion.submitting_org", kind="date", present=False)])
        assert is_weak(only(check_document(doc, FORM, method="docx"), "date.missing"))

    def test_date_under_a_seal_on_a_scan(self) -> None:
        """A 年 月 日 line not read where a seal was stamped over it: weak on a scan, an error in Word."""
        marks = [Mark(field="opinion.submitting_org", kind="seal", present=True),
                 Mark(field="opinion.submitting_org", kind="date", present=False)]
        # nothing was seen that the reading failed on: the claim stays date.missing, for the reviewer
        assert is_weak(only(check_document(form(marks=marks), FORM, method="ocr"), "date.missing"))
        assert only(check_document(form(marks=marks), FORM, method="docx"), "date.missing").severity == "error"

    def test_ocr_count_close_to_the_limit(self) -> None:
        """字数 from OCR just over the limit may be on either side of it: weak; far over it: an error."""
        def doc(n: int) -> ExtractedDocument:
            return ExtractedDocument(kind=APPLICATION.kind, fields={"material": FieldValue("文" * n, 0.95)},
                                     counts={"material": n})
        assert is_weak(only(check_document(doc(1530), APPLICATION, method="ocr"), "length.over_limit"))
        assert only(check_document(doc(1900), APPLICATION, method="ocr"), "length.over_limit").severity == "error"

    def test_total_with_an_item_not_found(self) -> None:
        """合计 against a sum that lacks an item not found on the sheet: weak."""
        doc = ExtractedDocument(kind=SCORES.kind)
        for i, item in enumerate(SCORES.rubric.items):
            found = i != 3
            doc.fields[item.key] = FieldValue(item.max if found else None, label=item.text,
                                              extra={"max": item.max, "self_score": item.max if found else None,
                                                     **({} if found else {"found": False})})
        doc.fields["rubric.total"] = FieldValue(100)
        findings = check_document(doc, SCORES, method="docx")
        assert is_weak(only(findings, "rubric.total_mismatch"))
        assert is_weak(only(findings, "field.missing", SCORES.rubric.items[3].key))
        # on a print or a scan the row not found is the reading's: no mismatch is claimed at all
        for method in ("pdf-text", "ocr"):
            findings = check_document(doc, SCORES, method=method)
            f = only(findings, "rubric.uncertain", "rubric.total")
            assert is_weak(f) and f.extra["checked"] == "rubric.total_mismatch" and "合计无法核对" in f.message
            assert not [g for g in findings if g.code == "rubric.total_mismatch"]


def _sheet(scores: dict[int, object], printed: dict[int, object] | None = None) -> ExtractedDocument:
    """A 评分细则 as read: every item at its maximum but `scores`; `printed`: the 分值 read on a row
    where it is not the item's."""
    doc = ExtractedDocument(kind=SCORES.kind)
    for i, item in enumerate(SCORES.rubric.items):
        v = scores.get(i, item.max)
        doc.fields[item.key] = FieldValue(v, label=item.text, extra={"max": item.max, "self_score": v})
        if printed and i in printed:
            doc.fields[item.key].extra["printed_max"] = printed[i]
    doc.fields["rubric.total"] = FieldValue(sum(item.max for item in SCORES.rubric.items))   # as the unit added
    return doc


class TestAScoreSheetRowMisread:
    """A score sheet's printed 分值 checks the reading of its row: two rows read as one (4 over 3 in
    one cell, read 43) give a score far above the item's maximum, and a unit told to lower a score
    it wrote right."""

    @pytest.mark.parametrize("method", ["pdf-text", "ocr"])
    def test_a_score_on_a_row_whose_printed_maximum_is_not_the_items(self, method: str) -> None:
        item = SCORES.rubric.items[4]
        doc = _sheet({4: 43}, printed={4: 43})
        f = only(check_document(doc, SCORES, method=method), "field.uncertain", item.key)
        assert is_weak(f) and f.extra["checked"] == "rubric.over_max"
        assert "43" in f.message and "两行读成了一行" in f.message and "请更正" not in f.message
        total = only(check_document(doc, SCORES, method=method), "rubric.uncertain", "rubric.total")
        assert "印的分值与条目不符" in total.extra["reason"]

    def test_a_score_above_its_maximum_on_a_row_read_right_is_the_units_error(self) -> None:
        item = SCORES.rubric.items[4]
        f = only(check_document(_sheet({4: item.max + 1}), SCORES, method="ocr"), "rubric.over_max", item.key)
        assert f.severity == "error" and "evidence" not in f.to_json()


class TestContract:
    def test_codes_unchanged(self) -> None:
        """A label absent from a Word file's structure is the form's doing: the weak finding keeps its
        contract code and field; only severity and message change."""
        doc = form({"secretary.ethnicity": ""}, not_located=("secretary.ethnicity",))
        f = only(check_document(doc, FORM, method="docx"), "field.missing")
        assert (f.code, f.field) == ("field.missing", "secretary.ethnicity")
        assert f.to_json()["reason"]

    @pytest.mark.parametrize("method", ["pdf-text", "ocr"])
    def test_a_doubt_claims_no_error(self, method: str) -> None:
        """Where the doubt is the reading's, no contract error code is claimed: nothing a unit would be
        told it lacks, nothing an error count adds up; the doubt's code says what is known."""
        keys = [f.key for f in FORM.leaf_fields()]
        lost = tuple(k for k in keys if k not in ("secretary.ethnicity", "member_count"))[:10]
        doc = form({"secretary.ethnicity": "", "member_count": "4S"}, not_located=lost)
        got = {(f.code, f.field) for f in check_document(doc, FORM, method=method)}
        assert {("field.unread", "secretary.ethnicity"), ("field.uncertain", "member_count")} <= got
        assert not {c for c, _f in got} & {"field.missing", "field.invalid"}

    def test_reviewer_message(self) -> None:
        """The message keeps what was found, drops what the unit was told to do, asks for the original."""
        msg = for_reviewer("推荐表中「党员人数」填写为“4S”，应为正整数（如 52）。请更正。", "识别可信度较低")
        assert "4S" in msg and "请更正" not in msg and "对照原件" in msg

    def test_stored_with_the_finding(self, tmp_path: Path) -> None:
        """GIVEN a Word form whose 民族 row is gone WHEN it is extracted THEN the missing 民族 is a weak
        warning in the result JSON (what the database row's extra keeps), and an empty 学历 cell stays an error."""
        from docx import Document as Docx
        path = make.jinhua_form(tmp_path / "f.docx", {"secretary.education": ""})
        d = Docx(path)
        for t in d.tables:
            for row in t.rows:
                for cell in row.cells:
                    if cell.text.strip() == "民族":
                        for p in cell.paragraphs:
                            for r in p.runs:
                                r.text = ""
        d.save(path)
        out = extract_file(path, JINHUA).to_json()["findings"]
        ethnicity = [f for f in out if f["code"] == "field.missing" and f["field"] == "secretary.ethnicity"]
        education = [f for f in out if f["code"] == "field.missing" and f["field"] == "secretary.education"]
        assert ethnicity and ethnicity[0]["severity"] == "warning" and ethnicity[0]["evidence"] == "weak"
        assert education and education[0]["severity"] == "error" and "evidence" not in education[0]


def test_spec_is_a_document_spec() -> None:
    """The campaigns these tests use are the shipped ones."""
    assert isinstance(FORM, DocumentSpec) and SCORES.rubric is not None


def _floating_seal_under_the_table(path: Path) -> None:
    """Add the unit's 公章 as a picture placed by position (wp:anchor) in a paragraph under the form's
    table, as units drag a scanned seal over the opinion cell."""
    import io

    from docx import Document as Docx
    from docx.oxml import parse_xml
    from docx.shared import Cm
    d = Docx(path)
    run = d.add_paragraph().add_run()
    run.add_picture(io.BytesIO(make.seal_png()), width=Cm(3.5))
    inline = run._r.find(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}inline")
    wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    anchor = parse_xml(
        f'<wp:anchor xmlns:wp="{wp}" distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="3" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>1270000</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>-2540000</wp:posOffset></wp:positionV></wp:anchor>')
    children = list(inline)
    anchor.append(children[0])                      # wp:extent
    anchor.append(parse_xml(f'<wp:wrapNone xmlns:wp="{wp}"/>'))
    for child in children[1:]:
        if not child.tag.endswith("effectExtent"):
            anchor.append(child)                    # docPr, cNvGraphicFramePr, graphic
    inline.getparent().replace(inline, anchor)
    d.save(path)


class TestFloatingSealInWord:
    def test_seal_placed_by_position_is_not_an_error(self, tmp_path: Path) -> None:
        """GIVEN a Word form whose 公章 floats over the page from a paragraph under the table WHEN it is
        extracted THEN the seal is uncertain, a weak warning (the reviewer looks), not an error for the unit."""
        path = make.jinhua_form(tmp_path / "f.docx", seal=False)
        _floating_seal_under_the_table(path)
        out = extract_file(path, JINHUA).to_json()["findings"]
        assert not [f for f in out if f["code"] == "seal.missing"]
        seal = [f for f in out if f["code"] == "seal.uncertain"]
        assert seal and seal[0]["severity"] == "warning" and seal[0]["evidence"] == "weak"

    def test_no_seal_anywhere_is_an_error(self, tmp_path: Path) -> None:
        """The same form with no picture at all: seal.missing stays an error."""
        path = make.jinhua_form(tmp_path / "f.docx", seal=False)
        out = extract_file(path, JINHUA).to_json()["findings"]
        seal = [f for f in out if f["code"] == "seal.missing"]
        assert seal and seal[0]["severity"] == "error"

    @pytest.mark.parametrize("geometry", ["rect", "line"])
    def test_a_drawn_box_or_rule_is_no_seal(self, tmp_path: Path, geometry: str) -> None:
        """GIVEN the form with a rectangle or a rule drawn over the page (a converter's frame, an HTML
        page's border) and no picture THEN nothing there may be a seal: seal.missing stays an error."""
        from docx import Document as Docx
        from docx.oxml import parse_xml
        path = make.jinhua_form(tmp_path / "f.docx", seal=False)
        d = Docx(path)
        ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
              'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
              'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
              'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')
        d.add_paragraph().add_run()._r.append(parse_xml(
            f'<w:drawing {ns}><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
            'relativeHeight="2" behindDoc="1" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
            '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
            '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
            '<wp:extent cx="5400000" cy="360000"/><wp:wrapNone/><wp:docPr id="99" name="box"/>'
            '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f'<wps:wsp><wps:spPr><a:prstGeom prst="{geometry}"><a:avLst/></a:prstGeom></wps:spPr>'
            '<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'))
        d.save(path)
        out = extract_file(path, JINHUA).to_json()["findings"]
        assert [(f["code"], f["severity"]) for f in out if f["field"] == "opinion.submitting_org"] == \
            [("seal.missing", "error")]


class TestAMixUpOnAPrint:
    """On a print or a scan a value that breaks its rule may be two cells read as one: the reviewer
    is asked (field.uncertain); the same value typed in a .docx is the unit's."""

    @pytest.mark.parametrize("method", ["pdf-text", "ocr"])
    def test_a_value_holding_the_next_label(self, method: str) -> None:
        doc = form({"secretary.joined_party": "1988/1担任书记1992/5时间"})
        f = only(check_document(doc, FORM, method=method), "field.uncertain", "secretary.joined_party")
        assert is_weak(f) and "其他栏目的名称" in f.extra["reason"]
        assert only(check_document(doc, FORM, method="docx"), "field.invalid").severity == "error"

    @pytest.mark.parametrize("method", ["converted", "pdf-text", "ocr"])
    def test_labels_and_values_run_together(self, method: str) -> None:
        """GIVEN a value that holds another field's label with a value run into it (服务民生关爱群众：
        党员45人人数, text boxes placed over label lines and merged by a conversion) THEN the reading
        mixed labels and values: a blank elsewhere on the form is not read, not missing; in a .docx
        the same blank is the unit's."""
        doc = form({"site_type": "服务民生关爱群众：党员45人人数", "secretary.name": ""})
        f = only(check_document(doc, FORM, method=method), "field.unread", "secretary.name")
        assert "混有其他栏目的名称" in f.extra["reason"]
        assert only(check_document(doc, FORM, method="docx"), "field.missing").severity == "error"

    def test_a_value_with_words_of_a_label_by_chance(self) -> None:
        """A value that only shares a word with a label (党员 in 党员之家) mixes nothing up."""
        doc = form({"site_type": "党员之家服务站", "secretary.name": ""})
        assert only(check_document(doc, FORM, method="pdf-text"), "field.missing").severity == "error"

    def test_an_opinion_in_words_of_a_label(self) -> None:
        """An opinion is written in sentences: 同意推荐申报创建… holds 申报创建 as words, not a label."""
        doc = ExtractedDocument(kind=APPLICATION.kind)
        for f in APPLICATION.leaf_fields():
            doc.fields[f.key] = FieldValue(value="", label=f.label)
        doc.fields["opinion.party_group"] = FieldValue(value="同意推荐申报创建基层党建示范单位。")
        f = only(check_document(doc, APPLICATION, method="pdf-text"), "field.missing", "unit_name")
        assert f.severity == "error"

    def test_the_parts_of_one_cell_share_its_text(self) -> None:
        """联络人's name, title and phone are read from one cell's text: that is no mix-up, and a bad
        phone there is the unit's."""
        doc = ExtractedDocument(kind=APPLICATION.kind)
        for f in APPLICATION.leaf_fields():
            doc.fields[f.key] = FieldValue(value="x", label=f.label)
        raw = "邓海燕，政工科科长，电话：0730-80647"
        for key, value in (("contact.name", "邓海燕"), ("contact.title", "政工科科长"), ("contact.phone", "0730-80647")):
            doc.fields[key] = FieldValue(value=value, raw=raw, label=key)
        f = only(check_document(doc, APPLICATION, method="pdf-text"), "field.invalid", "contact.phone")
        assert f.severity == "error"

    @pytest.mark.parametrize("value", ["月", "年十二月"])
    def test_only_a_dates_units(self, value: str) -> None:
        """A date read as its units alone, or with nothing before its 年: the figures were lost."""
        doc = form({"secretary.birth": value})
        assert is_weak(only(check_document(doc, FORM, method="ocr"), "field.uncertain", "secretary.birth"))

    def test_a_date_without_its_year_written_so_is_the_units(self) -> None:
        """十二月 with no year at all was written so: the unit's to fix."""
        doc = form({"secretary.birth": "十二月"})
        assert only(check_document(doc, FORM, method="ocr"), "field.invalid", "secretary.birth").severity == "error"

    def test_two_fields_read_the_same_text(self) -> None:
        """入党时间 read as the very text of 担任书记时间: the order of dates proves nothing."""
        doc = form({"secretary.joined_party": "2012-01", "secretary.since": "2012-01"})
        doc.fields["secretary.joined_party"].raw = doc.fields["secretary.since"].raw = "2012年1月"
        f = only(check_document(doc, FORM, method="ocr"), "field.uncertain", "secretary.since")
        assert "完全相同" in f.extra["reason"]
        doc.fields["secretary.joined_party"].raw = "2012.1"     # written apart: the unit's own dates
        assert only(check_document(doc, FORM, method="ocr"), "field.invalid").severity == "error"


class TestCutOffInPrint:
    """A frame or a table run past the page's edge is cut there in print: what was cut is not in
    the file, so a blank or a short text on that page may be the print's doing."""

    def test_a_blank_on_a_page_cut_off_is_for_the_reviewer(self) -> None:
        f = only(check_document(form({"secretary.ethnicity": ""}), FORM, method="pdf-text", offpage={1: 36}),
                 "field.unread", "secretary.ethnicity")
        assert is_weak(f) and f.extra["checked"] == "field.missing" and "页面之外" in f.extra["reason"]

    def test_a_blank_on_another_page_is_still_the_units_error(self) -> None:
        doc = form({"secretary.ethnicity": ""})
        doc.fields["secretary.ethnicity"].page = 2
        f = only(check_document(doc, FORM, method="pdf-text", offpage={1: 36}), "field.missing", "secretary.ethnicity")
        assert f.severity == "error"

    def test_a_text_cut_off_has_no_count_to_check(self) -> None:
        doc = form({"deeds": "我们坚持党建引领。" * 20})
        doc.counts["deeds"] = 180
        f = only(check_document(doc, FORM, method="pdf-text", offpage={1: 11}), "length.uncertain", "deeds")
        assert is_weak(f) and f.extra["checked"] == "length.out_of_range"
        # the same count on a print with nothing cut keeps its claim
        assert "evidence" not in only(check_document(doc, FORM, method="pdf-text"), "length.out_of_range",
                                      "deeds").to_json()

    def test_a_value_read_whole_keeps_its_claim(self) -> None:
        """A star rating read clearly is no blank: being on a cut page says nothing against it."""
        f = only(check_document(form({"star_rating": 3}), FORM, method="pdf-text", offpage={1: 11}),
                 "eligibility.star_rating")
        assert "evidence" not in f.to_json()


class TestASubTableReadAcross:
    """A compound cell's little table (联络人: 姓名 | 职务 | 电话 over the values) squeezed into a
    narrow cell is read across on a print or a scan: its header's characters land in the values."""

    def _read(self, parts: dict[str, str]) -> ExtractedDocument:
        doc = ExtractedDocument(kind=APPLICATION.kind)
        for f in APPLICATION.leaf_fields():
            doc.fields[f.key] = FieldValue(parts.get(f.key, "1" if f.type in ("count", "int") else "某某"),
                                           label=f.label)
        return doc

    @pytest.mark.parametrize("method", ["pdf-text", "ocr"])
    def test_a_blank_part_beside_header_scraps_is_a_doubt(self, method: str) -> None:
        doc = self._read({"contact.name": "姓职", "contact.title": "务话董东办公室副主任", "contact.phone": ""})
        f = only(check_document(doc, APPLICATION, method=method), "field.unread", "contact.phone")
        assert is_weak(f) and "表头" in f.extra["reason"]

    def test_in_a_word_file_it_is_what_the_unit_typed(self) -> None:
        doc = self._read({"contact.name": "姓职", "contact.title": "务话董东办公室副主任", "contact.phone": ""})
        assert only(check_document(doc, APPLICATION, method="docx"), "field.missing", "contact.phone").severity == "error"

    def test_a_blank_part_beside_plain_values_is_the_units_error(self) -> None:
        doc = self._read({"contact.name": "董东", "contact.title": "办公室副主任", "contact.phone": ""})
        assert only(check_document(doc, APPLICATION, method="ocr"), "field.missing", "contact.phone").severity == "error"


@pytest.mark.parametrize("method", ["pdf-text", "ocr"])
def test_a_scrap_of_the_label_read_as_the_value_is_a_doubt(method: str) -> None:
    """评定星级 read as 星 on a print or a scan (the value's reading lost all but a glyph of the
    label beside it): not a unit's error; in a .docx it is what the unit typed."""
    f = only(check_document(form({"star_rating": "星"}), FORM, method=method), "field.uncertain", "star_rating")
    assert is_weak(f) and "栏目名称" in f.extra["reason"]
    assert only(check_document(form({"star_rating": "星"}), FORM, method="docx"), "field.invalid").severity == "error"
    # a value of other words that breaks its rule stays the unit's
    assert only(check_document(form({"star_rating": "很好"}), FORM, method=method, ), "field.invalid").severity == "error"


class TestAValueSlidOverByOne:
    """On a print or a scan a value read into its neighbour's field (性别 read 回族 while 民族 is
    blank) is the reading's slip, not a unit's wrong answer."""

    @pytest.mark.parametrize("method", ["pdf-text", "ocr"])
    def test_a_bad_value_beside_a_blank_neighbour_is_a_doubt(self, method: str) -> None:
        doc = form({"secretary.gender": "回族", "secretary.ethnicity": ""})
        f = only(check_document(doc, FORM, method=method), "field.uncertain", "secretary.gender")
        assert is_weak(f) and "民族" in f.extra["reason"]

    def test_a_bad_value_among_filled_neighbours_is_the_units(self) -> None:
        doc = form({"secretary.gender": "回族"})
        assert only(check_document(doc, FORM, method="ocr"), "field.invalid", "secretary.gender").severity == "error"

    def test_in_a_word_file_it_is_what_the_unit_typed(self) -> None:
        doc = form({"secretary.gender": "回族", "secretary.ethnicity": ""})
        assert only(check_document(doc, FORM, method="docx"), "field.invalid", "secretary.gender").severity == "error"
