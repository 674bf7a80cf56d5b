"""The Celery queues dossier declares, and on RabbitMQ how: quorum queues with a delivery limit
and a dead-letter queue.

On an AMQP broker every task queue is a quorum queue (`x-queue-type: quorum`): replicated, and
counting each message's deliveries.  A message delivered `DOSSIER_DELIVERY_LIMIT` times without
being acknowledged (a worker killed by the same file again and again, a reject with requeue) is
dead-lettered to `DOSSIER_QUEUE_DEAD` (`dossier.dead`) instead of coming back to the head of its
queue forever.  A consumer whose connection dies with the message unacknowledged counts as a
delivery too (RabbitMQ 3.10; tests/test_quorum_queues.py checks it on the broker at hand).
That is the broker's backstop; the application's own attempt counter
(`DOSSIER_TASK_MAX_ATTEMPTS`, in the files row) parks a file with a `processing.failed` finding the
unit sees first, so the limit must stay above it (Settings refuses otherwise).  A dead-lettered
message loses no work: the file's row still says where it stands, and the reconciler queues it
again after its period.

Countdowns (a retry's wait) on quorum queues go through RabbitMQ itself (Celery's native delayed
delivery: TTL queues `celery_delayed_*` and the `celery_delayed_delivery` exchange), which needs a
topic exchange: the task queues are bound to `dossier.tasks` (topic), not to a direct exchange.
Quorum queues have no priorities and no global QoS; nothing in dossier uses priorities, and Celery
switches to per-consumer prefetch by itself (`worker_detect_quorum_queues`).

The embedded filesystem transport keeps its plain queues: no arguments, the default exchange.

RabbitMQ refuses to declare an existing queue with other arguments (a classic queue left by an
earlier version is PRECONDITION_FAILED): `declare_queues` turns that into `QueueMismatch`, which
names the queue and the two ways out, and `dossier worker` and the relay stop on it at start.
"""
from __future__ import annotations

import logging
from typing import Any

from amqp.exceptions import PreconditionFailed
from celery import Celery, signals
from kombu import Connection, Exchange, Queue

from dossier.settings import Settings

log = logging.getLogger(__name__)

# a topic exchange for the task queues (routing key = queue name): native delayed delivery binds
# through it.  A new name, not the queue's: an earlier version left a direct exchange named after
# the ingest queue, and an exchange cannot change its type either
TASK_EXCHANGE = "dossier.tasks"
AMQP_SCHEMES = ("amqp:", "amqps:", "pyamqp:")


def is_amqp(url: str) -> bool:
    return url.startswith(AMQP_SCHEMES)


def queues(settings: Settings) -> dict[str, str]:
    """Role -> task queue name."""
    return {"ingest": settings.queue_ingest, "extract": settings.queue_extract,
            "ocr": settings.queue_ocr, "packets": settings.queue_packets}


def watched_queues(settings: Settings) -> dict[str, str]:
    """The queues operators watch: the task queues and, on RabbitMQ, the dead-letter queue."""
    out = queues(settings)
    if is_amqp(settings.resolved_broker_url()):
        out["dead"] = settings.queue_dead
    return out


def quorum_arguments(settings: Settings) -> dict[str, Any]:
    """The arguments of every task queue on RabbitMQ."""
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": settings.delivery_limit,
        "x-dead-letter-exchange": settings.queue_dead,
        # at-least-once: a dead-lettered message is dropped from its queue only once the
        # dead-letter queue has confirmed it (RabbitMQ 3.10+; it needs reject-publish overflow)
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def dead_letter_queue(settings: Settings) -> Queue:
    """`dossier.dead`: a quorum queue behind a fanout exchange of the same name, so a message
    dead-lettered with its own routing key (its queue's name) lands there from any queue."""
    name = settings.queue_dead
    return Queue(name, Exchange(name, type="fanout", durable=True), routing_key=name, durable=True,
                 queue_arguments={"x-queue-type": "quorum"})


def task_queues(settings: Settings) -> list[Queue]:
    """The task queues for Celery's `task_queues`: quorum on AMQP, plain elsewhere."""
    names = list(dict.fromkeys(queues(settings).values()))
    if not is_amqp(settings.resolved_broker_url()):
        return [Queue(name, routing_key=name, durable=True) for name in names]
    exchange = Exchange(TASK_EXCHANGE, type="topic", durable=True)
    args = quorum_arguments(settings)
    return [Queue(name, exchange, routing_key=name, durable=True, queue_arguments=args)
            for name in names]


def celery_options(settings: Settings) -> dict[str, Any]:
    """Celery settings that go with quorum queues (none on other transports)."""
    if not is_amqp(settings.resolved_broker_url()):
        return {}
    return {
        # a queue Celery creates on its own (a route to a name not in task_queues) is quorum too
        "task_default_queue_type": "quorum",
        "task_default_exchange": TASK_EXCHANGE, "task_default_exchange_type": "topic",
        # quorum queues refuse a global prefetch: Celery sets it per consumer when it sees them
        "worker_detect_quorum_queues": True,
        "broker_native_delayed_delivery_queue_type": "quorum",
    }


class QueueMismatch(RuntimeError):
    """A queue exists on the broker with other arguments than dossier declares."""

    def __init__(self, queue: str, detail: str) -> None:
        self.queue = queue
        super().__init__(
            f"RabbitMQ queue {queue!r} exists with other arguments than dossier declares "
            f"(a quorum queue with a delivery limit and the dead-letter queue): {detail}. "
            f"Fix: let the workers empty it, then `rabbitmqctl delete_queue {queue}` (files whose "
            f"message is lost are queued again by the relay's reconciler), or give dossier new "
            f"queue names (DOSSIER_QUEUE_INGEST=ingest.q …). "
            f"/ 消息队列 {queue} 已存在且参数不同（需要带投递上限和死信队列的 quorum 队列）。"
            f"请等待该队列处理完后执行 `rabbitmqctl delete_queue {queue}`，或改用新的队列名"
            f"（DOSSIER_QUEUE_* 设置）。")


def declare_queues(app: Celery, connection: Connection | None = None) -> list[str]:
    """Declare the dead-letter queue and every task queue on RabbitMQ; returns their names
    (nothing on another transport).  Raises `QueueMismatch` for a queue declared otherwise before."""
    settings: Settings = app.settings  # type: ignore[attr-defined]
    if not is_amqp(settings.resolved_broker_url()):
        return []
    wanted = [dead_letter_queue(settings), *task_queues(settings)]
    conn = connection or app.connection_for_write()
    try:
        for queue in wanted:
            # a channel of its own: PRECONDITION_FAILED closes the channel it was asked on
            channel = conn.channel()
            try:
                queue.bind(channel).declare()
            except PreconditionFailed as e:
                raise QueueMismatch(queue.name, str(e)) from e
            finally:
                _close_quietly(channel)
    finally:
        if connection is None:
            conn.release()
    return [q.name for q in wanted]


def _close_quietly(channel: Any) -> None:
    try:
        channel.close()
    except Exception:       # a channel the broker already closed
        log.debug("channel already closed", exc_info=True)


def _on_worker_init(sender: Any = None, **_: Any) -> None:
    app = getattr(sender, "app", None)
    if app is None or not hasattr(app, "settings"):
        return
    try:
        names = declare_queues(app)
    except QueueMismatch as e:
        log.critical("%s", e)
        # SystemExit passes through Celery's signal dispatch: the worker stops here, saying why
        raise SystemExit(f"dossier worker: {e}") from None
    except Exception as e:   # the broker is not up yet: Celery's own start waits for it
        log.warning("could not declare the queues at start (%s: %s); the worker declares them "
                    "once the broker answers", type(e).__name__, e)
        return
    if names:
        log.info("queues declared: %s (quorum, delivery limit %d, dead letters to %s)",
                 ", ".join(names), app.settings.delivery_limit, app.settings.queue_dead)


def check_at_worker_start() -> None:
    """`dossier worker`: declare the queues before Celery consumes, and stop on a mismatch."""
    signals.worker_init.connect(_on_worker_init, weak=False, dispatch_uid="dossier.declare_queues")
