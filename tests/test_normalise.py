"""Values normalised as the contract writes them."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workers.forms.normalise import (count_value, date_value, phone_ok, phone_value, score_value,
                                     star_value, text_value)

CN = "〇一二三四五六七八九"


class TestDates:
    @pytest.mark.parametrize("raw,month", [
        ("2015年11月", "2015-11"), ("2015.11", "2015-11"), ("2003.3", "2003-03"),
        ("二〇一五年十一月", "2015-11"), ("一九七六年一月", "1976-01"), ("１９７０年５月", "1970-05"),
        ("2015-11", "2015-11"), ("2015/1", "2015-01"), ("2015 年 11 月", "2015-11"),
    ])
    def test_months(self, raw: str, month: str) -> None:
        """Every common way of writing a month gives YYYY-MM."""
        assert date_value(raw, day=False) == month

    @pytest.mark.parametrize("raw,day", [
        ("2017年4月20日", "2017-04-20"), ("2017-04-18", "2017-04-18"), ("2017.4.2", "2017-04-02"),
        ("二〇一七年四月二十日", "2017-04-20"), ("２０１７年４月２５日", "2017-04-25"),
    ])
    def test_days(self, raw: str, day: str) -> None:
        """Full dates give YYYY-MM-DD."""
        assert date_value(raw, day=True) == day

    @given(st.integers(1900, 2100), st.integers(1, 12))
    def test_chinese_numerals_round_trip(self, y: int, m: int) -> None:
        """A year and month written in Chinese numerals normalise to the same digits."""
        year = "".join(CN[int(c)] for c in str(y))
        month = "十" + (CN[m - 10] if m > 10 else "") if m >= 10 else CN[m]
        assert date_value(f"{year}年{month}月", day=False) == f"{y:04d}-{m:02d}"

    def test_unparseable_kept(self) -> None:
        """A value that is not a date is kept so the check can quote it."""
        assert date_value("不详", day=False) == "不详"


class TestOthers:
    @pytest.mark.parametrize("raw,n", [("四星级", 4), ("4星级", 4), ("三星级", 3), ("五星", 5), ("★★★★", 4), ("4", 4)])
    def test_star_ratings(self, raw: str, n: int) -> None:
        """四星级 → 4, and the other ways units write a rating."""
        assert star_value(raw) == n

    @pytest.mark.parametrize("raw,n", [("52人", 52), ("４９名", 49), ("111", 111), ("共52名党员", 52), ("五十二人", 52), ("", ""), ("若干", "若干")])
    def test_counts(self, raw: str, n: object) -> None:
        """Counts are integers; empty stays empty."""
        assert count_value(raw) == n

    @pytest.mark.parametrize("raw,phone,ok", [
        ("0730-8553929", "0730-8553929", True), ("18059729501", "18059729501", True),
        ("07308553929", "0730-8553929", True), ("电话：180 5972 9501", "18059729501", True),
        ("0730-80647", "0730-80647", False), ("1805972950", "1805972950", False),
        ("010-12345678", "010-12345678", True),
    ])
    def test_phones(self, raw: str, phone: str, ok: bool) -> None:
        """Digits with a dash after the area code; validity of mainland numbers."""
        assert phone_value(raw) == phone
        assert phone_ok(phone) is ok

    @pytest.mark.parametrize("raw,v", [("3.5", 3.5), ("4", 4), ("4分", 4), ("", "")])
    def test_scores(self, raw: str, v: object) -> None:
        """Scores are numbers, halves allowed."""
        assert score_value(raw) == v

    @pytest.mark.parametrize("raw,v", [("无", ""), (" 汉 族 ", "汉族"), ("PPT 党课", "PPT党课"), ("Hello world", "Hello world")])
    def test_text(self, raw: str, v: str) -> None:
        """Whitespace inside Chinese text goes; 无 is empty."""
        assert text_value(raw) == v
