"""Date expressions -> calendar dates, relative to a document's publication date (offline).

News text dates events relative to the day it was published: ``on wednesday`` is the latest
Wednesday on or before publication, ``last month`` the month before it, ``oct. 15`` that day in the
publication year. :func:`resolve_date` handles these with small rules and falls back to
``dateparser`` (offline, cached, only on short strings). A month without a day resolves to its
first day; a bare year or a vague span ("over the past 14 years") resolves to nothing.
:func:`offset_days` reads the size of an offset such as ``a day`` or ``two weeks`` (for "a day
after ...").

:func:`date_spans` finds a document's date expressions in a parsed Doc (spaCy DATE entities split
at commas, plus bare weekday and month names), and :func:`extract_date_mentions` turns every one
of a document into a ``date_mentions`` row with its resolved date and granularity (where a bare
year or "last year" stands for the year's first day, with granularity ``year``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser
import numpy
from spacy.attrs import ORTH, POS
from spacy.symbols import NOUN, PROPN
from spacy.tokens import Doc, Span

from etl.ids import stable_id
from etl.records import RawSpan, identity_span

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
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# Only all-numeric dates ("9/20/2017", "2017-09-20") need dateparser: the rules read every
# expression with a month or weekday name, and dateparser misreads the rest ("the 1990s").
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?\b")


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
    if content == ["tomorrow"]:
        return published + timedelta(days=1)
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
    iso = _ISO_DATE.search(text)
    if iso is not None:
        return _safe_date(*(int(part) for part in iso.groups()))
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
    if not _NUMERIC_DATE.search(text):
        return None
    return _by_dateparser(text.strip(), published)


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
    return lowered in WEEKDAYS or lowered in MONTHS or lowered in {"today", "yesterday", "tomorrow"}


# ---------------------------------------------------------------------------------------------
# Date mentions of a parsed document

DAY_WORDS = frozenset({"today", "tonight", "yesterday", "tomorrow"})
OFFSET_LINKS = (" after ", " before ")


def _is_year(word: str) -> bool:
    return word.isdigit() and len(word) == 4 and 1900 <= int(word) <= 2100


def _is_stray_number(span: Span) -> bool:
    """A lone number the tagger called a date ("Babanov, 47,"): an age or count, not a date."""
    words = _tokens(span.text)
    return len(words) == 1 and words[0].isdigit() and not _is_year(words[0])


def date_spans(doc: Doc) -> list[Span]:
    """Date expressions of a document in text order: spaCy DATE entities split at commas
    ("September 20, a day" is two), plus weekday and month names the tagger left outside any
    entity. One pass over the document (``Span.ents`` per sentence would rescan every entity);
    the bare names are looked for on the Doc's arrays, only nouns' words read as strings (a
    Python ``Token`` per token cost more than the rest of the date extraction)."""
    pieces: list[Span] = []
    covered: set[int] = set()
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        covered.update(range(ent.start, ent.end))
        begin = ent.start
        for token in ent:
            if token.text == ",":
                if token.i > begin:
                    pieces.append(doc[begin : token.i])
                begin = token.i + 1
        if begin < ent.end:
            pieces.append(doc[begin : ent.end])
    if len(doc):
        strings = doc.vocab.strings
        values = doc.to_array([POS, ORTH])
        nouns = numpy.flatnonzero((values[:, 0] == PROPN) | (values[:, 0] == NOUN)).tolist()
        orths = values[:, 1].tolist()
        for i in nouns:
            if i not in covered and is_date_word(strings[orths[i]]):
                pieces.append(doc[i : i + 1])
    pieces.sort(key=lambda piece: piece.start)
    return [piece for piece in pieces if not _is_stray_number(piece)]


def spans_within(spans: Sequence[Span], starts: Sequence[int], sent: Span) -> list[Span]:
    """The spans (sorted, with their token ``starts``) that begin inside a sentence."""
    return list(spans[bisect_left(starts, sent.start) : bisect_left(starts, sent.end)])


def _year_of(words: list[str], published: date | None) -> date | None:
    """First day of the year a bare year, "this year" or "last year" names; else None."""
    content = [w for w in words if w not in FILLER_WORDS]
    if len(content) == 1 and _is_year(content[0]):
        return date(int(content[0]), 1, 1)
    if published is None:
        return None
    if content == ["year"]:
        return date(published.year, 1, 1)
    if content == ["last", "year"]:
        return date(published.year - 1, 1, 1)
    return None


def resolve_with_granularity(text: str, published: date | None) -> tuple[date | None, str | None]:
    """(date, granularity) of a date expression: granularity is ``day``, ``week``, ``month`` or
    ``year`` (a month or a year resolves to its first day), ``offset`` for "a day" or "two
    weeks" (a distance from another date, no date of its own), None when nothing resolves."""
    if offset_days(text) is not None:
        return None, "offset"
    if _YEAR_RANGE.search(text) and not _ISO_DATE.search(text):
        return None, None
    words = _tokens(text)
    year = _year_of(words, published)
    if year is not None:
        return year, "year"
    resolved = resolve_date(text, published)
    if resolved is None:
        return None, None
    has_day = any(w.isdigit() and 1 <= int(w) <= 31 for w in words)
    if has_day or any(w in WEEKDAYS or w in DAY_WORDS for w in words):
        return resolved, "day"
    if "week" in words:
        return resolved, "week"
    return resolved, "month"


def _event_using(text: str, sentence_idx: int, events: Sequence[dict]) -> dict | None:
    """The first event of the sentence that took its date from this expression (the whole
    ``date_text``, or the offset part of "a day after September 20")."""
    for event in events:
        if event["sentence_idx"] != sentence_idx or event.get("date_source") != "sentence":
            continue
        used = event.get("date_text") or ""
        if used == text or any(used.startswith(text + link) for link in OFFSET_LINKS):
            return event
    return None


def _offset_base(event: dict) -> str:
    used = event.get("date_text") or ""
    for link in OFFSET_LINKS:
        if link in used:
            return used.split(link, 1)[1]
    return used


def extract_date_mentions(
    doc: Doc,
    doc_id: str,
    published_at: date | None,
    sentence_starts: list[int],
    to_raw: RawSpan = identity_span,
    events: Sequence[dict] = (),
    spans: Sequence[Span] | None = None,
) -> list[dict]:
    """One row per date expression (schema ``etl.schema.DATE_MENTIONS``).

    ``sentence_starts`` are the sorted start offsets of the document's sentences; ``to_raw``
    maps a normalized span to the raw-text span of the same words; ``events`` are the
    document's event rows, whose ``date_text`` says which expression dated each event. An
    offset that dated an event takes that event's date (and its base's granularity).
    ``spans`` are the document's ``date_spans`` when the caller has them already.
    """
    rows = []
    for span in date_spans(doc) if spans is None else spans:
        start, end = span.start_char, span.end_char
        sentence_idx = max(0, bisect_right(sentence_starts, start) - 1)
        resolved, granularity = resolve_with_granularity(span.text, published_at)
        event = _event_using(span.text, sentence_idx, events)
        if event is not None and granularity == "offset":
            resolved = event["event_date"]
            granularity = resolve_with_granularity(_offset_base(event), published_at)[1]
        raw_start, raw_end = to_raw(start, end)
        rows.append(
            {
                "date_mention_id": stable_id(doc_id, "date", start, end),
                "doc_id": doc_id,
                "sentence_idx": sentence_idx,
                "text": span.text,
                "start_char": start,
                "end_char": end,
                "raw_start_char": raw_start,
                "raw_end_char": raw_end,
                "resolved_date": resolved,
                "granularity": granularity,
                "event_id": event["event_id"] if event is not None else None,
            }
        )
    return rows
