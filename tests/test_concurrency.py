"""Concurrency: one writer at a time per warehouse (an flock), and readers never see a half load.

A second ``newsetl run`` against a warehouse whose lock is held exits 75 with one clear line
(``--lock-timeout 0``) or waits for the lock and then runs (``--lock-timeout N``). An analyst's
read-only DuckDB connection opened before a run keeps seeing the old state until it reconnects.
"""

from __future__ import annotations

import fcntl
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from newsetl_procs import (
    client_env_with_own_server,
    make_source,
    run,
    run_args,
    spawn,
)

pytestmark = [pytest.mark.flow, pytest.mark.slow]

NEW_ARTICLES = ("clock", "election", "hackers")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with client_env_with_own_server(tmp_path_factory.mktemp("concurrency-prefect")) as client_env:
        yield client_env


@pytest.fixture(scope="module")
def source(tmp_path_factory, seeds_dir) -> Path:
    return make_source(tmp_path_factory.mktemp("concurrency-src"), seeds_dir, NEW_ARTICLES)


def _articles(folder: Path) -> int:
    """How many articles a source folder holds: the GUM texts join the seeds only where the
    shared data is present."""
    return len(list(folder.glob("*.txt")))


def _fetch(db: Path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _hold_lock(db: Path):
    """Take the warehouse's run lock the way a running ``newsetl run`` holds it."""
    handle = open(db.with_name(db.name + ".lock"), "a+")  # noqa: SIM115 (caller closes)
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def test_run_exits_75_with_one_line_while_the_lock_is_held(env, source, tmp_path):
    db = tmp_path / "w.duckdb"
    handle = _hold_lock(db)
    try:
        done = run(run_args(source, db, tmp_path / "lake", "--lock-timeout", "0"), env)
    finally:
        handle.close()
    assert done.returncode == 75
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "another newsetl run" in lines[0] and "--lock-timeout" in lines[0]
    assert not db.exists(), "a refused run must not create or touch the warehouse"


def _has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open (a run waiting for the lock keeps it open)."""
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) == str(path) for fd in fds.iterdir())
    except OSError:
        return False


def _wait_until_waiting_for_lock(proc, lock_path: Path, timeout_s: float = 120) -> None:
    """Return once ``proc`` has held the lock file open on two polls in a row (it is waiting)."""
    deadline, seen = time.monotonic() + timeout_s, 0
    while seen < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run never started waiting for the lock"
        seen = seen + 1 if _has_open(proc.pid, lock_path) else 0
        time.sleep(0.3)


def test_run_waits_for_the_lock_then_loads(env, source, tmp_path):
    db = tmp_path / "w.duckdb"
    handle = _hold_lock(db)
    try:
        proc = spawn(run_args(source, db, tmp_path / "lake", "--lock-timeout", "300"), env)
        _wait_until_waiting_for_lock(proc, db.with_name(db.name + ".lock"))
        assert not db.exists(), "nothing may be written while another run holds the lock"
    finally:
        released = datetime.now(UTC)
        handle.close()
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    [(status, started_at, docs_loaded)] = _fetch(
        db, "SELECT status, started_at, docs_loaded FROM runs"
    )
    assert status == "succeeded" and docs_loaded == _articles(source)
    assert started_at < released, "the run should have started before the lock was freed"


def test_two_simultaneous_runs_one_loads_one_is_refused(env, source, tmp_path):
    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    procs = [spawn(run_args(source, db, lake, "--lock-timeout", "0"), env) for _ in range(2)]
    outcomes = sorted((proc.wait(timeout=300), proc.communicate()[1]) for proc in procs)
    assert [code for code, _ in outcomes] == [0, 75], outcomes
    assert len(outcomes[1][1].strip().splitlines()) == 1
    loaded = _articles(source)
    assert _fetch(db, "SELECT status, docs_loaded FROM runs") == [("succeeded", loaded)]
    assert _fetch(db, "SELECT count(*) FROM documents") == [(loaded,)]


def test_two_waiting_runs_are_serialized(env, source, tmp_path):
    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    args = run_args(source, db, lake, "--lock-timeout", "300")
    procs = [spawn(args, env) for _ in range(2)]
    for proc in procs:
        assert proc.wait(timeout=400) == 0, proc.communicate()[1]
        proc.communicate()
    runs = _fetch(db, "SELECT status, docs_loaded, docs_unchanged FROM runs ORDER BY finished_at")
    # Serialized: the second run found every document already loaded by the first.
    loaded = _articles(source)
    assert runs == [("succeeded", loaded, 0), ("succeeded", 0, loaded)]
    assert _fetch(db, "SELECT count(*), count(DISTINCT doc_id) FROM documents") == [
        (loaded, loaded)
    ]
    assert list(tmp_path.glob("w.duckdb.next-*")) == []


def test_open_reader_keeps_old_state_until_it_reconnects(env, source, seeds_dir, tmp_path):
    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    first = run(run_args(seeds_dir, db, lake), env)
    assert first.returncode == 0, first.stderr
    analyst = duckdb.connect(str(db), read_only=True)
    try:
        before = analyst.execute("SELECT (SELECT count(*) FROM runs), count(*) FROM documents")
        assert before.fetchall() == [(1, 2)]
        second = run(run_args(source, db, lake), env)
        assert second.returncode == 0, second.stderr
        still = analyst.execute("SELECT (SELECT count(*) FROM runs), count(*) FROM documents")
        assert still.fetchall() == [(1, 2)], "an open reader must keep its snapshot"
    finally:
        analyst.close()
    assert _fetch(db, "SELECT (SELECT count(*) FROM runs), count(*) FROM documents") == [
        (2, _articles(source))
    ]
