"""A Word original's values boxed on the pages of its print, as a scan's are on its page images.

The matching rules on a small hand-made text layer first (fast); then one generated 申报表 .docx
printed once by LibreOffice through the packets queue's step, its boxes checked against what
pdfplumber reads inside them, and the desk showing them over the printed page."""
from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.review.page_views import PageView, add_print_boxes
from storage.db import make_sessionmaker
from storage.models import StoredFile
from tests.docx_factory import YUEYANG_VALUES, yueyang_form
from tests.test_auth_access import app_settings, login, make_client, people, upload_as  # noqa: F401 (fixtures)
from workers import steps
from workers.packets import print_boxes
from workers.packets.dossier_pdf import printed_key
from workers.packets.print_boxes import PageText, locate, normalise

GLYPH = 10.0     # points: every hand-made glyph is a 10 x 10 square


def _page(*lines: tuple[float, float, str], page: int = 1) -> PageText:
    """A text layer: each line (x, top, text) drawn left to right, in the order given."""
    pt = PageText(page=page, width=600.0, height=800.0)
    for x, top, text in lines:
        for i, ch in enumerate(text):
            pt.text += normalise(ch)
            pt.glyphs.append((x + i * GLYPH, top, x + (i + 1) * GLYPH, top + GLYPH))
    return pt


class TestLocate:
    def test_a_value_found_twice_is_the_one_right_of_its_label(self) -> None:
        """GIVEN 岳阳市司法局 after 申报单位 on one line and inside the 单位名称 value lower down
        THEN 申报单位's box is the one on its label's line."""
        page = _page((50, 100, "申报单位：岳阳市司法局"), (50, 200, "单位名称"), (150, 200, "中共岳阳市司法局机关支部"))
        hit = locate([page], "岳阳市司法局", ["申报单位"])
        assert hit == {"page": 1, "box": [100.0, 100.0, 160.0, 110.0]}

    def test_a_value_found_twice_without_its_label_has_no_box(self) -> None:
        page = _page((50, 100, "岳阳市司法局"), (50, 200, "中共岳阳市司法局机关支部"))
        assert locate([page], "岳阳市司法局", ["申报单位"]) is None

    def test_a_number_inside_a_longer_number_is_not_the_value(self) -> None:
        """GIVEN 党员人数 31 and a phone number 0731… THEN 31 is boxed where it stands alone only."""
        page = _page((50, 100, "电话0731-8180410"), (50, 200, "党员人数"), (150, 200, "31名"))
        assert locate([page], "31", ["党员人数"]) == {"page": 1, "box": [150.0, 200.0, 170.0, 210.0]}
        assert locate([_page((50, 100, "电话0731-8180410"))], "31") is None

    def test_one_character_is_boxed_only_beside_its_label(self) -> None:
        near = _page((50, 100, "性别"), (80, 100, "男"))
        far = _page((50, 100, "性别"), (450, 700, "男"))
        assert locate([near], "男", ["性别"]) == {"page": 1, "box": [80.0, 100.0, 90.0, 110.0]}
        assert locate([far], "男", ["性别"]) is None

    def test_a_long_value_is_found_by_its_start_and_boxed_as_far_as_the_print_agrees(self) -> None:
        """GIVEN a long value that wraps in its cell and whose end the print does not show as read
        THEN its first characters find it, and its box covers the lines where the print agrees."""
        value = "支部坚持三会一课制度组织党员学习理论开展志愿服务推动业务工作"
        page = _page((100, 300, value[:20]), (100, 312, value[20:26]), (100, 324, "其他文字"))
        hit = locate([page], value[:26] + "读错的结尾")
        assert hit == {"page": 1, "box": [100.0, 300.0, 300.0, 322.0]}

    def test_a_material_that_repeats_itself_is_boxed_from_its_first_line(self) -> None:
        """GIVEN a narrative whose sentences come back, beside a label written as a column of
        characters (主要创建事迹, one per line) THEN its box starts on the label's first line."""
        label = [(50, 100 + 12 * i, ch) for i, ch in enumerate("主要创建事迹")]
        sentence = "我们坚持党建引领围绕中心服务大局"
        page = _page(*label, *((100, 100 + 12 * i, sentence) for i in range(6)))
        hit = locate([page], sentence * 6, ["主要创建事迹"])
        assert hit == {"page": 1, "box": [100.0, 100.0, 260.0, 170.0]}

    def test_full_width_and_spaces_do_not_matter(self) -> None:
        page = _page((50, 100, "联系电话：０７３０－８１８０４１０"))
        assert locate([page], "0730-8180410", ["联系电话"]) is not None
        assert locate([page], "0730 - 818 0410") is not None


class TestPrintedPageOverlays:
    def test_boxes_become_percentages_of_the_page_they_were_measured_on(self) -> None:
        """GIVEN boxes in points on a 612 x 792 print THEN the overlay is the same share of the page
        image, keyed and labelled as a scan's; a box on a page the print lacks is left out."""
        views = [PageView(file_id="f", page=1, width=612, height=792, printed=True)]
        boxes = {"version": 1, "pages": [{"page": 1, "width": 612.0, "height": 792.0}],
                 "fields": {"unit_name": {"page": 1, "box": [61.2, 79.2, 122.4, 158.4]},
                            "org_type": {"page": 2, "box": [0, 0, 10, 10]}}}
        [view] = add_print_boxes(views, boxes, label=lambda k: {"unit_name": "单位名称"}.get(k, k))
        [o] = view.overlays
        assert (o.kind, o.key, o.label) == ("field", "unit_name", "单位名称")
        assert (o.left, o.top, o.width, o.height) == (10.0, 10.0, 10.0, 10.0)


def _rows(engine: Engine, sid: str) -> list[StoredFile]:
    with make_sessionmaker(engine)() as s:
        return list(s.scalars(select(StoredFile).where(StoredFile.submission_id == sid)))


def _text_within(pdf: bytes, page: int, box: list[float]) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return normalise(doc.pages[page - 1].within_bbox(tuple(box)).extract_text())


def _pages_showing(pdf: bytes, text: str) -> list[tuple[int, float]]:
    """(page, top) of each place pdfplumber finds `text` on the print."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [(p.page_number, m["top"]) for p in doc.pages for m in p.search(text, regex=False)]


@pytest.mark.slow
@pytest.mark.usefixtures("people")
class TestAWordOriginalPrinted:
    def test_its_values_are_boxed_on_the_print_and_on_the_desk(self, make_client: Any, sqlite_engine: Engine,
                                                                app_settings: Settings, tmp_path: Path) -> None:
        """GIVEN a unit's 申报表 .docx, read, with one value its print does not show
        WHEN the packets queue prints it THEN each value shown is boxed where pdfplumber reads it
        (申报单位's on its label's line, not inside 单位名称), the value not shown has no box, and the
        desk draws the boxes over the printed page, tied to the fields' rows."""
        from workers.extraction import extract_file

        path = yueyang_form(tmp_path / "申报表.docx")
        result = extract_file(path, get_campaign("yueyang-2017")).to_json()
        form = next(d for d in result["documents"] if d["kind"] == "application_form")
        form["fields"]["org_type"] = {"value": "事业单位党委", "confidence": 1.0, "page": 1}
        unit, bureau = make_client(), make_client()
        sid = upload_as(unit, login(unit, "unit-a"), result=result, docx=path.read_bytes())
        [row] = _rows(sqlite_engine, sid)
        with make_sessionmaker(sqlite_engine)() as s:     # as the ingest step sniffs it
            s.get(StoredFile, row.id).format = "docx"
            s.commit()
        store = unit.app.state.store
        rt = steps.Runtime(app_settings, make_sessionmaker(sqlite_engine), store)
        assert steps.print_original(rt, row.id) == "printed"

        pdf = store.get(printed_key(row))
        fields = (print_boxes.read(store, row) or {})["fields"]
        unit_name = fields["unit_name"]
        assert unit_name["page"] in [p for p, _ in _pages_showing(pdf, "中共岳阳市司法局")]
        assert _text_within(pdf, unit_name["page"], unit_name["box"]) == YUEYANG_VALUES["unit_name"]
        applicant = fields["applicant_unit"]
        [(label_page, label_top)] = _pages_showing(pdf, "申报单位")
        assert applicant["page"] == label_page and abs(applicant["box"][1] - label_top) < 3
        assert _text_within(pdf, applicant["page"], applicant["box"]) == "岳阳市司法局"
        assert "org_type" not in fields

        task = bureau.post("/api/review/claim-next", json={},
                           headers={"X-CSRF-Token": login(bureau, "bureau")}).json()["task"]
        page = bureau.get(f"/review/tasks/{task['id']}").text
        figure = re.search(rf'<figure class="page-view" data-file="{row.id}" data-page="{unit_name["page"]}">'
                           r'.*?</figure>', page, re.S)
        assert figure is not None
        box = re.search(r'<div class="box box-field"\s*data-key="unit_name" title="([^"]*)"\s*'
                        r'style="left: ([\d.]+)%; top: ([\d.]+)%', figure.group(0))
        assert box is not None and html.unescape(box.group(1)) == "单位名称"
        size = next(p for p in (print_boxes.read(store, row) or {})["pages"] if p["page"] == unit_name["page"])
        assert float(box.group(2)) == pytest.approx(100 * unit_name["box"][0] / size["width"], abs=0.01)
        assert float(box.group(3)) == pytest.approx(100 * unit_name["box"][1] / size["height"], abs=0.01)
        assert 'data-key="org_type"' not in figure.group(0)
        assert '<tr class="field-row" data-key="unit_name"' in page      # the row the box is tied to

        # a print the packet build made (no boxes beside it) gets them when the print is asked again
        store.delete(print_boxes.print_boxes_key(row))
        assert steps.print_original(rt, row.id) == "kept"
        assert (print_boxes.read(store, row) or {})["fields"] == fields
