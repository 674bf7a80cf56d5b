"""Beijing time, the one clock people here read: dates and times shown to them, "today",
and "by the end of that day".  The database keeps UTC; these turn it into what people see."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def shown(when: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """`when` in Beijing time ("" for none)."""
    return when.astimezone(CHINA).strftime(fmt) if when else ""


def today(now: dt.datetime | None = None) -> dt.date:
    """The date in Beijing at `now` (default: now)."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(CHINA).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a Beijing day ends (midnight after it), in UTC: "due by 12月5日" includes
    all of that day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=CHINA).astimezone(dt.timezone.utc)
