"""Date expressions resolve relative to the publication date (2017-09-20 was a Wednesday)."""

from datetime import date

import pytest

from etl.extract.dates import is_date_word, offset_days, resolve_date

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
