"""Values normalised as the contract writes them."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workers.forms.normalise import (count_value, date_value, enum_value, find_date, find_phones, phone_ok,
                                     phone_value, score_value, star_value, strip_footnote_mark, text_value)
from workers.forms.values import normalise, split_parts

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
    @pytest.mark.parametrize("raw,n", [("四星级", 4), ("4星级", 4), ("三星级", 3), ("五星", 5), ("★★★★", 4), ("4", 4),
                                       ("叁星级", 3), ("肆星", 4)])
    def test_star_ratings(self, raw: str, n: int) -> None:
        """四星级 → 4, and the other ways units write a rating."""
        assert star_value(raw) == n

    @pytest.mark.parametrize("raw,n", [("52人", 52), ("４９名", 49), ("111", 111), ("共52名党员", 52), ("五十二人", 52), ("", ""), ("若干", "若干"),
                                       (".38", 38), ("·38人", 38), ("0.38", "0.38")])
    def test_counts(self, raw: str, n: object) -> None:
        """Counts are integers; empty stays empty; a speck read as a mark before the count (.38 on a
        photo) is not part of it, a decimal is no count."""
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


class TestPhonesAsWritten:
    """Phone numbers in the ways people write them (contract, “Fields”)."""

    @pytest.mark.parametrize("raw,phone", [
        ("(0730)8472804", "0730-8472804"), ("（０７３０）８４７２８０４", "0730-8472804"),
        ("0730—8040857", "0730-8040857"), ("0730–8040857", "0730-8040857"), ("0730～8040857", "0730-8040857"),
        ("0579 8246 9328", "0579-82469328"), ("138 0579 1234", "13805791234"),
        ("138-0579-1234", "13805791234"), ("+86 138 0579 1234", "13805791234"),
        ("(010)12345678", "010-12345678"), ("0730-8472804-8001", "0730-8472804"),
        ("（0730）8472804-8001", "0730-8472804"),
    ])
    def test_area_code_kept(self, raw: str, phone: str) -> None:
        """The area code in brackets, full-width or after any dash or space stays the area code."""
        assert phone_value(raw) == phone
        assert phone_ok(phone)

    @pytest.mark.parametrize("raw", ["0730-84\n72804", "(0730)\n8472804", "0730 847\n2804"])
    def test_wrapped_over_two_lines(self, raw: str) -> None:
        """A number wrapped in a narrow cell is one number."""
        assert phone_value(raw) == "0730-8472804"

    @pytest.mark.parametrize("raw", ["(073 4)43\n5 8347 2", "0734-4358347\n2", "(0734)4358\n3472"])
    def test_an_eight_digit_number_wrapped_before_its_last_digits(self, raw: str) -> None:
        """GIVEN a full-width number the cell wrapped, read with spaces between its digits THEN it is
        one eight-digit number: the area code whole, no digit left over for the title."""
        assert phone_value(raw) == "0734-43583472"
        parts = split_parts("魏燕琳\n组织委员\n" + raw)
        assert (parts["title"], phone_value(parts["phone"])) == ("组织委员", "0734-43583472")

    def test_two_numbers_side_by_side_stay_two(self) -> None:
        """A mobile and a fixed line in one cell are two numbers, not one long one."""
        assert [p for p, _s, _e in find_phones("13805791234 0730-8472804")] == ["13805791234", "0730-8472804"]

    @given(st.sampled_from(["0730", "0579", "0571"]), st.integers(1_000_000, 9_999_999),
           st.sampled_from(["({a}){n}", "（{a}）{n}", "{a}-{n}", "{a}—{n}", "{a} {n}", "{a}{n}", "{a}－{n}"]))
    def test_every_spelling_is_the_same_number(self, area: str, number: int, shape: str) -> None:
        """However the area code is set off, the value is area-number."""
        raw = shape.format(a=area, n=number)
        assert phone_value(raw) == f"{area}-{number}"


class TestCompoundContactCell:
    """A 联络人 cell holding name, title and phone."""

    @pytest.mark.parametrize("raw", [
        "王某\n办公室主任\n(0730)8472804", "王某 办公室主任 （0730）\n8472804",
        "王某，办公室主任，0730—8472804", "王某 办公室主任 0730 847 2804",
        "王某\n办公室主任0730-\n8472804",
    ])
    def test_area_code_stays_with_the_phone(self, raw: str) -> None:
        """The area code never slides into the title (办公室主任0730)."""
        parts = split_parts(raw)
        assert parts["name"] == "王某"
        assert parts["title"] == "办公室主任"
        assert phone_value(parts["phone"]) == "0730-8472804"


    @pytest.mark.parametrize("raw,name,title", [
        ("贾梅办公室副主任", "贾梅", "办公室副主任"), ("段琳敏办公室主任", "段琳敏", "办公室主任"),
        ("吕慧亚党务干事 13812345678", "吕慧亚", "党务干事"), ("欧阳玉春综合科科长", "欧阳玉春", "综合科科长"),
        ("王建党办公室主任", "王建党", "办公室主任"), ("王建国", "王建国", ""),
        # the space read in the title instead of after the name
        ("梁涛综合科科 长 (0579)3330808", "梁涛", "综合科科长"), ("贾梅办公室 副主任", "贾梅", "办公室副主任"),
    ])
    def test_a_name_run_on_into_its_title(self, raw: str, name: str, title: str) -> None:
        """A scan that lost the space between name and title (贾梅办公室副主任) still parts them where
        the post's first word starts; a name alone stays whole."""
        parts = split_parts(raw)
        assert (parts["name"], parts["title"]) == (name, title)


class TestTwoDigitYears:
    @pytest.mark.parametrize("raw,pivot,month", [
        ("71年1月", 2015, "1971-01"), ("七一年一月", 2015, "1971-01"), ("71.01", 2017, "1971-01"),
        ("05年3月", 2015, "2005-03"), ("15年11月", 2015, "2015-11"), ("16年11月", 2015, "1916-11"),
    ])
    def test_century_from_the_campaign_year(self, raw: str, pivot: int, month: str) -> None:
        """Two digits above the campaign year's are the 1900s, the rest the 2000s."""
        assert date_value(raw, day=False, pivot_year=pivot) == month

    def test_four_digits_win(self) -> None:
        """A four-digit year is never read as two digits (2015年 is not 15年)."""
        assert date_value("2015年11月6日", day=True, pivot_year=1990) == "2015-11-06"

    def test_short_opinion_date(self) -> None:
        """一五年十一月十日 under an opinion is a full date."""
        assert find_date("一五年十一月十日", 2015)[0] == "2015-11-10"


class TestFootnoteMarks:
    @pytest.mark.parametrize("raw", ["某局机关党支部1", "某局机关党支部¹", "某局机关党支部①", "某局机关党支部*",
                                     "某局机关党支部[2]", "某局机关党支部※"])
    def test_mark_removed(self, raw: str) -> None:
        """A footnote mark after a value is not part of it."""
        assert strip_footnote_mark(raw) == "某局机关党支部"

    @pytest.mark.parametrize("raw", ["第一党支部", "2015", "*", "共3", "党员52", "三星级"])
    def test_values_kept(self, raw: str) -> None:
        """Numbers that are the value, or that a word before them owns, stay."""
        assert strip_footnote_mark(raw) == raw

    def test_text_field_value(self) -> None:
        """A text field's normalised value has no mark; a count field keeps its digits."""
        from dossier.campaigns import FieldSpec
        assert normalise(FieldSpec(key="org_name", label="党组织名称"), "某局机关党支部²") == "某局机关党支部"
        assert normalise(FieldSpec(key="member_count", label="党员人数", type="count"), "52") == 52


class TestValuesInForms:
    """GIVEN a form filled the ways people write WHEN it is extracted THEN the contract's values, no finding."""

    def test_yueyang_phones(self, tmp_path) -> None:
        from dossier.campaigns import get_campaign
        from tests import docx_factory as make
        from workers.extraction import extract_file
        path = make.yueyang_form(tmp_path / "y.docx", {"lead": "汪卫东  0730—8040857",
                                                      "contact": "阎亚萍\n办公室主任\n（０７３０）８４７２\n８０４",
                                                      "unit_name": "中共岳阳市司法局机关第一支部委员会¹"})
        r = extract_file(path, get_campaign("yueyang-2017"))
        fields = {k: v.value for d in r.documents for k, v in d.fields.items()}
        assert fields["lead.phone"] == "0730-8040857"
        assert (fields["contact.name"], fields["contact.title"], fields["contact.phone"]) == \
            ("阎亚萍", "办公室主任", "0730-8472804")
        assert fields["unit_name"] == "中共岳阳市司法局机关第一支部委员会"
        assert not [f for f in r.findings if f.field and f.field.startswith(("lead", "contact", "unit_name"))]

    def test_jinhua_two_digit_years(self, tmp_path) -> None:
        from dossier.campaigns import get_campaign
        from tests import docx_factory as make
        from workers.extraction import extract_file
        path = make.jinhua_form(tmp_path / "j.docx", {"secretary.birth": "71年1月", "secretary.joined_party": "95年7月",
                                                     "secretary.since": "12年3月"})
        r = extract_file(path, get_campaign("jinhua-2015"))
        fields = {k: v.value for d in r.documents for k, v in d.fields.items()}
        assert (fields["secretary.birth"], fields["secretary.joined_party"], fields["secretary.since"]) == \
            ("1971-01", "1995-07", "2012-03")
        assert not [f for f in r.findings if f.field and f.field.startswith("secretary.")]


class TestWordsAroundValues:
    @pytest.mark.parametrize("raw,n", [("评定为四星级", 4), ("四星级（2014年评定）", 4), ("5 星级", 5)])
    def test_star_rating_with_words(self, raw: str, n: int) -> None:
        """A rating with words around it is still that rating."""
        assert star_value(raw) == n

    def test_two_ratings_are_not_guessed(self) -> None:
        """Text naming two ratings is kept for the reviewer, not read as one of them."""
        assert star_value("由三星级升为四星级") == "由三星级升为四星级"

    @pytest.mark.parametrize("raw,n", [("48人（含预备党员3人）", 48), ("45名，其中女党员20名", 45)])
    def test_count_with_a_note(self, raw: str, n: int) -> None:
        """A count followed by a note in brackets or after a comma is the count."""
        assert count_value(raw) == n

    def test_first_month(self) -> None:
        """元月 is January."""
        assert date_value("一九七一年元月", day=False) == "1971-01"

    @pytest.mark.parametrize("raw,choice", [("事业单位", "事业"), ("机关单位", "机关"), ("男性", "男"), ("机关", "机关")])
    def test_choice_with_a_word_after_it(self, raw: str, choice: str) -> None:
        """事业单位 is the choice 事业; 男性 is 男."""
        assert enum_value(raw, ("机关", "事业", "男", "女")) == choice

    def test_other_values_kept(self) -> None:
        """A value that is no choice with a plain suffix stays as written, for the check to quote."""
        assert enum_value("机关事业", ("机关", "事业")) == "机关事业"


class TestEverySpellingOfAMonth:
    @given(st.integers(1940, 2015), st.integers(1, 12),
           st.sampled_from(["{y}年{m}月", "{y}.{m:02d}", "{y}-{m}", "{y}/{m}", "{y} 年 {m} 月", "{yy}年{m}月",
                            "{cy}年{cm}月", "{fy}年{fm}月", "{y}年{m:02d}月生", "{yy}.{m:02d}"]))
    def test_same_month(self, y: int, m: int, shape: str) -> None:
        """However a unit writes a birth or party month, it is YYYY-MM (two-digit years against 2015)."""
        cy = "".join(CN[int(c)] for c in str(y))
        cm = "十" + (CN[m - 10] if m > 10 else "") if m >= 10 else CN[m]
        full = str.maketrans("0123456789", "０１２３４５６７８９")
        raw = shape.format(y=y, m=m, yy=f"{y % 100:02d}", cy=cy, cm=cm, fy=str(y).translate(full),
                           fm=str(m).translate(full))
        assert date_value(raw, day=False, pivot_year=2015) == f"{y:04d}-{m:02d}"


class TestEveryShapeOfAContactCell:
    @given(st.sampled_from(["阎亚萍", "王建国", "欧阳晓东"]), st.sampled_from(["办公室主任", "党务干事", "副科长"]),
           st.sampled_from(["0730", "0579"]), st.integers(1_000_000, 9_999_999),
           st.sampled_from(["{n}\n{t}\n{p}", "{n} {t} {p}", "{n}，{t}，{p}", "{n}（{t}）{p}", "姓名：{n} 职务：{t} 电话：{p}"]),
           st.sampled_from(["({a}){x}", "（{a}）{x}", "{a}-{x}", "{a}—{x}", "{a} {x}", "{a}-\n{x}", "({a})\n{x}"]))
    def test_parts(self, name: str, title: str, area: str, number: int, cell: str, phone: str) -> None:
        """Name, title and phone come apart the same way whatever separates them."""
        raw = cell.format(n=name, t=title, p=phone.format(a=area, x=number))
        parts = split_parts(raw)
        assert (parts["name"], parts["title"], phone_value(parts["phone"])) == (name, title, f"{area}-{number}")


class TestOpinionDates:
    def test_two_digit_year_under_an_opinion(self) -> None:
        """一五年十一月十日 under an opinion is its date, read against the campaign's year."""
        from workers.forms.values import split_opinion
        text, date, blank = split_opinion("情况属实，同意推荐。\n（盖章）\n一五年十一月十日", year=2015)
        assert (text, date, blank) == ("情况属实，同意推荐。", "2015-11-10", False)

    def test_opinion_sharing_its_line_with_the_date_keeps_its_punctuation(self) -> None:
        """An opinion and its date on one line (LibreOffice joins a cell's lines): the text keeps ，。 as written."""
        from workers.forms.values import split_opinion
        text, date, _ = split_opinion("情况属实，同意推荐。（盖章）2015年11月10日", year=2015)
        assert (text, date) == ("情况属实，同意推荐。", "2015-11-10")
