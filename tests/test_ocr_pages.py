"""The per-page split (prepare → ocr_page → assemble) without running OCR.

`assemble` works on the JSON the page tasks return, so its placement of lines,
merged cells and seals is tested on hand-made page results; the in-process
runner's handling of a failing or slow page is tested with a stand-in for
`ocr_page`.  All fast.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from dossier.settings import Settings
from workers.extract import ocr_reader
from workers.extract.model import Table
from workers.extract.readers import ReadContext


def _line(text: str, box: list[float], conf: float = 0.99) -> dict[str, Any]:
    return {"text": text, "box": box, "confidence": conf}


def _page() -> dict[str, Any]:
    """A 2×3 grid whose first column is one cell over both rows; a header line; a seal."""
    cells = [
        {"row": 0, "col": 0, "rowspan": 2, "colspan": 1, "box": [100, 200, 300, 400]},
        {"row": 0, "col": 1, "rowspan": 1, "colspan": 1, "box": [300, 200, 600, 300]},
        {"row": 0, "col": 2, "rowspan": 1, "colspan": 1, "box": [600, 200, 900, 300]},
        {"row": 1, "col": 1, "rowspan": 1, "colspan": 2, "box": [300, 300, 900, 400]},
    ]
    return {
        "page": 1, "width": 1000, "height": 1400, "turns": 0, "greyscale": False, "bilevel": False,
        "grids": [{"box": [100, 200, 900, 400], "rows": [200, 300, 400], "cols": [100, 300, 600, 900],
                   "cells": cells}],
        "lines": [
            _line("填报单位：某某单位", [100, 150, 400, 180]),
            _line("党组织", [150, 260, 250, 290]),
            _line("名称", [170, 300, 230, 330]),
            _line("出生年月", [350, 230, 500, 260]),
            _line("1972年5月", [650, 230, 800, 260], 0.7),
            _line("同意推荐。", [320, 320, 500, 350]),
            _line("（盖章）", [600, 360, 700, 390]),
        ],
        "seals": [{"box": [560, 300, 760, 400], "confidence": 0.95, "kind": "seal", "method": "red"}],
    }


class TestAssemble:
    def test_cells_and_merges(self) -> None:
        """Lines land in the cell holding their centre; a merged cell keeps its span."""
        doc = ocr_reader.assemble([_page()], ReadContext(name="p.png", format="png"))
        assert doc.method == "ocr" and doc.page_sizes == {1: (1000.0, 1400.0)}
        table = next(doc.tables())
        assert isinstance(table, Table)
        group = table.at(1, 0)
        assert group is not None and group.rowspan == 2 and group.paragraphs == ["党组织", "名称"]
        birth = table.at(0, 2)
        assert birth is not None and birth.text == "1972年5月" and birth.confidence == pytest.approx(0.7)
        assert birth.lines[0].box is not None and birth.lines[0].page == 1

    def test_paragraph_outside_tables(self) -> None:
        """Text outside the grid is a paragraph, before the table in reading order."""
        doc = ocr_reader.assemble([_page()], ReadContext(name="p.png", format="png"))
        first = doc.blocks[0]
        assert not isinstance(first, Table) and first.text == "填报单位：某某单位"

    def test_label_line_that_wraps_is_one_paragraph(self) -> None:
        """GIVEN label fields spaced out on a line that runs to the right margin, the last value
        wrapped onto the next line, and a line indented below it THEN the wrapped line joins its
        line (评定星级：四星级), the fields keep a gap between them, and the indented line is a
        paragraph of its own."""
        page = {**_page(), "grids": [], "seals": [], "lines": [
            _line("党组织名称：某某支部", [100, 100, 400, 130]),
            _line("所在单位类别：机关", [480, 100, 760, 130]),
            _line("评定星级：", [840, 100, 900, 130]),
            # a photo lying askew: the boxes of the two rows overlap a little
            _line("四星级", [100, 127, 190, 157]),
            _line("示范点类型：服务民生", [280, 127, 600, 157]),
            _line("近年来，我们坚持党建引领。", [160, 220, 560, 250]),
        ]}
        doc = ocr_reader.assemble([page], ReadContext(name="p.png", format="png"))
        texts = [b.text for b in doc.blocks]
        assert texts == ["党组织名称：某某支部    所在单位类别：机关    评定星级：四星级    示范点类型：服务民生",
                         "近年来，我们坚持党建引领。"]
        assert len(doc.blocks[0].lines) == 5 and all(ln.box is not None for ln in doc.blocks[0].lines)

    def test_parts_of_a_cell_read_apart_stay_apart(self) -> None:
        """Two pieces of one row in a cell, read with a gap between them (阎亚萍  办公室副主任),
        keep a space; pieces read touching join."""
        page = {**_page(), "seals": [], "lines": [
            _line("阎亚萍", [320, 230, 400, 260]), _line("办公室副主任", [420, 230, 580, 260]),
            _line("同意", [320, 320, 360, 350]), _line("推荐。", [362, 320, 420, 350])]}
        doc = ocr_reader.assemble([page], ReadContext(name="p.png", format="png"))
        table = next(doc.tables())
        assert table.at(0, 1).text == "阎亚萍 办公室副主任"
        assert table.at(1, 1).text == "同意推荐。"

    def test_seal_on_the_cell_it_covers(self) -> None:
        """A seal goes to the cell it overlaps most and is listed on the document too."""
        doc = ocr_reader.assemble([_page()], ReadContext(name="p.png", format="png"))
        opinion = next(doc.tables()).at(1, 1)
        assert opinion is not None and [p.kind for p in opinion.pictures] == ["seal"]
        assert [p.kind for p in doc.pictures] == ["seal"]

    def test_bilevel_page_without_seal_is_undecided(self) -> None:
        """A black-and-white page where no ring was found says so: a seal_unknown picture."""
        page = {**_page(), "seals": [], "greyscale": True, "bilevel": True}
        doc = ocr_reader.assemble([page], ReadContext(name="p.png", format="png"))
        assert [(p.kind, p.page) for p in doc.pictures] == [("seal_unknown", 1)]

    def test_grey_page_with_one_seal_found_is_undecided_elsewhere(self) -> None:
        """A greyscale page where one ring was found: that seal counts where it lies, and a field
        with none may still have a faint one (seal_unknown), not a certain absence."""
        page = {**_page(), "greyscale": True, "bilevel": False}
        doc = ocr_reader.assemble([page], ReadContext(name="p.png", format="png"))
        assert sorted(p.kind for p in doc.pictures) == ["seal", "seal_unknown"]
        table = next(b for b in doc.blocks if isinstance(b, Table))
        assert [p.kind for c in table.cells for p in c.pictures] == ["seal"]

    def test_failed_page_is_a_problem(self) -> None:
        """A page that failed is a problem on that page; the other pages still count."""
        bad = {"page": 2, "error": "RuntimeError('x')", "message": "页面识别出错"}
        doc = ocr_reader.assemble([bad, _page()], ReadContext(name="p.pdf", format="pdf"))
        assert [(p.code, p.page) for p in doc.problems] == [("file.unreadable", 2)]
        assert any(isinstance(b, Table) for b in doc.blocks)


class TestInProcessRunner:
    def _image(self, tmp_path: Path) -> Path:
        p = tmp_path / "page.png"
        Image.new("RGB", (400, 560), (255, 255, 255)).save(p)
        return p

    def test_slow_page_times_out(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A page past ocr_page_time_limit becomes a problem on that page, not a hang."""
        def slow(image: np.ndarray, page_no: int, settings: Settings, **_: Any) -> Any:
            time.sleep(3)
            raise AssertionError("should have been abandoned")
        monkeypatch.setattr(ocr_reader, "ocr_page", slow)
        ctx = ReadContext(name="page.png", format="png", settings=Settings(ocr_page_time_limit=1))
        t0 = time.perf_counter()
        doc = ocr_reader.read_ocr(self._image(tmp_path), ctx)
        assert time.perf_counter() - t0 < 2.5
        assert [(p.code, p.page) for p in doc.problems] == [("file.unreadable", 1)]
        assert "超时" in doc.problems[0].message

    def test_crashing_page(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """An exception on one page is reported on that page."""
        def boom(image: np.ndarray, page_no: int, settings: Settings, **_: Any) -> Any:
            raise RuntimeError("decoder exploded")
        monkeypatch.setattr(ocr_reader, "ocr_page", boom)
        doc = ocr_reader.read_ocr(self._image(tmp_path), ReadContext(name="page.png", format="png"))
        assert [(p.code, p.page) for p in doc.problems] == [("file.unreadable", 1)]
        assert doc.blocks == []

    def test_pages_handed_to_ctx_ocr_pages(self, tmp_path: Path) -> None:
        """With ctx.ocr_pages set (pages read elsewhere, one task each), the prepared pages go there."""
        seen: list[int] = []

        def fan_out(pages: list[Any], ctx: ReadContext) -> Any:
            seen.extend(p.page for p in pages)
            return ocr_reader.assemble([], ctx)
        ctx = ReadContext(name="page.png", format="png", ocr_pages=fan_out)
        ocr_reader.read_ocr(self._image(tmp_path), ctx)
        assert seen == [1]


@pytest.mark.slow
class TestOrientation:
    @pytest.mark.parametrize("turns", [2, 1])
    def test_turned_page_told(self, turns: int) -> None:
        """A page upside down (or on its side) is told as such, not as a quarter turn off."""
        from tests.image_factory import cjk_font_path, jinhua_page
        from workers.extract.ocr_geometry import orientation, rotate_quarter
        if cjk_font_path() is None:
            pytest.skip("no CJK font (fc-list :lang=zh)")
        page = rotate_quarter(np.asarray(jinhua_page()), turns)
        assert (orientation(page) + turns) % 4 == 0


def test_a_borderless_table_in_a_cell_reads_box_by_box() -> None:
    """GIVEN a cell holding a borderless table of labels and values (the secretary's 姓名 | 夏晓松 …),
    one label and one value wrapped under themselves (担任书记时 / 间, 2003年6 / 月) WHEN the page is
    assembled THEN the cell's rows read label by label, each wrapped one whole: not 2003年6间月."""
    cols = [298, 432, 566, 698, 833, 965]
    rows_ = [["姓名", "夏晓松", "性别", "男", "出生年月", "1975-04"], ["民族", "汉族", "学历", "大专", "行政职务", "办公室主任"],
             ["入党时间", "1996/10", "担任书记时", "2003年6"]]
    lines = [_line(t, [x, 520 + 50 * r, x + 24 * len(t) * (0.6 if t.isascii() else 1), 544 + 50 * r])
             for r, row in enumerate(rows_) for x, t in zip(cols, row)]
    lines += [_line("间", [566, 648, 590, 672]), _line("月", [698, 648, 722, 672])]
    page = {"page": 1, "width": 1275, "height": 1650, "turns": 0, "greyscale": False, "bilevel": False, "seals": [],
            "grids": [{"box": [176, 500, 1076, 700], "rows": [500, 700], "cols": [176, 276, 1076],
                       "cells": [{"row": 0, "col": 0, "rowspan": 1, "colspan": 1, "box": [176, 500, 276, 700]},
                                 {"row": 0, "col": 1, "rowspan": 1, "colspan": 1, "box": [276, 500, 1076, 700]}]}],
            "lines": [_line("书记情况", [186, 520, 210, 680])] + lines}
    doc = ocr_reader.assemble([page], ReadContext(name="p.png", format="png"))
    cell = next(doc.tables()).at(0, 1)
    assert cell is not None
    assert [" ".join(p.split()) for p in cell.paragraphs][-1] == "入党时间 1996/10 担任书记时间 2003年6月"


def test_text_run_to_the_sheets_edge_marks_the_page_cut_off() -> None:
    """GIVEN a scanned page whose label line runs to the image's right edge (联络人…：胡桂慧 组织委员 0730–,
    the rest of the phone printed past the paper) WHEN it is assembled THEN the page is known to be
    cut off (a blank phone there is the cut's doing, a doubt); a page whose text keeps its margins
    is not; and a unit is not told its phone is missing."""
    from dossier.campaigns import get_campaign
    from workers.checks.document import check_document
    from workers.results import ExtractedDocument, FieldValue
    base = {"page": 1, "width": 1275, "height": 1650, "turns": 0, "greyscale": False, "bilevel": False,
            "seals": [], "grids": []}
    kept = {**base, "lines": [_line("分管党建工作负责人及电话：董伟伟 182-5560-1591", [186, 270, 740, 296])]}
    cut = {**base, "lines": kept["lines"] + [_line("联络人姓名及职务、电话：胡桂慧 组织委员 0730–", [778, 270, 1275, 296])]}
    assert ocr_reader.assemble([kept], ReadContext(name="p.png", format="png")).offpage == {}
    doc = ocr_reader.assemble([cut], ReadContext(name="p.png", format="png"))
    assert doc.offpage == {1: len(cut["lines"][-1]["text"])}
    spec = get_campaign("yueyang-2017").document("application_form")
    read = ExtractedDocument(kind=spec.kind, fields={
        f.key: FieldValue("" if f.key == "contact.phone" else "x", page=1, label=f.label) for f in spec.leaf_fields()})
    findings = check_document(read, spec, method="ocr", offpage=doc.offpage)
    phone = [f for f in findings if f.field == "contact.phone"]
    assert [(f.code, f.severity) for f in phone] == [("field.unread", "warning")]
    assert "纸张边缘" in phone[0].message


def test_a_cell_with_ink_but_no_line_read_is_in_doubt() -> None:
    """GIVEN a photographed grid whose 姓名 value cell holds writing the detector did not see, beside
    an empty spacer cell WHEN the page is read and the form located THEN that cell's blank is a
    doubt for the reviewer (field.unread), not 姓名未填写 told to the unit; a cell that is truly
    empty stays a blank."""
    from dossier.campaigns import get_campaign
    from workers.extract.ocr_signs import mark_unread_ink
    img = np.full((400, 1000, 3), 255, np.uint8)
    img[120:150, 520:580] = 20                         # a name's strokes, faint to the detector
    grid = {"box": [100, 100, 900, 200], "rows": [100, 200], "cols": [100, 300, 400, 600, 900], "cells": [
        {"row": 0, "col": 0, "rowspan": 1, "colspan": 1, "box": [100, 100, 300, 200]},
        {"row": 0, "col": 1, "rowspan": 1, "colspan": 1, "box": [300, 100, 400, 200]},
        {"row": 0, "col": 2, "rowspan": 1, "colspan": 1, "box": [400, 100, 600, 200]},
        {"row": 0, "col": 3, "rowspan": 1, "colspan": 1, "box": [600, 100, 900, 200]}]}
    result = {"page": 1, "width": 1000, "height": 400, "turns": 0, "greyscale": False, "bilevel": False,
              "seals": [], "grids": [grid], "lines": [_line("姓名", [150, 130, 230, 160]), _line("性别", [650, 130, 730, 160])]}
    mark_unread_ink(result, img)
    inked = {c["col"]: c.get("ink") for c in grid["cells"]}
    assert inked[1] is None and inked[2] and inked[2] > 0.01
    doc = ocr_reader.assemble([result], ReadContext(name="p.png", format="png"))
    table = next(doc.tables())
    assert table.at(0, 2).confidence < 0.5 and table.at(0, 1).confidence == 1.0
    from workers.forms.locate import Locator
    jinhua = get_campaign("jinhua-2015")
    spec = next(f for f in jinhua.document("recommendation_form").fields if f.key == "secretary.name")
    assert Locator(doc, jinhua).cell_value(spec).cell is table.at(0, 2)


def test_a_line_cut_at_the_papers_edge_on_a_photo() -> None:
    """GIVEN a photo of a sheet lying on a desk, its left half shadowed, one line running to the
    paper's edge (the phone printed past the paper) and others keeping their margins WHEN the
    sheet's edges are looked for THEN only the cut line counts: the desk right after a line's end
    is a cut, shadowed paper (darker, even, but reached gradually) and the margin are not."""
    from workers.extract.ocr_signs import at_the_sheets_edge
    img = np.full((600, 1000, 3), (128, 110, 92), np.uint8)          # the desk
    paper = np.full((560, 900), 235.0)
    paper[:, :450] *= np.linspace(0.55, 1.0, 450)                    # a shadow falling to the left
    img[20:580, 40:940] = paper[..., None].astype(np.uint8)
    for x0, x1, y in ((100, 938, 100), (100, 700, 200), (100, 880, 300)):
        img[y + 5:y + 25, x0:x1:7] = 30                                 # a line's strokes
    lines = [_line("联络人姓名及职务、电话：石卫 179-3804-3", [100, 100, 938, 130]),
             _line("分管党建工作负责人及电话：董建", [100, 200, 700, 230]),
             _line("申报创建材料（1500字以内）：开展党员志愿服务", [100, 300, 880, 330])]
    assert at_the_sheets_edge({"lines": lines}, img) == len(lines[0]["text"])
    # a scan: white to the image's edge, no desk; a table's rule just before a cell's text is no edge
    scan = np.full((600, 1000, 3), 255, np.uint8)
    scan[:, 96:98] = 0
    assert at_the_sheets_edge({"lines": lines}, scan) == 0
