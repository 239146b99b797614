"""Date expressions resolve relative to the publication date (2017-09-20 was a Wednesday)."""

import json
from datetime import date
from pathlib import Path

import pytest

from etl.schema import DATE_MENTIONS
from etl.stages.extract.dates import (
    extract_date_mentions,
    is_date_word,
    offset_days,
    resolve_date,
    resolve_with_granularity,
)
from etl.stages.extract.events import extract_events
from etl.stages.extract.mentions import extract_mentions
from etl.stages.extract.sentences import extract_sentences
from etl.stages.normalize import normalize

PUBLISHED = date(2017, 9, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on wednesday", date(2017, 9, 20)),
        ("Tuesday", date(2017, 9, 19)),
        ("Friday", date(2017, 9, 15)),
        ("last month", date(2017, 8, 1)),
        ("September 20", date(2017, 9, 20)),
        ("oct. 15", date(2017, 10, 15)),
        ("15 October", date(2017, 10, 15)),
        ("in august", date(2017, 8, 1)),
        ("today", PUBLISHED),
        ("yesterday", date(2017, 9, 19)),
        ("Sept 20, 2016", date(2016, 9, 20)),
    ],
)
def test_resolves_news_date_expressions(text, expected):
    assert resolve_date(text, PUBLISHED) == expected


@pytest.mark.parametrize("text", ["over the past 14 years", "2011-12", "the last years", "47"])
def test_vague_spans_resolve_to_nothing(text):
    assert resolve_date(text, PUBLISHED) is None


def test_without_publication_date_nothing_resolves():
    assert resolve_date("on wednesday", None) is None


def test_month_later_than_publication_means_last_year():
    assert resolve_date("in november", PUBLISHED) == date(2016, 11, 1)


@pytest.mark.parametrize(("text", "days"), [("a day", 1), ("two days", 2), ("a week", 7)])
def test_offsets(text, days):
    assert offset_days(text) == days


def test_non_offsets():
    assert offset_days("hours") is None
    assert offset_days("September 20") is None


def test_date_words():
    assert is_date_word("Wednesday") and is_date_word("oct.") and not is_date_word("meeting")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on Tuesday", (date(2017, 9, 19), "day")),
        ("oct. 15", (date(2017, 10, 15), "day")),
        ("last month", (date(2017, 8, 1), "month")),
        ("in August", (date(2017, 8, 1), "month")),
        ("last week", (date(2017, 9, 13), "week")),
        ("2011", (date(2011, 1, 1), "year")),
        ("last year", (date(2016, 1, 1), "year")),
        ("a day", (None, "offset")),
        ("the past 14 years", (None, None)),
        ("2011-12", (None, None)),
    ],
)
def test_granularity(text, expected):
    assert resolve_with_granularity(text, PUBLISHED) == expected


def date_rows(nlp, raw: str, published: date | None = PUBLISHED) -> tuple[str, list[dict]]:
    """(normalized text, date_mentions rows) of a raw text, as the pipeline makes them."""
    norm = normalize(raw)
    doc = nlp(norm.text)
    starts = [s["start_char"] for s in extract_sentences(doc, "d")]
    mentions = extract_mentions(doc, "d", starts, norm.raw_span)
    events = extract_events(doc, mentions, doc_id="d", published_at=published)
    return norm.text, extract_date_mentions(doc, "d", published, starts, norm.raw_span, events)


def test_date_mention_rows(nlp):
    text = (
        "The talks ended on Monday. Kyrgyzstan accused Kazakhstan on Wednesday of interfering "
        "in its Oct. 15 election."
    )
    normalized, rows = date_rows(nlp, text)
    assert all(list(row) == DATE_MENTIONS.names for row in rows)
    by_text = {row["text"]: row for row in rows}
    assert set(by_text) == {"Monday", "Wednesday", "Oct. 15"}
    for row in rows:
        assert normalized[row["start_char"] : row["end_char"]] == row["text"]
        assert text[row["raw_start_char"] : row["raw_end_char"]] == row["text"]
    assert by_text["Monday"]["sentence_idx"] == 0
    assert (by_text["Oct. 15"]["resolved_date"], by_text["Oct. 15"]["granularity"]) == (
        date(2017, 10, 15),
        "day",
    )
    assert by_text["Oct. 15"]["event_id"] is None
    assert by_text["Wednesday"]["event_id"] is not None
    assert by_text["Wednesday"]["sentence_idx"] == 1
    assert len({row["date_mention_id"] for row in rows}) == len(rows)


def test_offset_that_dates_an_event_takes_its_date(nlp):
    text = (
        "The dispute between the two Central Asian neighbors deepened on September 20, a day "
        "after Kazakh leader Nursultan Nazarbaev held a meeting with Omurbek Babanov."
    )
    _, rows = date_rows(nlp, text)
    offset = next(row for row in rows if row["text"] == "a day")
    assert (offset["resolved_date"], offset["granularity"]) == (date(2017, 9, 19), "day")
    assert offset["event_id"] is not None


def test_degraded_text_offsets_point_into_raw_text(nlp):
    raw = "kyrgyzstan accused kazakhstan on wednesday of interfering in its oct. 15 election .\n"
    _, rows = date_rows(nlp, raw)
    texts = {raw[r["raw_start_char"] : r["raw_end_char"]]: r["resolved_date"] for r in rows}
    assert texts == {"wednesday": PUBLISHED, "oct. 15": date(2017, 10, 15)}


def test_ages_are_not_dates(nlp):
    _, rows = date_rows(nlp, "The candidate, Omurbek Babanov, 47, met the president on Tuesday.")
    assert [row["text"] for row in rows] == ["Tuesday"]


def test_without_publication_date_rows_have_no_dates(nlp):
    _, rows = date_rows(nlp, "They met on Tuesday.", published=None)
    assert [(row["text"], row["resolved_date"]) for row in rows] == [("Tuesday", None)]


def test_seed_election_date_is_a_date_mention(nlp):
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    found = {}
    for path in sorted(seeds.glob("*.txt")):
        meta = json.loads(path.with_suffix(".meta.json").read_text(encoding="utf-8"))
        published = date.fromisoformat(meta["published_at"])
        _, rows = date_rows(nlp, path.read_text(encoding="utf-8"), published)
        found[meta["publisher"]] = {row["resolved_date"] for row in rows}
    # Only Reuters names the election day; RFE/RL says "just over three weeks before".
    assert date(2017, 10, 15) in found["Reuters"]
    assert date(2017, 9, 19) in found["RFE/RL"] and date(2017, 9, 19) in found["Reuters"]
