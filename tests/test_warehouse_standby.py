"""The next-state copy costs what a run changes: the file the last swap replaced (the standby)
is brought up to date block by block instead of copying the warehouse, unless a reader still
has it open, and every run still sees exactly the live state it builds on."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb

from etl.storage.warehouse import load
from etl.storage.warehouse.engine import create_empty_warehouse


def _run(db, run_id: str, rows: int) -> None:
    """One run: a next state with ``rows`` more rows in a table ``t``, swapped in."""
    next_db = load.begin(db, run_id)
    with duckdb.connect(str(next_db)) as con:
        con.execute("CREATE TABLE IF NOT EXISTS t (run VARCHAR, n INTEGER)")
        con.execute("INSERT INTO t SELECT ?, range FROM range(?)", [run_id, rows])
        con.execute("CHECKPOINT")
    load.commit(next_db, db)


def _rows(db) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT run, count(*) FROM t GROUP BY 1 ORDER BY 1").fetchall()


def test_sync_file_writes_only_the_blocks_that_differ(tmp_path):
    block = load.SYNC_BLOCK_BYTES
    source, target = tmp_path / "source", tmp_path / "target"
    data = bytearray(os.urandom(5 * block + 123))
    target.write_bytes(bytes(data) + b"tail")  # longer: truncated
    data[2 * block + 7] ^= 0xFF
    source.write_bytes(bytes(data))
    assert load.sync_file(target, source) == block
    assert target.read_bytes() == source.read_bytes()
    shorter = tmp_path / "shorter"
    shorter.write_bytes(b"x")
    load.sync_file(shorter, source)  # shorter: extended
    assert shorter.read_bytes() == source.read_bytes()


def test_each_run_builds_on_the_live_state_through_the_standby(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    synced = []
    real_sync = load.sync_file
    monkeypatch.setattr(load, "sync_file", lambda t, s: synced.append(real_sync(t, s)))
    _run(db, "r1", 1000)
    assert load.standby_path(db).exists() and not synced  # the first run copies the file
    _run(db, "r2", 10)
    _run(db, "r3", 5)
    assert len(synced) == 2  # later runs bring the standby up to date
    assert _rows(db) == [("r1", 1000), ("r2", 10), ("r3", 5)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.standby"]


def test_a_standby_a_reader_still_has_open_is_left_alone(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    _run(db, "r1", 3)
    _run(db, "r2", 4)
    reader = duckdb.connect(str(db), read_only=True)  # the state after r2
    try:
        _run(db, "r3", 5)  # the standby now is the file the reader has open
        monkeypatch.setattr(load, "sync_file", lambda t, s: (_ for _ in ()).throw(AssertionError))
        _run(db, "r4", 6)  # so this run copies the live file whole
        assert reader.execute("SELECT count(*) FROM t").fetchall() == [(7,)]
    finally:
        reader.close()
    assert _rows(db) == [("r1", 3), ("r2", 4), ("r3", 5), ("r4", 6)]


def test_a_standby_another_process_reads_is_left_alone(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    _run(db, "r1", 3)
    _run(db, "r2", 4)
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(c.execute('SELECT count(*) FROM t').fetchone()[0], flush=True); sys.stdin.read(); "
        "print(c.execute('SELECT count(*) FROM t').fetchone()[0], flush=True)"
    )
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    reader = subprocess.Popen([sys.executable, "-c", code, str(db)], **pipes)
    try:
        assert reader.stdout.readline().strip() == "7"
        _run(db, "r3", 5)
        monkeypatch.setattr(load, "sync_file", lambda t, s: (_ for _ in ()).throw(AssertionError))
        _run(db, "r4", 6)
        out, _ = reader.communicate("", timeout=60)
        assert out.strip() == "7"  # the reader's state, untouched by two runs
    finally:
        reader.kill()
    assert _rows(db) == [("r1", 3), ("r2", 4), ("r3", 5), ("r4", 6)]
