"""Benchmark entity resolution and event clustering on synthetic mentions; prints timings.

Usage: python bench/bench_resolve.py [N_DOCUMENTS]   (20 mentions per document)
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta

import pyarrow as pa

from etl import schema
from etl.ids import stable_id
from etl.stages.resolve.clusters import cluster_events
from etl.stages.resolve.entities import resolve_entities

GIVEN = ["Nursultan", "Omurbek", "Almazbek", "Sooronbai", "Vladimir", "Angela", "John", "Mary"]
FAMILY = ["Nazarbaev", "Nazarbayev", "Babanov", "Atambaev", "Jeenbekov", "Putin", "Smith", "Lee"]
PLACES = [("Kyrgyzstan", "GPE"), ("Kazakh", "NORP"), ("Almaty", "GPE"), ("Bishkek", "GPE")]
ORGS = ["Foreign Ministry", "Central Election Commission", "Social Democratic Party"]


def synthetic(n_documents: int, seed: int = 7) -> tuple[pa.Table, pa.Table]:
    rng = random.Random(seed)
    mentions, documents = [], []
    for doc_index in range(n_documents):
        doc_id = f"doc{doc_index:07d}"
        words = []
        for _ in range(20):
            choice = rng.random()
            if choice < 0.4:
                name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}{rng.randint(0, 3000)}"
                label = "PERSON"
            elif choice < 0.7:
                name, label = rng.choice(PLACES)
            else:
                name, label = f"{rng.choice(ORGS)} {rng.randint(0, 5000)}", "ORG"
            words.append((name, label))
        text = ""
        for position, (name, label) in enumerate(words):
            start = len(text)
            text += name + " said that. "
            mentions.append(
                {
                    "mention_id": stable_id(doc_id, start, start + len(name)),
                    "doc_id": doc_id,
                    "sentence_idx": position,
                    "start_char": start,
                    "end_char": start + len(name),
                    "raw_start_char": start,
                    "raw_end_char": start + len(name),
                    "text": name,
                    "label": label,
                }
            )
        documents.append({"doc_id": doc_id, "text": text, "publisher": f"p{doc_index % 50}"})
    return pa.Table.from_pylist(mentions, schema=schema.MENTIONS), pa.Table.from_pylist(documents)


def synthetic_events(n_events: int, seed: int = 7) -> pa.Table:
    rng = random.Random(seed)
    columns = schema.EXTRACTED_EVENTS.append(pa.field("actor_entity_id", pa.string()))
    columns = columns.append(pa.field("recipient_entity_id", pa.string()))
    rows = []
    for index in range(n_events):
        row = dict.fromkeys(columns.names)
        row.update(
            event_id=f"e{index}",
            doc_id=f"doc{index % 1000:07d}",
            event_type=rng.choice(["ACCUSE", "CONSULT", "PROTEST"]),
            actor_entity_id=f"a{rng.randint(0, 300)}",
            recipient_entity_id=f"a{rng.randint(0, 300)}",
            event_date=date(2017, 1, 1) + timedelta(days=rng.randint(0, 365)),
        )
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=columns)


def main() -> None:
    n_documents = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    mentions, documents = synthetic(n_documents)
    started = time.perf_counter()
    result = resolve_entities(mentions, documents)
    elapsed = time.perf_counter() - started
    print(
        f"resolve_entities: {n_documents} documents, {mentions.num_rows} mentions -> "
        f"{result.entities.num_rows} entities in {elapsed:.1f} s "
        f"({mentions.num_rows / elapsed:,.0f} mentions/s)"
    )
    events = synthetic_events(n_documents * 2)
    started = time.perf_counter()
    _, clusters = cluster_events(events, documents)
    elapsed = time.perf_counter() - started
    print(
        f"cluster_events: {events.num_rows} events -> {clusters.num_rows} clusters "
        f"in {elapsed:.1f} s"
    )


if __name__ == "__main__":
    main()
