"""Benchmark: words per second of ``normalize()`` vs spaCy ``nlp.pipe`` on the same degraded text
(GUM dev ``.lower.txt`` files plus the Reuters seed, repeated), and normalization's cost as a
percentage of spaCy's time, for the learned casing decision (``model=PACKAGED_MODEL``, the
pipeline's default) and for the context rules deciding alone (``model=None``), back to back.
Wall-clock and process CPU time are both printed: on a shared, loaded machine the CPU figure is
the steadier one. The per-process caches (plain words' forms, open words, the model's scores)
are emptied before each path, so neither path starts with what the other learned; the corpus is
repeated, so later copies find their words cached, as the common words of a long run do. The
one-off load of the packaged tables (``load_lexicon``) is timed apart.
Run: ``python bench/bench_normalize.py [--repeat N]``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from etl.stages.nlp import load_pipeline
from etl.stages.normalize import normalize
from etl.stages.normalize.casing_model import PACKAGED_MODEL, load_casing_model
from etl.stages.normalize.lexicon import load_lexicon

REPO = Path(__file__).resolve().parents[1]
GUM_DIR = REPO.parent / "shared" / "data" / "gum_news_dev"
REUTERS_SEED = REPO / "seeds" / "004_fb51ec9794fbacba.txt"


def degraded_texts() -> list[str]:
    texts = [path.read_text("utf8") for path in sorted(GUM_DIR.glob("*.lower.txt"))]
    texts.append(REUTERS_SEED.read_text("utf8"))
    return texts


def words_per_second(texts: list[str], run) -> tuple[float, float]:
    """(wall-clock, process CPU) words per second of ``run(texts)``."""
    words = sum(len(text.split()) for text in texts)
    wall, cpu = time.perf_counter(), time.process_time()
    run(texts)
    return words / (time.perf_counter() - wall), words / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="copies of the corpus to time")
    args = parser.parse_args()
    texts = degraded_texts() * args.repeat
    started = time.process_time()
    lexicon = load_lexicon()  # one-off loads, not part of the per-text cost
    model = load_casing_model()
    load_seconds = time.process_time() - started
    nlp = load_pipeline()

    def cold(model_choice):
        """Normalize a batch with the process caches emptied first."""

        def run(batch):
            lexicon.word_form_cache.clear()
            lexicon.open_word_cache.clear()
            model.cached_scores.clear()
            return [normalize(text, None, model_choice) for text in batch]

        return run

    rates = {
        "rules": words_per_second(texts, cold(None)),
        "learned": words_per_second(texts, cold(PACKAGED_MODEL)),
    }
    spacy_texts = texts[: max(1, len(texts) // 4)]
    spacy_wall, spacy_cpu = words_per_second(spacy_texts, lambda batch: list(nlp.pipe(batch)))
    print(f"texts: {len(texts)}, words: {sum(len(t.split()) for t in texts)}")
    print(f"one-off load of the packaged tables and weights: {load_seconds:.2f} s CPU")
    print(f"spaCy nlp.pipe: {spacy_wall:,.0f} words/s wall, {spacy_cpu:,.0f} words/s CPU")
    for name, (wall, cpu) in rates.items():
        print(
            f"normalize() {name:<8} {wall:,.0f} words/s wall, {cpu:,.0f} words/s CPU: "
            f"{100 * spacy_wall / wall:.2f}% of spaCy's time wall, "
            f"{100 * spacy_cpu / cpu:.2f}% CPU"
        )


if __name__ == "__main__":
    main()
