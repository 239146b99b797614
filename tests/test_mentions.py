"""Mention extraction: spaCy entities trimmed to the name itself."""

from __future__ import annotations

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
