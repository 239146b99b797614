"""``newsetl run`` exit codes: 0 with quarantined inputs (and a summary), 3 with ``--strict``,
non-zero with exactly one line on stderr for a missing source or an unwritable warehouse.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from newsetl_procs import client_env_with_own_server, run, run_args

# Every test here drives `newsetl run` against a Prefect server of the module's own.
pytestmark = pytest.mark.flow

BINARY_INPUT = b"\x00\x01\x02\xff" * 256


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with client_env_with_own_server(tmp_path_factory.mktemp("exit-codes-prefect")) as client_env:
        yield client_env


@pytest.fixture(scope="module")
def source_with_bad_file(tmp_path_factory, seeds_dir) -> Path:
    folder = tmp_path_factory.mktemp("exit-codes-src")
    for path in seeds_dir.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "broken.txt").write_bytes(BINARY_INPUT)
    return folder


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert lines[0].startswith("newsetl: error: ")
    return lines[0]


@pytest.mark.flow
def test_quarantine_exits_zero_with_summary_and_strict_exits_three(
    env, source_with_bad_file, tmp_path
):
    args = run_args(source_with_bad_file, tmp_path / "w.duckdb", tmp_path / "lake")
    done = run(args, env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", "a successful run prints nothing on stderr"
    assert "2 loaded" in done.stdout and "1 quarantined" in done.stdout
    assert any(
        line.startswith("quarantined: ") and "broken.txt" in line
        for line in done.stdout.splitlines()
    )
    strict = run([*args, "--strict"], env)
    assert strict.returncode == 3
    assert "quarantined" in _one_line(strict.stderr)


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_bad_source_folder_exits_non_zero_with_one_line(env, tmp_path, kind):
    source = tmp_path / "no-such-folder"
    if kind == "file":
        source.write_text("not a folder")
    done = run(run_args(source, tmp_path / "w.duckdb", tmp_path / "lake"), env)
    assert done.returncode != 0
    assert str(source) in _one_line(done.stderr)
    assert not (tmp_path / "w.duckdb").exists()


def _db_under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "plain-file").write_text("x")
    return tmp_path / "plain-file" / "w.duckdb"


def _db_is_a_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "folder.duckdb"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    "make_db",
    [_db_under_a_file, _db_is_a_folder, lambda _: Path("/proc/newsetl-test/w.duckdb")],
    ids=["parent-is-a-file", "db-is-a-folder", "under-proc"],
)
def test_unwritable_warehouse_exits_non_zero_with_one_line(env, seeds_dir, tmp_path, make_db):
    # Running as root, permissions do not stop writes: these paths fail for everyone.
    db = make_db(tmp_path)
    done = run(run_args(seeds_dir, db, tmp_path / "lake"), env)
    assert done.returncode != 0
    assert "cannot write the warehouse" in _one_line(done.stderr)


@pytest.mark.flow
def test_a_file_that_is_not_a_warehouse_exits_non_zero_with_one_line(env, seeds_dir, tmp_path):
    db = tmp_path / "notes.duckdb"
    db.write_text("not a DuckDB database\n")
    done = run(run_args(seeds_dir, db, tmp_path / "lake"), env)
    assert done.returncode != 0
    assert "not a valid DuckDB database" in _one_line(done.stderr)
    assert db.read_text() == "not a DuckDB database\n"
