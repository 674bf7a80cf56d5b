"""The outbox relay: publishes after commit, and survives a broker outage."""
from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import Settings
from storage import outbox
from storage.models import OutboxMessage
from workers.celery_app import make_celery
from workers.relay import Relay, run_relay

from .conftest import delete_queues, free_port, queue_names, unique

# fail fast against a dead broker, so that a test never hangs on it
FAST = {"broker_connection_timeout": 1, "broker_connection_max_retries": 1}


class TcpProxy:
    """A loopback TCP forwarder that can be switched off and on: a broker that goes away."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []

    def start(self) -> None:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(16)
        self._server = srv
        threading.Thread(target=self._accept, args=(srv,), daemon=True).start()

    def _accept(self, srv: socket.socket) -> None:
        while True:
            try:
                client, _ = srv.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._server is not None:
            # shutdown wakes the thread blocked in accept(); close alone would leave it listening
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        for c in self._conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()
        self._conns.clear()


def pending(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    with sessions() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.published_at.is_(None))
                              .order_by(OutboxMessage.id)))


def add_rows(sessions: sessionmaker[Session], n: int = 2) -> None:
    with sessions() as s:
        for i in range(n):
            outbox.add(s, "ingest.file", f"file-{i}")
        s.commit()


class TestRelayEmbedded:
    def test_publishes_committed_rows_to_the_filesystem_broker(
            self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        """GIVEN committed outbox rows WHEN the relay drains THEN each is a message on its
        queue and the rows are marked published; a second pass sends nothing."""
        add_rows(sessions)
        relay = Relay(settings, make_celery(settings), sessions=sessions)
        assert relay.drain_once() == 2
        assert pending(sessions) == []
        files = list((settings.broker_folder() / "queue").glob("*.msg"))
        assert len(files) == 2 and all(f.name.endswith(f".{settings.queue_ingest}.msg") for f in files)
        assert relay.drain_once() == 0

    def test_uncommitted_rows_are_not_published(self, settings: Settings,
                                                sessions: sessionmaker[Session]) -> None:
        """A row in an open transaction is invisible to the relay (never enqueue before commit)."""
        relay = Relay(settings, make_celery(settings), sessions=sessions)
        with sessions() as s:
            outbox.add(s, "ingest.file", "f")
            s.flush()
            assert relay.drain_once() == 0
            s.rollback()
        assert relay.drain_once() == 0 and pending(sessions) == []

    def test_run_relay_loops_until_stopped(self, settings: Settings,
                                           sessions: sessionmaker[Session]) -> None:
        """run_relay drains as rows arrive and returns when its stop event is set."""
        stop = threading.Event()
        t = threading.Thread(target=run_relay, args=(settings, stop), daemon=True,
                             kwargs={"app": make_celery(settings), "sessions": sessions,
                                     "poll_interval": 0.05})
        t.start()
        try:
            add_rows(sessions, 3)
            deadline = time.monotonic() + 10
            while pending(sessions) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert pending(sessions) == []
        finally:
            stop.set()
            t.join(5)
        assert not t.is_alive()


class TestBrokerOutage:
    def test_rows_stay_while_the_broker_is_down(self, settings: Settings,
                                                sessions: sessionmaker[Session]) -> None:
        """With nothing listening on the broker port, the rows stay, counted and backing off."""
        down = settings.model_copy(update={"broker_url": f"amqp://guest:guest@127.0.0.1:{free_port()}//"})
        relay = Relay(down, make_celery(down, **FAST), sessions=sessions)
        add_rows(sessions)
        started = time.monotonic()
        assert relay.drain_once() == 0
        assert time.monotonic() - started < 10
        rows = pending(sessions)
        assert len(rows) == 2
        # the first row was tried and failed; the pass stopped there instead of hammering
        assert [r.attempts for r in rows] == [1, 0] and rows[0].last_error

    @pytest.mark.services
    def test_published_once_the_broker_is_back(self, settings: Settings,
                                               sessions: sessionmaker[Session], amqp_url: str) -> None:
        """GIVEN a broker that goes away WHEN rows are added THEN they wait, and go out
        on the first pass after it returns; nothing is lost."""
        from urllib.parse import urlsplit
        target = urlsplit(amqp_url)
        proxy = TcpProxy((target.hostname or "127.0.0.1", target.port or 5672))
        names = queue_names(unique("relay"))
        cfg = settings.model_copy(update={
            "broker_url": f"amqp://guest:guest@127.0.0.1:{proxy.port}//", **names})
        app = make_celery(cfg, **FAST)
        relay = Relay(cfg, app, sessions=sessions)
        try:
            add_rows(sessions)
            assert relay.drain_once() == 0            # broker down
            proxy.start()
            time.sleep(1.1)                           # the longest first backoff
            assert relay.drain_once() == 2
            assert pending(sessions) == []
            with app.connection_for_read() as conn:
                q = conn.SimpleQueue(app.amqp.queues[names["queue_ingest"]], no_ack=True)
                bodies = [q.get(timeout=5) for _ in range(2)]
                assert [b.headers["task"] for b in bodies] == ["ingest.file", "ingest.file"]
                assert sorted(b.payload[0][0] for b in bodies) == ["file-0", "file-1"]
                q.close()
            proxy.stop()                              # and down again mid-life
            add_rows(sessions, 1)
            assert relay.drain_once() == 0 and len(pending(sessions)) == 1
        finally:
            proxy.stop()
            delete_queues(make_celery(settings.model_copy(update={"broker_url": amqp_url})),
                          list(names.values()))
