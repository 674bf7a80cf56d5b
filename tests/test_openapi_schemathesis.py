"""The OpenAPI document is the truth (issue 15): schemathesis generates requests for every API
operation from /openapi.json and checks each answer against it — no server error, every status
code documented, every body in its documented shape.  Bounded: a few examples per operation, on
SQLite, as an admin (whose API token opens every route) and as nobody."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)
from sqlalchemy import Engine

from dossier.settings import Settings
from services.app import create_app
from services.auth import accounts
from storage.db import make_sessionmaker
from storage.objects import open_store
from tests.review_helpers import person

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
TOKEN: dict[str, str] = {}


@pytest.fixture
def api_schema(settings: Settings, sqlite_engine: Engine) -> Iterator[Any]:
    strict = settings.model_copy(update={"anonymous_uploads": False})
    with make_sessionmaker(sqlite_engine)() as s:
        admin = person(s, "admin", "admin")
        TOKEN["admin"] = accounts.issue_token(s, admin, "schemathesis")
    app = create_app(strict, engine=sqlite_engine, store=open_store(strict))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_answer_matches_the_document(api_schema: Any) -> None:
    """GIVEN each operation of /openapi.json WHEN schemathesis sends it a few generated requests THEN
    no answer is a server error or departs from the document (status, content type, body)."""
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=4, deadline=None, phases=[Phase.explicit, Phase.generate], database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            for headers in ({"Authorization": f"Bearer {TOKEN['admin']}"}, {}):   # an admin, and nobody
                case.call_and_validate(headers=headers, checks=CHECKS)
        try:
            run()
        except BaseException as e:   # every operation is tried; the failures are listed together
            if isinstance(e, KeyboardInterrupt):
                raise
            failures[op.label] = str(e)[:700]
    assert failures == {}, "\n\n".join(f"{k}: {v}" for k, v in failures.items())


def test_a_422_is_documented_as_it_is(api_schema: Any) -> None:
    """GIVEN a body that fails validation THEN the answer is the one error shape, and that is what the
    document says a 422 is (not FastAPI's default array)."""
    from fastapi.testclient import TestClient

    app = api_schema.app
    with TestClient(app) as c:
        r = c.post("/api/submissions", json={"campaign": ""}, headers={"Authorization": f"Bearer {TOKEN['admin']}"})
        doc = c.get("/openapi.json").json()
    assert r.status_code in (404, 422) and set(r.json()) == {"error", "message", "detail"}
    assert isinstance(r.json()["detail"], str) and "campaign" in r.json()["detail"]
    declared = doc["paths"]["/api/submissions"]["post"]["responses"]["422"]["content"]["application/json"]
    assert declared["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]


@pytest.mark.parametrize("method,path,body", [
    ("post", "/api/review/objections/{id}/resolve", {"text": "已核实"}),
    ("post", "/api/submissions/s1/findings/{id}/contest", {"note": "印章在第二页"}),
    ("post", "/api/review/tasks/t1/findings/{id}/contest", {"upheld": False}),
])
def test_a_row_number_larger_than_the_database_holds(api_schema: Any, method: str, path: str, body: dict) -> None:
    """GIVEN a row number past 64 bits in the path THEN a 4xx in the one error shape (422 for the
    number, or 404 where the task it names is looked up first), not an overflow in the database
    driver (a 500)."""
    from fastapi.testclient import TestClient

    with TestClient(api_schema.app) as c:
        r = c.request(method, path.format(id=2**70), json=body, headers={"Authorization": f"Bearer {TOKEN['admin']}"})
    assert r.status_code in (404, 422) and set(r.json()) == {"error", "message", "detail"}
