"""Benchmark: event extraction time against bare spaCy parsing on the GUM dev news documents.

Prints words per second for parsing alone and the share of time the extractors add (sentences,
mentions, events and date mentions over the already parsed Docs), for the first pass over the
documents (cold: lexicon loads and date caches empty) and for all passes. Usage:
``python bench/bench_events.py [DATA_DIR]``
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from etl.stages.extract.dates import extract_date_mentions
from etl.stages.extract.events import extract_events
from etl.stages.extract.locations import country_code
from etl.stages.extract.mentions import extract_mentions
from etl.stages.extract.sentences import extract_sentences
from etl.stages.nlp import load_pipeline, parse_texts

PUBLISHED = date(2017, 9, 20)
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gum_news_dev"


def extract_all(doc, doc_id: str) -> tuple[list[dict], list[dict]]:
    """Sentences, mentions, events and date mentions of one parsed Doc, as the pipeline does."""
    sentences = extract_sentences(doc, doc_id)
    starts = [s["start_char"] for s in sentences]
    mentions = extract_mentions(doc, doc_id, starts)
    events = extract_events(doc, mentions, doc_id=doc_id, published_at=PUBLISHED)
    return events, extract_date_mentions(doc, doc_id, PUBLISHED, starts, events=events)


def main(argv: list[str]) -> int:
    data = Path(argv[0]) if argv else DEFAULT_DATA
    texts = [p.read_text(encoding="utf-8") for p in sorted(data.glob("*.txt"))] * 3
    nlp = load_pipeline()
    list(parse_texts(nlp, texts[:2]))  # warm-up
    started = time.perf_counter()
    country_code("Almaty")  # the gazetteer loads once per process
    print(f"gazetteer load (once per process): {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    docs = list(parse_texts(nlp, texts))
    parse_seconds = time.perf_counter() - started
    unique = len(texts) // 3
    started = time.perf_counter()
    n_events = n_dates = 0
    cold_seconds = 0.0
    for i, doc in enumerate(docs):
        events, dates = extract_all(doc, str(i))
        n_events += len(events)
        n_dates += len(dates)
        if i == unique - 1:
            cold_seconds = time.perf_counter() - started
    extract_seconds = time.perf_counter() - started
    cold_parse = parse_seconds * unique / len(texts)
    words = sum(len(t.split()) for t in texts)
    print(f"documents {len(texts)}, words {words}, events {n_events}, date mentions {n_dates}")
    print(f"spaCy parse: {parse_seconds:.2f} s ({words / parse_seconds:,.0f} words/s)")
    print(
        f"extraction, first pass: {cold_seconds:.2f} s ({cold_seconds / cold_parse:.1%} of parse)"
    )
    print(f"extraction:  {extract_seconds:.2f} s ({extract_seconds / parse_seconds:.1%} of parse)")
    ratio = parse_seconds / (parse_seconds + extract_seconds)
    print(f"throughput ratio (parse / (parse + extraction)): {ratio:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
