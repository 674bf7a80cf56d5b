"""Layouts a photo's table reading produces, on documents built by hand (no OCR): the line above
the table read as a row of cells, and a seal stamped across a line of text."""
from __future__ import annotations

from dossier.campaigns import get_campaign
from workers.extract.model import Box, Cell, Document, Picture, Table
from workers.extraction import analyse

ROWS = [("单位名称", "中共岳阳市某局机关支部委员会"), ("党组织类型", "机关党支部"),
        ("党组织班子配备情况", "书记1名、委员4名"), ("党组织设置", "下设3个党小组"),
        ("上年度党建考核等次", "优秀"), ("党员人数", "31"), ("分管党建工作负责人及电话", "汪卫东 15982132044"),
        ("联络人姓名及职务、电话", "阎亚萍 办公室主任 0730-8180410")]
HEADER = "岳阳市某局（盖公章）  申报日期：二〇一七年四月二十日  编号："


def _form(seal_at: Box | None) -> Document:
    """The 申报表 as a scan's table: its first row is the header line, split into a label cell and a
    cell that runs on through 申报日期 and 编号."""
    cells = [Cell(0, 0, paragraphs=["申报单位："], box=Box(150, 83, 210, 111)),
             Cell(0, 1, colspan=3, paragraphs=[HEADER], box=Box(210, 83, 1000, 111))]
    y = 111.0
    for r, (label, value) in enumerate(ROWS, start=1):
        cells.append(Cell(r, 0, paragraphs=[label], box=Box(150, y, 400, y + 50)))
        cells.append(Cell(r, 1, colspan=3, paragraphs=[value], box=Box(400, y, 1000, y + 50)))
        y += 50
    doc = Document(blocks=[Table(cells=cells, box=Box(150, 83, 1000, y))], method="ocr")
    if seal_at is not None:
        doc.pictures.append(Picture(page=1, box=seal_at, kind="seal", confidence=0.95, placement="anchor"))
    return doc


def _fields_and_seal(doc: Document) -> tuple[dict[str, object], bool, set[tuple[str, str | None]]]:
    documents, findings = analyse(doc, get_campaign("yueyang-2017"))
    form = next(d for d in documents if d.kind == "application_form")
    seal = next(m for m in form.marks if m.field == "applicant_unit" and m.kind == "seal")
    return ({k: v.value for k, v in form.fields.items()}, seal.present,
            {(f.code, f.field) for f in findings})


def test_header_line_read_as_cells_stops_at_the_next_label() -> None:
    """GIVEN 申报单位 | 岳阳市某局（盖公章） 申报日期：… 编号： as two cells THEN 申报单位 is the
    unit alone, and 申报日期 is still read."""
    fields, _, _ = _fields_and_seal(_form(seal_at=None))
    assert fields["applicant_unit"] == "岳阳市某局"
    assert fields["application_date"] == "2017-04-20"


def test_a_seal_stamped_across_the_line_counts_for_it() -> None:
    """GIVEN a seal whose middle lies on the 申报单位 line (the line is far thinner than the seal)
    THEN the unit's seal is present; GIVEN none THEN seal.missing; GIVEN one well below the line THEN
    it is not the unit's, and the reviewer is asked (seal.uncertain)."""
    across = Box(215, 20, 390, 195)          # centre y 107.5, on the line 83–111
    _, present, codes = _fields_and_seal(_form(seal_at=across))
    assert present and ("seal.missing", "applicant_unit") not in codes
    _, present, codes = _fields_and_seal(_form(seal_at=None))
    assert not present and ("seal.missing", "applicant_unit") in codes
    # a seal stamped well below the line is not the unit's; but it may be, so the reviewer looks
    _, present, codes = _fields_and_seal(_form(seal_at=Box(215, 300, 390, 475)))
    assert not present and ("seal.uncertain", "applicant_unit") in codes
