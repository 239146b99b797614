"""Person descriptions as event participants resolve to the person the document names."""

from __future__ import annotations

from etl.reference.word_lists import noun_genders, person_nouns
from etl.stages.extract.descriptions import (
    DescriptionResolver,
    description_mentions,
    protagonist,
)
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


def test_gendered_person_nouns_come_from_wordnet():
    genders = noun_genders()
    assert genders["woman"] == "female" and genders["mother"] == "female"
    assert genders["man"] == "male" and genders["brother"] == "male"
    assert "president" not in genders


def _descriptions(nlp, text: str, share: float = 0.0) -> dict[str, str]:
    doc = nlp(text)
    return {
        span.text: name["text"]
        for span, name in description_mentions(doc, extract_mentions(doc, "doc", [0]), share)
    }


def test_a_described_man_is_the_man_the_story_is_about_not_a_woman_or_a_relative(nlp):
    text = (
        "A Spiro man was found guilty of killing an Arkansas woman on Thursday. "
        "Christopher Simpson shot Jane Flynn after she told him she was pregnant. "
        "Simpson said he was innocent. Simpson said he will appeal. "
        "Simpson's cousin testified. Simpson did not speak."
    )
    found = _descriptions(nlp, text)
    assert found.get("Spiro man") == "Christopher Simpson"
    assert found.get("Arkansas woman") != "Christopher Simpson"
    assert "cousin" not in " ".join(found)  # "Simpson's cousin" is someone else


def test_a_description_without_a_name_or_with_a_low_share_refers_to_no_one(nlp):
    text = "A judge heard the case. Christopher Simpson and Jane Flynn were in court."
    assert "judge" not in _descriptions(nlp, text)
    text = "An Oklahoma man was arrested. Christopher Simpson and John Flynn were in court."
    # two men named equally often: no protagonist
    assert "Oklahoma man" not in _descriptions(nlp, text)
    text = (
        "An Oklahoma man was arrested. Christopher Simpson was in court with Jane Flynn. "
        "Simpson did not speak."
    )
    assert _descriptions(nlp, text, share=0.5).get("Oklahoma man") == "Christopher Simpson"
    assert "Oklahoma man" not in _descriptions(nlp, text, share=0.9)


def test_protagonist_is_the_most_named_person_counting_surnames_of_one_full_name():
    def persons(*texts: str) -> list[dict]:
        return [
            {"mention_id": str(i), "text": text, "label": "PERSON"} for i, text in enumerate(texts)
        ]

    found = persons("Zurana Horton", "Horton", "Andrew Lopez")
    main, share = protagonist(found)
    assert main["text"] == "Zurana Horton" and abs(share - 2 / 3) < 1e-9
    assert protagonist(found, frozenset({"horton"}))[0]["text"] == "Andrew Lopez"
    # "Flynn" beside two Flynns counts for neither: Simpson is named most
    found = persons(
        "Ka'Loni Flynn", "Herbert Flynn", "Flynn", "Flynn", "Christopher Simpson", "Simpson"
    )
    assert protagonist(found)[0]["text"] == "Christopher Simpson"


def test_a_party_s_candidate_is_not_the_candidate_the_text_named_without_that_party(nlp):
    text = (
        "He met the candidate, Omurbek Babanov, in Astana. Babanov is one of the main "
        "challengers to the ruling party's candidate."
    )
    found = _resolve(nlp, text, "candidate.")
    assert found is not None and found.mention is None


def test_a_surname_spacy_tags_org_still_counts_for_the_protagonist(nlp):
    text = (
        "An Oklahoma man pleaded not guilty on Monday. Christopher Simpson is accused of "
        "shooting Marie Flynn. Simpson was arrested in June. Lawyers for Simpson filed a "
        "motion. Prosecutors said Simpson lied. Marie Flynn was found near Spiro."
    )
    doc = nlp(text)
    mentions = extract_mentions(doc, "doc", [0])
    for mention in mentions:  # spaCy's small model often tags a lone surname ORG
        if mention["text"] == "Simpson":
            mention["label"] = "ORG"
    found = {span.text: name["text"] for span, name in description_mentions(doc, mentions, 0.0)}
    assert found.get("Oklahoma man") in {"Christopher Simpson", "Simpson"}


def test_a_man_and_a_woman_described_in_one_sentence_wait_for_pronouns_or_the_subject(nlp):
    # no pronoun tells Simpson's gender, but he is the subject the document speaks of most:
    # the sentence's subject is him, and the woman then is the person named most after him
    text = (
        "An Oklahoma man pleaded not guilty in the death of an Arkansas woman. "
        "Christopher Simpson is accused of killing Marie Flynn. Simpson was arrested in June. "
        "Prosecutors said Simpson shot Flynn after she told him she was pregnant."
    )
    assert _descriptions(nlp, text) == {
        "Oklahoma man": "Christopher Simpson",
        "Arkansas woman": "Marie Flynn",
    }
    # two men described in one sentence: only the first is the protagonist
    text = (
        "An Oklahoma man pleaded not guilty in the death of an Arkansas man. "
        "Christopher Simpson is accused of killing John Flynn. Simpson was arrested in June. "
        "Prosecutors said Simpson shot Flynn."
    )
    assert _descriptions(nlp, text) == {"Oklahoma man": "Christopher Simpson"}
    # the most named person is no subject more than anyone else: neither description is hers
    # (given names that tell no gender: no pronoun or name tells who is the man)
    text = (
        "An Oklahoma man pleaded not guilty in the death of an Arkansas woman. "
        "Police found Ka'Loni Flynn near Spiro. Friends remembered Flynn. Relatives buried Flynn. "
        "Casey Simpson is accused."
    )
    found = _descriptions(nlp, text)
    assert "Oklahoma man" not in found and "Arkansas woman" not in found


def test_a_place_name_the_parse_left_apart_still_modifies_the_description(nlp):
    # the parse makes "Okla." a sentence of its own here
    doc = nlp(
        "Report\nOkla. man guilty of killing girlfriend\nChristopher Simpson was found guilty."
    )
    found = description_mentions(doc, extract_mentions(doc, "doc", [0]), 0.0)
    assert {span.text: name["text"] for span, name in found} == {"Okla. man": "Christopher Simpson"}
