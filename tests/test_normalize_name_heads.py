"""Tests for the name-head evidence of the learned casing decision: the derived counts of how
often a common word ends a name, their bands, and the runs of words they reach. Examples are
invented, not taken from gold data."""

from __future__ import annotations

from etl.stages.normalize.build_name_heads import _last_words
from etl.stages.normalize.lexicon import load_lexicon, name_head_band
from etl.stages.normalize.restore import LineRestorer

FUNCTION_WORDS = frozenset({"the", "of", "and"})


def test_last_words_count_distinct_names_that_read_as_names():
    names = ["Salt_River", "Salt River", "Red River", "The Hague", "river_bank", "Bay of Plenty"]
    counts = _last_words(names, FUNCTION_WORDS)
    # "Salt River" twice is one name; "The Hague" opens with a function word; "river_bank" is
    # not capitalized: neither is a name.
    assert counts == {"river": 2, "plenty": 1}


def test_head_band_grows_with_the_share_of_names():
    assert name_head_band(200, 2) == "strong"
    assert name_head_band(30, 20) == "likely"
    assert name_head_band(5, 10) == "mixed"
    assert name_head_band(4, 85) == "low"


def test_packaged_heads_keep_common_words_only():
    bands = load_lexicon().name_head_bands
    assert bands["river"] == "strong"
    assert "washington" not in bands  # a name word needs no head evidence
    assert "the" not in bands


def test_runs_reach_the_words_before_a_head_and_stop_at_function_words():
    restorer = LineRestorer(load_lexicon(), None)
    tokens = ["we", "crossed", "the", "old", "stone", "bridge", "of", "the", "big", "river", "."]
    is_word = [token.isalpha() for token in tokens]
    own, run = restorer._name_head_runs(tokens, is_word)
    bridge, river = load_lexicon().name_head_bands["bridge"], "strong"
    assert own[tokens.index("bridge")] == bridge
    assert run[tokens.index("old")] == run[tokens.index("stone")] == bridge
    assert own[tokens.index("river")] == river and run[tokens.index("big")] == river
    # "we crossed" ends in no head; function words and punctuation belong to no run
    assert own[:2] == ["", ""] and run[:2] == ["", ""]
    assert run[tokens.index("of")] == "" and run[-1] == ""


def test_a_lone_head_is_no_run():
    restorer = LineRestorer(load_lexicon(), None)
    tokens = ["the", "river", "rose", "."]
    own, run = restorer._name_head_runs(tokens, [True, True, True, False])
    assert own == ["", "", "", ""] and run == ["", "", "", ""]
