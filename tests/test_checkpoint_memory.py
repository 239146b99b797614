"""The load's checkpoint runs under its own memory cap (``warehouse_checkpoint_memory_limit``):
the write of a run's changes into the warehouse file holds the changed tables' indexes in
memory, which outgrows the load's cap on a large archive."""

from __future__ import annotations

import duckdb
import pytest

from etl.settings import Settings
from etl.storage.warehouse import load


def test_the_checkpoint_folds_the_changes_into_the_file_under_its_own_cap(tmp_path):
    db_path = tmp_path / "w.duckdb"
    with load.connect(db_path, memory_limit="64MB", checkpoint_memory_limit="256MB") as conn:
        conn.exec_driver_sql("CREATE TABLE t AS SELECT range AS i FROM range(1000)")
    assert not db_path.with_name("w.duckdb.wal").exists()  # checkpointed: no log left
    with duckdb.connect(str(db_path), read_only=True) as reader:
        assert reader.execute("SELECT count(*) FROM t").fetchall() == [(1000,)]


def test_a_checkpoint_cap_that_is_no_size_is_refused(tmp_path):
    with (
        pytest.raises(ValueError),
        load.connect(
            tmp_path / "w.duckdb", checkpoint_memory_limit="1GB'; DROP TABLE t; --"
        ) as conn,
    ):
        conn.exec_driver_sql("CREATE TABLE t (i INTEGER)")
    with pytest.raises(ValueError):
        Settings(warehouse_checkpoint_memory_limit="lots")
