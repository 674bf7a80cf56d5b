"""Faults on the real stack: a `dossier worker` process, the relay, RabbitMQ and PostgreSQL, with
the database behind a TCP proxy the test cuts; and a file that kills its worker every time.

Each test asserts that every file finishes exactly once (done, one attempt), how long after the
service's return the last one finished, and what the client saw meanwhile.  The outage lasts
DOSSIER_FAULT_OUTAGE_S seconds (60 by default; CI may shorten it).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dossier.settings import Settings
from services.app import create_app
from storage.db import make_engine, make_sessionmaker
from storage.models import FindingRow, OutboxMessage, StoredFile
from workers.celery_app import make_celery
from workers.relay import run_relay

from .conftest import PG_URL, delete_queues, queue_names, unique
from .edges import dossier_cmd, dossier_env, jinhua_form_docx, running
from .tcp_proxy import TcpProxy

pytestmark = [pytest.mark.services, pytest.mark.faults]

OUTAGE_S = float(os.environ.get("DOSSIER_FAULT_OUTAGE_S", "60"))
RECOVERY_S = 60.0      # the promise: every file done within 60 s of the service's return


class Stack:
    """The API (in process), the relay (a thread) and a worker (a process), on one settings."""

    def __init__(self, settings: Settings, proxy: TcpProxy, tmp: Path) -> None:
        self.settings = settings
        self.proxy = proxy
        self.tmp = tmp
        self.engine = make_engine(settings)
        self.sessions = make_sessionmaker(self.engine)
        self.client = TestClient(create_app(settings, engine=self.engine), raise_server_exceptions=False)
        self.sid = ""
        self.worker: Any = None

    def submission(self) -> str:
        r = self.client.post("/api/submissions", json={"campaign": "jinhua-2015", "organisation": "某局机关党委"})
        assert r.status_code == 201, r.text
        self.sid = r.json()["id"]
        return self.sid

    def upload(self, name: str, data: bytes) -> Any:
        return self.client.post(f"/api/submissions/{self.sid}/files",
                                files=[("files", (name, data, "application/octet-stream"))])

    def files(self) -> list[StoredFile]:
        with self.sessions() as s:
            return list(s.scalars(select(StoredFile).where(StoredFile.submission_id == self.sid)))

    def wait_final(self, n: int, timeout: float) -> float:
        """Seconds until `n` files are final (fails past `timeout`)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            try:
                rows = self.files()
                if len(rows) == n and all(r.is_final for r in rows):
                    return time.monotonic() - t0
            except Exception:       # the test's own reads may meet the outage's tail
                pass
            time.sleep(0.5)
        raise AssertionError(f"not final after {timeout}s: {[(r.name, r.state) for r in self.files()]}")


@pytest.fixture
def stack_settings(request: pytest.FixtureRequest, settings: Settings, pg_schema_url: str,
                   pg_engine: Any, amqp_url: str) -> Iterator[tuple[Settings, TcpProxy]]:
    """Settings on PostgreSQL, RabbitMQ and a folder store (or moto S3), with the service named
    by the test's `proxied` marker (database by default) reached through a TCP proxy."""
    marker = request.node.get_closest_marker("proxied")
    target = marker.args[0] if marker else "database"
    names = queue_names(unique("fault"))
    update: dict[str, Any] = {
        "database_url": pg_schema_url, "broker_url": amqp_url, **names,
        "db_connect_timeout": 2, "db_statement_timeout": 10, "transient_backoff_max": 4.0,
        "file_lease_seconds": 6.0, "task_max_attempts": 3, "unavailable_retry_after": 5}
    if target == "store":
        moto = request.getfixturevalue("s3_settings")
        update.update({k: getattr(moto, k) for k in ("storage_url", "s3_endpoint", "s3_access_key",
                                                      "s3_secret_key", "s3_secure", "s3_region")})
    url = {"database": PG_URL.replace("postgresql+psycopg", "postgresql"), "broker": amqp_url,
           "store": f"http://{update.get('s3_endpoint', '')}"}[target]
    parts = urlsplit(url)
    real = f"{parts.hostname}:{parts.port}"
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 0).start()
    key = {"database": "database_url", "broker": "broker_url", "store": "s3_endpoint"}[target]
    update[key] = update[key].replace(real, proxy.address, 1)
    s = settings.model_copy(update=update)
    try:
        yield s, proxy
    finally:
        delete_queues(make_celery(s.model_copy(update={"broker_url": amqp_url})), list(names.values()))
        proxy.stop()


def _stack(stack_settings: tuple[Settings, TcpProxy], tmp_path: Path, module: str,
           relay_thread: bool = True) -> Iterator[Stack]:
    settings, proxy = stack_settings
    stack = Stack(settings, proxy, tmp_path)
    stop = threading.Event()
    relay = threading.Thread(target=run_relay, args=(settings, stop), kwargs={"poll_interval": 0.3},
                             daemon=True)
    if relay_thread:
        relay.start()
    args = ["worker", "--concurrency", "1"]
    env = dossier_env(settings)
    log = tmp_path / "worker.log"
    try:
        if module == "services.cli":
            with running(args, env, log) as proc:
                stack.worker = proc
                yield stack
        else:
            import subprocess
            with log.open("wb") as out:
                proc = subprocess.Popen([sys.executable, "-m", module, *args], env=env, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
                try:
                    yield stack
                finally:
                    os.killpg(proc.pid, 9)
                    proc.wait()
    finally:
        stop.set()
        if relay_thread:
            relay.join(timeout=15)
        stack.client.close()
        stack.engine.dispose()


@pytest.fixture
def stack(stack_settings: tuple[Settings, TcpProxy], tmp_path: Path) -> Iterator[Stack]:
    yield from _stack(stack_settings, tmp_path, "services.cli")


@pytest.fixture
def bare_stack(stack_settings: tuple[Settings, TcpProxy], tmp_path: Path) -> Iterator[Stack]:
    """A worker, no relay: the test runs its own."""
    yield from _stack(stack_settings, tmp_path, "services.cli", relay_thread=False)


@pytest.fixture
def poison_stack(stack_settings: tuple[Settings, TcpProxy], tmp_path: Path) -> Iterator[Stack]:
    yield from _stack(stack_settings, tmp_path, "tests.poison_worker")


def docs(n: int, tag: str) -> list[tuple[str, bytes]]:
    return [(f"{tag}{i}.docx", jinhua_form_docx(org_name=f"中共某局第{i}支部委员会")) for i in range(n)]


class TestDatabaseCut:
    def test_uploads_through_a_database_outage(self, stack: Stack) -> None:
        """GIVEN files uploaded and being processed WHEN the database is cut for the outage THEN an
        upload meanwhile is answered 503 with Retry-After (nothing half-stored), AND after the
        database returns every file is done exactly once (one attempt) within 60 s, and an upload
        is accepted again."""
        stack.submission()
        before = docs(3, "before")
        for name, data in before:
            assert stack.upload(name, data).status_code == 202
        stack.proxy.cut()
        try:
            refused = stack.upload("during.docx", jinhua_form_docx(org_name="中共某局停机时支部"))
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"] == "database.unavailable" and refused.headers["retry-after"]
            time.sleep(OUTAGE_S)
        finally:
            stack.proxy.restore()
        back = time.monotonic()
        after = stack.upload("after.docx", jinhua_form_docx(org_name="中共某局恢复后支部"))
        deadline = time.monotonic() + 30
        while after.status_code == 503 and time.monotonic() < deadline:   # the pool reconnecting
            time.sleep(1)
            after = stack.upload("after.docx", jinhua_form_docx(org_name="中共某局恢复后支部"))
        assert after.status_code == 202, after.text
        stack.wait_final(4, RECOVERY_S)
        recovery = time.monotonic() - back
        rows = stack.files()
        assert sorted(r.name for r in rows) == sorted([n for n, _ in before] + ["after.docx"])
        assert [(r.name, r.state, r.attempts) for r in rows if (r.state, r.attempts) != ("done", 1)] == []
        print(f"\ndatabase cut {OUTAGE_S:.0f}s: every file done {recovery:.1f}s after its return")
        assert recovery < RECOVERY_S


class TestPoison:
    def test_a_file_that_kills_its_worker_is_parked_and_the_queue_moves(self, poison_stack: Stack) -> None:
        """GIVEN a file that kills its worker process every time, uploaded before good files WHEN the
        worker is restarted by its pool and the file redelivered THEN the good files finish (one
        attempt each), and the poison file is parked after its attempts with a processing.failed
        finding the unit sees."""
        stack = poison_stack
        stack.submission()
        assert stack.upload("poison.docx", jinhua_form_docx(org_name="中共某局毒文件支部")).status_code == 202
        for name, data in docs(3, "good"):
            assert stack.upload(name, data).status_code == 202
        took = stack.wait_final(4, 240)
        rows = {r.name: r for r in stack.files()}
        poison = rows.pop("poison.docx")
        assert [(n, r.state, r.attempts) for n, r in rows.items() if (r.state, r.attempts) != ("done", 1)] == []
        assert (poison.state, poison.attempts) == ("failed", stack.settings.task_max_attempts + 1)
        with stack.sessions() as s:
            codes = s.scalars(select(FindingRow.code).where(FindingRow.file_id == poison.id)).all()
        assert codes == ["processing.failed"]
        print(f"\npoison file parked, good files done, in {took:.1f}s")


@pytest.mark.proxied("broker")
class TestBrokerCut:
    def test_uploads_through_a_broker_outage(self, stack: Stack) -> None:
        """GIVEN the broker cut WHEN files are uploaded THEN they are accepted (202: stored and in the
        outbox) AND after the broker returns every file is done exactly once within 60 s."""
        stack.submission()
        stack.proxy.cut()
        try:
            for name, data in docs(3, "during"):
                assert stack.upload(name, data).status_code == 202
            time.sleep(OUTAGE_S)
        finally:
            stack.proxy.restore()
        back = time.monotonic()
        stack.wait_final(3, RECOVERY_S)
        recovery = time.monotonic() - back
        rows = stack.files()
        assert [(r.name, r.state, r.attempts) for r in rows if (r.state, r.attempts) != ("done", 1)] == []
        print(f"\nbroker cut {OUTAGE_S:.0f}s: every file done {recovery:.1f}s after its return")
        assert recovery < RECOVERY_S


@pytest.mark.proxied("store")
class TestStoreRefused:
    def test_uploads_through_a_store_outage(self, stack: Stack) -> None:
        """GIVEN files uploaded WHEN the store refuses connections for the outage THEN an upload
        meanwhile is answered 503 store.unavailable with Retry-After AND after the store returns
        every file is done exactly once within 60 s."""
        stack.submission()
        for name, data in docs(2, "before"):
            assert stack.upload(name, data).status_code == 202
        stack.proxy.cut()
        try:
            refused = stack.upload("during.docx", jinhua_form_docx(org_name="中共某局停机时支部"))
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"] == "store.unavailable" and refused.headers["retry-after"]
            time.sleep(OUTAGE_S)
        finally:
            stack.proxy.restore()
        back = time.monotonic()
        stack.wait_final(2, RECOVERY_S)
        recovery = time.monotonic() - back
        rows = stack.files()
        assert [(r.name, r.state, r.attempts) for r in rows if (r.state, r.attempts) != ("done", 1)] == []
        print(f"\nstore refused {OUTAGE_S:.0f}s: every file done {recovery:.1f}s after its return")
        assert recovery < RECOVERY_S


def _kill_group(proc: Any) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


class TestKills:
    def test_relay_killed_mid_batch(self, bare_stack: Stack) -> None:
        """GIVEN twelve uploads in the outbox WHEN the relay is SIGKILLed while it publishes them and
        another relay starts THEN every file is done exactly once (one attempt, one set of findings),
        whatever the first relay sent before it died."""
        stack = bare_stack
        stack.submission()
        files = docs(12, "batch")
        for name, data in files:
            assert stack.upload(name, data).status_code == 202
        env = dossier_env(stack.settings)
        first = subprocess.Popen(dossier_cmd("relay"), env=env, start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with stack.sessions() as s:      # wait until it is publishing, then kill it
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not s.scalar(
                        select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.published_at.is_not(None))):
                    time.sleep(0.05)
                    s.rollback()
        finally:
            _kill_group(first)
        killed = time.monotonic()
        with running(["relay"], env, stack.tmp / "relay2.log"):
            stack.wait_final(12, 120)
        took = time.monotonic() - killed
        rows = stack.files()
        assert [(r.name, r.state, r.attempts) for r in rows if (r.state, r.attempts) != ("done", 1)] == []
        _assert_findings_once(stack, rows)
        print(f"\nrelay killed mid-batch: 12 files done {took:.1f}s later")

    def test_worker_killed_mid_file(self, stack: Stack) -> None:
        """GIVEN files being read WHEN the whole worker (its process group) is SIGKILLed mid-file and
        a new worker starts THEN the file it held comes back and every file is done exactly once
        (one set of findings; the killed run counts as one attempt)."""
        stack.submission()
        for name, data in docs(4, "work"):
            assert stack.upload(name, data).status_code == 202
        worker = stack.worker
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not any(r.state == "processing" for r in stack.files()):
            time.sleep(0.05)
        _kill_group(worker)
        killed = time.monotonic()
        with running(["worker", "--concurrency", "1"], dossier_env(stack.settings), stack.tmp / "w2.log"):
            stack.wait_final(4, 120)
        took = time.monotonic() - killed
        rows = stack.files()
        assert [(r.name, r.state) for r in rows if r.state != "done"] == []
        assert all(r.attempts in (1, 2) for r in rows), [(r.name, r.attempts) for r in rows]
        _assert_findings_once(stack, rows)
        print(f"\nworker killed mid-file: 4 files done {took:.1f}s later "
              f"(attempts {sorted(r.attempts for r in rows)})")


def _assert_findings_once(stack: Stack, rows: list[StoredFile]) -> None:
    """The same findings as one run gives: no file's findings written twice."""
    with stack.sessions() as s:
        for r in rows:
            found = s.execute(select(FindingRow.code, FindingRow.field)
                              .where(FindingRow.file_id == r.id)).all()
            assert found and len(found) == len(set(found)), (r.name, found)


JOIN_OUTAGE_S = float(os.environ.get("DOSSIER_FAULT_JOIN_OUTAGE_S", "20"))


@pytest.mark.slow
class TestOcrJoin:
    def test_database_cut_while_a_scans_pages_are_joined(self, stack: Stack) -> None:
        """GIVEN a three-page scan whose pages are being read WHEN the database is cut as the last
        page finishes (its progress UPDATE queues the join) THEN after its return the scan is done
        once, its form read, within 60 s, not left at 90 % for the reconciler."""
        from .test_ocr_chord import ORG, scanned_pdf

        stack.submission()
        assert stack.upload("扫描件.pdf", scanned_pdf()).status_code == 202
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            [row] = stack.files() or [None]
            if row is not None and (row.is_final or row.progress >= 90):
                break
            time.sleep(0.2)
        stack.proxy.cut()
        try:
            time.sleep(JOIN_OUTAGE_S)
        finally:
            stack.proxy.restore()
        back = time.monotonic()
        stack.wait_final(1, RECOVERY_S)
        recovery = time.monotonic() - back
        [row] = stack.files()
        assert (row.state, row.method, row.attempts) == ("done", "ocr", 1)
        forms = [d for d in (row.result or {})["documents"] if d["kind"] == "recommendation_form"]
        assert forms and forms[0]["fields"]["org_name"]["value"] == ORG
        print(f"\ndatabase cut {JOIN_OUTAGE_S:.0f}s during an OCR join: done {recovery:.1f}s after its return")
        assert recovery < RECOVERY_S
