"""Entity evaluation: ECB+ gold selection and the cross-validated name-matching thresholds."""

from __future__ import annotations

from etl.evaluate.entities import (
    MATCHING_GRID,
    Variant,
    cross_validate,
    ecb_gold_mentions,
    is_ecb_gold,
)
from tests.test_resolve import mention_rows


def test_ecb_gold_keeps_named_participants_and_places_of_coreference_sentences():
    doc = {
        "doc": "1/1_1ecb",
        "mentions": [
            {
                "start": 0,
                "end": 6,
                "text": "Tara R",
                "tag": "HUMAN_PART_PER",
                "instance": "A",
                "in_coref_sentence": True,
            },
            {
                "start": 10,
                "end": 13,
                "text": "man",
                "tag": "HUMAN_PART_PER",
                "instance": "B",
                "in_coref_sentence": True,
            },
            {
                "start": 20,
                "end": 25,
                "text": "Paris",
                "tag": "LOC_GEO",
                "instance": "C",
                "in_coref_sentence": False,
            },
            {
                "start": 30,
                "end": 36,
                "text": "killed",
                "tag": "ACTION_OCCURRENCE",
                "instance": "D",
                "in_coref_sentence": True,
            },
        ],
    }
    assert ecb_gold_mentions(doc) == [(0, 6, "A")]
    assert is_ecb_gold([doc])
    assert not is_ecb_gold([{"doc_id": "GUM_x", "entities": []}])


def test_cross_validation_reports_fitted_and_held_out_figures_per_group():
    texts = {
        "t1/a": "Nursultan Nazarbayev met Omurbek Babanov.",
        "t1/b": "Nursultan Nazarbaev met Omurbek Babanov.",
        "t2/a": "Almazbek Atambayev spoke.",
        "t2/b": "Almazbek Atambaev spoke.",
    }
    names = {
        "t1/a": [("Nursultan Nazarbayev", "PERSON", 0), ("Omurbek Babanov", "PERSON", 0)],
        "t1/b": [("Nursultan Nazarbaev", "PERSON", 0), ("Omurbek Babanov", "PERSON", 0)],
        "t2/a": [("Almazbek Atambayev", "PERSON", 0)],
        "t2/b": [("Almazbek Atambaev", "PERSON", 0)],
    }
    rows = [row for doc, text in texts.items() for row in mention_rows(doc, text, names[doc])]
    document_rows = [
        {"doc_id": doc, "text": text, "publisher": None} for doc, text in texts.items()
    ]
    gold = {
        doc: [
            (row["start_char"], row["end_char"], row["text"].split()[0])
            for row in rows
            if row["doc_id"] == doc
        ]
        for doc in texts
    }
    variant = Variant(texts, gold, {doc: doc.split("/")[0] for doc in texts}, None)
    result = cross_validate(variant, (rows, document_rows))
    assert result["fitted_matching"] in MATCHING_GRID
    assert result["n_groups"] == 2
    assert result["fitted"][2] == 1.0
    assert result["held_out"][2] == 1.0


def test_split_causes_name_the_shape_of_the_two_names():
    from etl.evaluate.entities import PredictedMention, split_cause

    def cause(first, second, labels=("PERSON", "PERSON")):
        return split_cause(
            PredictedMention(first, labels[0], "a"), PredictedMention(second, labels[1], "b")
        )

    assert cause("Babanov", "Omurbek Babanov") == "person part"
    assert cause("Supreme Court", "Italian Supreme Court", ("ORG", "ORG")) == "short form"
    assert cause("York", "York", ("GPE", "ORG")) == "place/org"
    assert cause("NPP", "New People Party", ("ORG", "ORG")) == "acronym"
    assert cause("Kyrgyz", "Kyrgyzstan", ("NORP", "GPE")) == "demonym"
    assert cause("Paralympic Games", "Paralympic Games", ("FAC", "LAW")) == "label split"
    assert cause("GW Bridge", "George Washington Bridge", ("ORG", "ORG")) == "spelling"
    assert cause("Cleveland", "Comeback City", ("GPE", "EVENT")) == "other"


def test_a_split_pair_whose_predicted_span_holds_other_words_is_a_span_error():
    from etl.evaluate.entities import PredictedMention, _span_differs, split_cause

    text = "Jack Alter Fort Lee spoke. Fort Lee grew. The Fort Lee's mayor."
    assert _span_differs(text, (11, 19), (0, 15))  # "Jack Alter Fort" for "Fort Lee"
    assert not _span_differs(text, (46, 54), (42, 56))  # article and possessive only
    wide = PredictedMention("Jack Alter Fort", "PERSON", "a", span_differs=True)
    assert split_cause(wide, PredictedMention("Fort Lee", "GPE", "b")) == "span"


def test_missed_pairs_count_each_split_pair_and_the_unmatched_gold_mentions():
    from etl.evaluate.entities import missed_pairs

    text = "Omurbek Babanov spoke. Babanov left. Nobody came."
    rows = mention_rows("d", text, [("Omurbek Babanov", "PERSON", 0), ("Babanov", "ORG", 1)])
    for row in rows:
        row["spacy_label"] = row["label"]
    gold = [(0, 15, "Q1"), (23, 30, "Q1"), (37, 43, "Q2")]
    variant = Variant({"d": text}, {"d": gold}, {"d": "d"}, None)
    spans = {"d": [(0, 15), (23, 30)]}
    entities = {("d", 0, 15): "e1", ("d", 23, 30): "e2"}
    errors = missed_pairs(variant, (rows, []), (spans, entities))
    assert errors["causes"]["within"] == {"person part": 1}
    assert errors["unmatched"] == {"Nobody": 1}
    assert errors["partial_spans"] == 0
    assert errors["document_recall"] == {"d": 0.0}


def test_wrong_merges_count_each_pair_of_two_gold_entities_by_cause():
    from etl.evaluate.entities import missed_pairs

    text = "Chao taught. Rulan Chao Pian sang. Chao left."
    rows = mention_rows(
        "d", text, [("Chao", "PERSON", 0), ("Rulan Chao Pian", "PERSON", 0), ("Chao", "PERSON", 2)]
    )
    for row in rows:
        row["spacy_label"] = row["label"]
    gold = [(0, 4, "Q1"), (13, 28, "Q2"), (35, 39, "Q1")]
    variant = Variant({"d": text}, {"d": gold}, {"d": "d"}, None)
    spans = {"d": [(0, 4), (13, 28), (35, 39)]}
    entities = {("d", 0, 4): "e1", ("d", 13, 28): "e1", ("d", 35, 39): "e1"}
    errors = missed_pairs(variant, (rows, []), (spans, entities))
    assert errors["merges"]["within"] == {"short_form": 2}
    assert errors["merges"]["across"] == {}
    assert errors["merge_examples"]["short_form"] == {
        ("Chao (PERSON)", "Rulan Chao Pian (PERSON)"): 2
    }
    assert errors["causes"]["within"] == {}
