"""/ops and /metrics never wait for the broker once warm: its answer is kept briefly and refreshed
in the background, with one Celery app per broker."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dossier.settings import Settings
from services.ops import broker_cache, metrics


def test_the_broker_is_asked_once_then_served_from_the_cache(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[Any] = []
    slow = threading.Event()

    def fake(settings: Settings, app: Any = None) -> Any:
        asked.append(app)
        if len(asked) > 1:
            slow.wait(5)        # a broker that takes its time: the caller must not wait for it
        return [], [f"worker-{len(asked)}"], None

    monkeypatch.setattr(metrics, "broker_queues", fake)
    settings = Settings(data_dir=tmp_path / "var")
    assert broker_cache.latest(settings)[1] == ["worker-1"]
    assert broker_cache.latest(settings)[1] == ["worker-1"] and len(asked) == 1   # fresh: not asked
    start = time.monotonic()
    assert broker_cache.latest(settings, max_age=0)[1] == ["worker-1"]           # stale: served at once
    assert time.monotonic() - start < 0.2
    slow.set()
    for _ in range(100):
        if broker_cache.latest(settings)[1] == ["worker-2"]:
            break
        time.sleep(0.02)
    assert broker_cache.latest(settings)[1] == ["worker-2"]
    assert len({id(a) for a in asked}) == 1          # one Celery app kept for the broker
