"""Working days for 公示: mainland holidays and 调休 from chinesecalendar."""
from __future__ import annotations

import datetime as dt

import pytest

from workers.routing.calendar import is_working_day, notice_end, working_days_between

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
