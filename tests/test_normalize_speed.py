"""Tests for the shortcuts that make normalization cheap: each must give what the plain
computation gives (phrase lengths, acronym run starts, pair scores, the column reader, the
caches). Examples are invented, not taken from gold data."""

from __future__ import annotations

import gzip

import pytest

from etl.stages.normalize import lexicon as lexicon_module
from etl.stages.normalize import normalize
from etl.stages.normalize.acronyms import _RunStarts
from etl.stages.normalize.casing_model import (
    PACKAGED_MODEL,
    CasingModel,
    load_casing_model,
    pair_features,
)
from etl.stages.normalize.lexicon import load_lexicon, phrase_sizes

CONNECTORS = frozenset({"of", "the", "and", "&"})


def _naive_run_starts(flat: list[str], pair: str) -> list[int]:
    """The definition: a word whose initial, followed by the next non-connector word's initial
    (both letters or digits), spells ``pair``."""
    found = []
    for index, token in enumerate(flat):
        following = next((t for t in flat[index + 1 :] if t not in CONNECTORS), "")
        if token[:1].isalnum() and following[:1].isalnum() and token[0] + following[0] == pair:
            found.append(index)
    return found


def test_run_starts_by_string_search_equal_the_definition():
    text = (
        "the national museum of the arts , and nasa said the new & old ( tnm ) "
        "of national museums to nothing ."
    )
    flat = text.split()
    starts = _RunStarts(flat, CONNECTORS)
    for pair in ("tn", "nm", "na", "on", "ao", "nt", "zz"):
        assert starts.opening(pair) == _naive_run_starts(flat, pair), pair


def test_phrase_sizes_list_each_first_words_lengths_longest_first():
    sizes = phrase_sizes({"bay of plenty": "", "bay area": "", "new york city": "", "x": ""})
    assert sizes == {"bay": (3, 2), "new": (3,)}


def test_pair_score_equals_the_score_of_the_pair_features():
    model = CasingModel(
        {"prev_pair.band=<0.7": 0.8, "prev_pair.logit": -1.3, "next_pair.band=high": 2.0}
    )
    for side in ("prev", "next"):
        for probability in (None, 0.0, 0.0005, 0.3, 0.65, 0.7, 0.995, 1.0):
            expected = model.score(pair_features(side, probability))
            assert model.pair_score(side, probability) == expected


def test_column_reader_refuses_a_ragged_table(tmp_path, monkeypatch):
    with gzip.open(tmp_path / "table.tsv.gz", "wt", encoding="utf8") as handle:
        handle.write("a\tA\t0.5\nb\tB\n")
    monkeypatch.setattr(lexicon_module, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match="3 tab-separated cells"):
        lexicon_module._gz_columns("table.tsv.gz", 3)
    with gzip.open(tmp_path / "table.tsv.gz", "wt", encoding="utf8") as handle:
        handle.write("a\tA\t0.5\nb\t\t0.0\n")
    assert lexicon_module._gz_columns("table.tsv.gz", 3) == [["a", "b"], ["A", ""], ["0.5", "0.0"]]


@pytest.mark.parametrize("model", [None, PACKAGED_MODEL])
def test_process_caches_do_not_change_the_output(model):
    text = (
        "the union of concerned scientists ( ucs ) said on monday that mark zuckerberg met "
        "iran s foreign minister in tehran .\nucs members and the minister of health jane doe "
        "visited the gaza strip ."
    )
    lexicon, weights = load_lexicon(), load_casing_model()
    warm = normalize(text, None, model)
    lexicon.word_form_cache.clear()
    lexicon.open_word_cache.clear()
    weights.cached_scores.clear()
    cold = normalize(text, None, model)
    assert cold.text == warm.text and list(cold.offsets) == list(warm.offsets)
