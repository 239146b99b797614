"""A person described by a place ("a Brooklyn mother", "an Oklahoma man") is a person mention."""

from __future__ import annotations

from etl.evaluate.coref import match_all
from etl.reference.word_lists import given_name_genders
from etl.stages.extract.descriptions import person_genders
from etl.stages.extract.mentions import extract_mentions
from tests.test_descriptions import _descriptions


def test_a_place_qualified_description_whose_role_fits_someone_else_is_the_protagonist(nlp):
    # "the mother" in apposition gives Armstead the role noun, but "a Brooklyn mother" is
    # qualified by a place: the role does not fit, the story's protagonist does
    text = (
        "A Brooklyn mother was killed by a stray bullet on Friday. "
        "Zurana Horton was walking home with her children. Horton died at the scene. "
        "Police said Horton was hit by gunfire. "
        "Jane Armstead, the mother of a girl, was wounded."
    )
    found = _descriptions(nlp, text)
    assert found.get("Brooklyn mother") == "Zurana Horton"
    assert found.get("mother") == "Jane Armstead"  # the apposition still names her


def test_a_description_sharing_only_a_country_with_a_role_stays_no_mention(nlp):
    text = (
        "Kazakh President Nursultan Nazarbayev met the press. "
        "The Kazakh ambassador said nothing. Nazarbayev left."
    )
    assert "Kazakh ambassador" not in _descriptions(nlp, text)


def test_a_gold_person_described_by_a_place_matches_the_description_not_the_place():
    # gold "Brooklyn mother of 12"; predicted the place "Brooklyn" and the person description
    gold = {"d": [(0, 21, "horton")]}
    predicted = {"d": [(0, 8, "brooklyn"), (0, 15, "horton-entity")]}
    assert match_all(gold, predicted) == [("d", (0, 21), "horton", "horton-entity")]


def test_given_names_tell_a_gender_when_pronouns_do_not(nlp):
    # "she told him" names both people in one sentence, so no pronoun tells who is who; the
    # given names do: the Oklahoma man is Simpson although Flynn is named more often
    text = (
        "An Oklahoma man was found guilty of killing an Arkansas woman. "
        "Christopher Simpson shot Mary Flynn after she told him she was pregnant. "
        "Flynn was 20. Flynn lived in Fort Smith."
    )
    found = _descriptions(nlp, text)
    assert found.get("Oklahoma man") == "Christopher Simpson"
    assert found.get("Arkansas woman") == "Mary Flynn"


def test_given_name_genders_need_agreement_and_yield_to_pronouns(nlp):
    doc = nlp(
        "Herbert Flynn and Mary Flynn spoke. Christopher Simpson left. Simpson said she was ill."
    )
    persons = [m for m in extract_mentions(doc, "doc", [0]) if m["label"] == "PERSON"]
    genders = person_genders(doc, persons, persons)
    assert "flynn" not in genders  # a man and a woman share the surname
    assert genders.get("simpson") == "female"  # the pronoun wins over "Christopher"
    assert given_name_genders()["christopher"] == "male"
    assert given_name_genders()["marie"] == "female"
