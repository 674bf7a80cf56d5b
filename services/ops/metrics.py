"""The figures an operator watches, read from the database and the broker.

Everything here is a plain function over a session (and the settings for the
broker), so the page, the JSON API and the Prometheus endpoint show the same
numbers.  The database is the truth for files and reviewer tasks; the broker
is asked only how many messages wait in each Celery queue and which workers
answer a ping, and a broker that does not answer is reported, not raised.
"""
from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier.settings import Settings
from services.ops import broker_cache
from services.ops.broker import QueueDepth, broker_queues
from services.ops.contests import contest_stats
from storage.models import FileState, OutboxMessage, StoredFile, utcnow
from storage.review_models import ReviewTask, TaskState

log = logging.getLogger(__name__)

ACTIVE_TASKS = (TaskState.OPEN.value, TaskState.CLAIMED.value)


@dataclass
class Snapshot:
    at: str
    files: dict[str, int]
    oldest_waiting_s: float | None
    finished_per_hour: list[dict[str, Any]]
    seconds_by_method: dict[str, dict[str, float]]
    failures: list[dict[str, Any]]
    outbox: dict[str, Any]
    review: list[dict[str, Any]]
    contests: list[dict[str, Any]] = field(default_factory=list)   # 识别有误 per finding code
    queues: list[QueueDepth] = field(default_factory=list)
    workers: list[str] | None = None
    broker_error: str | None = None
    broker_age_s: float | None = None       # how old the broker's figures are; None: none yet

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["queues"] = [asdict(q) for q in self.queues]
        return out


def _age(now: dt.datetime, then: dt.datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def file_states(session: Session) -> dict[str, int]:
    counts = dict.fromkeys((s.value for s in FileState), 0)
    for state, n in session.execute(select(StoredFile.state, func.count()).group_by(StoredFile.state)):
        counts[state] = int(n)
    return counts


def oldest_waiting(session: Session, now: dt.datetime) -> float | None:
    """Seconds since the oldest file not yet final was uploaded: the backlog's age."""
    first = session.scalar(select(func.min(StoredFile.created_at)).where(
        StoredFile.state.not_in([s.value for s in FileState.final()])))
    return _age(now, first)


def _finished_since(session: Session, since: dt.datetime) -> list[tuple[dt.datetime, dt.datetime, str | None, str]]:
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(StoredFile.created_at, StoredFile.finished_at, StoredFile.method, StoredFile.state)
        .where(StoredFile.finished_at >= since))]


def throughput(session: Session, now: dt.datetime, hours: int = 24
               ) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """Files finished per hour over the last `hours` (oldest first, failed counted apart), and
    seconds from upload to result by method (median and 95th percentile)."""
    start = (now - dt.timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    done: Counter[dt.datetime] = Counter()
    failed: Counter[dt.datetime] = Counter()
    took: dict[str, list[float]] = defaultdict(list)
    for created, finished, method, state in _finished_since(session, start):
        hour = finished.replace(minute=0, second=0, microsecond=0)
        (failed if state == FileState.FAILED.value else done)[hour] += 1
        if state == FileState.DONE.value:
            took[method or "unknown"].append((finished - created).total_seconds())
    rows = []
    for i in range(hours):
        hour = start + dt.timedelta(hours=i)
        rows.append({"hour": hour.isoformat(), "done": done[hour], "failed": failed[hour]})
    timing = {}
    for method, xs in sorted(took.items()):
        xs.sort()
        timing[method] = {"count": len(xs), "median": round(statistics.median(xs), 2),
                          "p95": round(xs[min(len(xs) - 1, int(0.95 * len(xs)))], 2)}
    return rows, timing


def failures(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The files parked for a person, newest first."""
    rows = session.scalars(select(StoredFile).where(StoredFile.state == FileState.FAILED.value)
                           .order_by(StoredFile.finished_at.desc().nulls_last()).limit(limit))
    return [{"file_id": r.id, "submission_id": r.submission_id, "name": r.name, "format": r.format,
             "attempts": r.attempts, "error": r.error,
             "finished_at": r.finished_at.isoformat() if r.finished_at else None} for r in rows]


def outbox_backlog(session: Session, now: dt.datetime) -> dict[str, Any]:
    """Messages written but not yet handed to the broker: a growing number means the relay or
    the broker is down (uploads are safe; their work waits)."""
    pending = OutboxMessage.published_at.is_(None)
    n, first = session.execute(select(func.count(), func.min(OutboxMessage.created_at)).where(pending)).one()
    failing = int(session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(pending, OutboxMessage.attempts > 0)) or 0)
    last_error = session.scalar(select(OutboxMessage.last_error).where(pending, OutboxMessage.attempts > 0)
                                .order_by(OutboxMessage.id.desc()).limit(1))
    return {"pending": int(n or 0), "oldest_s": _age(now, first), "failing": failing, "last_error": last_error}


def review_load(session: Session, now: dt.datetime) -> list[dict[str, Any]]:
    """Reviewer tasks by campaign, stage and department: open, claimed, overdue, lapsed leases."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for t in session.scalars(select(ReviewTask).where(ReviewTask.state.in_(ACTIVE_TASKS))):
        key = (t.campaign_id, t.stage_id, t.department or "")
        row = out.setdefault(key, {"campaign_id": key[0], "stage_id": key[1], "department": key[2],
                                   "open": 0, "claimed": 0, "overdue": 0, "lapsed": 0})
        row[t.state] += 1
        if t.due_at is not None and t.due_at < now:
            row["overdue"] += 1
        if t.state == TaskState.CLAIMED.value and t.lease_expires_at is not None and t.lease_expires_at < now:
            row["lapsed"] += 1
    return [out[k] for k in sorted(out)]


def snapshot(session: Session, settings: Settings, *, now: dt.datetime | None = None,
             broker: bool = True, app: Any = None) -> Snapshot:
    now = now or utcnow()
    per_hour, timing = throughput(session, now)
    snap = Snapshot(at=now.isoformat(), files=file_states(session), oldest_waiting_s=oldest_waiting(session, now),
                    finished_per_hour=per_hour, seconds_by_method=timing, failures=failures(session),
                    outbox=outbox_backlog(session, now), review=review_load(session, now),
                    contests=contest_stats(session))
    if broker:
        # the page's and the scrape's broker figures come from a brief cache (services/ops/broker_cache)
        if app is not None:
            snap.queues, snap.workers, snap.broker_error = broker_queues(settings, app)
            snap.broker_age_s = 0.0
        else:
            f = broker_cache.latest(settings)
            snap.queues, snap.workers, snap.broker_error, snap.broker_age_s = f.queues, f.workers, f.error, f.age_s
    return snap
