"""Event clustering: same type, same entities, dates within a day -> one cluster."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from etl import schema
from etl.ids import stable_id
from etl.stages.resolve.clusters import cluster_events

EVENT_COLUMNS = schema.EXTRACTED_EVENTS.append(pa.field("actor_entity_id", pa.string())).append(
    pa.field("recipient_entity_id", pa.string())
)


def event(event_id, doc_id, event_type, actor, recipient, day) -> dict:
    row = dict.fromkeys(EVENT_COLUMNS.names)
    row.update(
        event_id=event_id,
        doc_id=doc_id,
        event_type=event_type,
        actor_entity_id=actor,
        recipient_entity_id=recipient,
        event_date=day,
    )
    return row


DOCUMENTS = pa.Table.from_pylist(
    [
        {"doc_id": "rferl", "publisher": "RFE/RL"},
        {"doc_id": "reuters", "publisher": "Reuters"},
        {"doc_id": "reuters2", "publisher": "Reuters"},
    ]
)


def run(rows: list[dict]):
    events = pa.Table.from_pylist(rows, schema=EVENT_COLUMNS)
    cluster_map, clusters = cluster_events(events, DOCUMENTS)
    return dict(zip(*cluster_map.to_pydict().values(), strict=True)), {
        row["cluster_id"]: row for row in clusters.to_pylist()
    }


def test_same_event_reported_by_two_publishers_is_one_cluster():
    rows = [
        event("e1", "rferl", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("e2", "reuters", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("e3", "reuters2", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 21)),
    ]
    cluster_of, clusters = run(rows)
    assert cluster_of["e1"] == cluster_of["e2"] == cluster_of["e3"] == stable_id("e1")
    cluster = clusters[cluster_of["e1"]]
    assert (cluster["n_mentions"], cluster["n_documents"], cluster["n_publishers"]) == (3, 3, 2)
    assert cluster["event_date"] == date(2017, 9, 20)


def test_reciprocal_types_ignore_order_but_others_do_not():
    rows = [
        event("m1", "rferl", "CONSULT", "NAZ", "BAB", date(2017, 9, 19)),
        event("m2", "reuters", "CONSULT", "BAB", "NAZ", date(2017, 9, 19)),
        event("a1", "rferl", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("a2", "reuters", "ACCUSE", "KAZ", "KGZ", date(2017, 9, 20)),
    ]
    cluster_of, clusters = run(rows)
    assert cluster_of["m1"] == cluster_of["m2"]
    assert clusters[cluster_of["m1"]]["n_publishers"] == 2
    assert cluster_of["a1"] != cluster_of["a2"]


def test_dates_more_than_a_day_apart_or_other_types_are_separate():
    rows = [
        event("e1", "rferl", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("e2", "reuters", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 23)),
        event("e3", "reuters", "PROTEST", "KGZ", "KAZ", date(2017, 9, 20)),
    ]
    cluster_of, clusters = run(rows)
    assert len(set(cluster_of.values())) == 3
    assert len(clusters) == 3


def test_events_without_entities_or_dates_are_singletons():
    rows = [
        event("e1", "rferl", "ACCUSE", None, None, date(2017, 9, 20)),
        event("e2", "reuters", "ACCUSE", None, None, date(2017, 9, 20)),
        event("e3", "rferl", "ACCUSE", "KGZ", "KAZ", None),
        event("e4", "reuters", "ACCUSE", "KGZ", "KAZ", None),
    ]
    cluster_of, clusters = run(rows)
    assert len(set(cluster_of.values())) == 4
    assert all(row["n_mentions"] == 1 for row in clusters.values())


def test_clustering_does_not_depend_on_row_order():
    rows = [
        event("e2", "reuters", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("e1", "rferl", "ACCUSE", "KGZ", "KAZ", date(2017, 9, 20)),
        event("e3", "reuters", "ACCUSE", "KGZ", None, date(2017, 9, 20)),
    ]
    assert run(rows) == run(list(reversed(rows)))
