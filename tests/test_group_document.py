"""Within-document grouping: a name written in both orders, a short form given in brackets."""

from __future__ import annotations

from tests.test_resolve import entity_by_text, resolve


def test_a_full_name_in_both_orders_is_one_person_whatever_the_label_of_either():
    text = "Higuchi Ichiyo wrote stories. Later critics praised Ichiyo Higuchi. Higuchi died young."
    docs = {
        "bio": (
            text,
            [("Higuchi Ichiyo", "PERSON", 0), ("Ichiyo Higuchi", "FAC", 0), ("Higuchi", "GPE", 2)],
        )
    }
    entities = entity_by_text(resolve(docs), docs)
    assert len(set(entities.values())) == 1


def test_different_people_sharing_a_surname_stay_apart_in_any_order():
    text = "Laci Peterson vanished. Scott Peterson was charged."
    docs = {"news": (text, [("Laci Peterson", "PERSON", 0), ("Scott Peterson", "PERSON", 0)])}
    entities = entity_by_text(resolve(docs), docs)
    assert len(set(entities.values())) == 2


def test_a_bracketed_short_form_after_an_organisation_is_that_organisation():
    text = (
        "The Unione degli Atei e degli Agnostici Razionalisti (UAAR) launched a petition. "
        "UAAR said the ruling was historic."
    )
    docs = {
        "it": (
            text,
            [
                ("Unione degli Atei e degli Agnostici Razionalisti", "ORG", 0),
                ("UAAR", "ORG", 0),
                ("UAAR", "ORG", 1),
            ],
        )
    }
    entities = entity_by_text(resolve(docs), docs)
    assert len(set(entities.values())) == 1


def test_a_bracketed_word_after_a_place_or_in_lower_case_stays_apart():
    text = "PARIS (AFP) - The Unione Atei (agnostics) met. AFP reported it."
    docs = {
        "wire": (
            text,
            [
                ("PARIS", "GPE", 0),
                ("AFP", "ORG", 0),
                ("Unione Atei", "ORG", 0),
                ("agnostics", "ORG", 0),
                ("AFP", "ORG", 1),
            ],
        )
    }
    entities = entity_by_text(resolve(docs), docs)
    assert entities[("wire", "AFP", 0)] != entities[("wire", "PARIS", 0)]
    assert entities[("wire", "agnostics", 0)] != entities[("wire", "Unione Atei", 0)]
