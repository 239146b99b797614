"""Mention extraction: spaCy entities trimmed to the name itself."""

from __future__ import annotations

import pytest

from etl import schema
from etl.ids import stable_id
from etl.stages.extract.mentions import extract_mentions


def mentions_of(nlp, text: str) -> list[dict]:
    return extract_mentions(nlp(text), "doc", [0])


def test_possessed_common_noun_is_cut_from_the_owner(nlp):
    text = "Nazarbayev's office said on Tuesday that Nursultan Nazarbayev had met the candidate."
    texts = [row["text"] for row in mentions_of(nlp, text)]
    assert not any("office" in mention for mention in texts)
    assert "Nursultan Nazarbayev" in texts


def test_rows_follow_the_mentions_schema(nlp):
    text = "The Kyrgyz Foreign Ministry protested to Kazakhstan."
    rows = mentions_of(nlp, text)
    assert rows
    for row in rows:
        assert text[row["start_char"] : row["end_char"]] == row["text"]
        assert row["mention_id"] == stable_id("doc", row["start_char"], row["end_char"])
        assert not row["text"].lower().startswith("the ")
        assert set(row) == set(schema.MENTIONS.names)


def _doc(nlp, words, spaces, pos, ents):
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=words, spaces=spaces, pos=pos, ents=ents)


def test_a_name_never_crosses_a_line_break_or_keeps_a_url(nlp):
    words = ["http://example.com/a", "\n", "Microsoft", "issued", "a", "patch"]
    doc = _doc(
        nlp,
        words,
        [False, False, True, True, True, False],
        ["PROPN", "SPACE", "PROPN", "VERB", "DET", "NOUN"],
        ["B-ORG", "I-ORG", "I-ORG", "O", "O", "O"],
    )
    assert [row["text"] for row in extract_mentions(doc, "doc", [0])] == ["Microsoft"]


def test_a_headline_verb_after_a_name_is_cut_but_a_title_keeps_its_words(nlp):
    doc = _doc(
        nlp,
        ["Driver", "Charged", "in", "The", "Thick", "of", "It"],
        [True, True, True, True, True, True, False],
        ["PROPN", "VERB", "ADP", "DET", "PROPN", "ADP", "PRON"],
        [
            "B-PERSON",
            "I-PERSON",
            "O",
            "B-WORK_OF_ART",
            "I-WORK_OF_ART",
            "I-WORK_OF_ART",
            "I-WORK_OF_ART",
        ],
    )
    texts = [row["text"] for row in extract_mentions(doc, "doc", [0])]
    assert texts == ["Driver", "Thick of It"]


def test_a_country_owning_a_name_is_its_own_mention_but_a_party_keeps_its_possessive(nlp):
    doc = _doc(
        nlp,
        [
            "Kyrgyzstan",
            "’s",
            "Central",
            "Election",
            "Commission",
            "met",
            "New",
            "People",
            "'s",
            "Party",
        ],
        [False, True, True, True, True, True, True, False, True, False],
        ["PROPN", "PART", "PROPN", "PROPN", "PROPN", "VERB", "PROPN", "PROPN", "PART", "PROPN"],
        ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-ORG", "I-ORG", "I-ORG", "I-ORG"],
    )
    texts = [row["text"] for row in extract_mentions(doc, "doc", [0])]
    assert texts == ["Kyrgyzstan", "Central Election Commission", "New People's Party"]


def test_a_capitalized_common_noun_in_an_indefinite_phrase_is_no_name(nlp):
    doc = _doc(
        nlp,
        ["It", "is", "a", "parliamentary", "Republic", "and", "an", "American", "ally"],
        [True, True, True, True, True, True, True, True, False],
        ["PRON", "AUX", "DET", "ADJ", "PROPN", "CCONJ", "DET", "ADJ", "NOUN"],
        ["O", "O", "O", "O", "B-GPE", "O", "O", "B-NORP", "O"],
    )
    doc[4].head, doc[2].head, doc[2].dep_ = doc[1], doc[4], "det"
    assert [row["text"] for row in extract_mentions(doc, "doc", [0])] == ["American"]


def test_a_given_name_spacy_left_out_joins_the_person_but_a_title_does_not(nlp):
    text = (
        "He is accused of fatally shooting Ka'Loni Marie Flynn of Fort Smith. "
        "President Barack Obama spoke and Secretary Hillary Clinton left."
    )
    persons = [row["text"] for row in mentions_of(nlp, text) if row["label"] == "PERSON"]
    assert "Ka'Loni Marie Flynn" in persons
    assert "Barack Obama" in persons and "Hillary Clinton" in persons


# (words, spaces, parts of speech, entity tags, the mentions extracted)
TRIMMED_SPANS = {
    "a bracket cuts a name from its bracketed short form": (
        ["the", "American", "College", "of", "Pediatricians", "(", "ACPeds", ")", "said"],
        [True, True, True, True, True, False, False, True, False],
        ["DET", "PROPN", "PROPN", "ADP", "PROPN", "PUNCT", "PROPN", "PUNCT", "VERB"],
        ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O"],
        ["American College of Pediatricians", "ACPeds"],
    ),
    "a hyphenated prefix or an interjection is no part of the name": (
        ["pro", "-", "Beijing", "camp", "and", "Hey", "Frank", "Messina"],
        [False, False, True, True, True, True, True, False],
        ["ADJ", "PUNCT", "PROPN", "NOUN", "CCONJ", "INTJ", "PROPN", "PROPN"],
        ["B-NORP", "I-NORP", "I-NORP", "O", "O", "B-PERSON", "I-PERSON", "I-PERSON"],
        ["Beijing", "Frank Messina"],
    ),
    "a prefixed adjective before a name is dropped whole": (
        ["Pro", "-", "Beijing", "DAB", "won"],
        [False, False, True, True, False],
        ["ADJ", "PUNCT", "PROPN", "PROPN", "VERB"],
        ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O"],
        ["DAB"],
    ),
    "an Arabic name particle stays in the name": (
        ["al", "-", "Qaeda", "claimed", "it"],
        [False, False, True, True, False],
        ["PROPN", "PUNCT", "PROPN", "VERB", "PRON"],
        ["B-ORG", "I-ORG", "I-ORG", "O", "O"],
        ["al-Qaeda"],
    ),
}


@pytest.mark.parametrize("case", sorted(TRIMMED_SPANS))
def test_the_ends_of_a_name_are_trimmed_by_their_words(nlp, case):
    words, spaces, pos, ents, expected = TRIMMED_SPANS[case]
    doc = _doc(nlp, words, spaces, pos, ents)
    assert [row["text"] for row in extract_mentions(doc, "doc", [0])] == expected


def test_a_name_run_on_into_the_adjective_of_a_noun_after_it_ends_before_the_preposition(nlp):
    text = "Her mother had spoken out against Scientology on French television after that."
    assert [row["text"] for row in mentions_of(nlp, text)] == ["Scientology"]


def test_untagged_occurrences_of_a_tagged_name_are_mentions_too(nlp):
    from spacy.tokens import Span

    from etl.stages.extract.mentions import repeated_name_mentions

    text = (
        "Visitors love York. The walls of York are old. York Minster stands in New York too. "
        "Court opens at nine. The Court sat. A York mother bought a York Q10."
    )
    doc = nlp(text)
    # spaCy's tags as the model might leave them: York once, Court once
    york, court = text.index("York"), text.rindex("Court")
    doc.ents = [
        doc.char_span(york, york + 4, label="GPE"),
        doc.char_span(court, court + 5, label="ORG"),
    ]
    names = extract_mentions(doc, "doc", [0])
    added = repeated_name_mentions(doc, "doc", names, names, [0])
    # the walls of York: a mention; York Minster, New York and York Q10 are longer names; "A
    # York mother" describes a person; "Court" is a common word capitalized, never propagated
    assert [(row["text"], row["label"], row["start_char"]) for row in added] == [
        ("York", "GPE", text.index("York are"))
    ]
    assert all(isinstance(doc.char_span(r["start_char"], r["end_char"]), Span) for r in added)
    # marked, so that event clustering can leave them out of its per-document counts
    assert [row["repeated"] for row in added] == [True]
    assert names and not any(row["repeated"] for row in names)


def test_a_weekday_after_a_name_is_the_date_not_part_of_the_name(nlp):
    from spacy.tokens import Span

    from etl.stages.extract.mentions import _trim

    doc = nlp("He was interviewed by Wikinews Saturday. Shoppers love Black Friday.")
    interviewer = Span(doc, 4, 6, label="ORG")  # "Wikinews Saturday", as spaCy may tag it
    holiday = Span(doc, 9, 11, label="EVENT")
    assert [span.text for span in _trim(interviewer)] == ["Wikinews"]
    assert [span.text for span in _trim(holiday)] == ["Black Friday"]


def test_a_preposition_or_lower_case_adjective_before_a_name_is_not_part_of_it(nlp):
    from etl.stages.extract.mentions import _trim_ends

    doc = nlp("Among Thais, rice is common. He let a united Germany join NATO on 117th Street.")
    among = next(token.i for token in doc if token.text == "Among")
    united = next(token.i for token in doc if token.text == "united")
    street = next(token.i for token in doc if token.text == "117th")
    assert _trim_ends(doc, among, among + 2, "NORP").text == "Thais"
    assert _trim_ends(doc, united, united + 2, "GPE").text == "Germany"
    assert _trim_ends(doc, street, street + 2, "FAC").text == "117th Street"


def _retagged(nlp, parsed, ents: list[str]):
    """A copy of a parsed Doc with the entity tags given (IOB), whatever the model found."""
    from spacy.tokens import Doc

    return Doc(
        nlp.vocab,
        words=[token.text for token in parsed],
        spaces=[bool(token.whitespace_) for token in parsed],
        pos=[token.pos_ for token in parsed],
        heads=[token.head.i for token in parsed],
        deps=[token.dep_ for token in parsed],
        lemmas=[token.lemma_ for token in parsed],
        ents=ents,
    )


def test_a_language_is_a_mention_read_as_the_language_whatever_its_syntax(nlp):
    # "English" modifying "title" would read as a cultural adjective from syntax alone; the
    # recognizer's LANGUAGE tag says it is the language, so every mention keys as one entity.
    parsed = nlp("Jespersen wrote on the grammar of English and gave it an English title.")
    doc = _retagged(
        nlp, parsed, ["B-LANGUAGE" if token.text == "English" else "O" for token in parsed]
    )
    rows = [row for row in extract_mentions(doc, "doc", [0]) if row["text"] == "English"]
    assert len(rows) == 2
    assert {(row["label"], row["demonym_use"]) for row in rows} == {("LANGUAGE", "language")}


def test_two_names_run_into_one_through_and_are_two_mentions_when_each_is_known_alone(nlp):
    text = (
        "Andrew Lopez and Jonathan Carrasquillo were charged. Lopez and Carrasquillo pleaded. "
        "The Globe and Mail reported it to the Fish and Wildlife Service."
    )
    parsed = nlp(text)
    spans = {
        "Andrew Lopez": "PERSON",
        "Jonathan Carrasquillo": "PERSON",
        "Lopez and Carrasquillo": "ORG",
        "Globe and Mail": "ORG",
        "Fish and Wildlife Service": "ORG",
    }
    tags = ["O"] * len(parsed)
    for surface, label in spans.items():
        start = text.index(surface, text.index(".") if surface.startswith("Lopez") else 0)
        span = parsed.char_span(start, start + len(surface))
        tags[span.start] = f"B-{label}"
        for index in range(span.start + 1, span.end):
            tags[index] = f"I-{label}"
    doc = _retagged(nlp, parsed, tags)
    rows = {(row["text"], row["label"]) for row in extract_mentions(doc, "doc", [0])}
    assert {("Lopez", "PERSON"), ("Carrasquillo", "PERSON")} <= rows
    assert ("Lopez and Carrasquillo", "ORG") not in rows
    # parts unknown alone, or generic words of one institution's name: one name
    assert {("Globe and Mail", "ORG"), ("Fish and Wildlife Service", "ORG")} <= rows


def test_a_name_ends_before_a_finite_verb_the_tagger_ran_it_into(nlp):
    from spacy.tokens import Doc

    words = [
        "T-Mobile",
        "USA",
        "Announces",
        "BlackBerry",
        "Q10",
        "Availability",
        "in",
        "Gone",
        "Is",
        "Gone",
    ]
    doc = Doc(
        nlp.vocab,
        words=words,
        spaces=[True] * (len(words) - 1) + [False],
        pos=["PROPN", "PROPN", "VERB", "PROPN", "PROPN", "NOUN", "ADP", "VERB", "AUX", "VERB"],
        tags=["NNP", "NNP", "VBZ", "NNP", "NNP", "NN", "IN", "VBN", "VBZ", "VBN"],
        ents=[
            *["B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O"],
            *["B-WORK_OF_ART", "I-WORK_OF_ART", "I-WORK_OF_ART"],
        ],
    )
    texts = [row["text"] for row in extract_mentions(doc, "doc", [0])]
    # a title of a work keeps its verbs
    assert texts == ["T-Mobile USA", "Gone Is Gone"]


@pytest.mark.parametrize(
    ("text", "names", "nickname", "named"),
    [
        (
            'However, in the mid-1980s, Cleveland earned the nickname the "Comeback City" as '
            "the urban core experienced a dramatic revitalization.",
            {"Cleveland": "GPE", "Comeback City": "EVENT"},
            "Comeback City",
            "Cleveland",
        ),
        (
            "Hurricane Sandy, dubbed Superstorm Sandy by the press, hit New Jersey.",
            {"Hurricane Sandy": "EVENT", "Superstorm Sandy": "PERSON", "New Jersey": "GPE"},
            "Superstorm Sandy",
            "Hurricane Sandy",
        ),
        (
            # the named city is tagged in another sentence only
            'York is old. York is known as England\'s "City of Festivals" as there are many.',
            {"York": "GPE", "City of Festivals": "WORK_OF_ART"},
            "City of Festivals",
            "York",
        ),
        (
            "Ichiyo Higuchi was a pen name of Japanese author Natsu Higuchi.",
            {"Ichiyo Higuchi": "PERSON", "Japanese": "NORP", "Natsu Higuchi": "PERSON"},
            "Natsu Higuchi",
            "Ichiyo Higuchi",
        ),
        (
            "Obama named Hillary Clinton Secretary of State.",
            {"Obama": "PERSON", "Hillary Clinton": "PERSON", "Secretary of State": "ORG"},
            "Secretary of State",
            None,  # an appointment, not a second name
        ),
    ],
)
def test_a_name_the_sentence_gives_as_another_name_refers_to_it(nlp, text, names, nickname, named):
    parsed = nlp(text)
    tags = ["O"] * len(parsed)
    for surface, label in names.items():
        span = parsed.char_span(text.index(surface), text.index(surface) + len(surface))
        tags[span.start : span.end] = [f"B-{label}"] + [f"I-{label}"] * (len(span) - 1)
    rows = extract_mentions(_retagged(nlp, parsed, tags), "doc", [0])
    text_of = {row["mention_id"]: row["text"] for row in rows}
    row = next(row for row in rows if row["text"] == nickname)
    assert text_of.get(row["antecedent_mention_id"]) == named
    assert all(other["antecedent_mention_id"] is None for other in rows if other is not row)
