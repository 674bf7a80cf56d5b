"""The broker's part of /ops and /metrics, kept briefly so that a page load never waits for it.

Asking RabbitMQ for queue depths and pinging the workers takes the ping's whole timeout (a second
or more) and a new Celery app each time; /ops refreshes every 15 s and Prometheus scrapes /metrics.
So one Celery app is kept per broker, the answer is kept for MAX_AGE seconds, and the last answer
(with its age) is served while one background thread asks again.  No request ever waits: the app
asks once as it starts (`warm`, from services/app.py), and a request that comes before the first
answer is told the figures are not there yet (`Figures.age_s is None`) while the ask runs.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from dossier.settings import Settings
from services.ops import broker

log = logging.getLogger(__name__)

MAX_AGE = 10.0      # seconds: well inside /ops's 15-s refresh

Answer = tuple[list[Any], list[str] | None, str | None]


@dataclass(frozen=True)
class Figures:
    """Queue depths, the workers that answered and the broker's error, `age_s` seconds old;
    `age_s` None: the broker has not answered yet (nothing to show)."""
    queues: list[Any]
    workers: list[str] | None
    error: str | None
    age_s: float | None


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
    try:
        answer = broker.broker_queues(settings, entry.app)    # reports a broker that is down, never raises it
    except Exception as e:      # anything else (a bad URL): the page says so rather than nothing
        log.warning("asking the broker for /ops failed: %s", e)
        answer = [], None, f"{type(e).__name__}: {e}"[:300]
    with _lock:
        entry.answer, entry.at, entry.refreshing = answer, time.monotonic(), False


def latest(settings: Settings, *, max_age: float = MAX_AGE) -> Figures:
    """The broker's figures as last asked, at once, never waited for; a background ask is started
    when they are missing or older than `max_age` seconds."""
    from workers.celery_app import make_celery

    key = _key(settings)
    with _lock:
        entry = _entries.get(key)
        if entry is None:
            entry = _entries[key] = _Entry(app=make_celery(settings))
        now = time.monotonic()
        fresh = entry.answer is not None and now - entry.at < max_age
        start = not fresh and not entry.refreshing
        if start:
            entry.refreshing = True
        answer, age = entry.answer, now - entry.at
    if start:
        threading.Thread(target=_ask, args=(settings, entry), name="ops-broker", daemon=True).start()
    if answer is None:          # the queues by name, their figures not there yet
        return Figures(broker.watched(settings), None, None, None)
    return Figures(*answer, age_s=age)


def warm(settings: Settings) -> None:
    """Ask the broker in the background as the app starts, so the first /ops has figures.  Returns
    at once (building the Celery app imports Celery: that too runs in the thread) and never raises:
    a broker that is down is the page's to report, not a reason to fail the start."""
    def run() -> None:
        try:
            latest(settings)
        except Exception as e:      # a start-up must not fail for a figure on the operator's page
            log.warning("could not start asking the broker for /ops: %s", e)

    threading.Thread(target=run, name="ops-broker-warm", daemon=True).start()
