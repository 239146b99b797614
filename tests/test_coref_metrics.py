"""Coreference metrics on tiny hand-made clusterings whose scores are worked out by hand."""

from __future__ import annotations

import pytest

from etl.evaluate.conll import _max_assignment, b_cubed, ceaf_e, conll_scores, muc
from etl.evaluate.coref import doc_key, is_entity_gold, match_all, score_matches
from etl.evaluate.entities import pairwise_scores

# key {a,b,c} {d,e}; response {a,b} {c,d,e}
KEY = {"a": "K1", "b": "K1", "c": "K1", "d": "K2", "e": "K2"}
RESPONSE = {"a": "R1", "b": "R1", "c": "R2", "d": "R2", "e": "R2"}


def test_muc_counts_links():
    # recall: (3-2)+(2-1) of (2+1); precision: (2-1)+(3-2) of (1+2)
    scores = muc(KEY, RESPONSE)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["precision"] == pytest.approx(2 / 3)


def test_b_cubed_averages_per_mention():
    # recall 2/3+2/3+1/3+1+1 over 5; precision 1+1+1/3+2/3+2/3 over 5
    scores = b_cubed(KEY, RESPONSE)
    assert scores["recall"] == pytest.approx(11 / 15)
    assert scores["precision"] == pytest.approx(11 / 15)


def test_ceaf_e_aligns_clusters_one_to_one():
    # phi(K1,R1) = 2*2/5, phi(K2,R2) = 2*2/5: total 1.6 over 2 clusters each side
    scores = ceaf_e(KEY, RESPONSE)
    assert scores["precision"] == pytest.approx(0.8)
    assert scores["recall"] == pytest.approx(0.8)


def test_ceaf_e_with_unequal_numbers_of_clusters():
    key = {"a": 1, "b": 1, "c": 1}
    response = {"a": 1, "b": 2, "c": 3}
    # best alignment: one singleton with {a,b,c}: 2*1/4 = 0.5; precision 0.5/3, recall 0.5/1
    scores = ceaf_e(key, response)
    assert scores["precision"] == pytest.approx(0.5 / 3)
    assert scores["recall"] == pytest.approx(0.5)


def test_assignment_is_optimal_where_greedy_is_not():
    assert _max_assignment([[0.9, 0.8], [0.8, 0.0]]) == pytest.approx(1.6)
    assert _max_assignment([[0.5], [0.7], [0.2]]) == pytest.approx(0.7)
    assert _max_assignment([[0.1, 0.9, 0.3]]) == pytest.approx(0.9)


def test_perfect_clustering_scores_one_and_conll_is_the_mean():
    scores = conll_scores(KEY, KEY)
    assert all(scores[name]["f1"] == pytest.approx(1.0) for name in ("muc", "b3", "ceaf_e"))
    mixed = conll_scores(KEY, RESPONSE)
    expected = (2 / 3 + 11 / 15 + 0.8) / 3
    assert mixed["conll"]["f1"] == pytest.approx(expected)


def test_all_singletons_have_no_muc_links():
    singletons = {m: m for m in KEY}
    assert muc(KEY, singletons)["f1"] == 0.0
    assert b_cubed(KEY, singletons)["precision"] == pytest.approx(1.0)


def test_pairwise_within_and_across_documents():
    # (doc, gold, predicted): gold pairs ab(within d1), ac, bc, de; predicted ab, cd, ce, de
    matched = [
        ("d1", "K1", "R1"),
        ("d1", "K1", "R1"),
        ("d2", "K1", "R2"),
        ("d2", "K2", "R2"),
        ("d3", "K2", "R2"),
    ]
    scores = pairwise_scores(matched)
    assert scores["all"]["precision"] == pytest.approx(0.5)
    assert scores["all"]["recall"] == pytest.approx(0.5)
    # within d1: gold ab, predicted ab; within d2: predicted cd only
    assert (scores["within"]["gold_pairs"], scores["within"]["predicted_pairs"]) == (1, 2)
    assert scores["within"]["correct_pairs"] == 1
    # across: gold ac, bc, de; predicted ce, de
    assert (scores["across"]["gold_pairs"], scores["across"]["predicted_pairs"]) == (3, 2)
    assert scores["across"]["correct_pairs"] == 1


def test_gold_mentions_match_overlapping_predictions_and_count_multi_document_events():
    gold = {
        "1/a": [(0, 5, "MEET"), (10, 15, "SAY")],
        "1/b": [(3, 8, "MEET")],
        "1/c": [(0, 4, "MEET")],
    }
    predicted = {"1/a": [(0, 5, "c1"), (12, 14, "c2")], "1/b": [(4, 6, "c1")]}
    matched = match_all(gold, predicted)
    assert [(doc, instance, cluster) for doc, _, instance, cluster in matched] == [
        ("1/a", "MEET", "c1"),
        ("1/a", "SAY", "c2"),
        ("1/b", "MEET", "c1"),
    ]
    result = score_matches(gold, matched)
    assert (result["n_gold"], result["n_matched"]) == (4, 3)
    assert (result["gold_multi_doc_instances"], result["found_in_two_docs"]) == (1, 1)
    # MEET is reported by three documents; cluster c1 holds two of them (1/c was not matched).
    assert result["largest_cluster_share"] == {"MEET": round(2 / 3, 4)}
    assert result["pairwise"]["across"]["f1"] == pytest.approx(1.0)


def test_document_key_and_entity_gold_filter():
    assert doc_key("file:///work/shared/data/ecb_dev/docs/3/3_1ecb.txt") == "3/3_1ecb"
    assert is_entity_gold({"tag": "HUMAN_PART_PER", "text": "Scott Peterson"})
    assert not is_entity_gold({"tag": "HUMAN_PART_PER", "text": "the man"})
    assert not is_entity_gold({"tag": "TIME_DATE", "text": "Monday"})


def test_per_topic_counts_and_the_change_left_out_one_topic_at_a_time():
    from etl.evaluate.coref_topics import change_left_out, counts_by_topic, prf

    # topic 1: one gold instance in three documents; topic 2: one in two documents
    before = [
        ("1/a", (0, 1), "g1", "e1"),
        ("1/b", (0, 1), "g1", "e2"),
        ("1/c", (0, 1), "g1", "e2"),
        ("2/a", (0, 1), "g2", "e3"),
        ("2/b", (0, 1), "g2", "e4"),
    ]
    after = [(*item[:3], "e1" if item[0].startswith("1/") else "e3") for item in before]
    counts_before, counts_after = counts_by_topic(before), counts_by_topic(after)
    assert counts_before == {"1": (3, 1, 1), "2": (1, 0, 0)}
    assert counts_after == {"1": (3, 3, 3), "2": (1, 1, 1)}
    assert prf(counts_before["2"]) == (1.0, 0.0, 0.0)
    left_out = change_left_out(counts_before, counts_after, (4, 4, 4))
    # topic 1 back as before: 1 + 1 correct of 4 gold, 2 predicted
    assert left_out["1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert left_out["2"] == pytest.approx(2 * 1.0 * 0.75 / 1.75)


def test_miss_causes_name_why_two_mentions_of_one_gold_entity_were_apart():
    from etl.evaluate.entity_misses import cause

    def row(text, label):
        return {"text": text, "label": label}

    assert cause(row("Okla.", "GPE"), row("Christopher Simpson", "PERSON")) == "description_place"
    assert cause(row("Queens", "GPE"), row("Queens", "ORG")) == "place_vs_org"
    assert cause(row("RCMP", "ORG"), row("RCMP", "PERSON")) == "label"
    assert cause(row("Kyrgyzstan's Election Commission", "ORG"), row("CEC", "ORG")) == "possessive"
    assert cause(row("Peterson", "PERSON"), row("Scott Peterson", "PERSON")) == "surname_only"
    assert cause(row("V. Putin", "PERSON"), row("W. Putin", "PERSON")) == "initial"
    assert cause(row("the man", "PERSON"), row("Scott Peterson", "PERSON")) == "description"


def test_wrong_merge_causes_name_why_two_gold_entities_got_one_entity():
    from etl.evaluate.entity_misses import wrong_cause

    def row(text, label, antecedent=None):
        return {"text": text, "label": label, "antecedent_mention_id": antecedent}

    assert wrong_cause(row("Paris", "GPE"), row("Paris", "GPE")) == "same_name"
    assert wrong_cause(row("Brooklyn mother", "PERSON", "m1"), row("Lopez", "PERSON")) == (
        "description"
    )
    assert wrong_cause(row("T-Mobile USA", "ORG"), row("T-Mobile", "ORG")) == "short_form"
    assert wrong_cause(row("United Nations", "ORG"), row("UN", "ORG")) == "short_form"
    assert wrong_cause(row("Egypt", "GPE"), row("Egyptian", "NORP")) == "demonym"
    assert wrong_cause(row("Laci", "PERSON"), row("Peterson", "PERSON")) == "other"


def test_a_threshold_value_counts_the_topics_it_raises_and_lowers():
    from collections import Counter

    from etl.evaluate.fit_entities import topics_moved

    def pairs(gold, predicted, both):
        return Counter(gold=gold, predicted=predicted, both=both)

    counts = {
        1.01: {"1": pairs(4, 2, 2), "2": pairs(2, 2, 2), "3": pairs(2, 1, 1)},
        0.5: {"1": pairs(4, 4, 4), "2": pairs(2, 3, 2), "3": pairs(2, 1, 1)},
    }
    assert topics_moved(counts, 1.01) == {1.01: (0, 0), 0.5: (1, 1)}


def test_unmatched_gold_mentions_are_counted_by_tag_and_spread():
    from etl.evaluate.coref_topics import unmatched_lines

    def mention(start, tag, text, instance):
        return {
            "start": start,
            "end": start + len(text),
            "tag": tag,
            "text": text,
            "instance": instance,
            "in_coref_sentence": True,
        }

    gold_docs = [
        {"doc": "1/a", "mentions": [mention(0, "HUMAN_PART_PER", "Jeffs", "g1")]},
        {
            "doc": "1/b",
            "mentions": [
                mention(0, "HUMAN_PART_PER", "Jeffs", "g1"),
                mention(9, "NON_HUMAN_PART", "Internet Explorer", "g2"),
            ],
        },
    ]
    lines = unmatched_lines(gold_docs, [("1/a", (0, 5), "g1", "e1")], examples=3)
    assert lines[0].startswith("unmatched gold mentions by tag (2 of 3;")
    assert lines[2].split()[:3] == ["HUMAN_PART_PER", "1", "0"]
    assert lines[3].split()[:3] == ["NON_HUMAN_PART", "0", "1"]
