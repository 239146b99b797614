"""Demonyms: the country when it acts, else a language, a people or a cultural adjective."""

from __future__ import annotations

import pyarrow as pa
import pytest

from etl import schema
from etl.reference.build_demonym_cues import demonym_heads as build_heads
from etl.stages.extract.mentions import extract_mentions
from etl.stages.resolve import demonyms
from etl.stages.resolve.demonyms import demonym_heads, demonym_use, resolution_key
from etl.stages.resolve.entities import resolve_entities
from tests.test_resolve import entity_by_text, mention_rows


def _use_of(nlp, text: str, word: str) -> str | None:
    doc = nlp(text)
    start = text.index(word)
    span = doc.char_span(start, start + len(word))
    assert span is not None
    return demonym_use(span)


@pytest.mark.parametrize(
    ("text", "word", "use"),
    [
        ("Kyrgyz officials said the meeting amounted to meddling.", "Kyrgyz", "country"),
        ("The Kazakh government protested on Tuesday.", "Kazakh", "country"),
        ("He spoke German fluently and taught himself some Icelandic.", "German", "language"),
        ("The same concept is denoted in French by chien.", "French", "language"),
        ("Consider a case from American English.", "American", "language"),
        ("His dissertation was a synopsis of English syntax.", "English", "language"),
        ("About 80,000 Germans left the city in panic.", "Germans", "people"),
        ("The French have always loved their cafes.", "French", "people"),
        ("The Indians say the pirates were from Somalia.", "Indians", "country"),
        ("An Indian warship foiled the attack.", "Indian", "country"),
        ("An Indian warship was patrolling nearby.", "Indian", "attribute"),
        ("Somali pirates seized a Saudi supertanker.", "Saudi", "country"),
        ("The pirates were Somali and Yemeni.", "Somali", "attribute"),
        ("They boarded an Ethiopian-flagged vessel.", "Ethiopian", "attribute"),
        ("Cleveland is now the new American city.", "American", "attribute"),
        ("He was a Danish linguist who studied grammar.", "Danish", "attribute"),
        ("Kyrgyzstan accused Kazakhstan of meddling.", "Kyrgyzstan", None),
    ],
)
def test_use_follows_the_sentence_structure(nlp, text, word, use):
    assert _use_of(nlp, text, word) == use


def test_extracted_rows_carry_the_use_only_for_demonyms(nlp):
    rows = extract_mentions(nlp("He spoke French in Paris with Kyrgyz officials."), "doc", [0])
    uses = {row["text"]: row["demonym_use"] for row in rows}
    assert uses.get("French") == "language"
    assert uses.get("Kyrgyz") == "country"
    assert "Paris" in uses and uses["Paris"] is None


def test_head_classes_come_from_wordnet_classes():
    heads = demonym_heads()
    assert heads["official"] == heads["government"] == heads["army"] == "actor"
    assert heads["language"] == heads["word"] == heads["english"] == "language"
    assert heads["president"] == heads["soldier"] == heads["authority"] == "actor"
    assert not {"city", "cuisine", "pirate", "linguist", "woman"} & set(heads)


def test_the_most_frequent_sense_takes_precedence_over_a_later_group_sense():
    # syntax: first "the grammatical arrangement of words" (WordNet's linguistics domain), only
    # then "a systematic orderly arrangement" (noun.group); grammar: a branch of linguistics
    heads = demonym_heads()
    assert heads["syntax"] == heads["grammar"] == heads["phonology"] == "language"
    assert heads["side"] == heads["administration"] == heads["embassy"] == "actor"


def test_build_reproduces_the_committed_table():
    from etl.reference.build_demonym_cues import WORDNET_DIR, WordNet

    if not (WORDNET_DIR / "data.noun").exists():
        pytest.skip("WordNet 3.0 files not installed (apt-get install wordnet-base)")
    assert dict(build_heads(WordNet(WORDNET_DIR))) == demonym_heads()


def test_only_a_country_use_resolves_to_the_country():
    texts = {
        "a": "France signed. He spoke French. Kyrgyz officials protested to Kyrgyzstan.",
        "b": "The French love French cooking, wrote an author in French.",
    }
    # (surface, spaCy label, occurrence, demonym use)
    spans = {
        "a": [
            ("France", "GPE", 0, None),
            ("French", "NORP", 0, "language"),
            ("Kyrgyz", "NORP", 0, "country"),
            ("Kyrgyzstan", "GPE", 0, None),
        ],
        "b": [
            ("French", "NORP", 0, "people"),
            ("French", "NORP", 1, "attribute"),
            ("French", "NORP", 2, "language"),
        ],
    }
    docs = {doc_id: (texts[doc_id], [span[:3] for span in spans[doc_id]]) for doc_id in texts}
    rows = []
    for doc_id, (text, names) in docs.items():
        for row, span in zip(mention_rows(doc_id, text, names), spans[doc_id], strict=True):
            rows.append({**row, "spacy_label": row["label"], "demonym_use": span[3]})
    documents = pa.Table.from_pylist(
        [{"doc_id": doc_id, "text": text, "publisher": None} for doc_id, text in texts.items()]
    )
    result = resolve_entities(pa.Table.from_pylist(rows, schema=schema.MENTIONS), documents)
    ids = entity_by_text(result, docs)
    france, french_a, kyrgyz, kyrgyzstan, people, attribute, language = (
        ids[(doc_id, surface, occurrence)]
        for doc_id, (_, names) in docs.items()
        for surface, _, occurrence in names
    )
    assert kyrgyz == kyrgyzstan
    assert french_a == language  # the French language, in both documents
    assert len({france, french_a, people, attribute}) == 4
    labels = {row["entity_id"]: row["label"] for row in result.entities.to_pylist()}
    assert (labels[france], labels[french_a], labels[people]) == ("GPE", "LANGUAGE", "NORP")


def test_keys_and_labels_of_uses():
    assert resolution_key("french", None) == resolution_key("french", "country") == "french"
    assert resolution_key("french", "language") == "french language"
    assert demonyms.resolution_label("NORP", "language") == "LANGUAGE"
    assert demonyms.resolution_label("NORP", "country") == "NORP"
