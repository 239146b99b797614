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

from etl.stages.document import extract_document
from etl.stages.extract.locations import country_code
from etl.stages.nlp import load_pipeline, parse_texts

PUBLISHED = date(2017, 9, 20)
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gum_news_dev"


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
        extracted = extract_document(doc, str(i), published_at=PUBLISHED)
        n_events += len(extracted.events)
        n_dates += len(extracted.date_mentions)
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
