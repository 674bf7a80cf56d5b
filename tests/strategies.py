"""Hypothesis strategies shared by the tests."""
from __future__ import annotations

from hypothesis import strategies as st

# one 字 each: Han, kana, Hangul syllables, CJK and full-width punctuation, full-width digits
wide_chars = st.sampled_from(list("党建示范点创建事迹材料机关かなカナ한글，。、；：？！（）《》【】０１２３ＡＢ“”‘’—…·"))
# runs of these count once per run
narrow_chars = st.sampled_from(list("abcXYZ0123456789.%-_/+①②③"))
spaces = st.sampled_from([" ", "\t", "\n", "\u3000", "\u00a0"])
narrow_runs = st.text(narrow_chars, min_size=1, max_size=8)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """`seed` damaged the ways files arrive damaged: bits flipped, cut short, a chunk
    copied over another place or dropped; positions drawn anywhere, or near either end,
    where headers, directories and cross-reference tables sit."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        near = draw(st.sampled_from(["start", "end", "anywhere"]))
        lo, hi = {"start": (0, min(len(data), 4096)), "end": (max(0, len(data) - 4096), len(data)),
                  "anywhere": (0, len(data))}[near]
        if hi - lo < 2:
            break
        at = draw(st.integers(lo, hi - 1))
        op = draw(st.sampled_from(["flip", "byte", "truncate", "splice", "drop"]))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            data[at] = draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, ord("0"), ord("9"), ord("/"), ord(" ")]))
        elif op == "truncate":
            del data[at:]
        else:
            n = draw(st.integers(1, 512))
            if op == "drop":
                del data[at:at + n]
            else:
                src = draw(st.integers(0, len(data) - 1))
                data[at:at + n] = data[src:src + n]
    return bytes(data)
