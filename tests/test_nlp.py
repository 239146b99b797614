"""The spaCy child-process parser returns what in-process parsing returns, in input order."""

from __future__ import annotations

from etl.stages.nlp import DEFAULT_MODEL, SubprocessParser


def _summary(doc) -> list[tuple]:
    tokens = [(t.text, t.lemma_, t.tag_, t.dep_, t.head.i, t.is_sent_start) for t in doc]
    return [tokens, [(e.start_char, e.end_char, e.label_) for e in doc.ents]]


def test_child_parser_matches_in_process_parsing_across_chunks(nlp):
    texts = [
        f"President Nursultan Nazarbaev met Omurbek Babanov in Almaty on day {n}. They talked."
        for n in range(7)
    ] + ["", "Kazakhstan's foreign ministry said on Tuesday it was surprised."]
    expected = [_summary(doc) for doc in nlp.pipe(texts)]
    # Chunks of 3 texts (batches of 2 inside the child): chunk and batch edges fall mid-input.
    with SubprocessParser(DEFAULT_MODEL, batch_size=2, chunk_size=3) as parser:
        parsed = [_summary(doc) for doc in parser.parse(iter(texts))]
    assert parsed == expected
