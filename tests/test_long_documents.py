"""Long documents go through the stages in parts with the offsets of the whole; a document that
passes its time budget is quarantined with the stage ``timeout`` and the rest of the batch loads;
a file over the size limit is refused with a clear reason."""

from __future__ import annotations

import time
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import etl.stages.document as document
from etl.records import SourceFile
from etl.run.plan import MEMORY_PER_DOCUMENT_BYTE, memory_bytes, settings_for_commit
from etl.settings import Settings
from etl.stages.document import DocumentLimits, accepted_chunks, document_part_bounds
from etl.stages.ingest import read_articles
from etl.stages.ingest.readers import make_article
from etl.stages.nlp import (
    DEFAULT_MODEL,
    InProcessParser,
    ParseFailure,
    SubprocessParser,
    parse_batch,
    timeout_reason,
)

PARAGRAPH = (
    "President Nursultan Nazarbaev met Omurbek Babanov in Almaty on Tuesday, 12 May 2015. "
    "Kazakhstan's foreign ministry said it was surprised by the meeting. "
    "Kyrgyzstan accused Kazakhstan of closing the border on 3 June.\n\n"
)
# A header, paragraphs, and one long paragraph on a single line: cuts fall on paragraph breaks
# and, inside the long line, on sentence ends.
LONG_TEXT = (
    "Leaders meet in Almaty\n\nALMATY (Reuters) - "
    + PARAGRAPH * 12
    + (PARAGRAPH.replace("\n\n", " ") * 20).rstrip()
    + "\n\n"
    + PARAGRAPH * 6
)
PART_CHARS = 2_000
LOAD_DATE = date(2026, 1, 1)


def _article(text: str, name: str = "long"):
    return make_article(text, "utf-8", f"file:///in/{name}.txt", {})


@pytest.fixture(scope="module")
def parser():
    return InProcessParser(batch_size=4)


@pytest.fixture(scope="module")
def in_parts(parser):
    """The long text processed in parts of PART_CHARS and whole, and the raw part bounds."""
    article = _article(LONG_TEXT)
    parts = document.process_articles(
        [article], parser, run_id="r", load_date=LOAD_DATE, limits=DocumentLimits(PART_CHARS)
    )
    whole = document.process_articles(
        [article], parser, run_id="r", load_date=LOAD_DATE, limits=DocumentLimits(100_000)
    )
    return parts, whole, document_part_bounds(LONG_TEXT, PART_CHARS)


def test_a_long_document_goes_through_the_stages_in_several_parts(in_parts) -> None:
    _, _, bounds = in_parts
    assert len(bounds) >= 5
    assert all(end - start <= PART_CHARS for start, end in bounds)
    assert [start for start, _ in bounds[1:]] == [end for _, end in bounds[:-1]]


def test_every_offset_of_a_multi_part_document_slices_its_text(in_parts) -> None:
    rows, whole, _ = in_parts
    (doc_row,) = rows.documents
    text, raw = doc_row["text"], doc_row["raw_text"]
    assert text == whole.documents[0]["text"]
    assert doc_row["headline"] == "Leaders meet in Almaty"
    for row in [*rows.sentences, *rows.mentions, *rows.date_mentions]:
        assert text[row["start_char"] : row["end_char"]] == row["text"]
    for row in [*rows.mentions, *rows.date_mentions]:
        assert raw[row["raw_start_char"] : row["raw_end_char"]] == row["text"]
    for row in rows.events:
        assert (
            text[row["start_char"] : row["end_char"]]
            == raw[row["raw_start_char"] : row["raw_end_char"]]
        )
        assert row["trigger_text"] in text[row["start_char"] : row["end_char"]]
    for row in rows.document_parts:
        assert 0 <= row["start_char"] <= row["end_char"] <= len(text)
    # Every part was extracted: as many names, events and sentences as the whole document.
    assert len(rows.mentions) == len(whole.mentions)
    assert len(rows.sentences) == len(whole.sentences)
    assert len(rows.events) >= 0.9 * len(whole.events)


def test_numbers_and_ids_of_a_multi_part_document_are_unique_and_linked(in_parts) -> None:
    rows, _, _ = in_parts
    assert sorted(r["sentence_idx"] for r in rows.sentences) == list(range(len(rows.sentences)))
    assert sorted(r["part_idx"] for r in rows.document_parts) == list(
        range(len(rows.document_parts))
    )
    mention_ids = [r["mention_id"] for r in rows.mentions]
    event_ids = [r["event_id"] for r in rows.events]
    assert len(set(mention_ids)) == len(mention_ids)
    assert len(set(event_ids)) == len(event_ids)
    assert len({r["date_mention_id"] for r in rows.date_mentions}) == len(rows.date_mentions)
    linked = [r[key] for r in rows.events for key in ("actor_mention_id", "recipient_mention_id")]
    assert {m for m in linked if m} <= set(mention_ids)
    assert {r["event_id"] for r in rows.date_mentions if r["event_id"]} <= set(event_ids)
    by_id = {r["mention_id"]: r for r in rows.mentions}
    for event in rows.events:
        if event["actor_mention_id"]:
            assert by_id[event["actor_mention_id"]]["sentence_idx"] == event["sentence_idx"]


def test_part_boundaries_never_split_a_sentence(in_parts) -> None:
    rows, whole, bounds = in_parts
    assert whole.documents[0]["text"] == LONG_TEXT  # well formed: the offsets are the raw ones
    whole_starts = {r["start_char"] for r in whole.sentences}
    for cut, _ in bounds[1:]:
        before = LONG_TEXT[:cut]
        assert before.endswith("\n") or before.rstrip("\"')").endswith((".", "!", "?"))
        # Parsed whole, spaCy starts a sentence where the next part's first word is.
        next_word = cut + len(LONG_TEXT[cut:]) - len(LONG_TEXT[cut:].lstrip())
        assert next_word in whole_starts
    assert {r["start_char"] for r in rows.sentences} == whole_starts


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab .!?\n\"'"), max_size=400),
    part_chars=st.integers(min_value=5, max_value=60),
)
def test_part_bounds_cover_the_text_and_leave_cut_whitespace_to_the_next_part(
    text: str, part_chars: int
) -> None:
    bounds = document_part_bounds(text, part_chars)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(0 < end - start <= part_chars for start, end in bounds) or bounds == [(0, 0)]
    for (previous, _), (start, _) in pairwise(bounds):
        # The whitespace of a cut starts the next part, so no part's clean-up (which strips
        # spaces at a part's end) glues two words; a hard cut only where the window has none.
        window = text[previous + part_chars // 2 : start]
        assert text[start].isspace() or not any(c.isspace() for c in window)


class FakeClock:
    """A clock that only the fake slow stages move."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_document_over_its_time_budget_is_quarantined_and_the_batch_loads(
    monkeypatch, parser
) -> None:
    clock = FakeClock()
    real_normalize, real_extract = document.normalize, document.extract_document

    def normalize(raw, evidence=None):
        if "SLOW-NORMALIZE" in raw:
            clock.now += 100
        return real_normalize(raw, evidence)

    def extract(doc, doc_id, **kwargs):
        if "SLOW-EXTRACT" in doc.text:
            clock.now += 100
        return real_extract(doc, doc_id, **kwargs)

    monkeypatch.setattr(document, "normalize", normalize)
    monkeypatch.setattr(document, "extract_document", extract)
    articles = [
        _article(PARAGRAPH, "good"),
        _article("SLOW-NORMALIZE here. " + PARAGRAPH, "slow-normalize"),
        _article("SLOW-EXTRACT here. " + PARAGRAPH, "slow-extract"),
        _article(PARAGRAPH * 2, "good-too"),
    ]
    limits = DocumentLimits(part_chars=PART_CHARS, timeout_s=10, clock=clock)
    rows = document.process_articles(
        articles, parser, run_id="r", load_date=LOAD_DATE, limits=limits
    )
    assert [r["source_uri"] for r in rows.documents] == [
        "file:///in/good.txt",
        "file:///in/good-too.txt",
    ]
    assert [(q.source_uri, q.reason.split(" passed")[0]) for q in rows.quarantined] == [
        ("file:///in/slow-normalize.txt", "timeout: normalize"),
        ("file:///in/slow-extract.txt", "timeout: extract"),
    ]
    assert "time budget of 10 s per document" in rows.quarantined[0].reason


def test_a_long_document_over_its_budget_stops_within_a_part_and_leaves_no_rows(
    monkeypatch, parser
) -> None:
    clock = FakeClock()
    real_normalize = document.normalize
    normalized_parts = []

    def normalize(raw, evidence=None):
        if "Babanov" in raw:
            normalized_parts.append(raw)
            # Parts take 4 "seconds" (the document 8 and more: within budget, which is per
            # part), the third gets stuck.
            clock.now += 4 if len(normalized_parts) != 3 else 12
        return real_normalize(raw, evidence)

    monkeypatch.setattr(document, "normalize", normalize)
    articles = [_article(LONG_TEXT), _article("The minister resigned on Monday.", "short")]
    limits = DocumentLimits(part_chars=PART_CHARS, timeout_s=10, flush_rows=10, clock=clock)
    chunks = list(
        document.iter_batch_rows(articles, parser, run_id="r", load_date=LOAD_DATE, limits=limits)
    )
    # Rows of the first parts were handed out (partial) before the budget ran out ...
    assert any(chunk.partial and chunk.mentions for chunk in chunks)
    assert len(normalized_parts) == 3  # stopped in the third part, 12 s > 10 s
    kept = [row for chunk in accepted_chunks(chunks, lambda c: c) for row in chunk.mentions]
    # ... and are dropped: only the short document's rows remain.
    assert {row["doc_id"] for row in kept} <= {articles[1].doc_id}
    (failure,) = [q for chunk in chunks for q in chunk.quarantined]
    assert failure.source_uri == "file:///in/long.txt"
    assert failure.reason.startswith(
        "timeout: normalize passed the time budget of 10 s per document part (12.0 s spent)"
    )


def test_a_file_over_the_size_limit_is_refused_with_its_size_and_the_limit(tmp_path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: never read, the size alone refuses it
    defaults = Settings()
    (record,) = read_articles(
        SourceFile(path, path.as_uri(), "txt"),
        max_file_bytes=defaults.max_file_bytes,
        max_article_chars=defaults.max_article_chars,
    )
    assert record.reason == ("too large: 50,000,000 bytes exceeds the limit of 20,000,000 bytes")
    # Raised, the size limit is what decides: the character limit is far beyond it.
    assert defaults.max_article_chars >= 50_000_000


class HangingPipeline:
    """The real pipeline, but a text containing HANG never finishes (a fake stuck stage)."""

    def __init__(self, nlp) -> None:
        self.nlp = nlp

    def __call__(self, text: str):
        while "HANG" in text:
            time.sleep(0.01)
        return self.nlp(text)

    def pipe(self, texts, batch_size=None):
        for text in texts:
            yield self(text)


def test_the_parse_watchdog_stops_a_stuck_text_and_parses_the_others(nlp) -> None:
    texts = ["The minister resigned.", "HANG the parser.", "Talks resumed in Almaty."]
    parsed = parse_batch(HangingPipeline(nlp), texts, timeout_s=0.2)
    assert [doc.text for doc in parsed if not isinstance(doc, ParseFailure)] == [
        texts[0],
        texts[2],
    ]
    failure = parsed[1]
    assert failure.timed_out
    assert failure.reason.startswith("timeout: nlp passed the time budget of 0.2 s per document")


def test_a_parse_timeout_is_quarantined_as_a_timeout(parser) -> None:
    class TimingOutParser:
        def parse(self, texts):
            for text in texts:
                if "Babanov" in text:
                    yield ParseFailure(timeout_reason("nlp", 10, 10.5))
                else:
                    yield from parser.parse([text])

    articles = [_article(PARAGRAPH, "stuck"), _article("The minister resigned.", "fine")]
    rows = document.process_articles(articles, TimingOutParser(), run_id="r", load_date=LOAD_DATE)
    assert [r["source_uri"] for r in rows.documents] == ["file:///in/fine.txt"]
    assert [(q.source_uri, q.reason) for q in rows.quarantined] == [
        (
            "file:///in/stuck.txt",
            "timeout: nlp passed the time budget of 10 s per document (10.5 s spent)",
        )
    ]


def test_the_child_parser_enforces_the_budget_in_its_process() -> None:
    # A budget far below any real parse (1 ms for 5,000 characters) fires the child's alarm.
    with SubprocessParser(DEFAULT_MODEL, part_chars=1_000, timeout_s=0.001) as stuck:
        (failure,) = list(stuck.parse([PARAGRAPH * 25]))
    assert isinstance(failure, ParseFailure) and failure.timed_out


def test_the_commit_memory_limit_holds_the_largest_document_row() -> None:
    defaults = Settings()
    small = [_article(PARAGRAPH, "small")]
    assert settings_for_commit(defaults, small) is defaults
    big = [*small, _article("x" * 50_000_000, "big")]
    raised = settings_for_commit(defaults, big).warehouse_memory_limit
    assert memory_bytes(raised) >= MEMORY_PER_DOCUMENT_BYTE * 50_000_000
    assert memory_bytes("1.5 GiB") == 3 * 2**29 and memory_bytes("128MB") == 128 * 10**6
