"""The desk's original page: a scan's rendered page with boxes around values and seals,
served through an access-checked route."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, select

from services.review.page_views import media_type, page_key, page_views
from storage.db import make_sessionmaker
from storage.models import StoredFile
from storage.objects import derived_key
from tests.test_auth_access import app_settings, login, make_client, people, upload_as  # noqa: F401 (fixtures)

PNG = b"\x89PNG\r\n\x1a\n" + b"page-image-bytes"


def _result(sid: str, key: str | None = None) -> dict[str, Any]:
    return {
        "campaign": "yueyang-2017",
        "page_images": [{"page": 1, "width": 1000, "height": 2000,
                         "key": key or derived_key(sid, "pages/p1.png")}],
        "seals": [{"page": 1, "box": [700, 1800, 900, 1990], "kind": "seal", "confidence": 0.91}],
        "documents": [{"kind": "application_form", "fields": {
            "unit_name": {"value": "中共某局支部", "confidence": 0.97, "page": 1, "box": [100, 200, 600, 260]},
            "member_count": {"value": 31, "confidence": 0.55, "page": 1, "box": [100, 300, 300, 340]},
            "org_type": {"value": "党支部", "confidence": 1.0, "page": 2, "box": [1, 1, 2, 2]},
            "leadership": {"value": "书记1名", "confidence": 1.0, "page": 1}}}],
    }


class TestPageViews:
    def test_boxes_become_percentages_of_the_page(self) -> None:
        """GIVEN a scan's result THEN each field box and seal on a rendered page is placed in percent
        of that page; a field without a box, or on a page with no image, draws nothing."""
        [view] = page_views("f1", _result("a" * 32), label=lambda k: {"unit_name": "单位名称"}.get(k, k),
                            low_confidence=0.8)
        assert (view.page, view.width, view.height) == (1, 1000, 2000)
        boxes = {o.key or o.kind: o for o in view.overlays}
        assert set(boxes) == {"unit_name", "member_count", "seal"}
        u = boxes["unit_name"]
        assert (u.left, u.top, u.width, u.height, u.label) == (10.0, 10.0, 50.0, 3.0, "单位名称")
        assert boxes["member_count"].low_confidence and not u.low_confidence
        s = boxes["seal"]
        assert (s.kind, s.label, s.left, s.top, s.width, s.height) == ("seal", "印章", 70.0, 90.0, 20.0, 9.5)

    def test_boxes_are_clipped_and_bad_ones_dropped(self) -> None:
        r = _result("a" * 32)
        fields = r["documents"][0]["fields"]
        fields["unit_name"]["box"] = [-50, 1900, 1200, 2500]     # spills over the edges
        fields["member_count"]["box"] = ["x", 1, 2, 3]            # malformed
        r["seals"][0]["box"] = [1100, 10, 1200, 20]               # off the page
        [view] = page_views("f1", r, label=str, low_confidence=0.8)
        [o] = view.overlays
        assert (o.left, o.top, o.width, o.height) == (0.0, 95.0, 100.0, 5.0)

    def test_no_page_images_no_views(self) -> None:
        assert page_views("f", {"documents": []}, label=str, low_confidence=0.8) == []
        assert page_views("f", None, label=str, low_confidence=0.8) == []

    def test_key_and_type(self) -> None:
        r = _result("a" * 32, key="submissions/x/derived/p1.JPG")
        assert page_key(r, 1) == "submissions/x/derived/p1.JPG" and page_key(r, 2) is None
        assert media_type("submissions/x/derived/p1.JPG") == "image/jpeg"
        assert media_type("submissions/x/derived/p1") == "image/png"


@pytest.mark.usefixtures("people")
class TestDeskPage:
    def _scan(self, client: Any, sqlite_engine: Engine, key: str | None = None) -> tuple[str, str]:
        sid = upload_as(client, login(client, "unit-a"))
        store = client.app.state.store
        with make_sessionmaker(sqlite_engine)() as s:
            row = s.scalars(select(StoredFile).where(StoredFile.submission_id == sid)).one()
            row.result = _result(sid, key)
            s.commit()
            store.put_bytes(derived_key(sid, "pages/p1.png"), PNG)
            return sid, row.id

    def test_desk_shows_the_page_with_boxes_and_serves_it_to_the_reviewer_only(
            self, make_client: Any, sqlite_engine: Engine) -> None:
        """GIVEN a scan read with boxes WHEN the reviewer opens the desk THEN the page image is drawn with
        a box per value and seal, and the image route gives the bytes to the reviewer, not another unit."""
        unit, other, bureau = make_client(), make_client(), make_client()
        sid, fid = self._scan(unit, sqlite_engine)
        csrf = login(bureau, "bureau")
        task = bureau.post("/api/review/claim-next", json={}, headers={"X-CSRF-Token": csrf}).json()["task"]
        page = bureau.get(f"/review/tasks/{task['id']}").text
        src = f"/review/pages/{sid}/{fid}/1"
        assert f'src="{src}"' in page
        assert len(re.findall(r'class="box box-field', page)) == 2
        assert len(re.findall(r'class="box box-seal', page)) == 1
        assert 'data-key="unit_name"' in page and "left: 10.0%; top: 10.0%; width: 50.0%; height: 3.0%" in page
        assert 'class="box box-field low"' in page          # 党员人数 read with low confidence
        r = bureau.get(src)
        assert r.status_code == 200 and r.content == PNG and r.headers["content-type"] == "image/png"
        assert bureau.get(f"/review/pages/{sid}/{fid}/2").status_code == 404
        login(other, "unit-b")
        assert other.get(src).status_code == 404

    def test_a_key_outside_the_submission_is_never_served(self, make_client: Any, sqlite_engine: Engine) -> None:
        unit = make_client()
        foreign = derived_key("b" * 32, "pages/p1.png")
        sid, fid = self._scan(unit, sqlite_engine, key=foreign)
        unit.app.state.store.put_bytes(foreign, PNG)
        assert unit.get(f"/review/pages/{sid}/{fid}/1").status_code == 404
