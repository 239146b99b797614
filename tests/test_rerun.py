"""An unchanged re-run is recorded without Prefect or the model (``etl.run.unchanged``).

The CLI's re-run of a folder it already loaded must still print its summary, add its ``runs``
row (and its quarantined inputs) to a new warehouse state and publish them to the lake, and
leave the data as it was; a folder with anything new goes to the Prefect flow untouched.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest
from conftest import make_settings
from newsetl_procs import REPO_ROOT, base_env, lake_state, run, run_args, warehouse_state

from etl.run.unchanged import run_if_unchanged

BINARY_INPUT = b"\x00\x01\x02\xff" * 256


def _unreachable_api_url() -> str:
    """A loopback URL nothing listens on: a run that called Prefect would fail on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


@pytest.fixture
def loaded_copy(seed_run, tmp_path):
    """A writable copy of the seed run's warehouse and lake, and the seeds' source folder."""
    settings, _ = seed_run
    source = tmp_path / "source"
    shutil.copytree(settings.source_dir, source)
    copy = make_settings(tmp_path / "out", source)
    copy.db_path.parent.mkdir(parents=True)
    shutil.copyfile(settings.db_path, copy.db_path)
    shutil.copytree(settings.lake_dir, copy.lake_dir)
    return copy


def _runs(db_path: Path) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(
            "SELECT run_id, status, docs_seen, docs_loaded, docs_unchanged, docs_quarantined "
            "FROM runs ORDER BY started_at"
        ).fetchall()


def test_planning_an_unchanged_run_imports_neither_spacy_nor_prefect():
    check = (
        "import sys, etl.cli.main, etl.run.unchanged; "
        "print(sorted({'spacy', 'prefect', 'flows'} & {m.split('.')[0] for m in sys.modules}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check],
        env=base_env(REPO_ROOT / ".prefect-unused"),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_cli_rerun_is_recorded_without_prefect(loaded_copy, tmp_path):
    settings = loaded_copy
    (settings.source_dir / "broken.txt").write_bytes(BINARY_INPUT)
    data_before, lake_before = warehouse_state(settings.db_path), lake_state(settings.lake_dir)
    runs_before = _runs(settings.db_path)
    env = base_env(tmp_path / "prefect", _unreachable_api_url())

    args = run_args(settings.source_dir, settings.db_path, settings.lake_dir)
    done = run(args, env)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "3 files, 3 documents: 0 loaded, 2 unchanged, 1 quarantined" in done.stdout
    assert "warehouse holds 2 documents" in done.stdout
    assert any(line.startswith("quarantined: ") for line in done.stdout.splitlines())
    runs = _runs(settings.db_path)
    assert runs[:-1] == runs_before
    run_id, *counts = runs[-1]
    assert counts == ["succeeded", 3, 0, 2, 1]
    assert f"run {run_id}:" in done.stdout
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert (
            con.execute("SELECT count(*) FROM quarantine WHERE run_id = ?", [run_id]).fetchone()[0]
            == 1
        )
    assert warehouse_state(settings.db_path) == data_before
    assert lake_state(settings.lake_dir) == lake_before
    published_runs = ds.dataset(settings.lake_dir / "runs", format="parquet").to_table()
    assert run_id in published_runs.column("run_id").to_pylist()
    assert not list(settings.db_path.parent.glob("*.next-*"))

    strict = run([*args, "--strict"], env)
    assert strict.returncode == 3, strict.stderr


def test_a_changed_folder_is_left_to_the_flow(loaded_copy):
    settings = loaded_copy
    runs_before = _runs(settings.db_path)
    edited = next(settings.source_dir.glob("*.txt"))
    edited.write_text(edited.read_text() + "\nThe ministry denied the report on Thursday.\n")
    assert run_if_unchanged(settings) is None
    (settings.source_dir / "new.txt").write_text("Officials met in Geneva on Monday.\n")
    edited.unlink()
    assert run_if_unchanged(settings) is None
    assert _runs(settings.db_path) == runs_before


def test_no_warehouse_is_left_to_the_flow(seeds_dir, tmp_path):
    settings = make_settings(tmp_path, seeds_dir)
    assert run_if_unchanged(settings) is None
    assert not settings.db_path.exists()
