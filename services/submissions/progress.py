"""What a unit reads while its files are being read: the page being recognised, the files ahead
of it in the queue, and about how long is left (from the last day's scans on this service).

The page count comes from the file row (`pages`, set when the scan is split), the pages done from
its progress (the OCR pages fill workers.steps' P_EXTRACTING..P_PAGES_DONE), the queue position
from the unfinished files uploaded before it, and the estimate from the seconds per page the
service took for recent scans; with no recent scan no estimate is made up.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import StoredFile
from workers.steps import P_EXTRACTING, P_PAGES_DONE

WAITING = ("stored", "queued")
UNFINISHED = ("stored", "queued", "processing")


def _seconds_per_page(session: Session, now: dt.datetime) -> float | None:
    rows = session.execute(select(StoredFile.created_at, StoredFile.finished_at, StoredFile.pages).where(
        StoredFile.method == "ocr", StoredFile.state == "done", StoredFile.pages > 0,
        StoredFile.finished_at >= now - dt.timedelta(days=1)).limit(200)).all()
    per_page = sorted((f - c).total_seconds() / p for c, f, p in rows if c and f and p)
    return per_page[len(per_page) // 2] if per_page else None


def _minutes(seconds: float) -> str:
    return "不到 1 分钟" if seconds < 60 else f"约 {round(seconds / 60)} 分钟"


def notes(session: Session, files: list[dict[str, Any]], now: dt.datetime | None = None) -> dict[str, str]:
    """file id -> a short Chinese line for each file not finished yet."""
    now = now or dt.datetime.now(dt.timezone.utc)
    waiting = [f for f in files if f.get("state") in UNFINISHED]
    if not waiting:
        return {}
    per_page = _seconds_per_page(session, now)
    out: dict[str, str] = {}
    for f in waiting:
        row = session.get(StoredFile, f["id"])
        if row is None:
            continue
        if row.state in WAITING:
            ahead = session.scalar(select(func.count()).select_from(StoredFile).where(
                StoredFile.state.in_(UNFINISHED), StoredFile.created_at < row.created_at)) or 0
            out[row.id] = f"排队中，前面还有 {ahead} 个文件。" if ahead else "排队中，马上开始。"
            continue
        total = row.pages or 0
        if row.method == "ocr" and total > 0:
            span = P_PAGES_DONE - P_EXTRACTING
            done = min(total, max(0, round((row.progress - P_EXTRACTING) * total / span)))
            line = f"正在识别扫描件：第 {min(done + 1, total)} / {total} 页"
            if per_page is not None and done < total:
                line += f"，预计还需{_minutes((total - done) * per_page)}"
            out[row.id] = line + "。"
        else:
            out[row.id] = "正在读取。"
    return out
