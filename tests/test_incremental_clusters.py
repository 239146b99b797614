"""Incremental clustering gives the clusters of a full clustering, touching only changed keys."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa
import pytest

from etl import schema
from etl.run.incremental import EVENT_COLUMNS, recluster
from etl.stages.resolve import cluster_events

ENTITIES = [f"e{i}" for i in range(12)] + [None]
TYPES = ["CONSULT", "ACCUSE", "AGREE"]


def _events(rng: random.Random, doc_ids: list[str], prefix: str) -> list[dict]:
    rows = []
    for n in range(60):
        start = date(2020, 1, 1)
        rows.append(
            {
                "event_id": f"{prefix}{n:03d}",
                "doc_id": rng.choice(doc_ids),
                "event_type": rng.choice(TYPES),
                "actor_entity_id": rng.choice(ENTITIES),
                "recipient_entity_id": rng.choice(ENTITIES),
                "event_date": None if rng.random() < 0.05 else start + timedelta(rng.randrange(6)),
                "cluster_id": None,
            }
        )
    return rows


COLUMNS = [
    *(schema.EVENTS.field(name) for name in list(EVENT_COLUMNS)),
    schema.EVENTS.field("cluster_id"),
]


def _table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=pa.schema(COLUMNS))


def _documents(doc_ids: list[str]) -> pa.Table:
    """A document's publisher never changes (it is part of its content)."""
    publishers = [f"p{sum(map(ord, doc_id)) % 3}" for doc_id in doc_ids]
    return pa.table({"doc_id": doc_ids, "publisher": publishers})


def _full(rows: list[dict], documents: pa.Table) -> tuple[dict, list]:
    cluster_map, clusters = cluster_events(_table(rows), documents)
    mapping = dict(zip(*cluster_map.to_pydict().values(), strict=True))
    return mapping, sorted(clusters.to_pylist(), key=lambda row: row["cluster_id"])


@pytest.mark.parametrize("seed", range(6))
def test_incremental_clustering_equals_full_clustering(seed):
    rng = random.Random(seed)
    first_docs = [f"d{i}" for i in range(20)]
    first = _events(rng, first_docs, "a")
    mapping, clusters = _full(first, _documents(first_docs))
    for row in first:
        row["cluster_id"] = mapping[row["event_id"]]

    # The next night: one document superseded, new documents and events, and entity
    # resolution merged e3 into e1 (old events' entity ids change).
    docs = [d for d in first_docs if d != "d7"] + [f"n{i}" for i in range(5)]
    after = [dict(row) for row in first if row["doc_id"] != "d7"]
    for row in after:
        for side in ("actor_entity_id", "recipient_entity_id"):
            if row[side] == "e3":
                row[side] = "e1"
    after += _events(rng, [f"n{i}" for i in range(5)], "b")[:15]

    events = _table(after)
    assigned = events.select(["event_id", "cluster_id"])
    update = recluster(
        events.drop_columns(["cluster_id"]),
        assigned,
        pa.Table.from_pylist(clusters),
        _documents(docs),
    )
    new_map = dict(zip(*update.cluster_map.to_pydict().values(), strict=True))
    incremental_map = {
        row["event_id"]: new_map.get(row["event_id"], row["cluster_id"]) for row in after
    }
    stale = set(update.stale_cluster_ids)
    incremental_clusters = sorted(
        [row for row in clusters if row["cluster_id"] not in stale] + update.clusters.to_pylist(),
        key=lambda row: row["cluster_id"],
    )

    full_map, full_clusters = _full(after, _documents(docs))
    assert incremental_map == full_map
    assert incremental_clusters == full_clusters
    # Only part of the clusters was recomputed.
    assert 0 < len(update.clusters) < len(full_clusters)
    assert len(new_map) < len(after)
