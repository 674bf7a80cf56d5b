"""A unit is not told about an error its form does not have: findings on weak evidence are
warnings for the reviewer (evidence "weak"), findings on strong evidence stay errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from dossier.campaigns import DocumentSpec, get_campaign
from tests import docx_factory as make
from workers.checks.document import check_document
from workers.checks.evidence import FORM_CONFIDENT, for_reviewer
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

    def test_layout_not_understood(self) -> None:
        """When few of the form's labels were found, an empty value found is weak too."""
        keys = [f.key for f in FORM.leaf_fields()]
        lost = tuple(k for k in keys if k != "secretary.ethnicity")[: int(len(keys) * (1 - FORM_CONFIDENT)) + 2]
        doc = form({"secretary.ethnicity": ""}, not_located=lost)
        assert is_weak(only(check_document(doc, FORM, method="ocr"), "field.missing", "secretary.ethnicity"))

    def test_empty_value_on_an_illegible_scan(self) -> None:
        """An empty 民族 on a scan whose other values were read with low confidence: faint writing may
        have been missed, so weak; on a legible scan the same empty cell is an error."""
        blurred = form({"secretary.ethnicity": ""}, confidence={k: 0.6 for k in GOOD if k != "secretary.ethnicity"})
        assert is_weak(only(check_document(blurred, FORM, method="ocr"), "field.missing"))
        clear = form({"secretary.ethnicity": ""}, confidence={k: 0.95 for k in GOOD})
        assert only(check_document(clear, FORM, method="ocr"), "field.missing").severity == "error"

    def test_low_confidence_value(self) -> None:
        """An OCR value read with low confidence that breaks its rule (a 5 read as S) is weak."""
        doc = form({"member_count": "4S"}, confidence={"member_count": 0.55})
        f = only(check_document(doc, FORM, method="ocr", low_confidence=0.8), "field.invalid")
        assert is_weak(f) and "55%" in f.message

    @pytest.mark.parametrize("value", ["姓名", "性 别", "民族"])
    def test_printed_word_read_as_the_value(self, value: str) -> None:
        """A value that is a word printed on the form (a nested 姓名|性别 head) was misread: weak."""
        f = only(check_document(form({"secretary.gender": value}), FORM, method="docx"), "field.invalid")
        assert is_weak(f)

    def test_order_of_dates_with_a_doubtful_date(self) -> None:
        """入党时间 before 出生年月 when the birth date was read with low confidence: weak."""
        doc = form({"secretary.birth": "1996-05"}, confidence={"secretary.birth": 0.5})
        f = only(check_document(doc, FORM, method="ocr"), "field.invalid", "secretary.joined_party")
        assert is_weak(f)

    def test_seal_not_seen_on_a_poor_scan(self) -> None:
        """A seal not seen where the opinion was read with low confidence: weak."""
        doc = form(confidence={"opinion.submitting_org": 0.6},
                   marks=[Mark(field="opinion.submitting_org", kind="seal", present=False)])
        assert is_weak(only(check_document(doc, FORM, method="ocr"), "seal.missing"))

    def test_seal_not_seen_on_an_illegible_scan(self) -> None:
        """On a scan whose values were mostly read with low confidence, a seal not seen proves little;
        on a legible one it is an error."""
        marks = [Mark(field="opinion.submitting_org", kind="seal", present=False)]
        blurred = form(confidence={**{k: 0.6 for k in GOOD}, "opinion.submitting_org": 0.95}, marks=marks)
        assert is_weak(only(check_document(blurred, FORM, method="ocr"), "seal.missing"))
        clear = form(confidence={k: 0.95 for k in GOOD}, marks=marks)
        assert only(check_document(clear, FORM, method="ocr"), "seal.missing").severity == "error"

    @pytest.mark.parametrize("method", ["docx", "pdf-text", "ocr"])
    def test_seal_elsewhere_in_the_file(self, method: str) -> None:
        """A floating picture no field took may be the seal: seal.missing is weak in every format."""
        doc = form(marks=[Mark(field="opinion.submitting_org", kind="seal", present=False)])
        assert is_weak(only(check_document(doc, FORM, method=method, loose_seals=1), "seal.missing"))

    def test_mark_of_a_field_not_found(self) -> None:
        """A date or seal looked for beside a field whose label was never found proves nothing: weak."""
        doc = form({"opinion.submitting_org": ""}, not_located=("opinion.submitting_org",),
                   marks=[Mark(field="opinion.submitting_org", kind="date", present=False)])
        assert is_weak(only(check_document(doc, FORM, method="docx"), "date.missing"))

    def test_date_under_a_seal_on_a_scan(self) -> None:
        """A 年 月 日 line not read where a seal was stamped over it: weak on a scan, an error in Word."""
        marks = [Mark(field="opinion.submitting_org", kind="seal", present=True),
                 Mark(field="opinion.submitting_org", kind="date", present=False)]
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


class TestContract:
    def test_codes_unchanged(self) -> None:
        """A weak finding keeps its contract code and field; only severity and message change."""
        doc = form({"secretary.ethnicity": ""}, not_located=("secretary.ethnicity",))
        f = only(check_document(doc, FORM, method="docx"), "field.missing")
        assert (f.code, f.field) == ("field.missing", "secretary.ethnicity")
        assert f.to_json()["reason"]

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
        extracted THEN seal.missing is a weak warning (the reviewer looks), not an error for the unit."""
        path = make.jinhua_form(tmp_path / "f.docx", seal=False)
        _floating_seal_under_the_table(path)
        out = extract_file(path, JINHUA).to_json()["findings"]
        seal = [f for f in out if f["code"] == "seal.missing"]
        assert seal and seal[0]["severity"] == "warning" and seal[0]["evidence"] == "weak"

    def test_no_seal_anywhere_is_an_error(self, tmp_path: Path) -> None:
        """The same form with no picture at all: seal.missing stays an error."""
        path = make.jinhua_form(tmp_path / "f.docx", seal=False)
        out = extract_file(path, JINHUA).to_json()["findings"]
        seal = [f for f in out if f["code"] == "seal.missing"]
        assert seal and seal[0]["severity"] == "error"
