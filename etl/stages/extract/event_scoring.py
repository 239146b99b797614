"""Score event candidates by sense and argument structure, and keep those likely to be right.

Every event the rules find carries a few categorical features: the rule that found it, how
the lexicon derived its trigger (seed word or a WordNet synonym, hyponym or nominalization),
the clause it sits in, and the semantic class of its actor and recipient (a
named party, a common noun naming people or a group per WordNet, a pronoun, a thing, none).
A logistic regression over these features estimates the probability that the event type is
right. A sentence reports one main event: its candidates compete, the best-scoring one is
kept when it reaches ``threshold``, and any other only when it reaches the stricter
``others_threshold`` on its own (a second event the sentence states as clearly). Weights,
prior strength and both thresholds are learned from the PLOVER developer sentences by
``python -m etl.evaluate.fit_event_scorer`` (the prior strength is the one of ``L2_GRID`` that
cross-validates best inside the training sentences; the thresholds the pair that maximizes
event-type F1 over the out-of-fold scores of those inner folds), and judged by
cross-validation: ``newsetl eval events --folds K`` fits them all without each held-out fold.

The fitted model lives in ``data/event_scorer.tsv``: one row per feature weight, plus the rows
``(bias)``, ``(threshold)`` and ``(others threshold)`` (absent: the same as ``(threshold)``,
every event judged on its own). Without the file every event is kept.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

BIAS = "(bias)"
# The feature of an aside: an event in a relative clause beside the sentence's main event
# ("..., who *stepped down* last month"). It happened, but the coding of a
# sentence's event leaves it out, so the gold sentences neither confirm nor refute its type:
# asides are kept as found, and the scorer is neither judged nor fitted on them.
ASIDE = "clause:aside"
THRESHOLD = "(threshold)"
OTHERS_THRESHOLD = "(others threshold)"
# Strengths of the Gaussian prior on the weights (features seen a few times stay near zero);
# the fitting chooses one by cross-validation inside the sentences it is given.
L2_GRID = (0.3, 1.0, 3.0, 10.0)
ITERATIONS = 400
THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(0, 19))
# Thresholds for a sentence's other events; above 1 keeps none but the best.
OTHERS_GRID = (0.7, 0.8, 0.9, 1.01)


@dataclass(frozen=True)
class EventScorer:
    """Logistic weights per feature, a bias, the threshold below which a sentence's best event
    is dropped and the one below which its other events are (``None``: the same)."""

    weights: dict[str, float]
    bias: float
    threshold: float
    others_threshold: float | None = None

    def probability(self, features: Sequence[str]) -> float:
        total = self.bias + sum(self.weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))

    def keeps(self, features: Sequence[str]) -> bool:
        """Whether an event is kept as the best (or only) candidate of its sentence."""
        return self.select([features])[0]

    def select(self, sentence: Sequence[Sequence[str]]) -> list[bool]:
        """Which of one sentence's candidate events are kept: the best-scoring one at
        ``threshold`` (rows of equal score, e.g. one trigger's conjoined parties, alike), the
        others at ``others_threshold``; asides are kept and do not compete."""
        if self.threshold <= 0.0:
            return [True] * len(sentence)
        others = self.threshold if self.others_threshold is None else self.others_threshold
        scores = [None if ASIDE in f else self.probability(f) for f in sentence]
        best = max((p for p in scores if p is not None), default=0.0)
        return [
            p is None or p >= others or (p >= self.threshold and p >= best - 1e-9) for p in scores
        ]


KEEP_ALL = EventScorer({}, 0.0, 0.0)


def fit_weights(
    examples: Sequence[tuple[Sequence[str], bool]], l2_penalty: float
) -> tuple[dict[str, float], float]:
    """L2-regularized logistic regression over binary features, by gradient descent."""
    names = sorted({f for features, _ in examples for f in features})
    if not examples:
        return {}, 0.0
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(examples), len(names)))
    y = np.array([1.0 if label else 0.0 for _, label in examples])
    for row, (features, _) in enumerate(examples):
        for f in features:
            x[row, index[f]] = 1.0
    weights = np.zeros(len(names))
    bias = 0.0
    n = len(examples)
    rate = 0.5
    for _ in range(ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
        error = p - y
        weights -= rate * (x.T @ error / n + l2_penalty * weights / n)
        bias -= rate * float(error.mean())
    return {name: float(weights[index[name]]) for name in names}, bias


def write_scorer(scorer: EventScorer, path: Path, header: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(f"# {line}\n" for line in header)
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["feature", "weight"])
        writer.writerow([BIAS, f"{scorer.bias:.4f}"])
        writer.writerow([THRESHOLD, f"{scorer.threshold:.2f}"])
        if scorer.others_threshold is not None:
            writer.writerow([OTHERS_THRESHOLD, f"{scorer.others_threshold:.2f}"])
        for name, weight in sorted(scorer.weights.items()):
            writer.writerow([name, f"{weight:.4f}"])


@lru_cache(maxsize=4)
def load_scorer(path: Path) -> EventScorer:
    """The fitted scorer in ``path``, or one that keeps everything when there is none."""
    if not path.exists():
        return KEEP_ALL
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        values = {row["feature"]: float(row["weight"]) for row in rows}
    bias = values.pop(BIAS, 0.0)
    threshold = values.pop(THRESHOLD, 0.0)
    return EventScorer(values, bias, threshold, values.pop(OTHERS_THRESHOLD, None))
