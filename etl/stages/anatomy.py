"""Document anatomy: which lines of an article are its URL, headline, date lines, dateline,
boilerplate and body, and the publication date the header states.

Scraped and wire articles carry more than their story: a URL line, a headline, "Updated: ..."
lines, a dateline (``BISHKEK (Reuters) -``), site menus, share buttons and bylines. Everything
stays in the text (offsets never change); :func:`read_anatomy` labels it as parts, so events and
actors are read from the body only and the header can date a document that has no metadata.

The evidence is structural, never a list of lines seen somewhere:

* a line is a URL when it is one whitespace-free ``scheme://`` or ``www.`` token;
* a date line holds a full calendar date and apart from it only times, time zones, weekday names,
  labels ("Published", "Updated:", "Posted on") and at most two other words;
* a dateline opens a body line: a place in capitals (optionally ", <date>" and "(<agency>)")
  followed by a dash or colon, or a capitalized place followed by "(<agency>) -";
* past the header, a line that is no sentence and holds no function word is a list item (a spec,
  a heading, a menu without separators): its names count, its verbs are no events;
* a line is prose when it reads like a sentence: enough words and a share of function words
  (spaCy's English stop words) at least as high as almost every annotated news sentence has
  (the quantiles in ``data/anatomy.json``, learned by ``python -m etl.stages.anatomy_fit`` from
  ECB+ developer documents); a line that is not prose, repeats separators such as ``|`` or
  ``»``, or opens with "By <Name>" is boilerplate;
* the headline is the first non-URL, non-date line of the header when it is not prose ending in a
  period and a body follows it.

Line breaks are paragraph breaks (one paragraph or one sentence per line is how feeds and
scrapers deliver text) unless a line stops mid-sentence and the next continues in lowercase
(hard-wrapped text); :func:`sentence_starts` gives the offsets where a sentence must begin, which
the spaCy pipeline enforces before parsing (``etl.stages.nlp``), so no sentence crosses a
paragraph break or joins a dateline to its story.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from etl.stages.extract.dates import MONTHS, WEEKDAYS

DATA_PATH = Path(__file__).parent / "data" / "anatomy.json"

PART_KINDS = ("url", "headline", "date_line", "dateline", "boilerplate", "list_item", "body")
# Parts that events and actors are never read from.
NON_BODY_KINDS = frozenset({"url", "date_line", "dateline", "boilerplate", "list_item"})
# Header lines are looked for among the first lines only (the header precedes the story).
HEADER_LINES = 6

_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*")
_URL = r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+"
_URL_LINE = re.compile(rf"^{_URL}$", re.IGNORECASE)
_URL_INSIDE = re.compile(rf"(?<![\w.]){_URL}", re.IGNORECASE)
_SEPARATORS = re.compile(r"[|»•·›>]")
_TERMINAL = tuple(".!?\"'”’)")
_NAME_WORD = r"[A-Z][\w.'’-]+"
_BYLINE = re.compile(
    rf"^(?:[Bb]y|[Pp]osted by|[Ww]ritten by)\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
)

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_FULL_DATES = (
    # April 4, 2012 / Nov 12, 2011 / September 20 2017
    re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>{_DAY}),?\s+(?P<year>{_YEAR})\b", re.I),
    # 4 August 2013 / 20 Sept. 2017
    re.compile(rf"\b(?P<day>{_DAY})\s+(?P<month>{_MONTH}),?\s+(?P<year>{_YEAR})\b", re.I),
    # 2013-04-24 / 2013.04.24
    re.compile(r"\b(?P<year>(?:19|20)\d\d)[-.](?P<m>\d{1,2})[-.](?P<d>\d{1,2})\b"),
    # 4/11/2007 / 11/30/09 (month and day read below)
    re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>(?:19|20)?\d\d)\b"),
)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?", re.I)
_DATE_LINE_WORDS = frozenset(
    {
        "published",
        "posted",
        "created",
        "updated",
        "last",
        "first",
        "modified",
        "on",
        "at",
        "am",
        "pm",
        "a.m",
        "p.m",
        "gmt",
        "utc",
        "et",
        "est",
        "edt",
        "pt",
        "pst",
        "pdt",
        "ct",
        "cst",
        "cdt",
        "bst",
        "cet",
        "cest",
        "ist",
        "hrs",
        "hours",
        "date",
        "time",
    }
    | set(WEEKDAYS)
    | {day[:3] for day in WEEKDAYS}
)
_PUBLISHED_LABELS = ("published", "posted", "created")
_UPDATED_LABELS = ("updated", "modified")

_PLACE_CAPS = (
    r"[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,3}"  # WASHINGTON, NEW YORK
    r"(?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)?)?"  # , N.Y.
)
_PLACE_TITLE = r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}"
_DATELINE_DATE = rf",\s*(?P<date>(?i:{_MONTH}\s+{_DAY}|{_DAY}\s+{_MONTH})(?:,?\s+{_YEAR})?)"
_AGENCY = r"\s*\(\s*[A-Za-z][\w .&/-]{0,30}?\s*\)"
_DASH = r"\s*(?:--?|–|—)\s+"
_DATELINES = (
    re.compile(rf"^(?P<place>{_PLACE_CAPS})(?:{_DATELINE_DATE})?(?:{_AGENCY})?(?:{_DASH}|:\s+)"),
    re.compile(rf"^(?P<place>{_PLACE_TITLE})(?:{_DATELINE_DATE})?{_AGENCY}{_DASH}"),
)
# A dateline on a line of its own ("WASHINGTON-April 27 -", "Mumbai, Nov 11 -"): a place in
# capitals, or any place with a date or an agency, and a closing dash.
_BARE_DATELINE = re.compile(
    rf"^(?:(?P<caps>{_PLACE_CAPS})|{_PLACE_TITLE})"
    rf"(?:\s*[,-]\s*(?P<date>(?i:{_MONTH}\s+{_DAY}|{_DAY}\s+{_MONTH})(?:,?\s+{_YEAR})?))?"
    rf"(?P<agency>{_AGENCY})?\s*(?:--?|–|—)$"
)
# A URL date: /2013/09/09/, 2007-04-11-, /20111111.htm (same separator on both sides or none).
_URL_DATE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d\d)(?P<sep>[/_-]?)(?P<month>0[1-9]|1[0-2])(?P=sep)"
    r"(?P<day>0[1-9]|[12]\d|3[01])(?!\d)"
)


@dataclass(frozen=True)
class Part:
    """A stretch of the text with one role (``kind`` in :data:`PART_KINDS`)."""

    index: int
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Anatomy:
    """The parts of a document and what its header states."""

    parts: tuple[Part, ...]
    headline: str | None
    dateline: str | None
    published_at: date | None
    published_at_source: str | None

    def part_of(self, start: int, end: int) -> Part | None:
        """The part holding the whole span, or None when it straddles parts or lies outside."""
        return next((p for p in self.parts if p.start <= start and end <= p.end), None)

    def is_body(self, start: int, end: int) -> bool:
        """True when the span lies inside one part events and actors may be read from."""
        part = self.part_of(start, end)
        return part is not None and part.kind not in NON_BODY_KINDS


@dataclass(frozen=True)
class ProseThresholds:
    """A line ending like a sentence is prose, however short ("She deserved it."); one that does
    not (a heading, a menu, a share button) needs ``min_words`` words and a function-word share
    of ``min_share``."""

    min_words: int
    min_share: float


@lru_cache(maxsize=1)
def load_thresholds(path: Path = DATA_PATH) -> ProseThresholds:
    values = json.loads(path.read_text(encoding="utf-8"))
    return ProseThresholds(**{name: values[name] for name in ProseThresholds.__dataclass_fields__})


# ---------------------------------------------------------------------------------------------
# Lines and paragraph breaks


def lines_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, stripped of surrounding whitespace."""
    spans = []
    position = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = position + (len(line) - len(line.lstrip()))
            spans.append((start, start + len(stripped)))
        position += len(line) + 1
    return spans


def _continues(previous: str, following: str) -> bool:
    """A hard-wrapped line: it stops mid-sentence and the next line goes on in lowercase (a URL
    line or a date line such as "updated 8:41 p.m." stands alone)."""
    if previous.endswith(_TERMINAL) or not following[:1].islower():
        return False
    return not _is_url(previous) and date_line_label(following) is None


def paragraphs_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of every paragraph: lines joined only where the text is hard-wrapped."""
    paragraphs: list[tuple[int, int]] = []
    for start, end in lines_of(text):
        if paragraphs:
            last_start, last_end = paragraphs[-1]
            blank_between = "\n" in text[last_end:start].replace("\n", "", 1)
            if not blank_between and _continues(text[last_start:last_end], text[start:end]):
                paragraphs[-1] = (last_start, end)
                continue
        paragraphs.append((start, end))
    return paragraphs


def find_dateline(line: str) -> re.Match | None:
    """The dateline opening a line (``BISHKEK (Reuters) -``), or None."""
    for pattern in _DATELINES:
        found = pattern.match(line)
        if found is None:
            continue
        rest = line[found.end() :].rstrip()
        # A story sentence must follow: capitalized (or quoted) and ending like a sentence, so
        # a headline such as "MUST SEE: Navy pins down pirates" is not read as a dateline.
        if (rest[:1].isupper() or rest[:1] in "\"“'‘") and rest.endswith(_TERMINAL):
            return found
    return None


def find_bare_dateline(line: str) -> re.Match | None:
    """A line that is only a dateline, or None."""
    found = _BARE_DATELINE.match(line)
    if found is None or not (found["caps"] or found["date"] or found["agency"]):
        return None
    return found


def sentence_starts(text: str) -> list[int]:
    """Character offsets where a sentence must begin: every paragraph after the first, and the
    story after a dateline."""
    paragraphs = paragraphs_of(text)
    starts = [start for start, _ in paragraphs[1:]]
    found = _first_dateline(text, paragraphs)
    if found is not None:
        starts.append(paragraphs[found[0]][0] + found[1].end())
    return sorted(starts)


def _first_dateline(text: str, paragraphs: list[tuple[int, int]]) -> tuple[int, re.Match] | None:
    """(paragraph index, match) of the first dateline among the first paragraphs."""
    for index, (start, end) in enumerate(paragraphs[:HEADER_LINES]):
        found = find_dateline(text[start:end])
        if found is not None:
            return index, found
    return None


# ---------------------------------------------------------------------------------------------
# Line roles


def _words(line: str) -> list[str]:
    return _WORD.findall(line)


def _is_function_word(word: str) -> bool:
    # "It's", "I'm": the word before the clitic decides.
    return re.split(r"['’]", word.lower(), maxsplit=1)[0] in STOP_WORDS


def function_share(line: str) -> float:
    words = _words(line)
    return sum(map(_is_function_word, words)) / len(words) if words else 0.0


def is_prose(line: str, thresholds: ProseThresholds) -> bool:
    """The line reads like running text (see :class:`ProseThresholds`)."""
    if line.endswith(_TERMINAL):
        return True
    words, share = len(_words(line)), function_share(line)
    return words >= thresholds.min_words and share >= thresholds.min_share


def is_boilerplate(line: str, thresholds: ProseThresholds) -> bool:
    """Site furniture: menus and tickers (separators), bylines, lines that are not prose. A line
    that ends like a sentence never is ("By Tuesday, the talks had failed.")."""
    if line.endswith(_TERMINAL):
        return False
    if len(_SEPARATORS.findall(line)) >= 2 or _BYLINE.match(line):
        return True
    return not is_prose(line, thresholds)


def _is_list_item(line: str) -> bool:
    """Past the header: a line that neither ends like a sentence nor holds one function word
    (a list item, a section heading, a menu without separators): names, but no events. In the
    ECB+ developer texts, none of the 12 such lines carries an annotated event; the 9 open lines
    that do have a function-word share of 0.21 or more."""
    return not line.endswith(_TERMINAL) and function_share(line) == 0.0


def _is_heading(line: str, thresholds: ProseThresholds) -> bool:
    """A header line that is text but no story sentence: it does not end in a period."""
    ends_sentence = line.rstrip("\"'”’)").endswith(".")
    return not ends_sentence and bool(_words(line)) and not is_boilerplate(line, thresholds)


def _is_url(line: str) -> bool:
    return bool(_URL_LINE.match(line))


def contains_url(text: str) -> bool:
    """True when a URL appears in the text ("visit http://example.com/q10")."""
    return bool(_URL_INSIDE.search(text))


def _read_numeric(a: int, b: int, year: int, near: date | None) -> date | None:
    """M/D/Y or D/M/Y: the reading within a week of ``near`` (a URL date) when one is; else
    the only valid reading, else month first (the order of most English-language sites)."""
    readings = [d for d in (_safe(year, a, b), _safe(year, b, a)) if d is not None]
    if near is not None:
        close = [d for d in readings if abs((d - near).days) <= 7]
        if close:
            return close[0]
    return readings[0] if readings else None


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def full_dates(line: str, near: date | None = None) -> list[tuple[date, int, int]]:
    """Every full calendar date of a line with its (start, end), in order of appearance."""
    found: list[tuple[date, int, int]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _FULL_DATES:
        for match in pattern.finditer(line):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            groups = match.groupdict()
            if "month" in groups:
                month = MONTHS[groups["month"].lower().rstrip(".")]
                value = _safe(int(groups["year"]), month, _day_number(groups["day"]))
            elif "m" in groups:
                value = _safe(int(groups["year"]), int(groups["m"]), int(groups["d"]))
            else:
                year = int(groups["y"])
                year = year + 2000 if year < 100 else year
                value = _read_numeric(int(groups["a"]), int(groups["b"]), year, near)
            if value is not None:
                found.append((value, match.start(), match.end()))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


def date_line_label(line: str, near: date | None = None) -> tuple[date, str] | None:
    """(date, label) when the line is a header date line: ``published``, ``updated`` or
    ``unlabeled`` (the label nearest before the date); None otherwise."""
    dates = full_dates(line, near)
    if not dates:
        return None
    rest = line
    for _, start, end in reversed(dates):
        rest = rest[:start] + " " + rest[end:]
    rest = _TIME.sub(" ", rest)
    others = [w for w in _words(rest) if w.lower().rstrip(".:") not in _DATE_LINE_WORDS]
    if len(others) > 2:
        return None
    # Each date takes the label written before it; a published date wins over an updated one.
    labelled = []
    lowered = line.lower()
    for value, start, _ in dates:
        before = lowered[:start]
        positions = {
            "published": max(before.rfind(label) for label in _PUBLISHED_LABELS),
            "updated": max(before.rfind(label) for label in _UPDATED_LABELS),
        }
        label = max(positions, key=lambda key: positions[key])
        labelled.append((value, label if positions[label] >= 0 else "unlabeled"))
    rank = {"published": 0, "unlabeled": 1, "updated": 2}
    return min(labelled, key=lambda item: rank[item[1]])


def url_date(url: str | None) -> date | None:
    """The date written in a URL path (``/2013/09/09/``, ``2007-04-11-``, ``20111111``)."""
    if not url:
        return None
    for match in _URL_DATE.finditer(url):
        value = _safe(int(match["year"]), int(match["month"]), int(match["day"]))
        if value is not None:
            return value
    return None


def _dateline_date(dateline: re.Match, near: date | None) -> date | None:
    """The date of ``ALMATY, Sept 20 (AFP) -``: its year is the URL's when it has none."""
    text = dateline.groupdict().get("date")
    if not text:
        return None
    words = re.findall(r"[a-z]+|\d+", text.lower())
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    numbers = [int(w) for w in words if w.isdigit()]
    day = next((n for n in numbers if 1 <= n <= 31), None)
    year = next((n for n in numbers if n > 1900), near.year if near else None)
    if month is None or day is None or year is None:
        return None
    value = _safe(year, month, day)
    if value is not None and near is not None and value - near > timedelta(days=7):
        value = _safe(year - 1, month, day)  # a late-December dateline in a January URL
    return value


# ---------------------------------------------------------------------------------------------
# The whole document


def read_anatomy(
    text: str, *, url: str | None = None, thresholds: ProseThresholds | None = None
) -> Anatomy:
    """The parts of ``text`` and the publication date its header, dateline or URL states.

    ``url`` is the metadata URL when there is one (a URL line of the text is used otherwise).
    """
    thresholds = thresholds or load_thresholds()
    paragraphs = paragraphs_of(text)
    url_lines = [text[s:e] for s, e in paragraphs[:HEADER_LINES] if _is_url(text[s:e])]
    near = url_date(url) or next((url_date(line) for line in url_lines if url_date(line)), None)

    dateline_at = _first_dateline(text, paragraphs)
    parts: list[tuple[str, int, int]] = []
    header_dates: dict[str, date] = {}
    headline = dateline_text = None
    dateline_day = None
    in_header = True
    for index, (start, end) in enumerate(paragraphs):
        line = text[start:end]
        header_slot = in_header and index < HEADER_LINES
        if _is_url(line):  # a link line anywhere ("Register at: <URL>")
            parts.append(("url", start, end))
            continue
        # Date lines may follow a standfirst sentence: looked for in every early line.
        labelled = date_line_label(line, near) if index < HEADER_LINES else None
        if labelled is not None:
            header_dates.setdefault(labelled[1], labelled[0])
            parts.append(("date_line", start, end))
            continue
        if dateline_at is not None and index == dateline_at[0]:
            dateline = dateline_at[1]
            dateline_text = line[: dateline.end()].strip()
            dateline_day = _dateline_date(dateline, near)
            parts.append(("dateline", start, start + len(line[: dateline.end()].rstrip())))
            parts.append(("body", start + dateline.end(), end))
            in_header = False
            continue
        bare = find_bare_dateline(line) if index < HEADER_LINES and not dateline_text else None
        if bare is not None:
            dateline_text, dateline_day = line, _dateline_date(bare, near)
            parts.append(("dateline", start, end))
            continue
        if header_slot and index + 1 < len(paragraphs) and _is_heading(line, thresholds):
            # The first heading is the headline; later ones (a standfirst) are headings too.
            headline = headline or line
            parts.append(("headline", start, end))
            continue
        if is_boilerplate(line, thresholds):
            parts.append(("boilerplate", start, end))
            continue
        if not in_header and _is_list_item(line):
            parts.append(("list_item", start, end))
            continue
        in_header = False
        parts.append(("body", start, end))

    published, source = _publication_date(header_dates, dateline_day, near)
    return Anatomy(
        parts=tuple(Part(i, kind, s, e) for i, (kind, s, e) in enumerate(parts)),
        headline=headline,
        dateline=dateline_text,
        published_at=published,
        published_at_source=source,
    )


def _publication_date(
    header_dates: dict[str, date], dateline_day: date | None, near: date | None
) -> tuple[date | None, str | None]:
    """A published (or unlabeled) header date, then an updated one, a dateline date, a URL date."""
    for label, source in (
        ("published", "published_line"),
        ("unlabeled", "published_line"),
        ("updated", "updated_line"),
    ):
        if label in header_dates:
            return header_dates[label], source
    if dateline_day is not None:
        return dateline_day, "dateline"
    if near is not None:
        return near, "url"
    return None, None


# ---------------------------------------------------------------------------------------------
# Sentence boundaries at parse time

PARAGRAPH_COMPONENT = "paragraph_breaks"


@Language.component(PARAGRAPH_COMPONENT)
def mark_paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence at every :func:`sentence_starts` offset (the parser keeps preset starts),
    so no sentence crosses a paragraph break, even after a closing quotation mark."""
    for offset in sentence_starts(doc.text):
        token = doc.char_span(offset, offset + 1, alignment_mode="expand")
        if token is not None and token.start > 0:
            doc[token.start].is_sent_start = True
    return doc
