"""Working days in mainland China: weekends off, statutory holidays off, and the
adjusted working days (调休, a Saturday or Sunday worked) on.

Where the arrangement of a year comes from, first found wins:

1. a file `YYYY.yaml` in the holidays folder (`DOSSIER_HOLIDAYS_DIR`, else the
   files shipped with the package), written as the State Council's yearly notice
   says it: the days off (放假) and the weekend days worked (调休上班);
2. the `chinesecalendar` package (import name `chinese_calendar`), which ships the
   arrangements up to its release;
3. neither: weekends only.  Nothing fails; `basis(year)` says so in plain words,
   and the API and pages repeat it beside every date computed that way, because a
   公示 that ends on a wrong day is a procedural fault someone must be able to see.
"""
from __future__ import annotations

import datetime as dt
import threading
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dossier.campaign_source import SourceError, line_of, parse_yaml


class CalendarUnknown(ValueError):
    """Kept for callers that caught it: the calendar no longer raises for a year without data."""


class _Range(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        if self.end < self.start:
            raise ValueError(f"{self.name}：结束日期早于开始日期 / ends before it starts")
        return self


class _Workday(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: dt.date
    name: str = ""


class HolidayFile(BaseModel):
    """One year's arrangement: 放假 ranges and 调休 working days."""
    model_config = ConfigDict(extra="forbid")
    year: int
    source: str = ""                     # the notice's title, e.g. 国务院办公厅关于2027年部分节假日安排的通知
    holidays: list[_Range] = []
    workdays: list[_Workday] = []

    @model_validator(mode="after")
    def _in_year(self) -> HolidayFile:
        days = [r.start for r in self.holidays] + [w.date for w in self.workdays]
        # 元旦 may start on 12-31 and 春节 调休 may fall in the year before: allow the edges
        if any(abs(d.year - self.year) > 1 for d in days):
            raise ValueError(f"日期须在 {self.year} 年前后 / dates must lie around {self.year}")
        return self

    def days_off(self) -> set[dt.date]:
        out: set[dt.date] = set()
        for r in self.holidays:
            day = r.start
            while day <= r.end:
                out.add(day)
                day += dt.timedelta(days=1)
        return out


@dataclass(frozen=True)
class Basis:
    """Where a year's working days come from, in words a person reads."""
    year: int
    source: str          # "file" | "library" | "weekends"
    note: str            # Chinese, for pages and the API

    @property
    def complete(self) -> bool:
        return self.source != "weekends"

    def to_json(self) -> dict[str, object]:
        return {"year": self.year, "source": self.source, "complete": self.complete, "note": self.note}


def default_dir() -> Path:
    """The holiday files shipped with the project (package data, or the checkout's holidays/)."""
    import dossier
    packaged = Path(dossier.__file__).resolve().parent / "seed_holidays"
    return packaged if packaged.is_dir() else Path(dossier.__file__).resolve().parent.parent / "holidays"


def load_year(path: Path) -> HolidayFile:
    """One holiday file, validated; an error names the file and the line."""
    text = path.read_text(encoding="utf-8")
    data, node = parse_yaml(text, str(path))
    try:
        parsed = HolidayFile.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise SourceError(str(path), line_of(node, list(err["loc"])), f"节假日安排有误：{where}：{err['msg']}",
                          f"holiday file error: {where}: {err['msg']}") from None
    if path.stem.isdigit() and int(path.stem) != parsed.year:
        raise SourceError(str(path), line_of(node, ["year"]), f"文件名是 {path.stem} 年，内容写的是 {parsed.year} 年",
                          f"file is named {path.stem} but holds year {parsed.year}")
    return parsed


class HolidayCalendar:
    """The arrangements of one folder, read once."""

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder else default_dir()
        self.years: dict[int, HolidayFile] = {}
        if self.folder.is_dir():
            for p in sorted(self.folder.glob("*.yaml")):
                f = load_year(p)
                self.years[f.year] = f
        self._off = {y: f.days_off() for y, f in self.years.items()}
        self._on = {y: {w.date for w in f.workdays} for y, f in self.years.items()}

    def basis(self, year: int) -> Basis:
        if year in self.years:
            src = self.years[year].source or f"{year}.yaml"
            return Basis(year, "file", f"{year} 年节假日按“{src}”计算。")
        if _library_knows(year):
            return Basis(year, "library", f"{year} 年节假日按国务院公布的安排计算。")
        return Basis(year, "weekends", f"尚无 {year} 年的节假日安排（国务院通知未录入），工作日暂按周一至周五计算，"
                                       "未扣除法定节假日，也未计入调休上班日；请核对公示截止日期，"
                                       f"管理员可在节假日目录中添加 {year}.yaml。")

    def is_working_day(self, day: dt.date) -> bool:
        # a file's day counts for the date itself, whichever year's file names it (元旦 on 12-31)
        for y in (day.year, day.year + 1, day.year - 1):
            if y in self.years:
                if day in self._on[y]:
                    return True
                if day in self._off[y]:
                    return False
        if day.year in self.years or not _library_knows(day.year):
            return day.weekday() < 5
        return bool(chinese_calendar.is_workday(day))


@lru_cache(maxsize=None)
def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:     # chinesecalendar has no data for that year (not a stub)
        return False


_calendar: HolidayCalendar | None = None
_lock = threading.Lock()


def calendar() -> HolidayCalendar:
    """This process's calendar, read on first use from the settings' folder."""
    global _calendar
    if _calendar is None:
        with _lock:
            if _calendar is None:
                from dossier.settings import get_settings
                _calendar = HolidayCalendar(get_settings().holidays_dir)
    return _calendar


def configure(folder: Path | str | None) -> HolidayCalendar:
    """Read another holidays folder (tests, app start with explicit settings)."""
    global _calendar
    with _lock:
        _calendar = HolidayCalendar(folder)
    return _calendar


def is_working_day(day: dt.date) -> bool:
    return calendar().is_working_day(day)


def basis(year: int) -> Basis:
    return calendar().basis(year)


def bases(*days: dt.date) -> list[Basis]:
    """The basis of every year the days span that lacks holiday data (empty: all years known)."""
    years: Iterable[int] = range(min(d.year for d in days), max(d.year for d in days) + 1) if days else ()
    return [b for b in (basis(y) for y in years) if not b.complete]


def notice_end(start: dt.date, working_days: int) -> dt.date:
    """The last day of a notice that starts on `start` and lasts `working_days` working days.

    The start day counts when it is a working day (a notice put up on a Monday
    morning runs Monday to Friday); a notice put up on a holiday starts
    counting on the next working day.
    """
    if working_days < 1:
        raise ValueError("a notice lasts at least one working day")
    return nth_working_day(start, working_days)


def nth_working_day(start: dt.date, n: int, step: int = 1) -> dt.date:
    """The `n`-th working day counted from `start` (itself included) forwards, or backwards with
    `step=-1` (the latest start of an n-working-day notice that must end by `start`)."""
    day, counted = start, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == n:
                return day
        day += dt.timedelta(days=step)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days from `start` to `end`, both included."""
    n, day = 0, start
    while day <= end:
        n += is_working_day(day)
        day += dt.timedelta(days=1)
    return n
