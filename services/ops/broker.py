"""Asking the broker: how many messages wait in each Celery queue /ops watches, and which workers
answer a ping.  Slow (the ping's whole timeout), so the pages read it through broker_cache."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from dossier.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class QueueDepth:
    role: str                       # ingest | extract | ocr | packets
    name: str                       # the Celery queue's name (settings)
    messages: int | None = None     # waiting, not yet taken by a worker
    consumers: int | None = None    # workers reading it (AMQP only; None where the broker cannot tell)
    error: str | None = None


def watched(settings: Settings) -> list[QueueDepth]:
    """The Celery queues /ops shows, not asked yet (their names come from the settings)."""
    from workers.queues import watched_queues

    # on RabbitMQ the dead-letter queue too: a message there went past the delivery limit
    return [QueueDepth(role, name) for role, name in watched_queues(settings).items()]


def broker_queues(settings: Settings, app: Any = None) -> tuple[list[QueueDepth], list[str] | None, str | None]:
    """Messages waiting in each Celery queue and the workers that answer a ping.

    Each queue is asked on its own channel: on AMQP a queue not declared yet
    (no worker ever started for it) closes the channel it was asked on."""
    from workers.celery_app import make_celery

    app = app or make_celery(settings)
    depths = watched(settings)
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.ops_broker_timeout)
            for q in depths:
                ch = conn.channel()
                try:
                    ok = ch.queue_declare(queue=q.name, passive=True)
                    q.messages = int(ok.message_count)
                    q.consumers = int(ok.consumer_count) if conn.transport_cls in ("amqp", "pyamqp") else None
                except Exception as e:      # the broker's own "no such queue": not declared yet
                    q.error = "not declared" if "NOT_FOUND" in str(e) or "404" in str(e) else type(e).__name__
                finally:
                    try:
                        ch.close()
                    except Exception:       # a channel the broker already closed
                        pass
        replies = app.control.ping(timeout=settings.ops_broker_timeout) or []
        workers = sorted(name for reply in replies for name in reply)
        return depths, workers, None
    except Exception as e:                  # broker down or unreachable: the page says so
        log.warning("broker did not answer the operator's page: %s", e)
        return depths, None, f"{type(e).__name__}: {e}"[:300]
