"""An incremental build equals a full one: loading the seeds, then new articles in a second run
(entities re-resolved, only the touched clusters and lake partitions rewritten) leaves every
data table of the warehouse and the lake identical to loading everything in one run."""

from __future__ import annotations

import pytest
from newsetl_procs import (
    client_env_with_own_server,
    lake_state,
    make_source,
    run,
    run_args,
    warehouse_state,
)

pytestmark = [pytest.mark.flow, pytest.mark.slow]

NEW_ARTICLES = ("clock", "election", "hackers", "worship")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with client_env_with_own_server(tmp_path_factory.mktemp("incremental-prefect")) as env:
        yield env


def test_incremental_build_equals_full_build(env, seeds_dir, tmp_path):
    everything = make_source(tmp_path / "everything", seeds_dir, NEW_ARTICLES)
    if len(list(everything.glob("GUM_*.txt"))) < len(NEW_ARTICLES):
        pytest.skip("GUM news texts of ../shared/data not available")
    seeds_only = make_source(tmp_path / "seeds", seeds_dir, ())

    full_db, full_lake = tmp_path / "full.duckdb", tmp_path / "full-lake"
    assert run(run_args(everything, full_db, full_lake), env).returncode == 0

    step_db, step_lake = tmp_path / "step.duckdb", tmp_path / "step-lake"
    assert run(run_args(seeds_only, step_db, step_lake), env).returncode == 0
    first = warehouse_state(step_db)
    assert run(run_args(everything, step_db, step_lake), env).returncode == 0

    assert warehouse_state(step_db) != first
    assert warehouse_state(step_db) == warehouse_state(full_db)
    assert lake_state(step_lake) == lake_state(full_lake)
