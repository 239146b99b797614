"""The date window event clustering compares in (``clusters.DateWindow``), and the date ranges
incremental clustering reads block members within (``incremental_coref._date_ranges``)."""

from __future__ import annotations

from datetime import date

from etl.run.incremental_coref import _date_ranges, _within
from etl.stages.resolve.clusters import DateWindow, Event, candidate_pairs


def test_a_publication_day_gets_the_wider_window():
    window = DateWindow(certain=2, publication=10)
    day = date(2020, 1, 1)
    later = date(2020, 1, 6)
    assert not window.allows((day, "sentence"), (later, "sentence"))
    assert window.allows((day, "sentence"), (later, "publication"))
    assert not window.allows((day, "publication"), (date(2020, 1, 12), "publication"))
    assert window.widest == 10


def test_small_blocks_compare_dated_events_only_within_the_window_and_undated_ones_always():
    events = [
        Event("e1", "a", "ACCUSE", "KGZ", None, date(2017, 9, 1), "sentence"),
        Event("e2", "b", "ACCUSE", "KGZ", None, date(2017, 9, 9), "publication"),
        Event("e3", "c", "ACCUSE", "KGZ", None, date(2018, 9, 1), "publication"),
        Event("e4", "d", "ACCUSE", "KGZ", None, None),
    ]
    assert candidate_pairs(events, {}, DateWindow(1, 30)) == [(0, 1), (0, 3), (1, 3), (2, 3)]


def test_date_ranges_merge_overlapping_windows_and_keep_gaps():
    days = [date(2020, 1, 10), date(2020, 1, 1), date(2020, 1, 3), date(2020, 3, 1)]
    lows, highs = _date_ranges(days, 2)
    assert lows == [date(2019, 12, 30), date(2020, 1, 8), date(2020, 2, 28)]
    assert highs == [date(2020, 1, 5), date(2020, 1, 12), date(2020, 3, 3)]
    assert _within(date(2020, 1, 5), lows, highs)
    assert not _within(date(2020, 1, 7), lows, highs)
    assert not _within(date(2019, 12, 1), lows, highs)
    assert _date_ranges([], 5) == ([], [])
