"""While scans are read, the unit is told the page being read, the files ahead and about how long."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from services.submissions.progress import notes
from services.submissions.service import create_submission
from storage.db import make_sessionmaker
from storage.models import StoredFile

NOW = dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.timezone.utc)


def _file(sid: str, name: str, state: str, minutes_ago: int, **kw: object) -> StoredFile:
    return StoredFile(submission_id=sid, name=name, sha256=name * 8, size=1, object_key=f"k/{name}",
                      state=state, created_at=NOW - dt.timedelta(minutes=minutes_ago), **kw)


def test_page_queue_position_and_estimate(sqlite_engine: Engine) -> None:
    """GIVEN a scan of 4 pages half read, a file queued after it, and yesterday's scan at 10 s a page
    THEN the scan says page 3 of 4 with under a minute left, the queued file one file ahead of it."""
    with make_sessionmaker(sqlite_engine)() as s:
        sid = create_submission(s, campaign_id="yueyang-2017", organisation="某局机关党支部").id
        old = _file(sid, "a", "done", 60, method="ocr", pages=4)
        old.finished_at = old.created_at + dt.timedelta(seconds=40)
        scan = _file(sid, "b", "processing", 5, method="ocr", pages=4, progress=60)
        queued = _file(sid, "c", "queued", 1)
        s.add_all([old, scan, queued])
        s.commit()
        said = notes(s, [{"id": f.id, "state": f.state} for f in (old, scan, queued)], now=NOW)
    assert said == {scan.id: "正在识别扫描件：第 3 / 4 页，预计还需不到 1 分钟。",
                    queued.id: "排队中，前面还有 1 个文件。"}
