"""Calibrate event confidence: per-rule precision on the PLOVER developer sentences.

Runs the event extractor on every gold sentence, cased and degraded, and counts for each
(rule, actor is a named mention) how many predicted events have the gold event type. The
smoothed precision (correct + 1) / (n + 2) is written to ``etl/extract/data/event_confidence.tsv``,
which ``etl.extract.events`` reads as each event's ``confidence``.

Usage: ``python -m etl.evaluate.calibrate_events [GOLD_JSONL] [OUT_TSV]``
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from spacy.language import Language

from etl.evaluate.events import predictions, read_gold
from etl.extract.events import DATA_DIR

DEFAULT_GOLD = Path(__file__).resolve().parents[3] / "shared" / "data" / "plover_dev.jsonl"


def rule_precision(gold_path: Path, nlp: Language) -> list[dict]:
    """One row per (rule, has_actor_mention): n, correct and smoothed precision."""
    totals: Counter = Counter()
    correct: Counter = Counter()
    for _, record, rows in predictions(read_gold(gold_path), nlp):
        for row, rule in rows:
            key = (rule, row["actor_mention_id"] is not None)
            totals[key] += 1
            correct[key] += row["event_type"] == record.event_type
    return [
        {
            "rule": rule,
            "has_actor_mention": "true" if has_actor else "false",
            "n": totals[(rule, has_actor)],
            "correct": correct[(rule, has_actor)],
            "confidence": round(
                (correct[(rule, has_actor)] + 1) / (totals[(rule, has_actor)] + 2), 3
            ),
        }
        for rule, has_actor in sorted(totals)
    ]


def write_table(rows: list[dict], out_path: Path) -> None:
    """Write the calibration table as TSV."""
    fields = ["rule", "has_actor_mention", "n", "correct", "confidence"]
    with out_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str]) -> int:
    from etl.nlp import load_pipeline

    gold = Path(argv[0]) if argv else DEFAULT_GOLD
    out = Path(argv[1]) if len(argv) > 1 else DATA_DIR / "event_confidence.tsv"
    rows = rule_precision(gold, load_pipeline())
    write_table(rows, out)
    for row in rows:
        print("\t".join(str(row[key]) for key in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
