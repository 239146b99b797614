"""An incremental build equals a full recomputation: after loading the seeds and then new
articles in a second run (only the lake partitions whose rows changed rewritten), resolving and
clustering the same warehouse again and publishing the whole lake afresh from it change nothing
in any data table."""

from __future__ import annotations

import shutil

import pytest
from newsetl_procs import (
    client_env_with_own_server,
    lake_state,
    make_source,
    run,
    run_args,
    warehouse_state,
)

from etl.run.commit import publish_lake, resolve_and_cluster
from etl.settings import Settings
from etl.storage.warehouse import load

pytestmark = [pytest.mark.flow, pytest.mark.slow]

NEW_ARTICLES = ("clock", "election", "hackers", "worship")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with client_env_with_own_server(tmp_path_factory.mktemp("incremental-prefect")) as env:
        yield env


def test_incremental_build_equals_full_recomputation(env, seeds_dir, tmp_path):
    everything = make_source(tmp_path / "everything", seeds_dir, NEW_ARTICLES)
    if len(list(everything.glob("GUM_*.txt"))) < len(NEW_ARTICLES):
        pytest.skip("GUM news texts of ../shared/data not available")
    seeds_only = make_source(tmp_path / "seeds", seeds_dir, ())

    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    assert run(run_args(seeds_only, db, lake), env).returncode == 0
    first = warehouse_state(db)
    assert run(run_args(everything, db, lake), env).returncode == 0
    incremental = warehouse_state(db)
    assert incremental != first

    full = Settings(db_path=tmp_path / "full.duckdb", lake_dir=tmp_path / "full-lake")
    shutil.copyfile(db, full.db_path)
    with load.connect(full.db_path) as conn:
        resolve_and_cluster(conn, full, "full")
    publish_lake(full, "full")

    assert warehouse_state(full.db_path) == incremental
    assert lake_state(full.lake_dir) == lake_state(lake)
