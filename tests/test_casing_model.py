"""Tests for the learned casing decision: its features, its training, its explanations and the
cross-validation folds. Examples are invented, not taken from gold data."""

from __future__ import annotations

import json
import math
from itertools import pairwise

import pytest

from etl.evaluate.normalize import _folds, error_classes, explain_document, without_features
from etl.stages.normalize import normalize
from etl.stages.normalize.build_model import context_casing
from etl.stages.normalize.casing_model import (
    WEIGHTS_FILE,
    CasingModel,
    load_casing_model,
    probability_band,
    scaled_logit,
    settled,
)
from etl.stages.normalize.lexicon import load_lexicon
from etl.stages.normalize.offsets import clean_text
from etl.stages.normalize.restore import restore_text
from etl.stages.normalize.train_casing import (
    MARGIN_GRID,
    CasedDocument,
    document_examples,
    fit,
    fit_casing,
    learn_margins,
)


def test_probability_bands_and_logit_scale():
    assert probability_band(None) == "unknown"
    assert probability_band(0.0) == "<0.001"
    assert probability_band(0.6) == "<0.7"
    assert probability_band(1.0) == "high"
    assert scaled_logit(None) == 0.0
    assert scaled_logit(0.5) == 0.0
    assert -1.0 <= scaled_logit(0.0) < 0 < scaled_logit(1.0) <= 1.0


def test_the_model_decides_open_words_and_position_decides_starts():
    raw = "kazakhstan said the new council met .\nthen mark spoke ."
    never = normalize(raw, model=CasingModel({"bias": -20.0}))
    assert never.text == "Kazakhstan said the new council met.\nThen mark spoke."
    always = normalize(raw, model=CasingModel({"bias": 20.0}))
    # Function words ("said", "the", "spoke") and settled words (the common word "met" left in
    # lower case, the clear name "Kazakhstan" capitalized) keep the rules' verdict.
    assert always.text == "Kazakhstan said the New Council met.\nThen Mark spoke."


def test_settled_decisions_are_common_words_in_lower_case_and_clear_names_capitalized():
    assert settled(0.0, ruled_capital=False)
    assert not settled(0.0, ruled_capital=True)  # a context rule capitalized a common word
    assert settled(0.97, ruled_capital=True)
    assert not settled(0.97, ruled_capital=False)
    assert not settled(0.3, ruled_capital=False)
    assert not settled(None, ruled_capital=True)  # unknown words are always open


def test_rules_alone_and_the_packaged_model_agree_on_clear_names():
    raw = "the talks in kazakhstan ended , said nursultan nazarbayev ."
    expected = "The talks in Kazakhstan ended, said Nursultan Nazarbayev."
    assert normalize(raw, model=None).text == expected
    assert normalize(raw).text == expected


def test_traces_hold_the_features_behind_each_decided_word():
    traces: list[list] = []
    cleaned, _ = clean_text("officials in kazakhstan met the new city council .")
    restore_text(cleaned, load_lexicon(), None, None, traces)
    decided = {token: features for _, token, features, _ in traces[0]}
    assert "officials" not in decided  # a sentence start is cased by position
    assert "in" not in decided  # a function word keeps the rules' verdict
    assert "kazakhstan" not in decided and "met" not in decided  # settled
    assert decided["council"]["rules=capital"] == 1.0
    assert decided["new"]["rules=lower"] == 1.0
    assert decided["new"]["prev.in=function_word"] == 1.0


def test_rules_alone_give_the_same_text_whether_or_not_features_are_traced():
    # The rules-only path skips the learned decision's bookkeeping; tracing it must not change
    # the text (training reads the traced features of exactly this output).
    cleaned, _ = clean_text(
        "president nursultan nazarbayev met the civic party in hong kong .\n"
        "gary chan of dab said mark zuckerberg s company was fined ."
    )
    traces: list[list] = []
    traced, traced_offsets = restore_text(cleaned, load_lexicon(), None, None, traces)
    plain, plain_offsets = restore_text(cleaned, load_lexicon(), None, None)
    assert (plain, plain_offsets) == (traced, traced_offsets)
    assert any(trace for trace in traces)


def test_probability_band_edges_belong_to_the_band_above():
    assert probability_band(0.001) == "<0.01"
    assert probability_band(0.99) == "high"
    assert probability_band(0.98) == "<0.99"


def test_fit_learns_the_sign_of_separating_features():
    examples = [({"bias": 1.0, "name": 1.0}, True)] * 20 + [
        ({"bias": 1.0, "plain": 1.0}, False)
    ] * 20
    model = fit(examples)
    assert model.score({"bias": 1.0, "name": 1.0}) > 1.0
    assert model.score({"bias": 1.0, "plain": 1.0}) < -1.0
    top = model.explain({"bias": 1.0, "name": 1.0})
    assert top[0][0] == "name"
    assert all(abs(a[1]) >= abs(b[1]) for a, b in pairwise(top))


def test_document_examples_are_labelled_from_the_cased_original():
    document = CasedDocument(
        "doc",
        "test",
        "group",
        "Officials visited Babanov and Bishkek.",
        "officials visited babanov and bishkek .",
    )
    examples = document_examples(document)
    labels = [label for _, label in examples]
    # "visited" (a common word beside the capital Babanov) and Babanov are open; "and" is a
    # function word, Bishkek a settled name.
    assert labels == [False, True]


def test_folds_leave_out_whole_groups_or_single_documents():
    def document(doc_id, group):
        return CasedDocument(doc_id, "test", group, "", "")

    topics = [document(f"d{i}", f"t{i % 3}") for i in range(9)]
    folds = _folds(topics)
    assert len(folds) == 3
    assert all(len({topics[i].group for i in fold}) == 1 for fold in folds)
    single = [document(f"d{i}", "news") for i in range(4)]
    assert sorted(len(fold) for fold in _folds(single)) == [1, 1, 1, 1]
    by_document = _folds(topics, by="document")
    assert len(by_document) == 5
    assert sorted(i for fold in by_document for i in fold) == list(range(9))
    # Folds of single documents mix the groups, as new documents of known genres do.
    assert any(len({topics[i].group for i in fold}) > 1 for fold in by_document)
    with pytest.raises(ValueError):
        _folds(topics, by="genre")


def test_packaged_weights_load_and_are_finite():
    weights = json.loads(WEIGHTS_FILE.read_text("utf8"))
    assert weights and all(math.isfinite(value) for value in weights.values())
    model = load_casing_model()
    assert model is not None and "rules=capital" in model.weights


def test_explain_names_the_features_behind_a_capital():
    lines = explain_document("officials met nursultan nazarbayev in astana .")
    assert any(line.startswith("line 1: nazarbayev -> capital") for line in lines)
    assert all("(p=" in line for line in lines)


def test_error_classes_count_kinds_by_how_often_the_word_is_capitalized():
    errors = [
        ("Paris", "paris", ""),  # a missed name the statistics know as one
        ("Window", "window", ""),  # a missed capital on a common word
        ("window", "Window", ""),  # a capital added to a common word
        ("NASA", "Nasa", ""),  # capitalized, spelled wrong
        ("Zqxwv", "zqxwv", ""),  # a word the statistics lack
    ]
    classes = error_classes(errors)
    assert classes[("FN", "name-like")] == 1
    assert classes[("FN", "common word")] == 1
    assert classes[("FP", "common word")] == 1
    assert classes[("WRONG", "name-like")] == 1
    assert classes[("FN", "unknown")] == 1
    assert sum(classes.values()) == len(errors)


def test_context_casing_counts_a_word_beside_its_previous_and_next_word():
    backward = {"the_Quorble": 3, "a_quorble": 1, "The_glim": 1, "said_Quorble": 1, "of_the": 9}
    forward = {"Quorble_river": 2, "quorble_river": 2}
    model = {"quorble": ("Quorble", 0.4), "glim": ("glim", 0.0)}
    rows = context_casing(backward, forward, {"the", "of"}, model)
    # Too rare ("a quorble", "said Quorble", "the glim"), or a stop word ("of the"): left out.
    assert rows == [("next", "river", "quorble", 2, 2), ("prev", "the", "quorble", 0, 3)]


def test_the_word_beside_its_neighbours_is_a_feature_of_the_decision():
    lexicon = load_lexicon()
    assert lexicon.context_capital[("prev", "supreme", "court")] > 0.5
    cleaned, _ = clean_text("they went to the supreme court on monday .")
    traces: list[list] = []
    restore_text(cleaned, lexicon, None, None, traces)
    decided = {token: features for _, token, features, _ in traces[0]}
    assert "prev_pair.logit" in decided["court"]
    assert decided["court"]["prev_pair.logit"] > 0


def test_a_feature_ablation_removes_the_features_from_every_example():
    examples = [
        [({"bias": 1.0, "prev_pair.logit": 0.5, "band=high": 1.0}, True)],
        [({"bias": 1.0, "next_pair.band=<0.5": 1.0}, False)],
    ]
    assert without_features(examples, ()) is examples
    assert without_features(examples, ("_pair.",)) == [
        [({"bias": 1.0, "band=high": 1.0}, True)],
        [({"bias": 1.0}, False)],
    ]
    # A model fitted on the ablated examples has no weight for the removed features.
    ablated = without_features(examples * 3, ("_pair.",))
    model = fit(example for document in ablated for example in document)
    assert "bias" in model.weights
    assert not any("_pair." in name for name in model.weights)


def test_a_lower_case_word_inside_a_known_name_stays_lower_case():
    lexicon = load_lexicon()
    assert lexicon.phrases["bay of plenty"] == "Bay of Plenty"
    restored = normalize("we saw the bay of plenty today .", model=None).text
    assert restored == "We saw the Bay of Plenty today."
    # Its "of" is no "<person> of <organization>": the word after the name stays lower case.
    assert lexicon.phrases["arab republic of egypt"] == "Arab Republic of Egypt"
    restored = normalize("we saw the arab republic of egypt today .", model=None).text
    assert restored == "We saw the Arab Republic of Egypt today."


def test_overturning_the_rules_takes_the_learned_margins():
    model = CasingModel({}, capital_margin=1.0, lower_margin=2.0)
    assert not model.decides_capital(0.5, ruled_capital=False)  # below the capital margin
    assert model.decides_capital(1.0, ruled_capital=False)
    assert model.decides_capital(-1.5, ruled_capital=True)  # not low enough to lower
    assert not model.decides_capital(-2.5, ruled_capital=True)
    restored = CasingModel.from_json(model.to_json())
    assert (restored.capital_margin, restored.lower_margin) == (1.0, 2.0)
    assert restored.weights == {}


def test_margins_are_learned_where_overturns_are_wrong():
    # Held-out scores: words the rules left in lower case scoring 0.5 are mostly common words,
    # those scoring 3 are names; words the rules capitalized are names even at -1.
    scored = (
        [(0.5, False, False)] * 8
        + [(0.5, False, True)] * 2
        + [(3.0, False, True)] * 5
        + [(-1.0, True, True)] * 6
        + [(-4.0, True, False)] * 6
    )
    capital_margin, lower_margin = learn_margins(scored)
    assert 0.5 < capital_margin <= 3.0
    assert 1.0 <= lower_margin < 4.0


def test_fit_casing_learns_margins_from_groups_left_out():
    document = [({"bias": 1.0, "name": 1.0, "rules=lower": 1.0}, True)] * 4 + [
        ({"bias": 1.0, "plain": 1.0, "rules=lower": 1.0}, False)
    ] * 4
    model = fit_casing([document] * 4, ["a", "b", "c", "d"])
    assert model.score({"bias": 1.0, "name": 1.0}) > 0 > model.score({"bias": 1.0, "plain": 1.0})
    assert model.capital_margin in MARGIN_GRID and model.lower_margin in MARGIN_GRID


def test_margins_prefer_the_rules_when_overturning_gains_within_noise():
    # Words the rules capitalized scoring -1 are wrong capitals in half the folds and right in
    # the others: lowering them wins pooled, but its gain changes sign from fold to fold (no
    # more than noise), so the rules keep them. Words scoring 3 the rules left in lower case
    # are names in every fold and are capitalized.
    scored = []
    for fold in range(4):
        scored += [(3.0, False, True, fold)] * 5 + [(-3.0, False, False, fold)] * 5
        if fold % 2:
            scored += [(-1.0, True, True, fold)] * 4
        else:
            scored += [(-1.0, True, False, fold)] * 8
    capital_margin, lower_margin = learn_margins(scored)
    assert capital_margin <= 3.0
    assert lower_margin == MARGIN_GRID[-1]
    # Without folds the pooled best is taken, ties broken towards the smaller margin.
    assert learn_margins([item[:3] for item in scored])[1] < 1.0
