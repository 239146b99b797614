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


def _token_attributes(doc) -> list[tuple]:
    return [(t.text, t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_, t.head.i) for t in doc]


def test_token_attributes_set_what_the_attribute_ruler_and_lemmatizer_set(nlp):
    import spacy

    from etl.stages.anatomy import PARAGRAPH_COMPONENT

    stock = spacy.load(DEFAULT_MODEL)
    stock.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    texts = [
        "Kazakhstan's foreign ministry said on Tuesday it was surprised. It hasn't been told.",
        # Patterns over two tokens (an expletive before "is", "gon na", "ai n't"), contractions,
        # pronouns whose morphology depends on their label, and whitespace tokens.
        "There is a cat and there were dogs. We're gon na win, ain't we? Let's go, y'all.",
        "I told you it was mine.\n\n  She gave it to me; they'd have had  to leave.\n",
        "the minister , who had been arrested , denied the charges on monday .",
        "",
    ]
    # Twice: the second pass reads what the first one memoized.
    for _ in range(2):
        ours = [_token_attributes(doc) for doc in nlp.pipe(texts)]
        assert ours == [_token_attributes(doc) for doc in stock.pipe(texts)]
    assert "attribute_ruler" not in nlp.pipe_names and "token_attributes" in nlp.pipe_names


def test_token_attributes_memo_starts_afresh_when_full(nlp, monkeypatch):
    import etl.stages.nlp as nlp_stage

    attributes = nlp.get_pipe(nlp_stage.TOKEN_ATTRIBUTES_COMPONENT)
    monkeypatch.setattr(nlp_stage, "MEMO_ENTRIES", 5)
    doc = nlp("The ministers met the presidents of three countries in Geneva yesterday.")
    assert len(attributes._rows) <= len(doc)
    assert [t.lemma_ for t in doc][:4] == ["the", "minister", "meet", "the"]


def test_count_words_counts_tokens_that_are_neither_punctuation_nor_whitespace(nlp):
    from etl.stages.nlp import count_words

    for text in ["", "  \n", 'Hello, world!  It\'s 5 p.m. -- "late".\n\nYes.']:
        doc = nlp(text)
        assert count_words(doc) == sum(1 for t in doc if not (t.is_punct or t.is_space))
