"""Learn the date window event clustering compares publication-dated events in
(``etl/stages/resolve/data/candidate_window.json``) from the date gaps of coreferent ECB+ reports.

Run ``python -m etl.evaluate.fit_candidate_window --db WAREHOUSE [--write]`` on a warehouse built
from the gold documents (``newsetl run --source ../shared/data/ecb_dev/docs``). It labels the
warehouse's events with gold event instances (as ``newsetl eval coref`` matches them), takes every
pair of events of one gold instance in two documents that share a blocking key and are both dated,
and prints the days between their dates, apart for pairs whose dates were both read from the text
and pairs where one is only a publication day. The publication window is the smallest number of
days covering ``fit_coref.SPREAD_QUANTILE`` of the latter (most reports of an event appear within
days of it; a late report, a trial or an anniversary, months later). Dates read from the text need
no learned window: two of them further apart than the model's spread never share a cluster.

It also prints the share of each topic's coreferent publication-dated pairs covered by the window
learned on the other topics (leave one topic out) beside the share covered when fitted on all.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from pathlib import Path

from etl.evaluate.coref import gold_mentions, load_prediction, match_all
from etl.evaluate.entities import read_gold
from etl.evaluate.fit_coref import SPREAD_QUANTILE, UNBOUNDED
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


def covering_days(days: list[int], quantile: float = SPREAD_QUANTILE) -> int:
    """The fewest days covering ``quantile`` of ``days``."""
    ordered = sorted(days)
    return ordered[max(math.ceil(quantile * len(ordered)) - 1, 0)]


def fit_and_report(gold_path: Path, db_path: Path, write: bool) -> dict:
    gaps = coreferent_gaps(gold_path, db_path)
    publication = gaps["publication"]
    days = covering_days([gap for _, gap in publication])
    topics = sorted({topic for topic, _ in publication}, key=lambda t: (len(t), t))
    covered_held_out = 0
    for topic in topics:
        window = covering_days([gap for other, gap in publication if other != topic])
        covered_held_out += sum(gap <= window for other, gap in publication if other == topic)
    report = {
        "publication_days": days,
        "quantile": SPREAD_QUANTILE,
        "fitted_on": f"{gold_path.parent.name}: coreferent cross-document candidate pairs "
        f"({len(publication)} with a publication-dated event, {len(gaps['certain'])} with "
        "both dates read from the text)",
        "publication_gaps": dict(sorted(Counter(gap for _, gap in publication).items())),
        "certain_gaps": dict(sorted(Counter(gap for _, gap in gaps["certain"]).items())),
        "covered": {
            "fitted": round(sum(gap <= days for _, gap in publication) / len(publication), 4),
            "leave_one_topic_out": round(covered_held_out / len(publication), 4),
        },
    }
    if write:
        WINDOW_PATH.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=Path("../shared/data/ecb_dev/gold.jsonl"))
    parser.add_argument("--db", type=Path, required=True, help="warehouse built from the gold docs")
    parser.add_argument("--write", action="store_true", help=f"write the window to {WINDOW_PATH}")
    args = parser.parse_args(argv)
    print(json.dumps(fit_and_report(args.gold, args.db, args.write), indent=2))


if __name__ == "__main__":
    main()
