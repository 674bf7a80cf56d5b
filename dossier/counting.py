"""字数 as Microsoft Word counts it (中文字符和朝鲜语单词 + 非中文单词).

The contract's rule:
- 1 each: East Asian Width W or F (emoji excepted), and the punctuation a
  Chinese input method types with ambiguous width: “ ” ‘ ’ — … ·
- 1 per maximal run of any other non-whitespace characters (a Latin word,
  `2015`, `3.5%`, `①②③`, a run of emoji)
- 0 for whitespace (U+3000 and no-break space included)
"""
from __future__ import annotations

import unicodedata

# typed by a Chinese input method, ambiguous width in Unicode, counted as 字 by Word
_CJK_AMBIGUOUS = frozenset("“”‘’—…·")


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x1F900 <= cp <= 0x1F9FF
            or 0xFE00 <= cp <= 0xFE0F or cp == 0x200D or 0x1F1E6 <= cp <= 0x1F1FF)


def is_wide(ch: str) -> bool:
    """Counts as one 字 on its own."""
    if ch in _CJK_AMBIGUOUS:
        return True
    if _is_emoji(ch):
        return False
    return unicodedata.east_asian_width(ch) in ("W", "F")


_SPACE, _WIDE, _OTHER = 0, 1, 2
# each character's kind, looked up once: unicodedata per character was most of a count's time
_KINDS: dict[str, int] = {}


def _kind(ch: str) -> int:
    k = _KINDS.get(ch)
    if k is None:
        k = _KINDS[ch] = (_SPACE if ch.isspace() or ch in "\u3000\u00a0\u200b\ufeff"
                          else _WIDE if is_wide(ch) else _OTHER)
    return k


def count_chars(text: str) -> int:
    """The 字数 of `text` by the contract's rule."""
    n = 0
    in_run = False
    kinds = _KINDS
    for ch in text:
        k = kinds.get(ch)
        if k is None:
            k = _kind(ch)
        if k == _OTHER:
            if not in_run:
                n += 1
            in_run = True
        else:
            n += k          # a wide character is one; whitespace nothing
            in_run = False
    return n
