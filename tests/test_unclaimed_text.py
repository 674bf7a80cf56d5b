"""Values printed where the reader did not look: the finding asks the reviewer, not the unit.

GIVEN a printed form read as a text PDF, WHEN a field comes out blank while short pieces of the
page's text were taken by no field (values set off their blanks, an HTML page's boxes printed
apart), THEN the field is `field.unread`, a warning with weak evidence for the reviewer (no
claim that it is missing); AND when the form was read whole and the field really is blank, the
unit is told (`field.missing`, an error).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dossier.campaigns import get_campaign
from tests import form_shapes as fs
from workers.checks.unclaimed import unclaimed_pieces
from tests.model_edits import form_model, retext
from workers.extract.model import Cell, Document, Paragraph, Table
from workers.extraction import analyse
from workers.forms.furniture import drop_page_furniture
from workers.forms.locate import locate


def _printed(tmp_path: Path, blank: str, stray: list[str]) -> Document:
    """The Jinhua form's model as a text PDF's, the cell holding `blank` emptied, and `stray`
    texts standing as lines of their own under the form."""
    doc = form_model(tmp_path, fs.jinhua())
    retext(doc, blank, "")
    return replace(doc, method="pdf-text", blocks=doc.blocks + [Paragraph(text=s) for s in stray])


def _missing(doc: Document, key: str) -> list:
    """The findings on `key` that the field is blank: missing, or not read (on weak evidence)."""
    _docs, findings = analyse(doc, get_campaign("jinhua-2015"))
    return [f for f in findings if f.field == key and f.code in ("field.missing", "field.unread")]


def test_a_blank_beside_values_no_field_took_is_weak(tmp_path: Path) -> None:
    doc = _printed(tmp_path, "中共金华市财政局机关支部委员会", ["中共金华市财政局机关支部委员会", "金华市某某街道"])
    missing = _missing(doc, "org_name")
    assert len(missing) == 1
    assert (missing[0].code, missing[0].severity, missing[0].extra.get("evidence")) == \
        ("field.unread", "warning", "weak")
    assert "未能对应到栏目" in missing[0].extra["reason"] and "评审" in missing[0].message


def test_a_blank_on_a_form_read_whole_is_the_units_error(tmp_path: Path) -> None:
    missing = _missing(_printed(tmp_path, "中共金华市财政局机关支部委员会", []), "org_name")
    assert [(f.code, f.severity) for f in missing] == [("field.missing", "error")]


def test_the_forms_own_print_is_not_a_stray_value(tmp_path: Path) -> None:
    """Titles, notes, length notes, page numbers, marks and pieces of a split label are the form's
    print: none of them makes a finding weak."""
    doc = _printed(tmp_path, "中共金华市财政局机关支部委员会",
                   ["市县机关党建示范点推荐表", "1、单位类别指机关、事业、国有企业和国有金融机构、学校、两新组织五类；",
                    "（1500字以", "内）", "第 2 页 共 3 页", "签  章", "年  月  日", "党组", "织名称", "详见附页",
                    "联系人：李四    联系电话：0579-82469328    填表人：张三"])
    campaign = get_campaign("jinhua-2015")
    assert unclaimed_pieces(doc, locate(drop_page_furniture(doc), campaign), campaign) == []
    assert [(f.code, f.severity) for f in _missing(doc, "org_name")] == [("field.missing", "error")]


def test_a_word_file_is_never_weakened(tmp_path: Path) -> None:
    doc = replace(_printed(tmp_path, "中共金华市财政局机关支部委员会", ["中共金华市财政局机关支部委员会", "金华市某某街道"]),
                  method="docx")
    assert _missing(doc, "org_name")[0].severity == "error"


def test_cells_count_too(tmp_path: Path) -> None:
    """A value left in a table cell no label reaches counts as much as a stray line."""
    doc = _printed(tmp_path, "中共金华市财政局机关支部委员会", [])
    cells = [Cell(row=0, col=0, paragraphs=["金华市某某街道"]), Cell(row=0, col=1, paragraphs=["城东社区服务中心"])]
    doc = replace(doc, blocks=doc.blocks + [Table(cells=cells)])
    campaign = get_campaign("jinhua-2015")
    assert unclaimed_pieces(doc, locate(drop_page_furniture(doc), campaign), campaign) == ["金华市某某街道", "城东社区服务中心"]
    assert [(f.code, f.severity) for f in _missing(doc, "org_name")] == [("field.unread", "warning")]


def test_two_dates_read_whole_are_the_units_order(tmp_path: Path) -> None:
    """GIVEN text astray on the print and 担任书记时间 before 入党时间, both read as dates THEN the
    order is the unit's error: text elsewhere cannot make two dates read whole wrong."""
    doc = form_model(tmp_path, fs.jinhua())
    campaign = get_campaign("jinhua-2015")
    docs, _ = analyse(replace(doc, method="pdf-text"), campaign)
    form = next(d for d in docs if d.kind == "recommendation_form")
    retext(doc, form.fields["secretary.since"].raw, "1950年1月")     # before 入党时间
    doc = replace(doc, method="pdf-text", blocks=doc.blocks + [Paragraph(text="金华市某某街道"),
                                                               Paragraph(text="城东社区服务中心")])
    _docs, findings = analyse(doc, campaign)
    assert [(f.code, f.severity) for f in findings if f.field == "secretary.since"] == [("field.invalid", "error")]
