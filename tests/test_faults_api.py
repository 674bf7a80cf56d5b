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

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from dossier.settings import Settings
from services.app import create_app
from storage.db import make_engine

from .conftest import PG_URL, make_docx
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


def upload(client: TestClient, sub_id: str, data: bytes) -> Any:
    return client.post(f"/api/submissions/{sub_id}/files",
                       files=[("files", ("事迹材料.docx", data, "application/octet-stream"))])


def originals_without_row(client: TestClient, pg_engine: Any) -> list[str]:
    store = client.app.state.store  # type: ignore[attr-defined]
    with pg_engine.connect() as conn:
        rows = set(conn.execute(text("SELECT object_key FROM files")).scalars())
    return [k for k in store.list("submissions/") if "/originals/" in k and k not in rows]


def at_upload_commit(engine: Any, then: Callable[[], None]) -> None:
    """`then()` runs at the COMMIT of the transaction that records a file (it wrote the outbox)."""
    @event.listens_for(engine, "before_cursor_execute")
    def mark(conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            conn.info["recording"] = True

    fired: list[bool] = []

    @event.listens_for(engine, "commit")
    def fire(conn: Any) -> None:
        if conn.info.pop("recording", False) and not fired:     # once: the retry goes through
            fired.append(True)
            then()


class TestUploadCommitFails:
    def test_object_removed_once_the_database_answers(self, client: TestClient, pg_engine: Any,
                                                      pg_proxy: tuple[TcpProxy, str]) -> None:
        """GIVEN an upload WHEN the database is cut at the commit that records it (back a second
        after the answer) THEN the client gets 503 JSON, and within seconds of the return the store holds no
        original without a row, without the sweeper; AND the same file uploaded again is kept."""
        proxy, _ = pg_proxy
        sub = create(client).json()["id"]
        at_upload_commit(client.app.state.engine, proxy.cut)  # type: ignore[attr-defined]
        data = make_docx(["事迹材料", "某局机关党委"])
        try:
            assert_unavailable(answered_within(25, lambda: upload(client, sub, data)), "database.unavailable")
            assert len(originals_without_row(client, pg_engine)) == 1    # stored, not recorded
            time.sleep(1)
        finally:
            proxy.restore()
        t0 = time.monotonic()
        while originals_without_row(client, pg_engine) and time.monotonic() - t0 < 15:
            time.sleep(0.2)
        assert originals_without_row(client, pg_engine) == []
        print(f"orphan removed {time.monotonic() - t0:.1f}s after the database returned")
        r = upload(client, sub, data)
        assert r.status_code == 202, r.text
        assert originals_without_row(client, pg_engine) == []
        assert len(list(client.app.state.store.list(f"submissions/{sub}/originals/"))) == 1  # type: ignore[attr-defined]

    def test_object_kept_when_only_the_answer_was_lost(self, client: TestClient, pg_engine: Any) -> None:
        """GIVEN an upload WHEN its COMMIT reaches the database but the answer is lost THEN the
        client gets 503, and the object its committed row points at is not removed."""
        sub = create(client).json()["id"]
        sessions = client.app.state.sessions  # type: ignore[attr-defined]

        @event.listens_for(sessions, "after_commit")
        def answer_lost(session: Any) -> None:
            if any(type(o).__name__ == "StoredFile" for o in session.identity_map.values()):
                raise psycopg.OperationalError("server closed the connection unexpectedly")

        r = upload(client, sub, make_docx(["推荐表"]))
        event.remove(sessions, "after_commit", answer_lost)
        assert_unavailable(r, "database.unavailable")
        with pg_engine.connect() as conn:
            key = conn.execute(text("SELECT object_key FROM files WHERE submission_id = :s"),
                               {"s": sub}).scalar_one()
        time.sleep(1.5)    # the removal's first check (the database is up) has run
        assert client.app.state.store.exists(key)  # type: ignore[attr-defined]
