"""A warehouse whose resolution and clustering state an older release derived keeps working:
its next run (with documents or without) recomputes entities, profiles and clusters in full
once, giving what a fresh build of the same documents gives, and records the current
derivation version; a warehouse at the current version is still updated incrementally."""

from __future__ import annotations

import duckdb
import pytest

from etl import schema
from etl.settings import Settings
from etl.storage.warehouse import ddl, load
from etl.storage.warehouse.engine import create_empty_warehouse
from tests.test_incremental_resolution import (
    COMPARED,
    full_recomputation,
    made_up,
    run_batch,
    state,
)

FIRST = [
    made_up(
        "ben",
        "Ben Buls met Ana Lopez in Lima. Buls thanked Lopez.",
        [
            ("Ben Buls", "PERSON"),
            ("Ana Lopez", "PERSON"),
            ("Lima", "GPE"),
            ("Buls", "PERSON"),
            ("Lopez", "PERSON"),
        ],
    ),
    made_up(
        "omar",
        "Omar Haddad met Ben Buls. Haddad spoke.",
        [("Omar Haddad", "PERSON"), ("Ben Buls", "PERSON"), ("Haddad", "PERSON")],
    ),
]
SECOND = [
    made_up(
        "ben-v2",
        "Ben Buls met Omar Haddad in Lima. Buls spoke.",
        [("Ben Buls", "PERSON"), ("Omar Haddad", "PERSON"), ("Lima", "GPE"), ("Buls", "PERSON")],
    ),
    made_up("jane", "Jane Buls met Lopez.", [("Jane Buls", "PERSON"), ("Lopez", "PERSON")]),
]


def settings_at(tmp_path, name: str) -> Settings:
    settings = Settings(db_path=tmp_path / f"{name}.duckdb", lake_dir=tmp_path / f"{name}-lake")
    create_empty_warehouse(settings.db_path)
    return settings


def age(db_path, recorded: str | None) -> None:
    """Leave the warehouse as an older release would: person-name keys derived another way
    (here: upper case) in its resolution state, and another derivation version (or none)."""
    with duckdb.connect(str(db_path)) as con:
        con.execute("UPDATE person_names SET key = upper(key), anchor = upper(anchor)")
        con.execute("UPDATE resolution_keys SET key = upper(key)")
        con.execute("UPDATE entity_tallies SET anchor = upper(anchor) WHERE kind = 'person'")
        con.execute("DELETE FROM derived_state")
        if recorded is not None:
            row = [ddl.RESOLUTION_AND_CLUSTERING, recorded]
            con.execute("INSERT INTO derived_state VALUES (?, ?, now())", row)


def recorded_version(db_path) -> list:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute("SELECT name, version FROM derived_state").fetchall()


def fresh_build(tmp_path, docs: list[dict]) -> dict[str, list]:
    settings = settings_at(tmp_path, "fresh")
    run_batch(settings, "fresh", docs, [])
    return state(settings.db_path)


@pytest.mark.parametrize("recorded", [None, "0"])
@pytest.mark.parametrize("second", [SECOND, []])
def test_an_older_release_warehouse_is_recomputed_once_as_a_fresh_build(tmp_path, recorded, second):
    settings = settings_at(tmp_path, "w")
    run_batch(settings, "run-0", FIRST, [])
    age(settings.db_path, recorded)
    superseded = ["ben"] if second else []
    run_batch(settings, "run-1", second, superseded)

    upgraded = state(settings.db_path)
    kept = [doc for doc in FIRST if doc["documents"][0]["doc_id"] not in superseded]
    fresh = fresh_build(tmp_path, kept + second)
    full = full_recomputation(settings, tmp_path)
    for table in COMPARED:
        assert upgraded[table] == fresh[table], table
        assert upgraded[table] == full[table], table
    assert recorded_version(settings.db_path) == [
        (ddl.RESOLUTION_AND_CLUSTERING, schema.DERIVED_STATE_VERSION)
    ]


def test_a_current_warehouse_is_updated_incrementally(tmp_path, monkeypatch):
    settings = settings_at(tmp_path, "w")
    assert recorded_version(settings.db_path) == [
        (ddl.RESOLUTION_AND_CLUSTERING, schema.DERIVED_STATE_VERSION)
    ]
    run_batch(settings, "run-0", FIRST, [])

    def no_full_resolution(conn):
        raise AssertionError("a current warehouse was resolved in full")

    monkeypatch.setattr(load, "reset_entities", no_full_resolution)
    run_batch(settings, "run-1", SECOND, ["ben"])
    run_batch(settings, "run-2", [], [])
    with load.connect(settings.db_path) as conn:
        assert ddl.derived_state_current(conn)
