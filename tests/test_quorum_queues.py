"""RabbitMQ quorum queues with a delivery limit and a dead-letter queue (issue 15), on the real broker.

Every test declares queues of its own (tests/conftest.queue_names, a dead-letter queue named
alike) and deletes them afterwards: the shared broker keeps what earlier runs left.
"""
from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from amqp.exceptions import PreconditionFailed
from kombu import Connection, Queue

from dossier.settings import Settings
from workers.celery_app import DossierCelery, make_celery
from workers.queues import QueueMismatch, declare_queues, quorum_arguments, task_queues, watched_queues

from .conftest import delete_queues, queue_names, unique


def _own_queues(settings: Settings, amqp_url: str, **extra: Any) -> Settings:
    prefix = unique("quorum")
    return settings.model_copy(update={"broker_url": amqp_url, **queue_names(prefix),
                                       "queue_dead": f"{prefix}-dead", **extra})


def _names(s: Settings) -> list[str]:
    return [s.queue_ingest, s.queue_extract, s.queue_ocr, s.queue_packets, s.queue_dead]


@contextlib.contextmanager
def _cleanup(s: Settings) -> Iterator[DossierCelery]:
    app = make_celery(s)
    try:
        yield app
    finally:
        delete_queues(app, _names(s))
        with app.connection_for_write() as conn, contextlib.suppress(Exception):
            conn.default_channel.exchange_delete(s.queue_dead)


def _redeclare(url: str, name: str, arguments: dict[str, Any]) -> None:
    """Declare `name` again with `arguments`: the broker refuses (PRECONDITION_FAILED) unless
    they are the ones it holds — how a test reads a queue's arguments without the management API."""
    with Connection(url) as conn:
        channel = conn.channel()
        try:
            channel.queue_declare(queue=name, durable=True, auto_delete=False, arguments=arguments)
        finally:
            with contextlib.suppress(Exception):
                channel.close()


def _take_and_die(url: str, queue: str) -> list[Any]:
    """Consume one message of `queue` as a worker does (prefetch 1, manual ack), then let the
    connection die without a close or an ack; returns the message's x-delivery-count, if any."""
    conn = Connection(url)
    conn.connect()
    got: list[Any] = []
    try:
        channel = conn.channel()
        channel.basic_qos(0, 1, False)
        channel.basic_consume(queue, callback=got.append, no_ack=False)
        with contextlib.suppress(socket.timeout):
            conn.drain_events(timeout=2)
    finally:
        conn.connection.transport.sock.shutdown(socket.SHUT_RDWR)    # no AMQP close: it dies
        with contextlib.suppress(Exception):
            conn.collect()
    time.sleep(0.2)     # the broker notices the closed socket and returns the message
    return [m.headers.get("x-delivery-count") for m in got]


class TestDeclarations:
    def test_embedded_transport_unchanged(self, settings: Settings) -> None:
        """The filesystem broker keeps plain queues: no quorum arguments, no dead-letter queue."""
        queues = task_queues(settings)
        assert [q.name for q in queues] == ["ingest", "extract", "ocr", "packets"]
        assert all(not q.queue_arguments for q in queues)
        assert "dead" not in watched_queues(settings)
        assert make_celery(settings).conf.task_default_queue_type == "classic"

    def test_amqp_queues_carry_the_settings(self, settings: Settings) -> None:
        """On RabbitMQ each task queue is quorum, with the delivery limit and dead-letter exchange
        the settings name, bound to a topic exchange (Celery's delayed retries need one)."""
        s = settings.model_copy(update={"broker_url": "amqp://guest:guest@127.0.0.1:5672//",
                                        "delivery_limit": 12, "queue_dead": "dead.q"})
        for q in task_queues(s):
            assert q.queue_arguments["x-queue-type"] == "quorum"
            assert q.queue_arguments["x-delivery-limit"] == 12
            assert q.queue_arguments["x-dead-letter-exchange"] == "dead.q"
            assert q.exchange.type == "topic"
        assert watched_queues(s)["dead"] == "dead.q"

    def test_limit_must_exceed_attempts(self) -> None:
        """A delivery limit at or under the application's attempts is refused at start: the broker
        would dead-letter a message before the file is parked with a finding the unit sees."""
        with pytest.raises(ValueError, match="DOSSIER_DELIVERY_LIMIT"):
            Settings(delivery_limit=5, task_max_attempts=5)
        assert Settings(delivery_limit=6, task_max_attempts=5).delivery_limit == 6


@pytest.mark.services
class TestOnRabbitMQ:
    def test_broker_holds_the_arguments(self, settings: Settings, amqp_url: str) -> None:
        """GIVEN the queues declared WHEN declared again with the settings' arguments THEN the
        broker agrees, and with another delivery limit it refuses: it holds exactly the settings."""
        s = _own_queues(settings, amqp_url, delivery_limit=9)
        with _cleanup(s) as app:
            assert declare_queues(app) == [s.queue_dead, *_names(s)[:4]]
            for name in _names(s)[:4]:
                _redeclare(amqp_url, name, quorum_arguments(s))
                with pytest.raises(PreconditionFailed, match="x-delivery-limit"):
                    _redeclare(amqp_url, name, {**quorum_arguments(s), "x-delivery-limit": 10})

    def test_message_past_the_limit_is_dead_lettered(self, settings: Settings, amqp_url: str) -> None:
        """GIVEN a task message WHEN it is rejected back to its queue more often than the delivery
        limit (a worker killed by it each time) THEN it leaves the queue for the dead-letter queue,
        which /ops and /metrics count."""
        s = _own_queues(settings, amqp_url, delivery_limit=3, task_max_attempts=2)
        with _cleanup(s) as app, Connection(amqp_url) as conn:
            declare_queues(app)
            app.send_task("ingest.file", args=["file-1"])
            channel = conn.channel()
            deliveries = 0
            deadline = time.monotonic() + 30
            while channel.queue_declare(queue=s.queue_dead, passive=True).message_count == 0:
                assert time.monotonic() < deadline, f"not dead-lettered after {deliveries} deliveries"
                message = channel.basic_get(s.queue_ingest, no_ack=False)
                if message is None:
                    time.sleep(0.1)
                    continue
                deliveries += 1
                channel.basic_reject(message.delivery_tag, requeue=True)
            assert deliveries == s.delivery_limit + 1
            assert channel.queue_declare(queue=s.queue_ingest, passive=True).message_count == 0
            # the operator's figure: the dead-letter queue among the queue depths (/ops, /metrics)
            from services.ops.broker import broker_queues
            depths, _, error = broker_queues(s, app)
            assert error is None
            assert {q.role: q.messages for q in depths} == {"ingest": 0, "extract": 0, "ocr": 0,
                                                           "packets": 0, "dead": 1}
            dead = channel.basic_get(s.queue_dead, no_ack=True)
            assert dead.headers["task"] == "ingest.file"
            assert dead.headers["x-death"][0]["reason"] == "delivery_limit"
            assert dead.headers["x-death"][0]["queue"] == s.queue_ingest

    def test_message_whose_consumer_dies_is_dead_lettered(self, settings: Settings, amqp_url: str) -> None:
        """GIVEN a task message WHEN each consumer that takes it loses its connection with the
        message unacknowledged (no reject: the socket dies, as when the worker's host or process
        does) THEN RabbitMQ counts each such return as a delivery (`x-delivery-count` 1, 2, …) and
        after DOSSIER_DELIVERY_LIMIT of them moves the message to the dead-letter queue.

        Found on RabbitMQ 3.10.8: a quorum queue counts a lost connection like a reject; this test
        fails if a broker version stops doing so.  The broker is the backstop: the application
        parks such a file first, by its attempts recorded before the work starts
        (tests/test_faults_pipeline.py::TestPoison::test_a_file_that_kills_its_worker_is_parked_and_the_queue_moves).
        The dead-letter queue is the test's own, declared by the same code as dossier.dead."""
        s = _own_queues(settings, amqp_url, delivery_limit=3, task_max_attempts=2)
        with _cleanup(s) as app, Connection(amqp_url) as watch:
            declare_queues(app)
            app.send_task("ingest.file", args=["file-1"])
            counts: list[Any] = []
            deadline = time.monotonic() + 30
            while watch.default_channel.queue_declare(queue=s.queue_dead, passive=True).message_count == 0:
                assert time.monotonic() < deadline, f"not dead-lettered after {len(counts)} deliveries"
                counts += _take_and_die(amqp_url, s.queue_ingest)
            assert counts == [None, 1, 2, 3]       # delivery_limit + 1 deliveries, then dead
            channel = watch.default_channel
            assert channel.queue_declare(queue=s.queue_ingest, passive=True).message_count == 0
            dead = channel.basic_get(s.queue_dead, no_ack=True)
            assert dead.headers["task"] == "ingest.file"
            assert dead.headers["x-death"][0]["reason"] == "delivery_limit"

    def test_countdown_retry_on_quorum_queues(self, settings: Settings, amqp_url: str) -> None:
        """GIVEN quorum queues WHEN a task retries with a countdown (how tasks wait out an outage)
        THEN RabbitMQ holds it for the wait (native delayed delivery, through the topic exchange)
        and the worker runs it again, instead of holding it unacknowledged until then."""
        from celery.contrib.testing.worker import start_worker

        s = _own_queues(settings, amqp_url)
        runs: list[float] = []
        routes: list[dict[str, Any]] = []
        with _cleanup(s) as app:
            @app.task(name="test.flaky", bind=True, max_retries=2)
            def flaky(self: Any) -> None:
                runs.append(time.monotonic())
                routes.append(dict(self.request.delivery_info or {}))
                if len(runs) == 1:
                    raise self.retry(countdown=2)

            app.conf.task_routes = {**app.conf.task_routes, "test.flaky": {"queue": s.queue_extract}}
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
                flaky.delay()
                deadline = time.monotonic() + 60
                while len(runs) < 2 and time.monotonic() < deadline:
                    time.sleep(0.2)
            assert len(runs) == 2
            assert runs[1] - runs[0] >= 1.5
            # held by RabbitMQ through Celery's delay exchanges, not by the worker
            assert routes[1]["exchange"].startswith("celery_delayed_")
            assert routes[1]["routing_key"].endswith(f".{s.queue_extract}")


@pytest.mark.services
class TestUpgradeFromClassicQueues:
    def _classic(self, url: str, name: str) -> None:
        with Connection(url) as conn:
            Queue(name, routing_key=name, durable=True).bind(conn.default_channel).declare()

    def test_declare_names_the_queue_and_the_fix(self, settings: Settings, amqp_url: str) -> None:
        """GIVEN a classic queue an earlier version left WHEN dossier declares its queues THEN it
        stops with an error that names the queue and how to get out."""
        s = _own_queues(settings, amqp_url)
        self._classic(amqp_url, s.queue_ocr)
        with _cleanup(s) as app:
            with pytest.raises(QueueMismatch) as caught:
                declare_queues(app)
            text = str(caught.value)
            assert f"rabbitmqctl delete_queue {s.queue_ocr}" in text
            assert "DOSSIER_QUEUE_" in text and "quorum" in text

    def test_worker_stops_at_start_saying_why(self, settings: Settings, amqp_url: str,
                                              tmp_path: Path) -> None:
        """GIVEN a classic queue WHEN `dossier worker` starts THEN it exits at once, non-zero, with
        the fix in its log (instead of Celery's raw PRECONDITION_FAILED, or a restart loop)."""
        from tests.edges import dossier_env, running

        s = _own_queues(settings, amqp_url)
        self._classic(amqp_url, s.queue_ingest)
        log = tmp_path / "worker.log"
        with _cleanup(s), running(["worker", "--queues", s.queue_ingest, "--pool", "solo"],
                                  dossier_env(s), log) as proc:
            assert proc.wait(timeout=90) != 0
        text = log.read_text(errors="replace")
        assert f"rabbitmqctl delete_queue {s.queue_ingest}" in text
        assert "已存在且参数不同" in text

    def test_relay_stops_saying_why(self, settings: Settings, amqp_url: str) -> None:
        """GIVEN a classic queue WHEN the relay starts THEN it stops with the same error rather
        than failing every publish."""
        import threading

        from workers.relay import Relay

        s = _own_queues(settings, amqp_url)
        self._classic(amqp_url, s.queue_extract)
        with _cleanup(s) as app:
            relay = Relay(s, app, sessions=app.resources.sessions)
            with pytest.raises(QueueMismatch, match=s.queue_extract):
                relay.run(threading.Event(), poll_interval=0.1)
