"""Benchmark: what each spaCy component of the pipeline costs, and which attributes it sets.

Parses the same real news texts (the seeds and ../shared/data, as ``bench_pipeline.py`` builds
them) component by component in this process and prints each component's seconds and share of
the total, so a component no stage needs can be weighed against what it gives. One process,
one core; run on an idle machine for absolute figures (shares hold either way).

Run: ``python bench/bench_components.py [--n 300]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import build_corpus

from etl.stages.nlp import DEFAULT_MODEL


def component_seconds(texts: list[str], model: str, batch_size: int) -> dict[str, float]:
    """Seconds each stage of the full pipeline takes over ``texts`` (tokenizer included)."""
    import spacy

    nlp = spacy.load(model)
    list(nlp.pipe(texts[:8]))  # warm-up: lazily built tables and caches
    started = time.process_time()
    docs = [nlp.make_doc(text) for text in texts]
    seconds = {"tokenizer": time.process_time() - started}
    for name, component in nlp.pipeline:
        started = time.process_time()
        docs = list(component.pipe(docs, batch_size=batch_size))
        seconds[name] = time.process_time() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="Documents.")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-") as tmp:
        texts = build_corpus(Path(tmp) / "corpus", args.n)
    seconds = component_seconds(texts, args.model, args.batch_size)
    total = sum(seconds.values())
    words = sum(len(text.split()) for text in texts)
    print(f"{args.n} documents, {words:,} whitespace words, {args.model}, one process")
    for name, spent in seconds.items():
        print(f"  {name:16s} {spent:7.2f} s  {spent / total:6.1%}")
    print(f"  {'total':16s} {total:7.2f} s  ({words / total:,.0f} words/s)")


if __name__ == "__main__":
    main()
