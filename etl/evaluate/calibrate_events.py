"""Calibrate event confidence on the PLOVER developer sentences, with a held-out check.

An event's ``confidence`` is the probability that its event type is right, estimated per
(rule, actor is a named mention) as a shrunken precision::

    confidence = (correct + m * p0) / (n + m)

where ``n`` events of that key were predicted, ``correct`` of them had the gold type, ``p0`` is
the precision over all keys and ``m`` the shrinkage strength. Keys seen rarely stay near ``p0``.

Fitting and judging on the same sentences would flatter the table, so ``m`` is chosen and the
calibration is reported by k-fold cross-validation: the gold sentences are split into ``k``
folds by a stable hash of their id (a sentence's cased and degraded forms stay together), the
table is fitted on k - 1 folds and applied to the events of the held-out fold. The held-out
report lists, per confidence bucket, the events, their mean confidence and their precision,
plus the Brier score and the expected calibration error (ECE). The table written for the
pipeline is then fitted on all sentences with the chosen ``m``; the file's ``#`` header says
how it was built and carries the held-out report.

Usage: ``python -m etl.evaluate.calibrate_events [GOLD_JSONL] [OUT_TSV] [--folds K]``
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from spacy.language import Language

from etl.evaluate.events import (
    DEFAULT_FOLDS,
    DEFAULT_GOLD,
    fold_of,
    folds_and_paths,
    predictions,
    read_gold,
)
from etl.stages.extract.events import DATA_DIR

SHRINKAGE_GRID = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
BUCKET_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
FALLBACK_RULE = "*"  # the row used for a (rule, actor) key the table has never seen


@dataclass(frozen=True)
class Outcome:
    """One predicted event: its gold sentence, calibration key and whether its type is right."""

    record_id: str
    rule: str
    has_actor_mention: bool
    correct: bool

    @property
    def key(self) -> tuple[str, bool]:
        return self.rule, self.has_actor_mention


@dataclass(frozen=True)
class Table:
    """A fitted calibration: confidence per key, and the fallback for unseen keys."""

    confidence: dict[tuple[str, bool], float]
    fallback: float

    def __call__(self, key: tuple[str, bool]) -> float:
        return self.confidence.get(key, self.fallback)


def outcomes(gold_path: Path, nlp: Language) -> list[Outcome]:
    """Every event predicted on the gold sentences (cased and degraded) with its correctness."""
    return [
        Outcome(record.record_id, rule, row["actor_mention_id"] is not None, correct)
        for _, record, rows in predictions(read_gold(gold_path), nlp)
        for row, rule in rows
        for correct in [row["event_type"] == record.event_type]
    ]


def fit(events: Sequence[Outcome], shrinkage: float) -> Table:
    """Shrunken precision per key, fitted on ``events``."""
    totals: Counter = Counter(e.key for e in events)
    correct: Counter = Counter(e.key for e in events if e.correct)
    prior = (sum(correct.values()) + 1) / (len(events) + 2)
    return Table(
        {key: (correct[key] + shrinkage * prior) / (totals[key] + shrinkage) for key in totals},
        prior,
    )


def held_out(events: Sequence[Outcome], shrinkage: float, folds: int) -> list[tuple[float, bool]]:
    """(confidence from a table fitted without the event's fold, correct) for every event."""
    scored = []
    for fold in range(folds):
        train = [e for e in events if fold_of(e.record_id, folds) != fold]
        table = fit(train, shrinkage)
        scored += [(table(e.key), e.correct) for e in events if fold_of(e.record_id, folds) == fold]
    return scored


def brier(scored: Sequence[tuple[float, bool]]) -> float:
    """Mean squared difference between confidence and outcome (0 is perfect)."""
    return sum((p - float(y)) ** 2 for p, y in scored) / len(scored) if scored else 0.0


def buckets(scored: Sequence[tuple[float, bool]]) -> list[dict]:
    """Per confidence bucket: events, mean confidence, precision (the reliability table)."""
    rows = []
    for low, high in pairwise(BUCKET_EDGES):
        inside = [(p, y) for p, y in scored if low <= p < high or (high == 1.0 and p == 1.0)]
        if not inside:
            continue
        rows.append(
            {
                "bucket": f"[{low:.1f}, {high:.1f})",
                "n": len(inside),
                "mean_confidence": sum(p for p, _ in inside) / len(inside),
                "precision": sum(y for _, y in inside) / len(inside),
            }
        )
    return rows


def expected_calibration_error(scored: Sequence[tuple[float, bool]]) -> float:
    """Event-weighted mean |mean confidence - precision| over the buckets."""
    total = len(scored)
    return (
        sum(b["n"] * abs(b["mean_confidence"] - b["precision"]) for b in buckets(scored)) / total
        if total
        else 0.0
    )


@dataclass(frozen=True)
class Calibration:
    """The chosen shrinkage, the table fitted on everything and the held-out evidence."""

    shrinkage: float
    table: Table
    counts: dict[tuple[str, bool], tuple[int, int]]
    folds: int
    n_events: int
    n_sentences: int
    held_out_brier: float
    held_out_ece: float
    reliability: list[dict]


def calibrate(events: Sequence[Outcome], folds: int = DEFAULT_FOLDS) -> Calibration:
    """Choose the shrinkage by held-out Brier score, then fit the table on all events."""
    by_shrinkage = {m: held_out(events, m, folds) for m in SHRINKAGE_GRID}
    shrinkage = min(SHRINKAGE_GRID, key=lambda m: (brier(by_shrinkage[m]), m))
    scored = by_shrinkage[shrinkage]
    totals: Counter = Counter(e.key for e in events)
    correct: Counter = Counter(e.key for e in events if e.correct)
    return Calibration(
        shrinkage=shrinkage,
        table=fit(events, shrinkage),
        counts={key: (totals[key], correct[key]) for key in totals},
        folds=folds,
        n_events=len(events),
        n_sentences=len({e.record_id for e in events}),
        held_out_brier=brier(scored),
        held_out_ece=expected_calibration_error(scored),
        reliability=buckets(scored),
    )


def report_lines(calibration: Calibration) -> list[str]:
    """The held-out calibration as plain-text lines."""
    lines = [
        f"held-out ({calibration.folds}-fold by gold sentence): "
        f"Brier {calibration.held_out_brier:.3f}, ECE {calibration.held_out_ece:.3f}, "
        f"shrinkage m = {calibration.shrinkage:g}",
        f"{'bucket':<12}{'n':>6}{'mean conf':>11}{'precision':>11}",
    ]
    lines += [
        f"{b['bucket']:<12}{b['n']:>6}{b['mean_confidence']:>11.3f}{b['precision']:>11.3f}"
        for b in calibration.reliability
    ]
    return lines


def write_table(calibration: Calibration, gold_path: Path, out_path: Path) -> None:
    """Write the calibration TSV: a ``#`` header saying how it was built, then one row per key."""
    header = [
        "Event confidence: P(event type is right | rule, actor is a named mention).",
        "Built by: python -m etl.evaluate.calibrate_events "
        f"(gold {gold_path.name}, cased + degraded: {calibration.n_events} predicted events "
        f"in {calibration.n_sentences} sentences).",
        "confidence = (correct + m * p0) / (n + m); p0 = overall precision "
        f"{calibration.table.fallback:.3f} (row '{FALLBACK_RULE}', used for unseen keys); "
        f"m = {calibration.shrinkage:g} chosen by cross-validated Brier score.",
        "The rows are fitted on all gold sentences; the figures below are held out "
        "(each fold scored by a table fitted without it):",
        *report_lines(calibration),
    ]
    fields = ["rule", "has_actor_mention", "n", "correct", "confidence"]
    with out_path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(f"# {line}\n" for line in header)
        writer = csv.DictWriter(handle, fieldnames=fields, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for (rule, has_actor), (n, correct) in sorted(calibration.counts.items()):
            writer.writerow(
                {
                    "rule": rule,
                    "has_actor_mention": "true" if has_actor else "false",
                    "n": n,
                    "correct": correct,
                    "confidence": round(calibration.table((rule, has_actor)), 3),
                }
            )
        writer.writerow(
            {
                "rule": FALLBACK_RULE,
                "has_actor_mention": "",
                "n": calibration.n_events,
                "correct": sum(correct for _, correct in calibration.counts.values()),
                "confidence": round(calibration.table.fallback, 3),
            }
        )


def main(argv: list[str]) -> int:
    from etl.stages.nlp import load_pipeline

    folds, argv = folds_and_paths(argv)
    gold = Path(argv[0]) if argv else DEFAULT_GOLD
    out = Path(argv[1]) if len(argv) > 1 else DATA_DIR / "event_confidence.tsv"
    calibration = calibrate(outcomes(gold, load_pipeline()), folds)
    write_table(calibration, gold, out)
    print("\n".join(report_lines(calibration)))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
