"""The one `Runtime` every step runs with: what a step needs from the world, handed in.

A worker process builds one from its Celery app (`DossierCelery.runtime`, once per process: the
database pool and the store are not shared across fork); tests build one directly over SQLite and
a folder, without Celery.  Each task execution takes its own copy (`for_execution`) whose token
holds the file's lease (workers/leases.py).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import Settings
from storage.models import utcnow
from storage.objects import ObjectStore
from workers.results import ExtractResult

log = logging.getLogger(__name__)


def _token() -> str:
    return uuid.uuid4().hex


@dataclass
class Runtime:
    """Settings, the database, the store, how to publish the outbox, and the clock."""
    settings: Settings
    sessions: sessionmaker[Session]
    store: ObjectStore
    # publish these outbox rows now; None: leave them to the relay
    publish: Callable[[Sequence[int]], Any] | None = None
    # extract_file(path, campaign, *, name, ctx) -> ExtractResult; None: workers.extraction's,
    # looked up at each call (a test worker may replace it after this Runtime was built)
    extract: Callable[..., ExtractResult] | None = None
    # ocr_page(image, page_no, settings) -> (json, image); None: workers.extract.ocr_reader's
    ocr_page: Callable[..., tuple[dict[str, Any], Any]] | None = None
    # the time written on rows (finished_at, checked_at)
    clock: Callable[[], dt.datetime] = utcnow
    # this execution's token (workers/leases.py): the same for every retry inside one run, so
    # waiting out an outage never counts as an attempt
    execution: str = field(default_factory=_token)
    # the execution whose outage wait this one continues (its lease is taken over, uncounted)
    handover: str | None = None

    def for_execution(self, handover: str | None = None) -> Runtime:
        """A copy for one task execution: a fresh lease token, the rest shared."""
        return dataclasses.replace(self, execution=_token(), handover=handover)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        s = self.sessions()
        try:
            yield s
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def commit(self, s: Session, outbox_ids: Sequence[int] = ()) -> None:
        """Commit the step's transaction, then send the outbox rows it wrote (store, record,
        then enqueue: a message never names a row another process cannot see yet)."""
        s.commit()
        self.after_commit(outbox_ids)

    def after_commit(self, ids: Sequence[int]) -> None:
        if self.publish is not None and ids:
            try:
                self.publish(ids)
            except Exception:   # the relay will send them; a publish failure is not the step's
                log.warning("could not publish outbox rows %s now; the relay will", list(ids),
                            exc_info=True)
