"""An upload's object removed as soon as the database can say that no row points at it.

An upload writes its original to the store before the transaction that records it commits.
When that commit fails, the object may be an orphan, but it cannot simply be deleted in the
request: the COMMIT may have reached the server and only its answer been lost (a cut or a
partition at that moment), and then a row points at the object; while the database is away
nobody can tell.  So the request notes the key here and answers its 503 at once; a short-lived
background thread asks the database again (with backoff, for at most the sweeper's grace
period) and removes the object if no row points at it.  If the thread gives up, or the
process dies, the sweeper (storage/sweeper.py) removes it after the grace period.

A client retrying the same file while the check runs must not lose its object (the key is the
same: same submission, same bytes).  On PostgreSQL an upload therefore holds a transaction
advisory lock on the key from before it writes the object until it commits (`hold_key`), and
the check and the removal run under the same lock.  Elsewhere (SQLite, embedded and
single-user) there is no such lock and the check runs without it.
"""
from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from . import outages
from .models import StoredFile
from .objects import ObjectStore

log = logging.getLogger(__name__)

# a failed commit is rare (only uploads in flight when the database goes away); the bound
# keeps an outage under load from piling up threads: past it, the sweeper alone cleans up
_SLOTS = threading.BoundedSemaphore(32)
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"
_TRY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))"


def hold_key(session: Session, key: str) -> None:
    """Hold the lock on `key` until `session`'s transaction ends (PostgreSQL; else nothing)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(_LOCK), {"key": key})


def remove_when_known(engine: Engine | Connection, store: ObjectStore, key: str,
                      within: float) -> threading.Thread | None:
    """Start removing `key` once the database confirms no row points at it; give up after
    `within` seconds.  Never raises: the caller is already answering an error."""
    if not _SLOTS.acquire(blocking=False):
        log.warning("orphans: %s left to the sweeper (too many pending)", key)
        return None
    try:
        worker = threading.Thread(target=_settle, args=(engine, store, key, within),
                                  daemon=True, name="orphan-removal")
        worker.start()
    except Exception:    # no thread to be had: the sweeper still gets it
        _SLOTS.release()
        log.exception("orphans: %s left to the sweeper", key)
        return None
    return worker


def _removed_or_kept(engine: Engine | Connection, store: ObjectStore, key: str) -> bool:
    """True when settled (removed, or a row points at it); False while an upload holds the key."""
    with Session(engine) as s, s.begin():
        if engine.dialect.name == "postgresql" and not s.scalar(text(_TRY_LOCK), {"key": key}):
            return False
        if s.scalar(select(StoredFile.id).where(StoredFile.object_key == key).limit(1)) is None:
            store.delete(key)
            log.warning("orphans: removed %s, stored by an upload whose commit failed", key)
        return True


def _settle(engine: Engine | Connection, store: ObjectStore, key: str, within: float) -> None:
    until = time.monotonic() + within
    try:
        for retry in range(1, 10_000):
            try:
                if _removed_or_kept(engine, store, key):
                    return
            except Exception as e:
                if outages.unavailable(e) is None:
                    log.exception("orphans: %s left to the sweeper", key)
                    return
            pause = outages.backoff(retry, cap=5.0)
            if time.monotonic() + pause > until:
                break
            time.sleep(pause)
        log.warning("orphans: %s left to the sweeper (the database did not answer in time)", key)
    finally:
        _SLOTS.release()
