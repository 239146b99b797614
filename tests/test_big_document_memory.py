"""What bounds a huge document's memory changes no result: mention rows gathered through their
sort order a block at a time equal those of a sorted copy, and a long document's rows are the
same however often its row buffer is flushed."""

from __future__ import annotations

import random
from datetime import date

import pyarrow as pa
import pytest

from etl.stages.document import DocumentLimits, accepted_chunks, iter_batch_rows
from etl.stages.ingest.readers import make_article
from etl.stages.nlp import InProcessParser
from etl.stages.resolve.entities import (
    _ROW_COLUMNS,
    _ROW_ORDER,
    Group,
    Mention,
    _end_before_spaces,
    _named_apart,
    table_rows,
)

PARAGRAPH = (
    "President Nursultan Nazarbaev met Omurbek Babanov in Almaty on Tuesday, 12 May 2015. "
    "Kyrgyzstan accused Kazakhstan of closing the border on 3 June.\n\n"
)


def _shuffled_mentions(n_rows: int, seed: int = 3) -> pa.Table:
    # Few documents and offsets, so that rows tie on every key but the mention id.
    rng = random.Random(seed)
    rows = [
        {
            "mention_id": f"m{rng.randrange(10**6)}",
            "doc_id": f"d{rng.randrange(4)}",
            "start_char": rng.randrange(20),
            "end_char": rng.randrange(20),
            "text": "Almaty" * rng.randrange(3),
            "label": rng.choice(["GPE", "PERSON", None]),
            "antecedent_mention_id": None,
            "demonym_use": rng.choice(["country", "language", None]),
            "sentence_idx": rng.randrange(9),  # a column table_rows leaves out
        }
        for _ in range(n_rows)
    ]
    return pa.Table.from_pylist(rows)


@pytest.mark.parametrize("block_rows", [1, 7, 65_536])
def test_table_rows_equal_the_rows_of_a_sorted_copy(block_rows: int) -> None:
    mentions = _shuffled_mentions(500)
    expected = mentions.select(_ROW_COLUMNS).sort_by(_ROW_ORDER).to_pylist()
    assert list(table_rows(mentions, block_rows=block_rows)) == expected
    assert list(table_rows(mentions.slice(0, 0))) == []


def test_a_long_documents_rows_do_not_depend_on_how_often_they_are_flushed() -> None:
    text = "Leaders meet in Almaty\n\n" + PARAGRAPH * 30
    article = make_article(text, "utf-8", "file:///in/long.txt", {})
    parser = InProcessParser(batch_size=4)

    def rows_with(flush_rows: int) -> tuple[int, dict[str, list[dict]]]:
        limits = DocumentLimits(part_chars=1_000, flush_rows=flush_rows)
        chunks = iter_batch_rows(
            [article], parser, run_id="r", load_date=date(2026, 1, 1), limits=limits
        )
        kept = accepted_chunks(chunks, lambda chunk: chunk)
        tables = ("documents", "sentences", "mentions", "events", "date_mentions")
        return len(kept), {t: [row for chunk in kept for row in getattr(chunk, t)] for t in tables}

    n_few, few = rows_with(1_000_000)
    n_many, many = rows_with(5)
    assert n_many > n_few  # the small buffer was flushed part by part
    assert many == few
    assert few["mentions"] and few["documents"]


class _RecordingParser:
    """An ``InProcessParser`` that logs each text it parses, to order ``parsed()`` against."""

    def __init__(self, log: list[str]) -> None:
        self.inner = InProcessParser(batch_size=4)
        self.log = log

    def parse(self, texts):
        for doc in self.inner.parse(texts):
            self.log.append("parse")
            yield doc


@pytest.mark.parametrize("with_long", [False, True])
def test_a_batch_says_once_that_its_parsing_is_over_before_its_last_rows(with_long: bool) -> None:
    short = make_article(PARAGRAPH, "utf-8", "file:///in/short.txt", {})
    long = make_article("Leaders meet\n\n" + PARAGRAPH * 12, "utf-8", "file:///in/long.txt", {})
    articles = [short, long, long] if with_long else [short, short]
    log: list[str] = []
    chunks = iter_batch_rows(
        articles,
        _RecordingParser(log),
        run_id="r",
        load_date=date(2026, 1, 1),
        limits=DocumentLimits(part_chars=1_000, flush_rows=5),
        parsed=lambda: log.append("parsed"),
    )
    for _ in chunks:
        log.append("chunk")
    assert log.count("parsed") == 1
    after = log[log.index("parsed") + 1 :]
    assert "parse" not in after  # nothing is parsed after it
    assert after[-1] == "chunk"  # and the batch's last rows still come after it
    assert log.count("parse") > (2 if with_long else 1)


def _named_apart_by_every_pair(surname: Group, person: Group, text: str) -> bool:
    """``_named_apart`` as it was before its index by sentence: every pair of mentions."""
    return any(
        short.end <= full.start
        and len(text[short.end : full.start].strip(" ,")) > 2
        and short.sentence_idx is not None
        and short.sentence_idx == full.sentence_idx
        for short in surname.mentions
        for full in person.mentions
    )


def _random_group(rng: random.Random, kind: str, key: str, text: str) -> Group:
    mentions = []
    for number in range(rng.randrange(0, 12)):
        start = rng.randrange(len(text))
        end = min(len(text), start + rng.randrange(1, 12))
        mention_id, sentence = f"{key}{number}", rng.choice([None, *range(4)])
        surface = text[start:end]
        mentions.append(
            Mention(
                mention_id,
                "d",
                start,
                end,
                surface,
                "PERSON",
                key,
                (key,),
                key,
                None,
                None,
                sentence,
            )
        )
    return Group("d", kind, key, mentions)


def test_named_apart_through_its_sentence_index_equals_every_pair_compared() -> None:
    rng = random.Random(11)
    cases = 0
    for _ in range(400):
        text = "".join(rng.choice("ab ,.") for _ in range(rng.randrange(1, 80)))
        surname = _random_group(rng, "name", "smith", text)
        person = _random_group(rng, "person", "john smith", text)
        expected = _named_apart_by_every_pair(surname, person, text)
        assert _named_apart(surname, person, text) == expected
        cases += expected
    assert 20 < cases < 380  # both answers were exercised


def test_end_before_spaces_equals_the_length_of_the_stripped_prefix() -> None:
    rng = random.Random(5)
    for _ in range(500):
        text = "".join(rng.choice("a( \t\n\u00a0\u2003") for _ in range(rng.randrange(0, 30)))
        index = rng.randrange(len(text) + 1)
        assert _end_before_spaces(text, index) == len(text[:index].rstrip())
