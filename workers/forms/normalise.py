"""Values as the contract writes them.

Whitespace inside Chinese text removed; dates `YYYY-MM` / `YYYY-MM-DD` (from
2015年11月, 2015.11, 二〇一五年十一月, full-width digits); counts and ratings
as integers (四星级 → 4); phone numbers as digits with `-` after an area code;
empty or 无 as the empty string.  A value that cannot be normalised is kept
as written (trimmed) so that the check can say what is wrong with it.
"""
from __future__ import annotations

import datetime as _dt
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


# what people write after a choice that adds nothing to it: 事业单位, 男性
_ENUM_SUFFIXES = ("单位", "性", "类")


def enum_value(value: str, choices: tuple[str, ...]) -> str:
    """`value`, or the one choice it is with a word that adds nothing after it (事业单位 → 事业)."""
    if not choices or value in choices:
        return value
    hits = [c for c in choices if value.startswith(c) and value[len(c):] in _ENUM_SUFFIXES]
    return hits[0] if len(hits) == 1 else value


# a footnote mark after a value: superscript digits, circled numbers, *, ※, †, [1];
# and a plain 1–2 digit number straight after a Han character that ends the value
# (a superscript that lost its raise in a PDF or a scan: …党支部1)
_FOOTNOTE_MARK = re.compile(
    r"(?:[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+|[\u2460-\u2473\u2776-\u277f]|[*＊※†‡]+|\[\d{1,2}\]"
    r"|(?<=[\u4e00-\u9fff])(?<![第共约近达计为是有员人名个位数])[0-9０-９]{1,2})\s*$")


def strip_footnote_mark(raw: str) -> str:
    """`raw` without a footnote mark at its end: 某局机关党支部¹ → 某局机关党支部."""
    text = raw.rstrip()
    m = _FOOTNOTE_MARK.search(text)
    # a value that is only a number or a mark is a value, not a mark on one
    if m is None or not text[:m.start()].strip():
        return raw
    return text[:m.start()]


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
# a two-digit year (71年1月, 一五年十一月十日): only with 年, or a whole value like 71.01
_DATE_YY = re.compile(
    rf"(?<![0-9〇零○一二三四五六七八九十])(?P<y>{_NUM}{{2}})\s*年\s*(?P<m>{_NUM}{{1,3}})\s*月"
    rf"(?:\s*(?P<d>{_NUM}{{1,3}})\s*日)?")
_DATE_YY_DOTTED = re.compile(r"^\s*(?P<y>\d{2})\s*[./-]\s*(?P<m>\d{1,2})(?:\s*[./-]\s*(?P<d>\d{1,2}))?\s*$")


def full_year(yy: int, pivot_year: int | None = None) -> int:
    """A two-digit year in full: in the 1900s when its digits are above the pivot
    year's (the campaign's year; today's when not given), else in the 2000s."""
    pivot = (pivot_year or _dt.date.today().year) % 100
    return 1900 + yy if yy > pivot else 2000 + yy


def _date_of(m: re.Match, year: int | None) -> str | None:
    y, mo = year if year is not None else cn_number(m.group("y")), cn_number(m.group("m"))
    d = cn_number(m.group("d")) if m.group("d") else None
    if y is None or mo is None or not (1900 <= y <= 2100) or not (1 <= mo <= 12):
        return None
    if d is not None and not (1 <= d <= 31):
        d = None
    return f"{y:04d}-{mo:02d}" + (f"-{d:02d}" if d else "")


def find_date(text: str, pivot_year: int | None = None) -> tuple[str, int, int] | None:
    """The first date in `text` as (normalised, start, end), or None.  A four-digit
    year wins; a two-digit one (71年1月) is read with `full_year`."""
    # 元月 is the first month (一九七一年元月); same length, so positions hold
    t = nfkc(text).replace("元月", "1月")
    for m in _DATE.finditer(t):
        value = _date_of(m, None)
        if value:
            return value, m.start(), m.end()
    for m in list(_DATE_YY.finditer(t)) + list(_DATE_YY_DOTTED.finditer(t)):
        yy = cn_number(m.group("y"))
        value = _date_of(m, full_year(yy, pivot_year)) if yy is not None else None
        if value:
            return value, m.start(), m.end()
    return None


def date_value(raw: str, *, day: bool, pivot_year: int | None = None) -> str:
    """`YYYY-MM` (day=False) or `YYYY-MM-DD`; unparseable text is returned squeezed."""
    s = text_value(raw)
    if not s:
        return ""
    found = find_date(s, pivot_year)
    if not found:
        return s
    value = found[0]
    # a date with words around it ("约2015年") is still that date, but "2015年11月至今" too
    if not day:
        return value[:7]
    return value


_STAR = re.compile(r"^([一二三四五12345])星级?(?:党组织)?$")
# a rating with words around it: 评定为四星级, 四星级（2014年评定）
_STAR_IN_TEXT = re.compile(r"(?<![\d一二三四五六七八九十])([一二三四五12345])\s*星(?:级)?")


# the capital numerals of cheques and receipts (叁星级), as some units write a rating
_CAPITAL_DIGITS = str.maketrans("壹贰貳叁參肆伍", "一二二三三四五")


def star_value(raw: str) -> int | str:
    s = nfkc(text_value(raw)).translate(_CAPITAL_DIGITS)
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
    found = {m.group(1) for m in _STAR_IN_TEXT.finditer(s)}
    if len(found) == 1:
        c = found.pop()
        return int(c) if c.isdigit() else "一二三四五".index(c) + 1
    return s


def count_value(raw: str) -> int | str:
    s = nfkc(text_value(raw))
    if not s:
        return ""
    # 52, 52人, 52名, 共52名党员, 党员52人; a speck before it read as a mark (.38 on a photo)
    m = re.fullmatch(r"[.·,，、:：]?\s*(?:共|计|党员)?\s*(\d+)\s*(?:人|名|个|位)?(?:党员|正式党员)?[。.]?", s)
    if m:
        return int(m.group(1))
    n = cn_number(re.sub(r"(?:人|名|个|位)$", "", s))
    if n is not None:
        return n
    # the count with a note after it: 48人（含预备党员3人）, 48名，其中女党员20名
    m = re.match(r"(?:共|计|党员)?\s*(\d+)\s*(?:人|名|位)?\s*(?=[(（,，;；])", s)
    return int(m.group(1)) if m else s


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


# every dash people (and their input methods) put between an area code and a number
DASHES = "\\-－—–‐‑‒―─━﹣−~～"
# a run that may hold one or more phone numbers: digits with brackets, dashes and
# whitespace (a number wrapped over two lines of a narrow cell) between them
_PHONE_RUN = re.compile(rf"(?:\+\s*86\s*)?[(（]?\s*\d[\d{DASHES}()（）\s]*\d[)）]?")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def _one_phone(run: str) -> str:
    """One number written any way → digits, with `-` after an area code."""
    # an area code in brackets is one group, however the reading spaced its digits: (073 4)
    run = re.sub(r"[(（][\d\s]+[)）]", lambda b: re.sub(r"\s", "", b.group(0)), run)
    digits = _digits(run)
    if len(digits) == 13 and digits.startswith("86") and digits[2] in "01":
        digits, run = digits[2:], run[run.index("86") + 2:]
    if _MOBILE.fullmatch(digits):
        return digits
    # the first group as written: (0730)… 0730—… 0579 8246 9328
    first = re.match(r"\D*(\d+)", run)
    head = first.group(1) if first else ""
    if head.startswith("0") and 3 <= len(head) <= 4 and len(digits) > len(head):
        groups = re.findall(r"\d+", run)
        # an extension after the number (0730-8472804-8001) is not part of it
        # (one digit after seven is the number's last, wrapped: 0734-4358347 | 2)
        if len(groups) >= 3 and groups[0] == head and len(groups[1]) in (7, 8) \
                and not (len(groups[1]) == 7 and len(groups) == 3 and len(groups[2]) == 1):
            return f"{head}-{groups[1]}"
        return f"{head}-{digits[len(head):]}"
    if digits.startswith("0") and not digits.startswith("00") and len(digits) >= 10:
        area_len = 3 if digits[1] in "12" else 4
        return f"{digits[:area_len]}-{digits[area_len:]}"
    return digits


def _complete(digits_so_far: str, run_so_far: str) -> bool:
    return len(digits_so_far) >= 11 or phone_ok(_one_phone(run_so_far))


def find_phones(text: str) -> list[tuple[str, int, int]]:
    """Every phone number in `text` (already NFKC) as (normalised, start, end).

    Groups separated by whitespace are joined until they make a whole number, so
    that `0579 8246 9328` and a number wrapped in a narrow cell are one, while two
    numbers side by side (`13805791234 0730-8472804`) stay two."""
    out: list[tuple[str, int, int]] = []
    for m in _PHONE_RUN.finditer(text):
        if len(_digits(m.group(0))) < 5:
            continue
        start = None
        toks = list(re.finditer(r"\S+", m.group(0)))
        k = 0
        while k < len(toks):
            if start is None:
                start = m.start() + toks[k].start()
            end = m.start() + toks[k].end()
            so_far = text[start:end]
            k += 1
            if _complete(_digits(so_far), so_far):
                # a last group too short to be a number of its own is this one's end, wrapped
                # (０７３４）４３５８３４７ | ２: eight digits, not seven and a stray 2 in the title)
                while k < len(toks) and len(_digits(toks[k].group(0))) < 5 \
                        and phone_ok(_one_phone(text[start:m.start() + toks[k].end()])):
                    end = m.start() + toks[k].end()
                    k += 1
                out.append((_one_phone(text[start:end]), start, end))
                start = None
        if start is not None:
            so_far = text[start:m.end()]
            if len(_digits(so_far)) >= 5:
                out.append((_one_phone(so_far), start, m.end()))
    return out


def phone_value(raw: str) -> str:
    """Digits, with `-` after an area code: 0730-8553929, 18059729501."""
    if not text_value(raw):
        return ""
    s = nfkc(raw).strip()
    phones = find_phones(s)
    return phones[0][0] if phones else text_value(s)


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


# a date line a seal or a poor scan has damaged: numerals beside 年/月/日 (2O15年 月5日, 二〇一七年四■二十日,
# 2015.1) that read as no date.  The date is there; only the reading failed
_NUMERAL = r"0-9０-９〇○零一二三四五六七八九十元"
_DATE_WORD = re.compile(f"[{_NUMERAL}][^{_NUMERAL}年月日]{{0,2}}[年月日]|[年月日][^{_NUMERAL}年月日]{{0,2}}[{_NUMERAL}]"
                        r"|\d{4}\s*[./\-]\s*\d")
_DATE_STUFF = re.compile(f"[{_NUMERAL}年月日./\\-]")
# two Han characters that are neither numerals nor 年月日 are words (2014年度先进), not a smudge
_WORDS = re.compile(f"[^{_NUMERAL}年月日\\W\\d_a-zA-Z]{{2}}")
# such a line is short: a sentence that names a year (2014年以来…) is the opinion's text
_DATE_LINE_MAX = 16
NUMERALS = re.compile(f"[{_NUMERAL}]+")


def unread_date(line: str) -> bool:
    """Whether `line` is a date line the reader could not read: short, mostly numerals and
    年/月/日, with a numeral beside one of them (a seal over 2015年11月5日 leaves 2O15年 月5日)."""
    flat = squeeze(nfkc(line))
    if not flat or len(flat) > _DATE_LINE_MAX or find_date(flat):
        return False
    return bool(_DATE_WORD.search(flat)) and len(_DATE_STUFF.findall(flat)) * 2 >= len(flat) \
        and not _WORDS.search(flat)
