"""Benchmark: words per second of ``normalize()`` vs spaCy ``nlp.pipe`` on the same degraded text
(GUM dev ``.lower.txt`` files plus the Reuters seed, repeated), and normalization's cost as a
percentage of spaCy's time. Run: ``python bench/bench_normalize.py [--repeat N]``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from etl.stages.nlp import load_pipeline
from etl.stages.normalize import normalize
from etl.stages.normalize.lexicon import load_lexicon

REPO = Path(__file__).resolve().parents[1]
GUM_DIR = REPO.parent / "shared" / "data" / "gum_news_dev"
REUTERS_SEED = REPO / "seeds" / "004_fb51ec9794fbacba.txt"


def degraded_texts() -> list[str]:
    texts = [path.read_text("utf8") for path in sorted(GUM_DIR.glob("*.lower.txt"))]
    texts.append(REUTERS_SEED.read_text("utf8"))
    return texts


def words_per_second(texts: list[str], run) -> float:
    words = sum(len(text.split()) for text in texts)
    started = time.perf_counter()
    run(texts)
    return words / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="copies of the corpus to time")
    args = parser.parse_args()
    texts = degraded_texts() * args.repeat
    load_lexicon()  # one-off load, not part of the per-text cost
    nlp = load_pipeline()
    normalize_rate = words_per_second(texts, lambda batch: [normalize(text) for text in batch])
    spacy_texts = texts[: max(1, len(texts) // 4)]
    spacy_rate = words_per_second(spacy_texts, lambda batch: list(nlp.pipe(batch)))
    print(f"texts: {len(texts)}, words: {sum(len(t.split()) for t in texts)}")
    print(f"normalize(): {normalize_rate:,.0f} words/s")
    print(f"spaCy nlp.pipe: {spacy_rate:,.0f} words/s")
    print(f"normalization cost: {100 * spacy_rate / normalize_rate:.2f}% of spaCy's time")


if __name__ == "__main__":
    main()
