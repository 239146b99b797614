"""Scale-out: the flow on a local Dask cluster of 2 worker processes gives the default runner's
tables (every table, every row; run ids and load dates aside)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from newsetl_procs import rows_without_run_columns
from prefect.task_runners import ThreadPoolTaskRunner

from etl.runtime.task_runners import build_task_runner, dask_cluster_kwargs
from etl.settings import Settings
from tests.conftest import make_settings

# Columns that name the run or its day, which differ between any two runs by design.


def warehouse_tables(db_path: Path) -> dict[str, list[tuple]]:
    """Every base table except ``runs`` and ``schema_migrations`` (when each was applied), rows
    sorted, run-specific columns dropped."""
    with duckdb.connect(str(db_path), read_only=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' "
                "AND table_name NOT IN ('runs', 'schema_migrations') ORDER BY 1"
            ).fetchall()
        ]
        return {name: sorted(rows_without_run_columns(conn, name), key=repr) for name in names}


def test_default_runner_feeds_the_spacy_child_from_two_threads():
    runner = build_task_runner(Settings())
    assert isinstance(runner, ThreadPoolTaskRunner)
    assert runner._max_workers == 2


def test_in_process_parsing_runs_one_batch_at_a_time():
    # spaCy in the task's own thread holds the GIL: a second thread would only add memory.
    runner = build_task_runner(Settings(parse_in_subprocess=False))
    assert isinstance(runner, ThreadPoolTaskRunner)
    assert runner._max_workers == 1


def test_dask_runner_uses_given_address_or_local_single_thread_workers():
    from prefect_dask import DaskTaskRunner

    remote = build_task_runner(Settings(task_runner="dask", dask_address="tcp://10.0.0.5:8786"))
    assert isinstance(remote, DaskTaskRunner)
    assert remote.address == "tcp://10.0.0.5:8786"
    local = build_task_runner(Settings(task_runner="dask", dask_workers=3))
    assert local.address is None
    assert local.cluster_kwargs["n_workers"] == 3
    assert local.cluster_kwargs["threads_per_worker"] == 1


def test_local_cluster_kwargs_are_single_threaded_processes():
    kwargs = dask_cluster_kwargs(2)
    assert kwargs["processes"] is True
    assert kwargs["threads_per_worker"] == 1


@pytest.mark.flow
@pytest.mark.slow
def test_dask_tables_equal_default_runner_tables(seed_run, seeds_dir, tmp_path):
    from flows.pipeline import run_pipeline

    default_settings, default_summary = seed_run
    dask_settings = make_settings(
        tmp_path, seeds_dir, task_runner="dask", dask_workers=2, batch_size=1
    )
    summary = run_pipeline(dask_settings)
    assert summary.docs_loaded == default_summary.docs_loaded == 2
    assert summary.table_counts == default_summary.table_counts
    dask_tables = warehouse_tables(dask_settings.db_path)
    default_tables = warehouse_tables(default_settings.db_path)
    assert dask_tables.keys() == default_tables.keys()
    assert dask_tables["documents"]
    for name, rows in default_tables.items():
        assert dask_tables[name] == rows, name
