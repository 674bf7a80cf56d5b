"""Publishing outbox rows as Celery tasks: what the relay does on each pass, and what a step's
Runtime does at once for the rows it has just committed (so the next step does not wait for the
relay's next pass).  It takes the Celery app as an argument: the app (workers/celery_app.py) and
the relay both import this module, and it imports neither.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError as BrokerOperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage import outbox
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

# the broker is unreachable: stop this pass, the rest wait for the next one
BROKER_DOWN = (BrokerOperationalError, ConnectionError, OSError, TimeoutError)
# fail fast: the row stays in the outbox, so there is nothing to gain by waiting here
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def _send(app: Celery, msg: OutboxMessage) -> None:
    payload: dict[str, Any] = msg.payload or {}
    options: dict[str, Any] = {}
    if payload.get("queue"):
        options["queue"] = payload["queue"]
    if payload.get("countdown"):
        # whole seconds on RabbitMQ's quorum queues (see workers/tasks.MIN_COUNTDOWN_S)
        options["countdown"] = max(1.0, float(payload["countdown"]))
    app.send_task(msg.topic, args=payload.get("args", []), kwargs=payload.get("kwargs", {}),
                  retry=True, retry_policy=PUBLISH_RETRY, **options)


def publish_rows(app: Celery, sessions: sessionmaker[Session], ids: Sequence[int] | None = None,
                 *, limit: int = 100) -> int:
    """Publish due unpublished rows (only `ids` when given); returns how many went out."""
    sent = 0
    with sessions() as s:
        rows = outbox.claim_pending(s, limit=limit, ids=ids)
        for msg in rows:
            try:
                _send(app, msg)
            except BROKER_DOWN as e:
                outbox.mark_failed(msg, f"{type(e).__name__}: {e}")
                log.warning("broker unreachable (%s); %d outbox row(s) wait for the next pass",
                            e, len(rows) - sent)
                break
            except Exception as e:   # a bad row must not stop the others
                outbox.mark_failed(msg, f"{type(e).__name__}: {e}")
                log.exception("publishing outbox row %s (%s) failed", msg.id, msg.topic)
                continue
            outbox.mark_published(msg)
            sent += 1
        s.commit()
    if sent:
        log.info("published %d outbox row(s)", sent)
    return sent
