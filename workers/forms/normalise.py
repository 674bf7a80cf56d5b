"""Values as the contract writes them.

Whitespace inside Chinese text removed; dates `YYYY-MM` / `YYYY-MM-DD` (from
2015年11月, 2015.11, 二〇一五年十一月, full-width digits); counts and ratings
as integers (四星级 → 4); phone numbers as digits with `-` after an area code;
empty or 无 as the empty string.  A value that cannot be normalised is kept
as written (trimmed) so that the check can say what is wrong with it.
"""
from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGITS.update({"零": 0, "○": 0, "Ｏ": 0, "O": 0, "o": 0, "两": 2})
EMPTY_WORDS = {"无", "无。", "暂无", "—", "-", "/", "／", "空"}


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "%.&+-_/")


def squeeze(text: str) -> str:
    """Remove whitespace, keeping one space only between two Latin words or numbers."""
    text = text.replace("\u3000", " ").replace("\u00a0", " ")
    parts = _WS.split(text.strip())
    out = ""
    for p in parts:
        if not p:
            continue
        if out and _ascii_word(out[-1]) and _ascii_word(p[0]) and out[-1].isalpha() and p[0].isalpha():
            out += " "
        out += p
    return out


def text_value(raw: str) -> str:
    v = squeeze(raw)
    return "" if v in EMPTY_WORDS else v


def cn_number(s: str) -> int | None:
    """二〇一五 → 2015, 十一 → 11, 三十一 → 31, 7 → 7."""
    s = nfkc(s).strip()
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    if "十" in s:
        a, _, b = s.partition("十")
        tens = _CN_DIGITS.get(a) if a else 1
        ones = _CN_DIGITS.get(b) if b else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    return None


_NUM = r"[0-9〇零○一二三四五六七八九十Oo]"
_DATE = re.compile(
    rf"(?P<y>{_NUM}{{4}})\s*(?:年|[-./])\s*(?P<m>{_NUM}{{1,3}})\s*(?:月|(?=[-./])|$)"
    rf"(?:\s*[-./]?\s*(?P<d>{_NUM}{{1,3}})\s*日?)?")


def find_date(text: str) -> tuple[str, int, int] | None:
    """The first date in `text` as (normalised, start, end), or None."""
    t = nfkc(text)
    for m in _DATE.finditer(t):
        y, mo = cn_number(m.group("y")), cn_number(m.group("m"))
        d = cn_number(m.group("d")) if m.group("d") else None
        if y is None or mo is None or not (1900 <= y <= 2100) or not (1 <= mo <= 12):
            continue
        if d is not None and not (1 <= d <= 31):
            d = None
        return (f"{y:04d}-{mo:02d}" + (f"-{d:02d}" if d else "")), m.start(), m.end()
    return None


def date_value(raw: str, *, day: bool) -> str:
    """`YYYY-MM` (day=False) or `YYYY-MM-DD`; unparseable text is returned squeezed."""
    s = text_value(raw)
    if not s:
        return ""
    found = find_date(s)
    if not found:
        return s
    value, start, end = found
    # a date with words around it ("约2015年") is still that date, but "2015年11月至今" too
    if not day:
        return value[:7]
    return value


_STAR = re.compile(r"^([一二三四五12345])星级?(?:党组织)?$")


def star_value(raw: str) -> int | str:
    s = nfkc(text_value(raw))
    if not s:
        return ""
    if re.fullmatch(r"★+☆*", s):
        return s.count("★")
    m = _STAR.match(s)
    if m:
        c = m.group(1)
        return int(c) if c.isdigit() else "一二三四五".index(c) + 1
    if s.isdigit() and 1 <= int(s) <= 5:
        return int(s)
    return s


def count_value(raw: str) -> int | str:
    s = nfkc(text_value(raw))
    if not s:
        return ""
    # 52, 52人, 52名, 共52名党员, 党员52人
    m = re.fullmatch(r"(?:共|计|党员)?\s*(\d+)\s*(?:人|名|个|位)?(?:党员|正式党员)?[。.]?", s)
    if m:
        return int(m.group(1))
    n = cn_number(re.sub(r"(?:人|名|个|位)$", "", s))
    return n if n is not None else s


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


_PHONE_RUN = re.compile(r"\+?\d[\d\-－—\s()（）]{3,}\d")


def phone_value(raw: str) -> str:
    """Digits, with `-` after an area code: 0730-8553929, 18059729501."""
    s = nfkc(text_value(raw))
    if not s:
        return ""
    m = _PHONE_RUN.search(s)
    if not m:
        return s
    run = re.sub(r"[\s()（）]", "", m.group(0)).replace("－", "-").replace("—", "-")
    if run.startswith("+86"):
        run = run[3:]
    digits = re.sub(r"\D", "", run)
    if "-" in run:
        area, _, rest = run.partition("-")
        return f"{_digits(area)}-{_digits(rest)}"
    if digits.startswith("0") and not digits.startswith("00") and len(digits) >= 10:
        area_len = 3 if digits[1] in "12" else 4
        return f"{digits[:area_len]}-{digits[area_len:]}"
    return digits


def phone_ok(value: str) -> bool:
    """A mainland mobile (1[3-9] + 9 digits) or fixed line (area code + 7–8 digits)."""
    if re.fullmatch(r"1[3-9]\d{9}", value):
        return True
    m = re.fullmatch(r"(0\d{2,3})-(\d+)", value)
    if m:
        area, local = m.groups()
        if area[1] in "12" and len(area) == 3:
            return len(local) == 8
        return len(area) == 4 and len(local) in (7, 8)
    return bool(re.fullmatch(r"[2-9]\d{6,7}", value))   # local number without area code


def score_value(raw: str) -> float | int | str:
    s = nfkc(text_value(raw)).rstrip("分").strip()
    if not s:
        return ""
    try:
        f = float(s)
    except ValueError:
        return s
    return int(f) if f.is_integer() else f
