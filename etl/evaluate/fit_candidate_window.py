"""Learn the date window event clustering compares publication-dated events in
(``etl/stages/resolve/data/candidate_window.json``) from the date gaps of coreferent ECB+ reports.

Run ``python -m etl.evaluate.fit_candidate_window --db WAREHOUSE [--write]`` on a warehouse built
from the gold documents (``newsetl run --source ../shared/data/ecb_dev/docs``). It labels the
warehouse's events with gold event instances (as ``newsetl eval coref`` matches them), takes every
pair of events of one gold instance in two documents that share a blocking key and are both dated,
and prints the days between their dates, apart for pairs whose dates were both read from the text
and pairs where one is only a publication day. Each gap of the latter (and no bound) is a
candidate publication window; the narrowest whose leave-one-topic-out cross-document F1 of event
clustering (``fit_coref``: each topic clustered by a model fitted on the others, comparing only
the pairs within the window) equals the best's, to the reported precision, is kept: the fewest
comparisons that cluster held-out topics as well. Dates read from the text need no learned
window: two of them further apart than the model's spread never share a cluster.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from etl.evaluate.coref import gold_mentions, load_prediction, match_all
from etl.evaluate.entities import read_gold
from etl.evaluate.fit_coref import UNBOUNDED, Labelled, leave_one_topic_out
from etl.stages.resolve.clusters import (
    UNCERTAIN_DATE_SOURCE,
    WINDOW_PATH,
    DateWindow,
    candidate_pairs,
    document_profiles,
    events_from_table,
)
from etl.storage.warehouse.engine import fetch_arrow, make_engine


def coreferent_gaps(gold_path: Path, db_path: Path) -> dict[str, list[tuple[str, int]]]:
    """(topic, days apart) of the coreferent cross-document candidate pairs, by kind of dates
    (``certain``: both read from the text; ``publication``: either only a publication day)."""
    prediction = load_prediction(db_path)
    engine = make_engine(db_path, read_only=True)
    try:
        with engine.connect() as conn:
            lists = {"doc_ids": [], "event_ids": [], "chunk_ids": []}
            events = events_from_table(
                fetch_arrow(conn, "load/events_for_clustering.sql", {"all": True, **lists})
            )
            documents = fetch_arrow(
                conn, "load/documents_for_clustering.sql", {"all": True, **lists}
            )
    finally:
        engine.dispose()
    events.sort(key=lambda event: event.event_id)
    gold = gold_mentions(read_gold(gold_path), "events")
    instance_of = {
        event_id: instance for _, _, instance, event_id in match_all(gold, prediction.event_ids)
    }
    window = DateWindow(UNBOUNDED, UNBOUNDED)
    gaps: dict[str, list[tuple[str, int]]] = {"certain": [], "publication": []}
    for i, j in candidate_pairs(events, document_profiles(documents), window):
        first, second = events[i], events[j]
        instance = instance_of.get(first.event_id)
        if (
            instance is None
            or instance != instance_of.get(second.event_id)
            or first.doc_id == second.doc_id
            or first.event_date is None
            or second.event_date is None
        ):
            continue
        uncertain = UNCERTAIN_DATE_SOURCE in (first.date_source, second.date_source)
        topic = prediction.doc_key_of[first.doc_id].split("/")[0]
        days = abs((first.event_date - second.event_date).days)
        gaps["publication" if uncertain else "certain"].append((topic, days))
    return gaps


# Held-out F1 figures closer than this count as equal (they are reported to three decimals).
F1_PRECISION = 0.001


def held_out_f1(gold_path: Path, db_path: Path, windows: list[int]) -> dict[int, float]:
    """Leave-one-topic-out cross-document F1 of event clustering (``fit_coref``) comparing
    publication-dated pairs within each of ``windows`` days."""
    gold_docs = read_gold(gold_path)
    prediction = load_prediction(db_path)
    labelled = Labelled(gold_docs, db_path, prediction)
    scores = {}
    for days in windows:
        labelled.compare_within(days)
        result = leave_one_topic_out(gold_docs, db_path, prediction, labelled)["events"]
        scores[days] = round(result["pairwise"]["across"]["f1"], 4)
        print(f"publication window {days} days: held-out across F1 {scores[days]}", flush=True)
    return scores


def fit_and_report(
    gold_path: Path, db_path: Path, write: bool, tried: list[int] | None = None
) -> dict:
    gaps = coreferent_gaps(gold_path, db_path)
    publication = gaps["publication"]
    # Each gap of a coreferent pair is a candidate window, and no bound (or the windows
    # ``tried``): the narrowest whose held-out F1 is the best's, to the precision the figures
    # are reported in (a smaller difference is one topic's refit, not the window).
    candidates = sorted(tried or {gap for _, gap in publication} | {UNBOUNDED})
    held_out = held_out_f1(gold_path, db_path, candidates)
    best = max(held_out.values())
    days = min(window for window in candidates if held_out[window] >= best - F1_PRECISION)
    report = {
        "publication_days": days,
        "held_out_across_f1": {str(window): f1 for window, f1 in held_out.items()},
        "fitted_on": f"{gold_path.parent.name}: coreferent cross-document candidate pairs "
        f"({len(publication)} with a publication-dated event, {len(gaps['certain'])} with "
        "both dates read from the text)",
        "publication_gaps": dict(sorted(Counter(gap for _, gap in publication).items())),
        "certain_gaps": dict(sorted(Counter(gap for _, gap in gaps["certain"]).items())),
        "covered": round(sum(gap <= days for _, gap in publication) / len(publication), 4),
    }
    if write:
        WINDOW_PATH.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=Path("../shared/data/ecb_dev/gold.jsonl"))
    parser.add_argument("--db", type=Path, required=True, help="warehouse built from the gold docs")
    parser.add_argument("--write", action="store_true", help=f"write the window to {WINDOW_PATH}")
    parser.add_argument(
        "--windows",
        type=int,
        nargs="+",
        help="publication windows (days) to try instead of every gap and no bound (each costs "
        "a leave-one-topic-out fit: about a minute on a quiet machine)",
    )
    args = parser.parse_args(argv)
    print(json.dumps(fit_and_report(args.gold, args.db, args.write, args.windows), indent=2))


if __name__ == "__main__":
    main()
