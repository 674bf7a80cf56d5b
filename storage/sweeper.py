"""Store and database reconciled: originals without a row are removed, rows without an
original are reported.

An upload puts its original in the store before the transaction that records it commits;
when that commit fails (the database went away at that moment) the object has no row.  It
cannot be removed at once (a row may be committing right now), so the sweeper notes when it
first saw each such object and removes it once it has been an orphan for the grace period.
The relay runs a sweep every few minutes (`Sweeper.sweep`).  The upload itself already tries
to remove such an object as soon as the database answers again (storage/orphans.py); the
sweeper is what remains when that gives up or its process dies.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .models import StoredFile
from .objects import ObjectStore

log = logging.getLogger(__name__)

PREFIX = "submissions/"


@dataclass
class SweepReport:
    removed: list[str] = field(default_factory=list)     # orphan originals deleted now
    waiting: int = 0                                       # orphans still within the grace period
    missing: list[str] = field(default_factory=list)     # file ids whose original is gone


def _is_original(key: str) -> bool:
    parts = key.split("/")
    return len(parts) == 4 and parts[2] == "originals"


class Sweeper:
    def __init__(self, sessions: sessionmaker[Session], store: ObjectStore, grace_seconds: float) -> None:
        self.sessions = sessions
        self.store = store
        self.grace = grace_seconds
        self.first_seen: dict[str, float] = {}

    def sweep(self, now: float | None = None) -> SweepReport:
        """One pass; `now` (monotonic seconds) lets tests step past the grace period."""
        now = time.monotonic() if now is None else now
        report = SweepReport()
        keys = {k for k in self.store.list(PREFIX) if _is_original(k)}
        with self.sessions() as s:
            rows = {key: fid for fid, key in s.execute(select(StoredFile.id, StoredFile.object_key))}
        for key in sorted(keys - rows.keys()):
            seen = self.first_seen.setdefault(key, now)
            if now - seen < self.grace:
                report.waiting += 1
                continue
            # read again just before deleting: a row committed since the listing keeps it
            with self.sessions() as s:
                if s.scalar(select(StoredFile.id).where(StoredFile.object_key == key).limit(1)):
                    continue
            self.store.delete(key)
            report.removed.append(key)
            log.warning("sweeper: removed %s, stored without a row for %.0fs", key, now - seen)
        self.first_seen = {k: t for k, t in self.first_seen.items() if k in keys and k not in rows}
        for key, fid in sorted(rows.items()):
            if key not in keys:
                report.missing.append(fid)
        if report.missing:
            log.error("sweeper: %d file row(s) whose original is missing from the store: %s",
                      len(report.missing), ", ".join(report.missing[:20]))
        return report
