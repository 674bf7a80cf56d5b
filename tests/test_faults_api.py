"""What a client sees while the database or the store is away: 503 JSON with Retry-After,
never a hang or a 500; liveness unaffected, readiness honest; back to normal on return.

The services are real (PostgreSQL, moto S3) behind a TCP proxy the test controls.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from dossier.settings import Settings
from services.app import create_app
from storage.db import make_engine

from .conftest import PG_URL
from .tcp_proxy import TcpProxy

pytestmark = [pytest.mark.services, pytest.mark.faults]


def assert_unavailable(r: Any, code: str) -> None:
    assert r.status_code == 503, r.text
    body = r.json()
    assert set(body) == {"error", "message", "detail"} and body["error"] == code
    assert "稍后重试" in body["message"] and "unavailable" in body["detail"]
    assert int(r.headers["retry-after"]) > 0


@pytest.fixture
def pg_proxy(pg_schema_url: str, pg_migrated: Any) -> Iterator[tuple[TcpProxy, str]]:
    parts = urlsplit(PG_URL.replace("postgresql+psycopg", "postgresql"))
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432).start()
    host = f"{parts.hostname}:{parts.port or 5432}"
    try:
        yield proxy, pg_schema_url.replace(host, proxy.address, 1)
    finally:
        proxy.stop()


@pytest.fixture
def client(settings: Settings, pg_proxy: tuple[TcpProxy, str], pg_engine: Any) -> Iterator[TestClient]:
    _, url = pg_proxy
    s = settings.model_copy(update={"database_url": url, "db_connect_timeout": 2,
                                    "db_statement_timeout": 5, "readiness_timeout": 1.5})
    app = create_app(s, engine=make_engine(s))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def answered_within(seconds: float, call: Callable[[], Any]) -> Any:
    """`call()`'s result, or a failure (not a hung test run) if it has none after `seconds`."""
    box: list[Any] = []
    worker = threading.Thread(target=lambda: box.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert box, f"no answer within {seconds} s: the client hangs"
    return box[0]


def create(client: TestClient) -> Any:
    return client.post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": "某局机关党委"})


class TestDatabaseAway:
    # blackhole: the proxy (in user space) acknowledges what it holds, so keepalives and
    # tcp_user_timeout never fire and the server never runs the query; what answers in time is
    # the client's own bound on every wait (storage/db.py _bound_waits): 5 s + 2 s here
    @pytest.mark.parametrize("how", ["cut", "blackhole"])
    def test_clients_told_503_then_served_again(self, client: TestClient,
                                                pg_proxy: tuple[TcpProxy, str], how: str) -> None:
        """GIVEN the API on PostgreSQL WHEN the database is cut or partitioned THEN a request gets
        503 JSON with Retry-After within the configured timeouts, /healthz stays 200, /readyz says
        503 in time; AND once it is back the same client is served."""
        proxy, _ = pg_proxy
        assert create(client).status_code == 201
        getattr(proxy, how)()
        try:
            t0 = time.monotonic()
            r = answered_within(25, lambda: create(client))
            took = time.monotonic() - t0
            assert_unavailable(r, "database.unavailable")
            assert took < 20, f"the client waited {took:.1f}s"
            t0 = time.monotonic()
            assert client.get("/healthz").status_code == 200
            ready = client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["database"] != "ok"
            assert time.monotonic() - t0 < 5
        finally:
            proxy.restore()
        restored = time.monotonic()
        while (r := create(client)).status_code != 201 and time.monotonic() < restored + 30:
            time.sleep(0.5)
        assert r.status_code == 201, r.text
        # nothing stuck is left in the pool: the next requests are served at once
        for _ in range(3):
            t0 = time.monotonic()
            assert create(client).status_code == 201
            assert time.monotonic() - t0 < 2
        assert client.get("/readyz").json()["status"] == "ok"
        print(f"{how}: 503 after {took:.1f}s, served {time.monotonic() - restored:.1f}s after restore")
