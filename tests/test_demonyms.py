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
        ("About 80,000 Germans left the city in panic.", "Germans", "people"),
        ("The French have always loved their cafes.", "French", "people"),
        ("Cleveland is now the new American city.", "American", "attribute"),
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
    assert "city" not in heads and "cuisine" not in heads


def test_build_reproduces_the_committed_table():
    from etl.reference.build_demonym_cues import WORDNET_DIR, WordNet

    if not (WORDNET_DIR / "data.noun").exists():
        pytest.skip("WordNet 3.0 files not installed (apt-get install wordnet-base)")
    assert dict(build_heads(WordNet(WORDNET_DIR))) == demonym_heads()


def _rows(doc_id: str, text: str, spans: list[tuple[str, str, str | None, int]]) -> list[dict]:
    """Mention rows for (surface, label, demonym use, occurrence) spans of ``text``."""
    rows = []
    for surface, label, use, occurrence in spans:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(surface, start + 1)
        rows.append(
            {
                "mention_id": f"{doc_id}:{start}",
                "doc_id": doc_id,
                "sentence_idx": 0,
                "start_char": start,
                "end_char": start + len(surface),
                "raw_start_char": start,
                "raw_end_char": start + len(surface),
                "text": surface,
                "label": label,
                "spacy_label": label,
                "demonym_use": use,
            }
        )
    return rows


def test_only_a_country_use_resolves_to_the_country():
    texts = {
        "a": "France signed. He spoke French. Kyrgyz officials protested to Kyrgyzstan.",
        "b": "The French love French cooking, wrote an author in French.",
    }
    rows = _rows(
        "a",
        texts["a"],
        [
            ("France", "GPE", None, 0),
            ("French", "NORP", "language", 0),
            ("Kyrgyz", "NORP", "country", 0),
            ("Kyrgyzstan", "GPE", None, 0),
        ],
    ) + _rows(
        "b",
        texts["b"],
        [
            ("French", "NORP", "people", 0),
            ("French", "NORP", "attribute", 1),
            ("French", "NORP", "language", 2),
        ],
    )
    documents = pa.Table.from_pylist(
        [{"doc_id": doc_id, "text": text, "publisher": None} for doc_id, text in texts.items()]
    )
    result = resolve_entities(pa.Table.from_pylist(rows, schema=schema.MENTIONS), documents)
    entity_of = dict(
        zip(
            result.mention_entities.column("mention_id").to_pylist(),
            result.mention_entities.column("entity_id").to_pylist(),
            strict=True,
        )
    )
    france, french_a, kyrgyz, kyrgyzstan, people, attribute, language = (
        entity_of[row["mention_id"]] for row in rows
    )
    assert kyrgyz == kyrgyzstan
    assert french_a == language  # the French language, in both documents
    assert len({france, french_a, people, attribute}) == 4
    labels = dict(
        zip(
            result.entities.column("entity_id").to_pylist(),
            result.entities.column("label").to_pylist(),
            strict=True,
        )
    )
    assert (labels[france], labels[french_a], labels[people]) == ("GPE", "LANGUAGE", "NORP")


def test_keys_and_labels_of_uses():
    assert resolution_key("french", None) == resolution_key("french", "country") == "french"
    assert resolution_key("french", "language") == "french language"
    assert demonyms.resolution_label("NORP", "language") == "LANGUAGE"
    assert demonyms.resolution_label("NORP", "country") == "NORP"
