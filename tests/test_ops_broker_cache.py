"""/ops and /metrics never wait for the broker: its answer is kept briefly and refreshed in the
background, with one Celery app per broker; the app asks once as it starts, and a request before
the first answer is told the figures are not there yet."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import Engine

from dossier.settings import Settings
from services.auth import accounts
from services.ops import broker, broker_cache
from storage.db import make_sessionmaker
from tests.review_helpers import PASSWORD
from tests.test_auth_access import login


def _until(check: Any, seconds: float = 5.0) -> Any:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if got := check():
            return got
        time.sleep(0.02)
    return check()


def test_the_broker_is_asked_in_the_background_then_served_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a broker that answers slowly WHEN the figures are asked for THEN nothing waits: first
    "none yet", then the answer with its age, a stale answer served while it is asked again."""
    asked: list[Any] = []
    slow = threading.Event()

    def fake(settings: Settings, app: Any = None) -> Any:
        asked.append(app)
        if len(asked) > 1:
            slow.wait(5)        # a broker that takes its time: the caller must not wait for it
        return [], [f"worker-{len(asked)}"], None

    monkeypatch.setattr(broker, "broker_queues", fake)
    settings = Settings(data_dir=tmp_path / "var")
    first = broker_cache.latest(settings)
    assert first.age_s is None and first.workers is None          # not answered yet: nothing shown
    got = _until(lambda: broker_cache.latest(settings).workers == ["worker-1"] and broker_cache.latest(settings))
    assert got.age_s is not None and got.age_s < 5 and len(asked) == 1   # fresh: not asked again
    start = time.monotonic()
    assert broker_cache.latest(settings, max_age=0).workers == ["worker-1"]   # stale: served at once
    assert time.monotonic() - start < 0.2
    slow.set()
    assert _until(lambda: broker_cache.latest(settings).workers == ["worker-2"])
    assert len({id(a) for a in asked}) == 1          # one Celery app kept for the broker


def test_warm_returns_at_once_and_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broker that cannot even be named (a Celery app that fails to build) does not stop the start."""
    import workers.celery_app

    def broken(settings: Settings) -> Any:
        raise RuntimeError("no broker")

    monkeypatch.setattr(workers.celery_app, "make_celery", broken)
    start = time.monotonic()
    broker_cache.warm(Settings(data_dir=tmp_path / "var"))
    assert time.monotonic() - start < 0.2


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port that accepts connections and never says a word (a broker behind a partition)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


def test_the_first_ops_load_does_not_wait_for_a_silent_broker(settings: Settings, sqlite_engine: Engine,
                                                               blackhole: int) -> None:
    """GIVEN RabbitMQ's address swallowing every packet WHEN the app starts and an operator opens
    /ops at once THEN the page answers quickly and says the queue figures are not there yet."""
    from fastapi.testclient import TestClient

    from services.app import create_app
    from storage.objects import open_store

    with make_sessionmaker(sqlite_engine)() as s:
        accounts.create_user(s, username="ops", password=PASSWORD, role="operator")
    silent = settings.model_copy(update={"broker_url": f"amqp://guest:guest@127.0.0.1:{blackhole}//",
                                         "ops_broker_timeout": 5.0, "anonymous_uploads": False})
    app = create_app(silent, engine=sqlite_engine, store=open_store(silent))
    started = time.monotonic()
    with TestClient(app) as c:          # runs the lifespan: the warm-up starts here
        assert time.monotonic() - started < 1.0          # the start did not wait for the broker
        assert c.get("/readyz").status_code == 200
        login(c, "ops")
        t = time.monotonic()
        page = c.get("/ops")
        took = time.monotonic() - t
        assert page.status_code == 200 and took < 1.0, took
        assert "队列数据暂未取得" in page.text
        data = c.get("/api/ops").json()
        assert data["broker_age_s"] is None and data["workers"] is None
