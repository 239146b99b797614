"""Date expressions -> calendar dates, relative to a document's publication date (offline).

News text dates events relative to the day it was published: ``on wednesday`` is the latest
Wednesday on or before publication, ``last month`` the month before it, ``oct. 15`` that day in the
publication year. :func:`resolve_date` handles these with small rules and falls back to
``dateparser`` (offline, cached, only on short strings). A month without a day resolves to its
first day; a bare year or a vague span ("over the past 14 years") resolves to nothing.
:func:`offset_days` reads the size of an offset such as ``a day`` or ``two weeks`` (for "a day
after ...").
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

import dateparser

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "fortnight": 14}
# Words that make an expression a span or a duration, which no single date stands for.
VAGUE_WORDS = frozenset(
    {"past", "years", "decades", "century", "era", "since", "until", "recent", "during", "ago"}
)
# Fillers that do not change which day is meant ("the", "on", ...).
FILLER_WORDS = frozenset({"on", "the", "of", "in", "this", "earlier", "late", "early", "by", "at"})
_TOKEN = re.compile(r"[a-z]+|\d+")
_YEAR_RANGE = re.compile(r"\d{4}\s*[-–/]\s*\d")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _latest_weekday(weekday: int, published: date) -> date:
    return published - timedelta(days=(published.weekday() - weekday) % 7)


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _previous_month(published: date) -> date:
    if published.month == 1:
        return date(published.year - 1, 12, 1)
    return date(published.year, published.month - 1, 1)


def _latest_month(month: int, published: date) -> date:
    year = published.year if month <= published.month else published.year - 1
    return _month_start(year, month)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(words: list[str], published: date) -> date | None:
    """``September 20``, ``oct. 15``, ``20 September``, ``Sept 20, 2017``; else None."""
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    numbers = [int(w) for w in words if w.isdigit()]
    if month is None:
        return None
    days = [n for n in numbers if 1 <= n <= 31]
    years = [n for n in numbers if 1900 <= n <= 2100]
    year = years[0] if years else published.year
    if days:
        return _safe_date(year, month, days[0])
    if years:
        return _month_start(year, month)
    return _latest_month(month, published)


def _by_rule(words: list[str], published: date) -> date | None:
    content = [w for w in words if w not in FILLER_WORDS]
    if not content or any(w in VAGUE_WORDS for w in content):
        return None
    if content == ["today"] or content == ["tonight"]:
        return published
    if content == ["yesterday"]:
        return published - timedelta(days=1)
    if content[0] == "last" and len(content) == 2:
        unit = content[1]
        if unit == "month":
            return _previous_month(published)
        if unit == "week":
            return published - timedelta(days=7)
        if unit == "year":
            return None
        if unit in WEEKDAYS:
            return _latest_weekday(WEEKDAYS.index(unit), published - timedelta(days=1))
        if unit in MONTHS:
            return _latest_month(MONTHS[unit], published)
    if content[0] in WEEKDAYS and all(w in WEEKDAYS or w in {"night", "morning"} for w in content):
        return _latest_weekday(WEEKDAYS.index(content[0]), published)
    if any(w in MONTHS for w in content):
        return _month_day(content, published)
    return None


@lru_cache(maxsize=4096)
def _by_dateparser(text: str, published: date) -> date | None:
    from datetime import datetime

    base = datetime(published.year, published.month, published.day)
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "past",
            "PREFER_DAY_OF_MONTH": "first",
            "REQUIRE_PARTS": ["month"],
        },
    )
    return parsed.date() if parsed else None


@lru_cache(maxsize=4096)
def resolve_date(text: str, published: date | None) -> date | None:
    """The calendar date a date expression names, relative to the publication date, or None."""
    if published is None:
        return None
    if _YEAR_RANGE.search(text):
        return None
    words = _tokens(text)
    if not words or len(words) > 6:
        return None
    if words[-1] in {"years"} or (len(words) == 1 and words[0].isdigit()):
        return None
    resolved = _by_rule(words, published)
    if resolved is not None:
        return resolved
    if any(w in VAGUE_WORDS for w in words) or any(w in UNIT_DAYS for w in words):
        return None
    return _by_dateparser(" ".join(words), published)


def offset_days(text: str) -> int | None:
    """Days in an offset such as ``a day``, ``two days``, ``a week``; None when not one."""
    words = [w for w in _tokens(text) if w not in FILLER_WORDS]
    if len(words) != 2 or words[1] not in UNIT_DAYS:
        return None
    count = NUMBER_WORDS.get(words[0]) or (int(words[0]) if words[0].isdigit() else None)
    if count is None:
        return None
    return count * UNIT_DAYS[words[1]]


def is_date_word(word: str) -> bool:
    """True for weekday and month names and relative day words, which may head a date phrase."""
    lowered = word.lower().rstrip(".")
    return lowered in WEEKDAYS or lowered in MONTHS or lowered in {"today", "yesterday"}
