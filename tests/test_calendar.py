"""Working days for 公示: mainland holidays and 调休 from the holiday files or chinesecalendar;
weekends only, said plainly, for a year with neither."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dossier.settings import Settings
from storage.objects import ObjectStore
from dossier.stages.calendar import is_working_day, notice_end, working_days_between

D = dt.date


class TestNoticeEnd:
    def test_plain_week(self) -> None:
        """GIVEN a Monday start THEN five working days end on the Friday."""
        assert notice_end(D(2015, 11, 16), 5) == D(2015, 11, 20)

    def test_across_national_day(self) -> None:
        """GIVEN a notice put up on 2015-09-30 THEN 10-01..07 (国庆) do not count, 10-10 (Saturday,
        调休 working day) does, and the notice ends on Monday 10-12."""
        assert notice_end(D(2015, 9, 30), 5) == D(2015, 10, 12)
        assert working_days_between(D(2015, 9, 30), D(2015, 10, 12)) == 5

    def test_start_on_a_holiday_counts_from_the_next_working_day(self) -> None:
        assert notice_end(D(2015, 10, 1), 5) == D(2015, 10, 14) - dt.timedelta(days=1)

    def test_weekend_with_adjusted_working_day(self) -> None:
        """GIVEN a Thursday start in the week before 国庆 2017, whose Saturday 09-30 is a 调休
        working day THEN Thu, Fri, Sat(调休) count, 10-01..08 do not, and it ends on Tue 10-10."""
        assert is_working_day(D(2017, 9, 30)) and not is_working_day(D(2017, 10, 1))
        assert notice_end(D(2017, 9, 28), 5) == D(2017, 10, 10)

    def test_ordinary_weekend_skipped(self) -> None:
        """GIVEN a Wednesday start THEN Saturday and Sunday are skipped: ends Tuesday."""
        assert notice_end(D(2015, 11, 18), 5) == D(2015, 11, 24)

    def test_zero_days_refused(self) -> None:
        with pytest.raises(ValueError):
            notice_end(D(2015, 11, 16), 0)


class TestHolidayData:
    """Holiday arrangements as data: a file per year in the State Council's terms, weekends only without."""

    def test_shipped_file_matches_the_state_councils_arrangement(self) -> None:
        """GIVEN holidays/2026.yaml THEN every day of 2026 is a working day exactly when chinesecalendar says so."""
        import chinese_calendar

        from dossier.stages.calendar import HolidayCalendar, default_dir
        cal = HolidayCalendar(default_dir())
        assert cal.basis(2026).source == "file"
        day = D(2026, 1, 1)
        while day.year == 2026:
            assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += dt.timedelta(days=1)

    def test_year_without_data_is_weekends_only_and_says_so(self, tmp_path: Path) -> None:
        """GIVEN no data for 2031 THEN Monday to Friday count, no error, and the basis says it plainly."""
        from dossier.stages.calendar import HolidayCalendar
        cal = HolidayCalendar(tmp_path)
        b = cal.basis(2031)
        assert not b.complete and "2031" in b.note and "周一至周五" in b.note and "未扣除法定节假日" in b.note
        assert cal.is_working_day(D(2031, 1, 1))          # a Wednesday; 元旦 unknown without data
        assert not cal.is_working_day(D(2031, 1, 4))      # a Saturday

    def test_a_years_file_is_used(self, tmp_path: Path) -> None:
        """GIVEN a 2031.yaml with 元旦 off and a Sunday worked THEN the notice's days follow it."""
        from dossier.stages.calendar import HolidayCalendar
        (tmp_path / "2031.yaml").write_text(
            "year: 2031\nsource: 国务院办公厅关于2031年部分节假日安排的通知\n"
            "holidays:\n  - {name: 元旦, from: 2031-01-01, to: 2031-01-03}\n"
            "workdays:\n  - {date: 2031-01-05, name: 元旦}\n", encoding="utf-8")
        cal = HolidayCalendar(tmp_path)
        assert cal.basis(2031).complete and "2031年部分节假日安排" in cal.basis(2031).note
        assert not cal.is_working_day(D(2031, 1, 1)) and not cal.is_working_day(D(2031, 1, 3))
        assert cal.is_working_day(D(2031, 1, 5))          # the 调休 Sunday

    def test_broken_file_names_path_and_line(self, tmp_path: Path) -> None:
        """A holiday range that ends before it starts is refused with the file and the line."""
        from dossier.campaigns import CampaignError
        from dossier.stages.calendar import HolidayCalendar
        (tmp_path / "2031.yaml").write_text(
            "year: 2031\nholidays:\n  - {name: 元旦, from: 2031-01-03, to: 2031-01-01}\n", encoding="utf-8")
        with pytest.raises(CampaignError, match=r"2031\.yaml:3: .*结束日期早于开始日期"):
            HolidayCalendar(tmp_path)


@pytest.mark.services
def test_notice_into_a_year_without_data_through_the_api(settings: Settings, pg_engine: Engine,
                                                         folder_store: ObjectStore) -> None:
    """GIVEN a recommender's 公示 starting 2026-12-28 (or that day a year on, never in the past) on
    PostgreSQL WHEN it is started through the API THEN no 500: its end is counted Monday to Friday
    into the year without holiday data, and the answer says so plainly."""
    from fastapi.testclient import TestClient

    from dossier import beijing
    from services.app import create_app
    from services.auth import accounts
    from services.review import flow
    from services.submissions.service import create_submission
    from storage.db import make_sessionmaker
    from storage.models import utcnow
    from tests.review_helpers import PASSWORD
    from dossier.stages import calendar

    calendar.configure(None)                       # the shipped holiday files: 2026, nothing after
    today = beijing.today(utcnow())
    start = D(2026, 12, 28) if today <= D(2026, 12, 28) else D(today.year + 1, 12, 28)
    rec_org = "金华市财政局机关党委"
    app = create_app(settings, engine=pg_engine, store=folder_store)
    with make_sessionmaker(pg_engine)() as s:
        rec = accounts.create_user(s, username="rec-cal", password=PASSWORD, role="recommender",
                                   organisation=rec_org)
        token = accounts.issue_token(s, rec)
        sid = create_submission(s, campaign_id="jinhua-2015", organisation="金华市某局机关支部",
                                recommender=rec_org).id
        flow.start_review(s, None, sid)
        s.commit()
    with TestClient(app) as c:
        h = {"Authorization": f"Bearer {token}"}
        task = c.post("/api/review/claim-next", json={}, headers=h).json()["task"]
        r = c.post(f"/api/review/tasks/{task['id']}/notice", json={"start": start.isoformat()}, headers=h)
        desk = c.get(f"/review/tasks/{task['id']}", headers=h).text
    assert r.status_code == 200, r.text
    body = r.json()
    end = dt.date.fromisoformat(body["end"])
    assert end.year == start.year + 1 and working_days_between(start, end) == 5
    [gap] = body["calendar"]
    assert gap["year"] == start.year + 1 and gap["complete"] is False
    assert "周一至周五" in gap["note"] and f"{start.year + 1}.yaml" in gap["note"]
    # the desk says the same beside the end date, instead of "已扣除节假日"
    note = desk.split('id="calendar-note">')[1].split("</p>")[0]
    assert "周一至周五" in note and "已扣除节假日" not in desk.split('id="notice-end"')[1].split("</div>")[0]


def test_nth_working_day_backwards() -> None:
    """Counting back five working days from Monday 2015-10-12 crosses 国庆 to Wednesday 09-30."""
    from dossier.stages.calendar import nth_working_day
    assert nth_working_day(D(2015, 10, 12), 5, step=-1) == D(2015, 9, 30)


def test_broken_holiday_file_stops_the_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`dossier campaigns` with a broken file in DOSSIER_HOLIDAYS_DIR exits 2 naming the file and line."""
    from services.cli import main
    from dossier.stages import calendar
    (tmp_path / "2031.yaml").write_text("year: 2031\nworkdays:\n  - {date: 2031-02-30}\n", encoding="utf-8")
    try:
        assert main(["campaigns"], Settings(data_dir=tmp_path, holidays_dir=tmp_path)) == 2
        assert f"{tmp_path / '2031.yaml'}:3" in capsys.readouterr().err
    finally:
        calendar.configure(None)
