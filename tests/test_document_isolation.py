"""One document that fails a stage costs that document only; long texts are parsed in parts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

import etl.stages.document as document
from etl.stages.ingest.readers import make_article
from etl.stages.nlp import (
    DEFAULT_MODEL,
    InProcessParser,
    ParseFailure,
    SubprocessParser,
    parse_long,
    split_text,
)

NEWS = (
    "President Nursultan Nazarbaev met Omurbek Babanov in Almaty on Tuesday. "
    "Kazakhstan's foreign ministry said it was surprised by the meeting.\n\n"
)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab .!?\n\"'"), max_size=400),
    part_chars=st.integers(min_value=5, max_value=60),
)
def test_split_text_covers_the_text_in_parts_within_the_limit(text: str, part_chars: int) -> None:
    parts = split_text(text, part_chars)
    assert "".join(parts) == text
    assert all(0 < len(part) <= part_chars for part in parts) or parts == [""]


def test_split_text_prefers_paragraph_then_sentence_boundaries() -> None:
    parts = split_text(NEWS * 3, 200)
    assert all(part.endswith("\n\n") for part in parts[:-1])
    one_paragraph = NEWS.replace("\n\n", " ") * 3
    parts = split_text(one_paragraph, 120)
    assert all(part.rstrip().endswith(".") for part in parts[:-1])


def test_a_long_text_parses_in_parts_with_the_offsets_of_the_whole(nlp) -> None:
    text = NEWS * 30
    doc = parse_long(nlp, text, part_chars=1_000)
    assert doc.text == text
    names = [(e.text, e.start_char) for e in doc.ents if e.text == "Omurbek Babanov"]
    assert len(names) == 30
    assert all(text[start : start + len(name)] == name for name, start in names)
    assert len(list(doc.sents)) >= 60


def test_the_child_parser_returns_long_texts_whole_and_failures_in_place() -> None:
    texts = ["Short one about Kazakhstan.", NEWS * 20, "Another short one."]
    with SubprocessParser(DEFAULT_MODEL, batch_size=2, chunk_size=2, part_chars=1_000) as parser:
        docs = list(parser.parse(iter(texts)))
    assert [doc.text for doc in docs] == texts


class FailingParser:
    """A real parser that fails the texts containing ``marker``, as spaCy would."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.inner = InProcessParser(batch_size=4)

    def parse(self, texts: Iterable[str]) -> Iterator:
        for text in texts:
            if self.marker in text:
                yield ParseFailure("ValueError: simulated")
            else:
                yield from self.inner.parse([text])


def _articles(texts: list[str]) -> list:
    return [make_article(text, "utf-8", f"file:///in/{i}.txt", {}) for i, text in enumerate(texts)]


def test_each_stage_failure_quarantines_one_document_and_the_rest_loads(monkeypatch) -> None:
    texts = [NEWS, "NORMALIZE-BREAKS here.", "PARSE-BREAKS here.", "EXTRACT-BREAKS here.", NEWS * 2]
    articles = _articles(texts)
    real_normalize, real_extract = document.normalize, document.extract_document

    def normalize(raw, evidence=None):
        if "NORMALIZE-BREAKS" in raw:
            raise RecursionError("maximum recursion depth exceeded")
        return real_normalize(raw, evidence)

    def extract(doc, doc_id, **kwargs):
        if "EXTRACT-BREAKS" in doc.text:
            raise IndexError("list index out of range")
        return real_extract(doc, doc_id, **kwargs)

    monkeypatch.setattr(document, "normalize", normalize)
    monkeypatch.setattr(document, "extract_document", extract)
    rows = document.process_articles(
        articles, FailingParser("PARSE-BREAKS"), run_id="r", load_date=date(2026, 1, 1)
    )
    assert [row["source_uri"] for row in rows.documents] == ["file:///in/0.txt", "file:///in/4.txt"]
    assert {row["doc_id"] for row in rows.sentences} == {articles[0].doc_id, articles[4].doc_id}
    assert [(q.source_uri, q.reason) for q in rows.quarantined] == [
        ("file:///in/1.txt", "normalize failed: RecursionError: maximum recursion depth exceeded"),
        ("file:///in/2.txt", "nlp failed: ValueError: simulated"),
        ("file:///in/3.txt", "extract failed: IndexError: list index out of range"),
    ]


def test_runs_without_whitespace_are_cut_so_the_tokenizer_stays_linear(nlp) -> None:
    text = "Almaty. " + '"' * 5_000 + "he said" + '"' * 5_000 + " Astana."
    parts = split_text(text, 100_000)
    assert "".join(parts) == text
    assert max(len(part) for part in parts) <= 1_000 + len("Almaty. ")
    doc = parse_long(nlp, text)
    assert doc.text == text
