"""Working days in mainland China: weekends off, statutory holidays off, and the
adjusted working days (调休, a Saturday or Sunday worked) on.

The calendar data comes from the `chinesecalendar` package (import name
`chinese_calendar`), which ships the State Council's yearly arrangement; a
date outside its years raises `CalendarUnknown` instead of guessing, because a
公示 that ends on a wrong day is a procedural fault.
"""
from __future__ import annotations

import datetime as dt

import chinese_calendar


class CalendarUnknown(ValueError):
    """The holiday arrangement for this year is not in the installed calendar."""


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as e:
        raise CalendarUnknown(f"no holiday data for {day.year}: upgrade chinesecalendar") from e


def notice_end(start: dt.date, working_days: int) -> dt.date:
    """The last day of a notice that starts on `start` and lasts `working_days` working days.

    The start day counts when it is a working day (a notice put up on a Monday
    morning runs Monday to Friday); a notice put up on a holiday starts
    counting on the next working day.
    """
    if working_days < 1:
        raise ValueError("a notice lasts at least one working day")
    day, counted = start, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == working_days:
                return day
        day += dt.timedelta(days=1)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days from `start` to `end`, both included."""
    n, day = 0, start
    while day <= end:
        n += is_working_day(day)
        day += dt.timedelta(days=1)
    return n
