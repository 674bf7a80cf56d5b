"""Hypothesis strategies shared by the tests."""
from __future__ import annotations

from hypothesis import strategies as st

# one 字 each: Han, kana, Hangul syllables, CJK and full-width punctuation, full-width digits
wide_chars = st.sampled_from(list("党建示范点创建事迹材料机关かなカナ한글，。、；：？！（）《》【】０１２３ＡＢ“”‘’—…·"))
# runs of these count once per run
narrow_chars = st.sampled_from(list("abcXYZ0123456789.%-_/+①②③"))
spaces = st.sampled_from([" ", "\t", "\n", "\u3000", "\u00a0"])
narrow_runs = st.text(narrow_chars, min_size=1, max_size=8)
