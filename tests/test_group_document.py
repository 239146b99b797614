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


def test_an_acronym_with_a_doubled_letter_names_the_organisation_through_its_longer_forms():
    text = (
        "The pro-Beijing New People Party won. New People Party's Regina Ip spoke. "
        "Michael Tien of NPP was elected."
    )
    docs = {
        "hk": (
            text,
            [
                ("pro-Beijing New People Party", "ORG", 0),
                ("New People Party", "ORG", 1),
                ("NPP", "ORG", 0),
            ],
        )
    }
    entities = entity_by_text(resolve(docs), docs)
    assert len(set(entities.values())) == 1


def test_a_name_without_its_common_head_noun_is_its_short_form_but_not_a_place():
    text = "He taught at Harvard University. Harvard hired him. Boston University and Boston."
    docs = {
        "bio": (
            text,
            [
                ("Harvard University", "ORG", 0),
                ("Harvard", "ORG", 1),
                ("Boston University", "ORG", 0),
                ("Boston", "ORG", 1),
            ],
        )
    }
    entities = entity_by_text(resolve(docs), docs)
    assert entities[("bio", "Harvard", 1)] == entities[("bio", "Harvard University", 0)]
    assert entities[("bio", "Boston", 1)] != entities[("bio", "Boston University", 0)]


def test_initials_in_capitals_name_the_place_the_document_names_in_words():
    text = "They moved to Fort Lee, New Jersey. Fort Lee, NJ is near New York."
    docs = {
        "v": (
            text,
            [("New Jersey", "GPE", 0), ("NJ", "ORG", 0), ("New York", "GPE", 0)],
        )
    }
    entities = entity_by_text(resolve(docs), docs)
    assert entities[("v", "NJ", 0)] == entities[("v", "New Jersey", 0)]
    assert entities[("v", "NJ", 0)] != entities[("v", "New York", 0)]


def test_a_brand_is_not_its_product():
    text = "Microsoft Update failed. Microsoft said a fix was coming."
    docs = {"t": (text, [("Microsoft Update", "ORG", 0), ("Microsoft", "ORG", 1)])}
    entities = entity_by_text(resolve(docs), docs)
    assert entities[("t", "Microsoft", 1)] != entities[("t", "Microsoft Update", 0)]


def test_a_name_run_on_into_a_phrase_is_the_name_the_document_uses_alone():
    text = "The Freewinds sailed. The Freewinds in Bonaire was photographed."
    docs = {"s": (text, [("Freewinds", "ORG", 0), ("Freewinds in Bonaire", "WORK_OF_ART", 0)])}
    entities = entity_by_text(resolve(docs), docs)
    assert len(set(entities.values())) == 1
