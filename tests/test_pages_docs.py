"""/docs works without internet: Swagger UI's files are served by the app itself."""
from __future__ import annotations

import re
from typing import Any

from tests.test_auth_access import app_settings, make_client  # noqa: F401 (fixtures)


def test_docs_load_swagger_ui_from_the_app_not_a_cdn(make_client: Any) -> None:
    c = make_client()
    page = c.get("/docs")
    assert page.status_code == 200 and "cdn" not in page.text
    assets = re.findall(r'(?:src|href)="(/static/swagger-ui/[^"]+)"', page.text)
    assert {a.rsplit("/", 1)[1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for a in assets:
        r = c.get(a)
        assert r.status_code == 200 and r.content, a
    assert c.get("/openapi.json").json()["info"]["title"] == "dossier"
