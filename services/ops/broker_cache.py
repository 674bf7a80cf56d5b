"""The broker's part of /ops and /metrics, kept briefly so that a page load never waits for it.

Asking RabbitMQ for queue depths and pinging the workers takes the ping's whole timeout (a second
or more) and a new Celery app each time; /ops refreshes every 15 s and Prometheus scrapes /metrics.
So one Celery app is kept per broker, the answer is kept for MAX_AGE seconds, and a stale answer is
served while one background thread asks again; only the very first call of a process waits.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from dossier.settings import Settings

MAX_AGE = 10.0      # seconds: well inside /ops's 15-s refresh

Answer = tuple[list[Any], list[str] | None, str | None]


@dataclass
class _Entry:
    app: Any
    answer: Answer | None = None
    at: float = 0.0
    refreshing: bool = False


_lock = threading.Lock()
_entries: dict[tuple[str, str], _Entry] = {}


def _key(settings: Settings) -> tuple[str, str]:
    return str(settings.broker_url), str(getattr(settings, "data_dir", ""))


def _ask(settings: Settings, entry: _Entry) -> None:
    from services.ops.metrics import broker_queues

    try:
        answer = broker_queues(settings, entry.app)
    finally:
        with _lock:
            entry.refreshing = False
    with _lock:
        entry.answer, entry.at = answer, time.monotonic()


def latest(settings: Settings, *, max_age: float = MAX_AGE) -> Answer:
    """Queue depths, workers and the broker's error, at most `max_age` seconds old once warm."""
    from workers.celery_app import make_celery

    key = _key(settings)
    with _lock:
        entry = _entries.get(key)
        if entry is None:
            entry = _entries[key] = _Entry(app=make_celery(settings))
        fresh = entry.answer is not None and time.monotonic() - entry.at < max_age
        start = not fresh and not entry.refreshing and entry.answer is not None
        if start:
            entry.refreshing = True
        answer = entry.answer
    if answer is None:              # the process's first look: nothing to show yet, so ask now
        _ask(settings, entry)
        with _lock:
            assert entry.answer is not None
            return entry.answer
    if start:
        threading.Thread(target=_ask, args=(settings, entry), name="ops-broker", daemon=True).start()
    return answer
