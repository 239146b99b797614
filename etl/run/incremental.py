"""Incremental event clustering: recluster only the events a run touched, with the cluster ids
a clustering of every event would give.

Clustering (``etl.stages.resolve.cluster_events``) groups events by their key (type, actor
entity, recipient entity) and never compares events of different keys; an event without a key
is a cluster of its own. So after a run only the keys that changed need clustering again:

* the key of every *dirty* event: new (no cluster yet), or whose key no longer matches its
  cluster's, or that is its cluster's first event and no longer has the entity ids the cluster
  row copied from it (resolution changed an actor or recipient entity);
* the key of every *stale* cluster: one holding a dirty event, or that lost members (its
  documents were superseded).

Every event of those keys goes through ``cluster_events`` again; the stale clusters and the old
clusters of the reclustered events are replaced by the result. Clusters of untouched keys keep
the same members, dates and publishers, so they are what a full clustering would give.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from etl.ids import stable_id
from etl.stages.resolve import cluster_events
from etl.stages.resolve.clusters import Event, cluster_key

EVENT_COLUMNS = [
    "event_id",
    "doc_id",
    "event_type",
    "actor_entity_id",
    "recipient_entity_id",
    "event_date",
]


@dataclass(frozen=True)
class ClusterUpdate:
    """Replace ``stale_cluster_ids`` by ``clusters``; set the events of ``cluster_map``."""

    cluster_map: pa.Table
    clusters: pa.Table
    stale_cluster_ids: list[str]


class _ClusterRow(NamedTuple):
    """What a cluster row tells of its first event (rows are held as tuples: there are many)."""

    cluster_id: str
    event_type: str
    actor_entity_id: str | None
    recipient_entity_id: str | None
    event_date: date | None
    n_mentions: int

    @property
    def key(self) -> tuple | None:
        first = Event(self.cluster_id, "", *self[1:5])
        return cluster_key(first)

    def describes(self, event: Event) -> bool:
        """False when ``event`` is this cluster's first event (the cluster id is ``stable_id``
        of it) but the row shows other entity ids than the event has now."""
        if self.cluster_id != stable_id(event.event_id):
            return True
        return (self.actor_entity_id, self.recipient_entity_id) == (
            event.actor_entity_id,
            event.recipient_entity_id,
        )


def recluster(
    events: pa.Table, assigned: pa.Table, clusters: pa.Table, documents: pa.Table
) -> ClusterUpdate:
    """The clustering change after a run.

    ``events``: every event as ``cluster_events`` reads it (resolved entity ids, date);
    ``assigned``: event_id and current ``cluster_id`` of every event (NULL for the run's new
    events); ``clusters``: the current ``event_clusters``; ``documents``: what
    ``cluster_events`` reads of every document (doc_id, publisher).
    """
    cluster_of = dict(
        zip(
            assigned.column("event_id").to_pylist(),
            assigned.column("cluster_id").to_pylist(),
            strict=True,
        )
    )
    rows = [
        (Event(*values), cluster_of.get(values[0]))
        for values in zip(*[events.column(name).to_pylist() for name in EVENT_COLUMNS], strict=True)
    ]
    cluster_rows = {
        values[0]: _ClusterRow(*values)
        for values in zip(
            *[clusters.column(name).to_pylist() for name in _ClusterRow._fields], strict=True
        )
    }
    members = Counter(cluster_id for _, cluster_id in rows if cluster_id is not None)

    stale = {
        cluster_id
        for cluster_id, row in cluster_rows.items()
        if members[cluster_id] != row.n_mentions
    }
    dirty_keys: set[tuple] = set()
    dirty_unkeyed: set[str] = set()
    for event, cluster_id in rows:
        key = cluster_key(event)
        row = cluster_rows.get(cluster_id)
        if row is None or row.key != key or not row.describes(event):
            if cluster_id is not None:
                stale.add(cluster_id)
            if key is None:
                dirty_unkeyed.add(event.event_id)
            else:
                dirty_keys.add(key)
    dirty_keys |= {cluster_rows[c].key for c in stale if c in cluster_rows}
    dirty_keys.discard(None)

    chosen = []
    for index, (event, cluster_id) in enumerate(rows):
        key = cluster_key(event)
        if (key is not None and key in dirty_keys) or event.event_id in dirty_unkeyed:
            chosen.append(index)
            if cluster_id is not None:
                stale.add(cluster_id)
    subset = events.take(pa.array(chosen, pa.int64()))
    doc_ids = pc.unique(subset.column("doc_id"))
    subset_documents = documents.filter(pc.is_in(documents.column("doc_id"), doc_ids))
    cluster_map, new_clusters = cluster_events(subset, subset_documents)
    return ClusterUpdate(cluster_map, new_clusters, sorted(stale))
