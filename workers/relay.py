"""The outbox relay and the reconciler.

The relay publishes outbox rows as Celery tasks after the transaction that
wrote them has committed.  When the broker is down the rows stay unpublished,
backing off, and go out on a later pass: an outage delays work, never loses it.

The reconciler re-enqueues files (and submissions) stuck in a non-final state
for longer than any task may run: a message lost with its worker (the
filesystem transport has no redelivery) or a publish that never happened.
Steps are idempotent, so a second message for the same file does no harm.

`drain_once` / `reconcile_once` do one pass (tests, `dossier relay --once`);
`run_relay(settings, stop_event)` loops until the event is set.
"""
from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.exc import OperationalError as DbOperationalError
from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import load_campaigns
from dossier.settings import Settings
from dossier.task_names import CHECK, INGEST
from storage import outages, outbox
from storage.objects import open_store
from storage.sweeper import SweepReport, Sweeper
from storage.models import (FileState, StoredFile, Submission, SubmissionState,
                            utcnow)

from . import notify
from .celery_app import DossierCelery, make_celery
from .publish import BROKER_DOWN, publish_rows
from .queues import QueueMismatch, declare_queues
from .routing import yearly
from .steps.files import read_topic

log = logging.getLogger(__name__)

# touched on every pass of the loop: a probe reads its age (deploy/k8s/base/relay.yaml)
HEARTBEAT_FILE = "relay.heartbeat"
def reconcile(sessions: sessionmaker[Session], settings: Settings, *,
              processing_after: dt.timedelta | None = None,
              waiting_after: dt.timedelta | None = None) -> int:
    """Write outbox rows for files and submissions stuck too long; returns how many.

    A file `processing` past the hard time limit lost its worker; a file
    `stored` or `queued` for three time limits lost its message.  A
    submission still `processing` with every file final lost its check.
    """
    processing_after = processing_after or dt.timedelta(seconds=settings.task_time_limit + 60)
    waiting_after = waiting_after or dt.timedelta(seconds=3 * settings.task_time_limit)
    now = utcnow()
    n = 0
    with sessions() as s:
        stuck = s.scalars(select(StoredFile).where(
            ((StoredFile.state == FileState.PROCESSING.value)
             & (StoredFile.updated_at < now - processing_after))
            | (StoredFile.state.in_([FileState.STORED.value, FileState.QUEUED.value])
               & (StoredFile.updated_at < now - waiting_after))
        ).with_for_update(skip_locked=True))
        for row in stuck:
            topic = INGEST if row.state == FileState.STORED.value else read_topic(row.format)
            log.warning("file %s stuck in %s since %s; re-enqueued %s", row.id, row.state,
                        row.updated_at.isoformat(), topic)
            outbox.add(s, topic, row.id)
            row.updated_at = now       # wait a full period before trying again
            n += 1
        unfinished = exists().where(StoredFile.submission_id == Submission.id,
                                    StoredFile.state.not_in([x.value for x in FileState.final()]))
        lost_checks = s.scalars(select(Submission).where(
            Submission.state == SubmissionState.PROCESSING.value,
            Submission.updated_at < now - processing_after, ~unfinished))
        for sub in lost_checks:
            outbox.add(s, CHECK, sub.id)
            sub.updated_at = now
            log.warning("submission %s has every file final but no check; re-enqueued", sub.id)
            n += 1
        s.commit()
    return n


class Relay:
    """One relay: an app to publish with and the database to read the outbox from."""

    def __init__(self, settings: Settings, app: DossierCelery | None = None, *,
                 sessions: sessionmaker[Session] | None = None) -> None:
        self.settings = settings
        self.app = app or make_celery(settings)
        self.sessions = sessions or self.app.resources.sessions
        self._sweeper: Sweeper | None = None
        self._queues_declared = False

    def declare_queues(self) -> None:
        """On RabbitMQ, declare the queues (quorum, delivery limit, dead-letter queue) once the
        broker answers, before the first publish; a queue an earlier version left with other
        arguments raises `QueueMismatch`, which names it and the fix."""
        if not self._queues_declared:
            declare_queues(self.app)
            self._queues_declared = True

    def sweep_once(self) -> SweepReport:
        """Reconcile the store with the database (storage/sweeper.py)."""
        if self._sweeper is None:
            self._sweeper = Sweeper(self.sessions, open_store(self.settings),
                                    self.settings.orphan_grace_seconds)
        return self._sweeper.sweep()

    def drain_once(self, *, limit: int = 100) -> int:
        return publish_rows(self.app, self.sessions, limit=limit)

    def reconcile_once(self) -> int:
        n = reconcile(self.sessions, self.settings)
        notify.sweep(self.sessions, self.settings)     # tasks about to be overdue, 公示 ended
        try:
            self.open_reinspections()
        except DbOperationalError:
            raise                  # the loop waits for the database and tries again
        except Exception:          # a bad campaign file must not stop the outbox: next pass tries again
            log.exception("relay: could not open this year's re-inspections")
        return n

    def open_reinspections(self, now: dt.datetime | None = None) -> int:
        """每年复查 (动态管理): open this year's re-inspection tasks whose year has come."""
        with self.sessions() as s:
            return len(yearly.open_due(s, load_campaigns(), now or utcnow()))

    def beat(self) -> None:
        """Touch the heartbeat file: the loop is turning (a database outage included)."""
        try:
            (Path(self.settings.data_dir) / HEARTBEAT_FILE).touch()
        except OSError:   # a read-only or missing folder must not stop the relay
            log.debug("relay: cannot touch the heartbeat file", exc_info=True)

    def run(self, stop_event: threading.Event, *, poll_interval: float = 0.5,
            reconcile_every: float = 60.0, purge_every: float = 3600.0,
            sweep_every: float = 300.0) -> None:
        log.info("relay started (poll %.1fs, reconcile every %.0fs)", poll_interval, reconcile_every)
        last_reconcile = last_purge = last_sweep = time.monotonic()
        while not stop_event.is_set():
            sent = 0
            self.beat()
            try:
                self.declare_queues()
            except QueueMismatch:
                raise
            except BROKER_DOWN as e:   # publishing fails the same way; the outbox keeps the rows
                log.debug("relay: cannot declare the queues yet (%s)", e)
            try:
                sent = self.drain_once()
                now = time.monotonic()
                if now - last_reconcile >= reconcile_every:
                    last_reconcile = now
                    self.reconcile_once()
                if now - last_purge >= purge_every:
                    last_purge = now
                    with self.sessions() as s:
                        outbox.purge_published(s)
                        s.commit()
                if now - last_sweep >= sweep_every:
                    last_sweep = now
                    self.sweep_once()
            except Exception as e:
                # the database or the store is down: wait and try again, never exit
                kind = outages.unavailable(e)
                if kind is None:
                    log.exception("relay: a pass failed; the next one tries again")
                else:
                    log.warning("relay: %s unavailable (%s); retrying", kind, type(e).__name__)
                stop_event.wait(outages.backoff(3, cap=4.0))
            # a full batch means more is waiting: go again at once
            if sent < 100:
                stop_event.wait(poll_interval)
        log.info("relay stopped")


def drain_once(settings: Settings, *, app: DossierCelery | None = None,
               sessions: sessionmaker[Session] | None = None) -> int:
    """Publish what is due in the outbox, once; returns how many went out."""
    return Relay(settings, app, sessions=sessions).drain_once()


def reconcile_once(settings: Settings, *, app: DossierCelery | None = None,
                   sessions: sessionmaker[Session] | None = None) -> int:
    return Relay(settings, app, sessions=sessions).reconcile_once()


def run_relay(settings: Settings, stop_event: threading.Event, *,
              app: DossierCelery | None = None, sessions: sessionmaker[Session] | None = None,
              poll_interval: float = 0.5, reconcile_every: float = 60.0) -> None:
    """Drain the outbox and reconcile until `stop_event` is set."""
    Relay(settings, app, sessions=sessions).run(stop_event, poll_interval=poll_interval,
                                                reconcile_every=reconcile_every)


def run_forever(settings: Settings) -> None:
    """`dossier relay`: run until SIGTERM or Ctrl-C."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        run_relay(settings, stop)
    except QueueMismatch as e:
        log.critical("%s", e)
        raise SystemExit(f"dossier relay: {e}") from None
