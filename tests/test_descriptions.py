"""Person descriptions as event participants resolve to the person the document names."""

from __future__ import annotations

from etl.stages.extract.descriptions import DescriptionResolver, person_nouns
from etl.stages.extract.mentions import extract_mentions


def _resolve(nlp, text: str, description: str):
    doc = nlp(text)
    resolver = DescriptionResolver(doc, extract_mentions(doc, "doc", [0]))
    start = text.index(description)
    head = next(token for token in doc if token.idx == start)
    return resolver.resolve(head)


def test_person_nouns_come_from_wordnet_and_are_not_places_or_bodies():
    nouns = person_nouns()
    assert {"president", "leader", "candidate", "spokesman", "minister"} <= nouns
    assert not {"ministry", "country", "government", "city"} & nouns


def test_a_countrys_president_is_the_person_with_that_countrys_title_not_the_country(nlp):
    text = (
        "Kazakhstan's president met an opposition leader on Tuesday. Kyrgyz President Almazbek "
        "Atambayev protested. Kazakh President Nursultan Nazarbayev said the talks went well."
    )
    found = _resolve(nlp, text, "president met")
    assert found is not None
    assert found.mention is not None and found.mention["text"] == "Nursultan Nazarbayev"


def test_an_apposition_names_the_candidate_and_a_quantified_one_names_no_one(nlp):
    text = "He met the candidate, Omurbek Babanov, in Astana. He backs no candidate."
    named = _resolve(nlp, text, "candidate,")
    assert named is not None and named.mention["text"] == "Omurbek Babanov"
    nobody = _resolve(nlp, text, "candidate.")
    assert nobody is not None and nobody.mention is None


def test_a_name_or_a_thing_is_no_description(nlp):
    text = "The Foreign Ministry said Nursultan Nazarbayev had left."
    assert _resolve(nlp, text, "Ministry") is None
    assert _resolve(nlp, text, "Nursultan") is None
