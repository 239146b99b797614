"""Event clustering: event mentions that report the same real-world event share a ``cluster_id``.

Two event mentions are the same event when they have the same PLOVER type, the same actor entity
and the same recipient entity (in either order for reciprocal types such as CONSULT, where "A met
B" and "B met A" are one meeting), and dates within one day. Events of one key are taken in date
order; a cluster starts at its earliest event and takes every later event dated at most one day
after that start, so a cluster never spans more than two consecutive days.

An event with only one of the two entities matches only events missing the same side. Events
with neither an actor nor a recipient entity, and events without a date, cannot be matched with
confidence and get a cluster of their own. The ``cluster_id`` is ``stable_id`` of the
cluster's earliest event id (by date, then id): deterministic for the same events, and it changes
only when a new report of the event arrives with an earlier date or a smaller id on the same day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import repeat
from typing import NamedTuple

import pyarrow as pa

from etl import schema
from etl.ids import stable_id

# Types whose actor and recipient play the same role: "A consulted B" is "B consulted A".
RECIPROCAL_TYPES = frozenset({"CONSULT", "COOPERATE"})
MAX_DAYS_APART = 1
_COLUMNS = ["event_id", "doc_id", "event_type", "actor_entity_id", "recipient_entity_id"]

ClusterKey = tuple[str, str | None, str | None]


class Event(NamedTuple):
    """What clustering compares of one event (a tuple: the warehouse holds many of them)."""

    event_id: str
    doc_id: str
    event_type: str
    actor_entity_id: str | None
    recipient_entity_id: str | None
    event_date: date | None


def cluster_key(event: Event) -> ClusterKey | None:
    """(type, actor, recipient) identifying the event, or None when it cannot be matched."""
    actor, recipient = event.actor_entity_id, event.recipient_entity_id
    if (not actor and not recipient) or event.event_date is None:
        return None
    if event.event_type in RECIPROCAL_TYPES and (actor or "") > (recipient or ""):
        actor, recipient = recipient, actor
    return event.event_type, actor, recipient


def _order(event: Event) -> tuple[date, str]:
    return event.event_date, event.event_id


def assign_clusters(events: list[Event]) -> dict[str, list[Event]]:
    """cluster_id -> its events (each list sorted by date, then event id)."""
    by_key: dict[ClusterKey, list[Event]] = defaultdict(list)
    clusters: dict[str, list[Event]] = {}
    for event in events:
        key = cluster_key(event)
        if key is None:
            clusters[stable_id(event.event_id)] = [event]
        else:
            by_key[key].append(event)
    for key in sorted(by_key, key=lambda item: tuple(part or "" for part in item)):
        current: list[Event] = []
        for event in sorted(by_key[key], key=_order):
            if current and (event.event_date - current[0].event_date).days > MAX_DAYS_APART:
                clusters[stable_id(current[0].event_id)] = current
                current = []
            current.append(event)
        clusters[stable_id(current[0].event_id)] = current
    return clusters


def cluster_events(events: pa.Table, documents: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(event_cluster_map, event_clusters) for events with resolved actor/recipient entity ids."""
    columns = [events.column(name).to_pylist() for name in [*_COLUMNS, "event_date"]]
    rows = [Event(*values) for values in zip(*columns, strict=True)]
    del columns
    publisher_of = dict(
        zip(
            documents.column("doc_id").to_pylist(),
            documents.column("publisher").to_pylist(),
            strict=True,
        )
    )
    clusters = assign_clusters(rows)
    mapped_events: list[str] = []
    mapped_clusters: list[str] = []
    cluster_rows = []
    for cluster_id in sorted(clusters):
        members = clusters[cluster_id]
        first = members[0]
        doc_ids = {event.doc_id for event in members}
        publishers = {publisher_of.get(doc_id) for doc_id in doc_ids} - {None}
        cluster_rows.append(
            {
                "cluster_id": cluster_id,
                "event_type": first.event_type,
                "actor_entity_id": first.actor_entity_id,
                "recipient_entity_id": first.recipient_entity_id,
                "event_date": first.event_date,
                "n_mentions": len(members),
                "n_documents": len(doc_ids),
                "n_publishers": len(publishers),
            }
        )
        mapped_events.extend(event.event_id for event in members)
        mapped_clusters.extend(repeat(cluster_id, len(members)))
    cluster_map = pa.table(
        {"event_id": mapped_events, "cluster_id": mapped_clusters}, schema=schema.EVENT_CLUSTER_MAP
    ).sort_by("event_id")
    return cluster_map, pa.Table.from_pylist(cluster_rows, schema=schema.EVENT_CLUSTERS)
