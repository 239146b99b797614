"""Benchmark: event extraction time against bare spaCy parsing on the GUM dev news documents.

Prints words per second for parsing alone and the share of time the event extractor adds
(mentions, sentences and events over the already parsed Docs). Usage:
``python bench/bench_events.py [DATA_DIR]``
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from etl.extract.events import extract_events
from etl.extract.locations import country_code
from etl.extract.mentions import extract_mentions
from etl.extract.sentences import extract_sentences
from etl.nlp import load_pipeline, parse_texts

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
    started = time.perf_counter()
    n_events = 0
    for i, doc in enumerate(docs):
        sentences = extract_sentences(doc, str(i))
        mentions = extract_mentions(doc, str(i), [s["start_char"] for s in sentences])
        n_events += len(
            extract_events(doc, mentions, doc_id=str(i), published_at=date(2017, 9, 20))
        )
    extract_seconds = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    print(f"documents {len(texts)}, words {words}, events {n_events}")
    print(f"spaCy parse: {parse_seconds:.2f} s ({words / parse_seconds:,.0f} words/s)")
    print(f"extraction:  {extract_seconds:.2f} s ({extract_seconds / parse_seconds:.1%} of parse)")
    ratio = parse_seconds / (parse_seconds + extract_seconds)
    print(f"throughput ratio (parse / (parse + extraction)): {ratio:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
