"""One execution at a time per file: a lease on the file row.

A message can run twice at once (a redelivery while the first worker still works, a
reconciler's re-enqueue); without a lease both would do the work and could lose an
attempt count.  The execution that works on a file writes its token and an expiry on the
row, under the row's lock, in the transaction that counts its attempt; it renews the expiry
while it works.  Another execution finds the lease held and waits (the task retries it
later); a killed worker's lease lapses and the next delivery takes the file over.

An execution is one run of a task body in one process: waiting out an outage inside it
keeps its token, so an outage never counts as an attempt.  When the task hands the wait
over to a later message (`handover`), that message takes the lease over without counting.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from storage.models import StoredFile, utcnow

log = logging.getLogger(__name__)


class Busy(Exception):
    """Another execution holds the file's lease for `seconds` more."""

    def __init__(self, file_id: str, seconds: float) -> None:
        super().__init__(f"file {file_id} is being worked on; lease ends in {seconds:.0f}s")
        self.seconds = seconds


def claim(row: StoredFile, execution: str, handover: str | None, lease_seconds: float) -> bool:
    """Take the lease of a row the caller has locked; True when this is a new execution (an
    attempt to count), False when it is this execution again (or the one it took over from)."""
    now = utcnow()
    holder = row.lease_owner
    ours = holder is not None and holder in (execution, handover)
    if not ours and holder is not None and row.lease_until is not None and row.lease_until > now:
        raise Busy(row.id, (row.lease_until - now).total_seconds())
    row.lease_owner = execution
    row.lease_until = now + dt.timedelta(seconds=lease_seconds)
    return not ours


def release(row: StoredFile) -> None:
    row.lease_owner = None
    row.lease_until = None


@contextlib.contextmanager
def renewing(sessions: sessionmaker[Session], file_id: str, execution: str,
             lease_seconds: float) -> Iterator[None]:
    """Renew the lease every third of its length while the block runs."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease_seconds / 3):
            try:
                with sessions() as s:
                    s.execute(update(StoredFile)
                              .where(StoredFile.id == file_id, StoredFile.lease_owner == execution)
                              .values(lease_until=utcnow() + dt.timedelta(seconds=lease_seconds)))
                    s.commit()
            except Exception as e:   # an outage: the work goes on; the lease may lapse meanwhile
                log.warning("file %s: could not renew its lease (%s)", file_id, type(e).__name__)

    thread = threading.Thread(target=renew, daemon=True, name=f"lease-{file_id}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
