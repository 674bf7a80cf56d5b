"""The unit's submission page shows where each value came from: a scan's rendered pages with
the boxes of the fields and seals read, the image served only from the submission's own result."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, select

from storage.db import make_sessionmaker
from storage.models import FileState, StoredFile
from storage.objects import derived_key
from tests.test_auth_access import app_settings, login, make_client, people, upload_as  # noqa: F401 (fixtures)
from tests.test_review_pages_view import PNG, _result


@pytest.mark.usefixtures("people")
class TestUnitPageView:
    def _scan(self, client: Any, sqlite_engine: Engine, csrf: str, key: str | None = None) -> tuple[str, str]:
        sid = upload_as(client, csrf)
        with make_sessionmaker(sqlite_engine)() as s:
            row = s.scalars(select(StoredFile).where(StoredFile.submission_id == sid)).one()
            row.result = _result(sid, key)
            row.state = FileState.DONE.value          # as the pipeline leaves a scan it has read
            s.commit()
            client.app.state.store.put_bytes(derived_key(sid, "pages/p1.png"), PNG)
            return sid, row.id

    def test_page_lists_the_boxes_and_serves_the_image(self, make_client: Any, sqlite_engine: Engine) -> None:
        """GIVEN a scan read with boxes WHEN the unit opens its submission (and the polled panel) THEN the
        page image is drawn with a box per value and seal, and its route returns the image."""
        unit = make_client()
        sid, fid = self._scan(unit, sqlite_engine, login(unit, "unit-a"))
        src = f"/submissions/{sid}/pages/{fid}/1"
        for url in (f"/submissions/{sid}", f"/submissions/{sid}/panel"):
            page = unit.get(url).text
            assert f'src="{src}"' in page, url
            assert len(re.findall(r'class="box box-field', page)) == 2      # page 2 has no image; one has no box
            assert len(re.findall(r'class="box box-seal', page)) == 1
            assert 'data-key="unit_name"' in page and "left: 10.0%; top: 10.0%; width: 50.0%; height: 3.0%" in page
            assert "left: 70.0%; top: 90.0%; width: 20.0%; height: 9.5%" in page   # the seal
        r = unit.get(src)
        assert r.status_code == 200 and r.content == PNG and r.headers["content-type"] == "image/png"
        assert unit.get(f"/submissions/{sid}/pages/{fid}/2").status_code == 404

    def test_other_submissions_keys_are_refused(self, make_client: Any, sqlite_engine: Engine) -> None:
        """A file of another submission, or a result whose key points outside the submission, is never served."""
        unit = make_client()
        csrf = login(unit, "unit-a")
        sid, fid = self._scan(unit, sqlite_engine, csrf)
        other_sid, other_fid = self._scan(unit, sqlite_engine, csrf, key=derived_key(sid, "pages/p1.png"))
        # the file id of one submission under the other's URL
        assert unit.get(f"/submissions/{other_sid}/pages/{fid}/1").status_code == 404
        # the other submission's stored result names this submission's page: not served from there
        assert unit.get(f"/submissions/{other_sid}/pages/{other_fid}/1").status_code == 404
        assert unit.get(f"/submissions/{sid}/pages/{fid}/1").status_code == 200
