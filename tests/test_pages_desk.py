"""The desk as a reviewer reads it: Word originals as page images, small page images with the full
one on demand, every file of the version, 自评分 from the score sheet, and decisions that keep the
place and say what really happened."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine, select

from storage.db import make_sessionmaker
from storage.models import StoredFile
from storage.objects import derived_key
from tests.test_auth_access import app_settings, login, make_client, people, upload_as  # noqa: F401 (fixtures)
from workers.packets.dossier_pdf import printed_key


def _pdf(pages: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def _claim(client: Any) -> tuple[str, str]:
    csrf = login(client, "bureau")
    task = client.post("/api/review/claim-next", json={}, headers={"X-CSRF-Token": csrf}).json()["task"]
    return task["id"], csrf


def _rows(engine: Engine, sid: str) -> list[StoredFile]:
    with make_sessionmaker(engine)() as s:
        return list(s.scalars(select(StoredFile).where(StoredFile.submission_id == sid)))


@pytest.mark.usefixtures("people")
class TestDeskOriginals:
    def test_a_word_original_is_shown_as_the_pages_of_its_print(self, make_client: Any,
                                                                  sqlite_engine: Engine) -> None:
        """GIVEN a Word upload WHEN its print is not there yet THEN the desk says it is being converted;
        once printed THEN each page is an image, served as WebP at display width, full size on demand."""
        unit, bureau = make_client(), make_client()
        sid = upload_as(unit, login(unit, "unit-a"))
        [row] = _rows(sqlite_engine, sid)
        with make_sessionmaker(sqlite_engine)() as s:     # as the ingest step sniffs it
            s.get(StoredFile, row.id).format = "docx"
            s.commit()
        [row] = _rows(sqlite_engine, sid)
        task_id, _ = _claim(bureau)
        page = bureau.get(f"/review/tasks/{task_id}").text
        assert "正在转换为页面图像" in page and "此格式无法在页面中显示" not in page

        unit.app.state.store.put_bytes(printed_key(row), _pdf(2), content_type="application/pdf")
        page = bureau.get(f"/review/tasks/{task_id}").text
        assert len(re.findall(rf'src="/review/pages/{sid}/{row.id}/\d"', page)) == 2
        r = bureau.get(f"/review/pages/{sid}/{row.id}/2")
        assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
        assert Image.open(io.BytesIO(r.content)).width == 1000
        big = bureau.get(f"/review/pages/{sid}/{row.id}/2?full=1")
        assert Image.open(io.BytesIO(big.content)).width == 2000
        assert bureau.get(f"/review/pages/{sid}/{row.id}/3").status_code == 404

    def test_a_scan_page_is_a_small_webp_and_the_full_png_on_demand(self, make_client: Any,
                                                                      sqlite_engine: Engine) -> None:
        unit, bureau = make_client(), make_client()
        sid = upload_as(unit, login(unit, "unit-a"))
        [row] = _rows(sqlite_engine, sid)
        key = derived_key(sid, "pages/p1.png")
        png = _png(2480, 3508)
        unit.app.state.store.put_bytes(key, png)
        with make_sessionmaker(sqlite_engine)() as s:
            s.get(StoredFile, row.id).result = {"page_images": [{"page": 1, "width": 2480, "height": 3508,
                                                                 "key": key}], "documents": []}
            s.commit()
        _claim(bureau)
        small = bureau.get(f"/review/pages/{sid}/{row.id}/1")
        assert small.headers["content-type"] == "image/webp" and len(small.content) < len(png)
        assert Image.open(io.BytesIO(small.content)).size == (1000, 1415)
        full = bureau.get(f"/review/pages/{sid}/{row.id}/1?full=1")
        assert full.content == png and full.headers["content-type"] == "image/png"


@pytest.mark.usefixtures("people")
class TestDeskDecision:
    def test_a_return_without_reasons_stays_on_the_desk_with_the_error_beside_the_form(
            self, make_client: Any) -> None:
        """GIVEN a held task WHEN 退回 is pressed without reasons THEN the desk comes back (no redirect,
        nothing in the address) with the problem listed in the decision area and the opinion kept."""
        unit, bureau = make_client(), make_client()
        upload_as(unit, login(unit, "unit-a"))
        task_id, csrf = _claim(bureau)
        r = bureau.post(f"/review/tasks/{task_id}/decide", follow_redirects=False,
                        data={"csrf_token": csrf, "decision": "return", "opinion": "材料不全，请补充"})
        assert r.status_code in (409, 422) and "location" not in r.headers
        errors = re.search(r'id="decide-errors".*?</div>', r.text, re.S)
        assert errors and "理由" in errors.group(0)
        assert ">材料不全，请补充</textarea>" in r.text
        assert re.search(r'value="return" class="[^"]*\bwarning\b', r.text)
        assert re.search(r'value="reject" class="[^"]*\bdanger\b', r.text)

    def test_a_save_comes_back_to_its_place_with_the_message_out_of_the_address(self, make_client: Any) -> None:
        unit, bureau = make_client(), make_client()
        upload_as(unit, login(unit, "unit-a"))
        task_id, csrf = _claim(bureau)
        r = bureau.post(f"/review/tasks/{task_id}/correct", follow_redirects=False,
                        data={"csrf_token": csrf, "field": "unit_name", "value": "中共某局机关支部",
                              "machine_value": ""})
        assert r.status_code == 303 and r.headers["location"] == f"/review/tasks/{task_id}#field-unit_name"
        page = bureau.get(r.headers["location"]).text
        assert "已更正。" in page
        assert "已更正。" not in bureau.get(f"/review/tasks/{task_id}").text    # said once

    def test_a_return_tells_the_reviewer_the_unit_has_it(self, make_client: Any) -> None:
        unit, bureau = make_client(), make_client()
        upload_as(unit, login(unit, "unit-a"))
        task_id, csrf = _claim(bureau)
        r = bureau.post(f"/review/tasks/{task_id}/decide",
                        data={"csrf_token": csrf, "decision": "return", "reasons": "请补充支部委员名单"})
        assert r.status_code == 200 and "已退回申报单位修改" in r.text
        assert "msg=" not in str(r.url)
