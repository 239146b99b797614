"""Benchmark: what each spaCy component costs, in the model as shipped and as newsetl runs it.

Parses the same real news texts (the seeds and ../shared/data, as ``bench_pipeline.py`` builds
them) component by component in this process and prints each component's CPU seconds and share
of the total, twice: the model's own pipeline (what bare spaCy runs), and newsetl's
(``etl.stages.nlp.load_pipeline``: the paragraph-break component, and ``token_attributes`` in
place of the attribute ruler and lemmatizer), then the ratio of the totals. One process, one
core; CPU seconds, so a busy machine blurs them less than wall time.

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
from spacy.language import Language

from etl.stages.nlp import DEFAULT_MODEL, load_pipeline


def print_seconds(title: str, seconds: dict[str, float], words: int) -> float:
    total = sum(seconds.values())
    print(title)
    for name, spent in seconds.items():
        print(f"  {name:16s} {spent:7.2f} s  {spent / total:6.1%}")
    print(f"  {'total':16s} {total:7.2f} s  ({words / total:,.0f} words/s)")
    return total


def component_seconds(nlp: Language, texts: list[str], batch_size: int) -> dict[str, float]:
    """CPU seconds each enabled component of ``nlp`` takes over ``texts`` (tokenizer included)."""
    list(nlp.pipe(texts[:8]))  # warm-up: lazily built tables and caches
    started = time.process_time()
    docs = [nlp.make_doc(text) for text in texts]
    seconds = {"tokenizer": time.process_time() - started}
    for name, component in nlp.pipeline:
        started = time.process_time()
        if hasattr(component, "pipe"):
            docs = list(component.pipe(docs, batch_size=batch_size))
        else:  # a plain callable component
            docs = [component(doc) for doc in docs]
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
    import spacy

    words = sum(len(text.split()) for text in texts)
    print(f"{args.n} documents, {words:,} whitespace words, {args.model}, one process")
    stock = component_seconds(spacy.load(args.model), texts, args.batch_size)
    stock_total = print_seconds("the model as shipped (bare spaCy):", stock, words)
    ours = component_seconds(load_pipeline(args.model), texts, args.batch_size)
    ours_total = print_seconds("as newsetl runs it (etl.stages.nlp.load_pipeline):", ours, words)
    print(f"newsetl's pipeline parses {stock_total / ours_total:.2f}x as fast as the shipped one")


if __name__ == "__main__":
    main()
