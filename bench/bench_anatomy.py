"""Benchmark: words per second of the document anatomy (``read_anatomy`` plus the parse-time
``sentence_starts``) vs spaCy ``nlp.pipe`` on the ECB+ developer texts, and the anatomy's cost as a
percentage of spaCy's time. Run: ``python bench/bench_anatomy.py [--repeat N]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench_normalize import words_per_second

from etl.stages.anatomy import load_thresholds, read_anatomy, sentence_starts
from etl.stages.nlp import load_pipeline

REPO = Path(__file__).resolve().parents[1]
ECB_DOCS = REPO.parent / "shared" / "data" / "ecb_dev" / "docs"


def ecb_documents() -> list[tuple[str, str | None]]:
    documents = []
    for path in sorted(ECB_DOCS.glob("*/*.txt")):
        meta = json.loads(path.with_suffix(".meta.json").read_text("utf8"))
        documents.append((path.read_text("utf8"), meta.get("url")))
    return documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="copies of the corpus to time")
    args = parser.parse_args()
    documents = ecb_documents() * args.repeat
    urls = dict(documents)
    texts = [text for text, _ in documents]
    load_thresholds()  # one-off load, not part of the per-text cost
    nlp = load_pipeline()

    def anatomy(batch: list[str]) -> None:
        for text in batch:
            sentence_starts(text)
            read_anatomy(text, url=urls[text])

    anatomy_rate = words_per_second(texts, anatomy)
    spacy_texts = texts[: max(1, len(texts) // (4 * args.repeat))]
    spacy_rate = words_per_second(spacy_texts, lambda batch: list(nlp.pipe(batch)))
    print(f"texts: {len(texts)}, words: {sum(len(t.split()) for t in texts)}")
    print(f"anatomy: {anatomy_rate:,.0f} words/s")
    print(f"spaCy nlp.pipe: {spacy_rate:,.0f} words/s")
    print(f"anatomy cost: {100 * spacy_rate / anatomy_rate:.2f}% of spaCy's time")


if __name__ == "__main__":
    main()
