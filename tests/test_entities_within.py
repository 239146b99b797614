"""Within-document entity grouping: which shorter names join a longer one in one document."""

from __future__ import annotations

from tests.test_resolve import entity_by_text, resolve


def test_a_shorter_full_name_joins_the_longer_name_holding_it():
    docs = {
        "a": (
            "Pierre Charles L'Enfant designed the capital. Pierre Charles was born in Paris. "
            "L'Enfant served in the war.",
            [
                ("Pierre Charles L'Enfant", "PERSON", 0),
                ("Pierre Charles", "PERSON", 1),
                ("L'Enfant", "PERSON", 1),
            ],
        )
    }
    ids = entity_by_text(resolve(docs), docs)
    assert ids[("a", "Pierre Charles", 1)] == ids[("a", "Pierre Charles L'Enfant", 0)]
    assert ids[("a", "L'Enfant", 1)] == ids[("a", "Pierre Charles L'Enfant", 0)]


def test_a_lone_middle_name_before_the_full_name_is_not_the_person_bearing_it():
    docs = {
        "a": (
            "Chao taught at Harvard. Chao married Yang. "
            "His daughter Rulan Chao Pian taught music. Rulan also wrote.",
            [
                ("Chao", "PERSON", 0),
                ("Chao", "PERSON", 1),
                ("Rulan Chao Pian", "PERSON", 0),
                ("Rulan", "PERSON", 1),
            ],
        )
    }
    docs["b"] = (
        "Luiz Inacio Lula da Silva won the election. Lula thanked voters.",
        [("Luiz Inacio Lula da Silva", "PERSON", 0), ("Lula", "PERSON", 1)],
    )
    ids = entity_by_text(resolve(docs), docs)
    # after the full name, a middle name alone is the name the person goes by
    assert ids[("b", "Lula", 1)] == ids[("b", "Luiz Inacio Lula da Silva", 0)]
    assert ids[("a", "Chao", 0)] == ids[("a", "Chao", 1)]
    assert ids[("a", "Chao", 0)] != ids[("a", "Rulan Chao Pian", 0)]
    # the first given name still refers to her
    assert ids[("a", "Rulan", 1)] == ids[("a", "Rulan Chao Pian", 0)]


def test_a_name_tagged_person_in_a_minority_of_its_mentions_absorbs_no_short_form():
    text = (
        "An interview with the 'Mets Poet'.\nI was the Mets Poet for years.\nThe Mets won.\n"
        "Fans of the Mets cheered.\nThank you, Mets Poet."
    )
    docs = {
        "a": (
            text,
            [
                ("Mets Poet", "WORK_OF_ART", 0),
                ("Mets Poet", "PERSON", 1),
                ("Mets", "ORG", 2),
                ("Mets", "ORG", 3),
                ("Mets Poet", "WORK_OF_ART", 2),
            ],
        ),
        # tagged PERSON as often as not: still the person whose surname follows
        "b": (
            "Omurbek Babanov met voters. Omurbek Babanov spoke. Babanov left.",
            [
                ("Omurbek Babanov", "PERSON", 0),
                ("Omurbek Babanov", "ORG", 1),
                ("Babanov", "ORG", 2),
            ],
        ),
    }
    ids = entity_by_text(resolve(docs), docs)
    assert ids[("a", "Mets", 2)] == ids[("a", "Mets", 3)]
    assert ids[("a", "Mets", 2)] != ids[("a", "Mets Poet", 0)]
    assert ids[("a", "Mets Poet", 0)] == ids[("a", "Mets Poet", 1)] == ids[("a", "Mets Poet", 2)]
    assert ids[("b", "Babanov", 2)] == ids[("b", "Omurbek Babanov", 0)]


def test_initials_and_the_head_word_are_a_short_form_of_the_organisation():
    docs = {
        "a": (
            "The George Washington Bridge opened in 1931. Views of the GW Bridge are fine. "
            "The Brooklyn Bridge is older.",
            [
                ("George Washington Bridge", "ORG", 0),
                ("GW Bridge", "ORG", 0),
                ("Brooklyn Bridge", "ORG", 0),
            ],
        )
    }
    ids = entity_by_text(resolve(docs), docs)
    assert ids[("a", "GW Bridge", 0)] == ids[("a", "George Washington Bridge", 0)]
    assert ids[("a", "Brooklyn Bridge", 0)] != ids[("a", "George Washington Bridge", 0)]


def test_a_titled_name_spacy_did_not_tag_person_joins_the_person_it_names():
    docs = {
        "a": (
            "Lance Ito presided over the trial. Judge Ito denied the motion. "
            "Lt. Mark Fuhrman testified. Sgt. Fuhrman left. Justice Department officials came.",
            [
                ("Lance Ito", "PERSON", 0),
                ("Judge Ito", "ORG", 0),
                ("Lt. Mark Fuhrman", "PERSON", 0),
                ("Sgt. Fuhrman", "PERSON", 0),
                ("Justice Department", "ORG", 0),
            ],
        )
    }
    ids = entity_by_text(resolve(docs), docs)
    assert ids[("a", "Judge Ito", 0)] == ids[("a", "Lance Ito", 0)]
    # an abbreviated rank is no given name: "Lt. Mark Fuhrman" is Mark Fuhrman, "Sgt. Fuhrman" him
    assert ids[("a", "Sgt. Fuhrman", 0)] == ids[("a", "Lt. Mark Fuhrman", 0)]
    # a title word leading an organisation's name joins no person
    assert ids[("a", "Justice Department", 0)] != ids[("a", "Lance Ito", 0)]


def test_a_full_name_not_tagged_person_is_the_person_whose_surname_is_tagged_person_alone():
    docs = {
        "a": (
            "Professor Noam Chomsky spoke.\nNursultan Nazarbayev met him.\n"
            "Chomsky left.\nNazarbayev smiled.\nMorgan Stanley paid.\nStanley Park opened.\n"
            "Laci and Conner died.\nConner was her son.\n"
            "Pierre Charles Lenfant drew plans.\nPierre Lenfant was fired.",
            [
                ("Professor Noam Chomsky", "ORG", 0),
                ("Nursultan Nazarbayev", "GPE", 0),
                ("Chomsky", "PERSON", 0),
                ("Nazarbayev", "PERSON", 0),
                ("Morgan Stanley", "ORG", 0),
                ("Stanley Park", "FAC", 0),
                ("Laci and Conner", "ORG", 0),
                ("Conner", "PERSON", 1),
                ("Pierre Charles Lenfant", "PERSON", 0),
                ("Pierre Lenfant", "ORG", 0),
            ],
        ),
        "b": ("Noam Chomsky wrote a book.", [("Noam Chomsky", "PERSON", 0)]),
    }
    result = resolve(docs)
    ids = entity_by_text(result, docs)
    assert ids[("a", "Chomsky", 0)] == ids[("a", "Professor Noam Chomsky", 0)]
    assert ids[("b", "Noam Chomsky", 0)] == ids[("a", "Chomsky", 0)]
    assert ids[("a", "Nazarbayev", 0)] == ids[("a", "Nursultan Nazarbayev", 0)]
    labels = {row["entity_id"]: row["label"] for row in result.entities.to_pylist()}
    assert labels[ids[("a", "Chomsky", 0)]] == "PERSON"
    # no lone "Stanley" tagged PERSON: the bank stays an organisation
    assert labels[ids[("a", "Morgan Stanley", 0)]] == "ORG"
    # a form of a full name the document tags PERSON (the middle name left out)
    assert ids[("a", "Pierre Lenfant", 0)] == ids[("a", "Pierre Charles Lenfant", 0)]
    # two names joined by "and" are no one person's name
    assert ids[("a", "Laci and Conner", 0)] != ids[("a", "Conner", 1)]


def test_an_acronym_joins_the_name_it_spells_whatever_either_label():
    docs = {
        "a": (
            "The Department of Defense said.\nThe DoD denied it.\n"
            "The Federal Bureau of Investigation came.\nThe FBI left.\n"
            "The European Union met.\nThe EU agreed.",
            [
                ("Department of Defense", "ORG", 0),
                ("DoD", "ORG", 0),
                ("Federal Bureau of Investigation", "GPE", 0),
                ("FBI", "PERSON", 0),
                ("European Union", "ORG", 0),
                ("EU", "NORP", 0),
            ],
        )
    }
    ids = entity_by_text(resolve(docs), docs)
    # initials with the function words (DoD) or without them (FBI, EU)
    assert ids[("a", "DoD", 0)] == ids[("a", "Department of Defense", 0)]
    assert ids[("a", "FBI", 0)] == ids[("a", "Federal Bureau of Investigation", 0)]
    assert ids[("a", "EU", 0)] == ids[("a", "European Union", 0)]
    assert len({ids[("a", name, 0)] for name in ("DoD", "FBI", "EU")}) == 3


def test_a_place_tagged_so_is_no_given_name_of_a_person_but_stays_a_surname():
    docs = {
        "a": (
            "York is old.\nYork Minster is a church.\nWe love York.\n"
            "George Washington slept here.\nWashington left.",
            [
                ("York", "GPE", 0),
                ("York Minster", "PERSON", 0),
                ("York", "LOC", 2),
                ("George Washington", "PERSON", 0),
                ("Washington", "GPE", 1),
            ],
        )
    }
    ids = entity_by_text(resolve(docs), docs)
    assert ids[("a", "York", 0)] == ids[("a", "York", 2)] != ids[("a", "York Minster", 0)]
    assert ids[("a", "Washington", 1)] == ids[("a", "George Washington", 0)]
