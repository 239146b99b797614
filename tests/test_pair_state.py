"""The clustering state kept small: pairs below the floor count as never compared (so they need
not be stored), and a delete of stale pairs gets the DuckDB memory it pins."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pytest

from etl.run import incremental_coref
from etl.run.plan import memory_bytes
from etl.stages.resolve.clusters import (
    FEATURES,
    CorefModel,
    Event,
    average_link,
    clusters_by_component,
    default_model,
    pair_floor,
)
from etl.storage.warehouse import load
from etl.storage.warehouse.engine import create_empty_warehouse


def events(n: int) -> list[Event]:
    return [Event(f"e{i}", f"d{i}", "ACCUSE", None, None, None) for i in range(n)]


def test_the_floor_is_the_probability_of_a_pair_nothing_speaks_for_and_never_above_the_threshold():
    model = default_model()
    assert 0.0 < pair_floor(model) < model.threshold
    flat = CorefModel((0.0,) * (len(FEATURES) + 1), 0.3, 1)  # intercept 0: probability 0.5
    assert pair_floor(flat) == 0.3


def test_a_pair_below_the_floor_no_longer_lifts_a_mean_over_the_threshold():
    # An intercept of its own (floor 0.047), so the arithmetic below holds whatever was fitted.
    weights = (-3.0,) + (0.0,) * len(FEATURES)
    model = replace(default_model(), weights=weights, threshold=0.25)
    below = pair_floor(model) * 0.9
    # e0-e1 merge; e2 joins them at mean (0.48 + below) / 2 >= 0.25 only if the weak pair counts.
    assert (0.48 + below) / 2 >= 0.25 > 0.48 / 2
    found = average_link(events(3), {(0, 1): 0.9, (0, 2): 0.48, (1, 2): below}, model)
    assert sorted(sorted(cluster.members) for cluster in found) == [[0, 1], [2]]
    single = next(cluster for cluster in found if cluster.members == [2])
    assert single.confidence == pytest.approx(1.0 - 0.48)


def test_a_singleton_whose_only_pair_is_below_the_floor_is_sure_it_joins_nothing():
    model = replace(default_model(), threshold=0.25)
    below = pair_floor(model) / 2
    pairs, probabilities = [(0, 1)], [below]
    found = list(clusters_by_component(events(2), pairs, probabilities, model))
    assert sorted(cluster.confidence for cluster in found) == [1.0, 1.0]
    assert [c.confidence for c in average_link(events(2), {(0, 1): below}, model)] == [1.0, 1.0]


def test_a_stale_pair_delete_raises_duckdbs_cap_by_the_vectors_it_may_touch(tmp_path):
    db_path = tmp_path / "w.duckdb"
    create_empty_warehouse(db_path)
    n_pairs = 5 * incremental_coref.DUCKDB_VECTOR_ROWS
    with load.connect(db_path, memory_limit="64MB") as conn:
        conn.connection.driver_connection.register(
            "new_pairs",
            pa.table(
                {
                    "first_event_id": [f"a{i:06d}" for i in range(n_pairs)],
                    "second_event_id": [f"b{i:06d}" for i in range(n_pairs)],
                    "probability": [0.5] * n_pairs,
                }
            ),
        )
        conn.exec_driver_sql("INSERT INTO event_pairs SELECT * FROM new_pairs")

        def cap() -> int:
            rows = conn.exec_driver_sql("SELECT current_setting('memory_limit')").fetchall()
            return memory_bytes(rows[0][0])

        before = cap()
        incremental_coref._make_room_for_delete(conn, 0)
        assert cap() == before
        incremental_coref._make_room_for_delete(conn, 3)  # at most three vectors
        raised = cap()
        per_vector = incremental_coref.DELETE_VERSION_BYTES_PER_VECTOR
        assert raised - before == pytest.approx(3 * per_vector, abs=2**20)
        incremental_coref._make_room_for_delete(conn, 10**6)  # at most every vector
        assert cap() - raised == pytest.approx(5 * per_vector, abs=2**20)
