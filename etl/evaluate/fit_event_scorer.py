"""Fit the event scorer on the PLOVER developer sentences and ship it, with its held-out check.

Runs every candidate event on the gold sentences (cased and degraded), cross-validates the
scorer (``etl.evaluate.events.cross_validate``), fits it on every sentence and writes
``etl/stages/extract/data/event_scorer.tsv``, whose ``#`` header records the fitted and held-out
figures. Run it again whenever the lexicon or the rules change.

Usage: ``python -m etl.evaluate.fit_event_scorer [GOLD_JSONL] [--folds K]``
"""

from __future__ import annotations

import sys
from pathlib import Path

from etl.evaluate.events import (
    DEFAULT_GOLD,
    cross_validate,
    folds_and_paths,
    format_cross_validation,
    score_all,
)
from etl.stages.extract.event_scoring import write_scorer
from etl.stages.extract.events import DATA_DIR


def main(argv: list[str]) -> int:
    from etl.stages.nlp import load_pipeline

    folds, argv = folds_and_paths(argv)
    gold = Path(argv[0]) if argv else DEFAULT_GOLD
    result = cross_validate(score_all(gold, load_pipeline()), folds)
    report = format_cross_validation(result)
    header = [
        "Event scorer: logistic weights per feature (etl.stages.extract.event_scoring), the",
        "bias and the threshold below which an event is dropped. Built by:",
        f"python -m etl.evaluate.fit_event_scorer (gold {gold.name}, cased + degraded).",
        "Fitted on every gold sentence; held-out figures are from scorers fitted without the",
        "scored fold:",
        *report.splitlines(),
    ]
    out = DATA_DIR / "event_scorer.tsv"
    write_scorer(result["scorer"], out, header)
    print(report)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
