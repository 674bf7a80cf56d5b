"""字数 by the contract's rule (what Word shows as 字数 for Chinese text)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import narrow_runs, spaces, wide_chars
from workers.checks.counting import count_chars, is_wide


class TestContractExamples:
    @pytest.mark.parametrize("text,expected", [
        ("2015年共发展党员12名。", 10),
        ("２０１５年", 5),
        ("“三会一课”", 6),
        ("Hello 世界", 3),
        ("党员 100% 参加", 5),
    ])
    def test_examples(self, text: str, expected: int) -> None:
        """The contract's worked examples count as it says."""
        assert count_chars(text) == expected

    def test_whitespace_counts_nothing(self) -> None:
        """Spaces, tabs, newlines, U+3000 and no-break spaces are not 字."""
        assert count_chars(" \t\n\u3000\u00a0") == 0

    def test_emoji_run_is_one(self) -> None:
        """An emoji run counts once, like a word."""
        assert count_chars("好😀😀好") == 3


class TestProperties:
    @given(st.lists(wide_chars, max_size=50))
    def test_each_wide_char_is_one(self, chars: list[str]) -> None:
        """Every wide character counts one, whatever is next to it."""
        assert count_chars("".join(chars)) == len(chars)

    @given(st.lists(narrow_runs, max_size=20), spaces)
    def test_each_separated_run_is_one(self, runs: list[str], sep: str) -> None:
        """Runs of other characters separated by whitespace count one each."""
        assert count_chars(sep.join(runs)) == len(runs)

    @given(st.lists(st.one_of(wide_chars, narrow_runs, spaces), max_size=40))
    def test_whitespace_never_adds(self, parts: list[str]) -> None:
        """Inserting whitespace next to a wide character never changes the count."""
        text = "".join(parts)
        spaced = "".join(p + " " if len(p) == 1 and is_wide(p) else p for p in parts)
        assert count_chars(spaced) == count_chars(text)

    @given(st.lists(st.one_of(wide_chars, narrow_runs, spaces), max_size=40),
           st.lists(st.one_of(wide_chars, narrow_runs, spaces), max_size=40))
    def test_additive_across_a_wide_char(self, a: list[str], b: list[str]) -> None:
        """Joining two texts at a wide character adds their counts."""
        left, right = "".join(a), "".join(b)
        assert count_chars(left + "党" + right) == count_chars(left) + 1 + count_chars(right)
