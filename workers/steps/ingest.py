"""`ingest.file`: check the stored object, sniff its real format, queue its reading.

    stored -> queued (extract.file for Word and text files, ocr.file for scans and photos)
"""
from __future__ import annotations

import logging

from storage.models import FileState
from storage.objects import ObjectNotFound
from workers.extract.sniff import Sniffed, sniff
from workers.leases import release

from .extract import local_copy
from .files import P_INGESTED, Claim, attempt, begin, load_file, park_and_check, queue, read_topic
from .outcomes import Outcome, Stop
from ..runtime import Runtime

log = logging.getLogger(__name__)


def _sniff(rt: Runtime, claim: Claim) -> Sniffed:
    row = claim.row
    size = rt.store.size(row.object_key)    # ObjectNotFound parks the file
    if size != row.size:
        raise ObjectNotFound(f"object {row.object_key} is {size} bytes, row says {row.size}")
    with local_copy(rt.store, row.object_key, row.name) as path:
        return sniff(path, row.name)


def ingest_file(rt: Runtime, file_id: str, *,
                transient: tuple[type[BaseException], ...] = ()) -> Outcome:
    """Check the stored object, sniff its real format, and queue its reading."""
    claim = begin(rt, file_id, states=(FileState.STORED.value,))
    if isinstance(claim, Outcome):
        return claim
    sniffed = attempt(file_id, lambda: _sniff(rt, claim), transient)
    with rt.session() as s:
        current = load_file(s, file_id, lock=True)
        if current is None or current.state != FileState.STORED.value:
            return Outcome(current.state if current else "gone")
        if isinstance(sniffed, Stop):
            return park_and_check(rt, s, current, sniffed)
        current.format, current.media_type = sniffed.format, sniffed.media_type
        current.state = FileState.QUEUED.value
        current.progress = P_INGESTED
        current.attempts = 0          # the next step has attempts of its own
        release(current)
        topic = read_topic(current.format)
        rt.commit(s, [queue(s, topic, current.id)])
    log.info("file %s sniffed as %s (%s); queued %s", file_id, sniffed.format,
             sniffed.reason or "ok", topic)
    return Outcome(FileState.QUEUED.value, next=(topic,))
