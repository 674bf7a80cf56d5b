"""The transactional outbox: tasks to publish, written with the change that needs them.

`add()` puts a row in the caller's session, so the task exists if and only if
the change commits.  The relay (workers/relay.py) claims unpublished rows,
publishes them and marks them; a broker outage leaves them for the next pass.
Nothing here talks to the broker.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import OutboxMessage, utcnow


def add(session: Session, topic: str, *args: Any, queue: str | None = None,
        countdown: float | None = None, **kwargs: Any) -> OutboxMessage:
    """Record a task `topic(*args, **kwargs)` to publish after this transaction commits.

    Arguments must be JSON (ids, not objects).  `queue` overrides the task's route.
    """
    payload: dict[str, Any] = {"args": list(args), "kwargs": kwargs}
    if queue:
        payload["queue"] = queue
    if countdown:
        payload["countdown"] = countdown
    msg = OutboxMessage(topic=topic, payload=payload)
    session.add(msg)
    return msg


def claim_pending(session: Session, *, limit: int = 100,
                  ids: Sequence[int] | None = None) -> list[OutboxMessage]:
    """Unpublished rows that are due, oldest first, locked for this transaction.

    On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several relays (and a worker
    publishing its own follow-up) run at once without publishing a row twice;
    SQLite serialises writers anyway and ignores the clause.
    """
    stmt = (select(OutboxMessage)
            .where(OutboxMessage.published_at.is_(None), OutboxMessage.available_at <= utcnow())
            .order_by(OutboxMessage.id).limit(limit)
            .with_for_update(skip_locked=True))
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(list(ids)))
    return list(session.scalars(stmt))


def mark_published(msg: OutboxMessage) -> None:
    msg.published_at = utcnow()
    msg.attempts += 1
    msg.last_error = None


def mark_failed(msg: OutboxMessage, error: str, *, base_delay: float = 1.0,
                max_delay: float = 5.0) -> None:
    """Keep the row for a later pass, backing off (with jitter) so a dead broker is not hammered.

    The cap is short: the relay stops a pass at the first row the broker refuses, so the
    backoff only spaces out those probes, and after the broker returns the rows must go
    within seconds, not a minute."""
    msg.attempts += 1
    msg.last_error = error[:2000]
    delay = min(max_delay, base_delay * 2 ** min(msg.attempts - 1, 10))
    msg.available_at = utcnow() + dt.timedelta(seconds=delay * random.uniform(0.5, 1.0))


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.published_at.is_(None))) or 0)


def purge_published(session: Session, *, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete rows published before `older_than` ago; returns how many."""
    result = session.execute(delete(OutboxMessage).where(
        OutboxMessage.published_at.is_not(None), OutboxMessage.published_at < utcnow() - older_than))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
