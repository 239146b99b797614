"""What bounds the commit's memory for one huge document gives the same results: event clustering
one component at a time (``clusters_by_component``: a 50 MB document has over 100,000 events)
forms exactly the clusters, with exactly the confidences, of average link over every event at
once; entity resolution gathers a document's rows a block at a time, all of them, in order."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa
import pytest

from etl.run.incremental import _Columns
from etl.stages.resolve.clusters import (
    MAX_FULL_BLOCK,
    DocumentProfile,
    Event,
    assign_clusters,
    average_link,
    candidate_pairs,
    candidate_window,
    clusters_by_component,
    default_model,
    pair_probabilities,
    scored_pairs,
)

TYPES = ("ACCUSE", "ASSAULT", "COERCE", "CONSULT", "PROTEST", "REQUEST", "THREATEN")
TRIGGERS = ("accused", "shot", "arrested", "met", "protested", "asked", "warned", "said")


def random_events(
    rng: random.Random, n_events: int, n_documents: int
) -> tuple[list[Event], dict[str, DocumentProfile]]:
    """Events of a few documents sharing a small cast, some dated, with salient-entity
    profiles: dense enough that components hold many events and pairs fall below the threshold."""
    cast = [f"E{k}" for k in range(12)]
    start = date(2017, 9, 1)
    events = []
    for k in range(n_events):
        day = start + timedelta(days=rng.randint(0, 20)) if rng.random() < 0.7 else None
        events.append(
            Event(
                f"ev{k:05d}",
                f"doc{rng.randrange(n_documents)}",
                rng.choice(TYPES),
                rng.choice([*cast, None]),
                rng.choice([*cast, None]),
                day,
                rng.choice(["sentence", "publication"]) if day else None,
                rng.choice([None, "Bishkek", "Astana"]),
                None,
                rng.choice(TRIGGERS),
                None,
            )
        )
    profiles = {
        f"doc{d}": DocumentProfile(
            None,
            start,
            {entity: 0.5 for entity in rng.sample(cast, 4)},
            {word: 0.5 for word in rng.sample(["talks", "border", "fire", "court", "vote"], 4)},
        )
        for d in range(n_documents)
    }
    return sorted(events, key=lambda event: event.event_id), profiles


def all_at_once(events, profiles, model) -> dict[tuple[int, ...], float]:
    return {
        tuple(sorted(cluster.members)): cluster.confidence
        for cluster in average_link(events, scored_pairs(events, profiles, model), model)
    }


def by_component(events, profiles, model) -> dict[tuple[int, ...], float]:
    pairs = candidate_pairs(events, profiles, candidate_window(model))
    probabilities = pair_probabilities(events, pairs, profiles, model)
    return {
        tuple(sorted(cluster.members)): cluster.confidence
        for cluster in clusters_by_component(events, pairs, probabilities, model)
    }


@pytest.mark.parametrize(
    ("seed", "n_events", "n_documents"),
    [(1, 60, 6), (2, 250, 12), (3, 400, 3), (4, 3 * MAX_FULL_BLOCK, 1)],
)
def test_one_component_at_a_time_gives_the_clusters_of_all_at_once(
    seed: int, n_events: int, n_documents: int
) -> None:
    model = default_model()
    events, profiles = random_events(random.Random(seed), n_events, n_documents)
    expected = all_at_once(events, profiles, model)
    found = by_component(events, profiles, model)
    assert found == expected  # the same members and the same confidences, to the last bit
    assert any(len(members) > 1 for members in found)  # a case that merges at all
    assert sum(map(len, found)) == len(events)


def test_a_lower_threshold_joins_large_components_alike() -> None:
    # Chains through sub-threshold pairs inside a component: the sums must run in the same order.
    model = default_model()
    loose = type(model)(model.weights, model.threshold / 4, model.max_date_spread_days, 2)
    events, profiles = random_events(random.Random(5), 300, 4)
    assert by_component(events, profiles, loose) == all_at_once(events, profiles, loose)


def test_assign_clusters_is_order_independent_and_complete() -> None:
    events, profiles = random_events(random.Random(6), 200, 5)
    forward = assign_clusters(events, profiles)
    backward = assign_clusters(list(reversed(events)), profiles)
    assert forward == backward
    assert sorted(e.event_id for members, _ in forward.values() for e in members) == sorted(
        e.event_id for e in events
    )


def test_rows_are_gathered_a_block_at_a_time_all_in_order() -> None:
    table_schema = pa.schema([("mention_id", pa.string()), ("entity_id", pa.string())])
    gathered = _Columns(table_schema, block_rows=4)
    gathered.extend({"mention_id": f"m{k}", "entity_id": "e"} for k in range(3))
    gathered.extend(iter({"mention_id": f"m{k}", "entity_id": "e"} for k in range(3, 14)))
    assert [t.num_rows for t in gathered.tables] == [4, 4, 4]  # never more than a block held
    assert gathered.table().column("mention_id").to_pylist() == [f"m{k}" for k in range(14)]


def test_columns_are_gathered_a_block_at_a_time_with_rows_in_order() -> None:
    table_schema = pa.schema([("mention_id", pa.string()), ("entity_id", pa.string())])
    gathered = _Columns(table_schema, block_rows=4)
    gathered.extend_columns(["m0", "m1", "m2"], ["e0", "e1", "e2"])
    gathered.extend({"mention_id": f"m{k}", "entity_id": f"e{k}"} for k in range(3, 5))
    gathered.extend_columns([f"m{k}" for k in range(5, 14)], [f"e{k}" for k in range(5, 14)])
    gathered.extend_columns([], [])
    assert [t.num_rows for t in gathered.tables] == [4, 4, 4]  # never more than a block held
    table = gathered.table()
    assert table.schema == table_schema
    assert table.to_pydict() == {
        "mention_id": [f"m{k}" for k in range(14)],
        "entity_id": [f"e{k}" for k in range(14)],
    }
