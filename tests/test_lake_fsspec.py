"""The lake on fsspec URLs: a seed run with the lake at ``memory://`` (an object store: versioned
folders and a manifest) or at ``file://`` publishes the same tables as a run with a local folder,
leaves no staging files, and an unchanged re-run keeps the tables as they were."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import uuid
from pathlib import Path

import duckdb
import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fsspec.implementations.memory import MemoryFileSystem
from newsetl_procs import DATA_TABLES, RUN_COLUMNS

from etl import schema
from etl.settings import Settings
from etl.storage import lake
from etl.storage.warehouse.export import PUBLISHED_TABLES
from tests.conftest import make_settings

MEMORY = fsspec.filesystem("memory")


@pytest.fixture
def memory_lake():
    """A fresh ``memory://`` lake URL, removed afterwards (the memory store is process-wide)."""
    root = f"/newsetl-test-{uuid.uuid4().hex}"
    yield f"memory://{root}/lake"
    if MEMORY.exists(root):
        MEMORY.rm(root, recursive=True)


def table_digest(files: list[str], filesystem=None) -> str:
    """Row count and order-independent digest of Parquet files, per-run columns left out."""
    if not files:
        return "0:empty"
    with duckdb.connect() as conn:
        if filesystem is not None:
            conn.register_filesystem(filesystem)
        table = conn.read_parquet(files, hive_partitioning=False).to_arrow_table()
    table = table.drop_columns([c for c in RUN_COLUMNS if c in table.column_names])
    rows = sorted(repr(row) for row in table.to_pylist())
    return f"{len(rows)}:{hashlib.sha256(chr(10).join(rows).encode()).hexdigest()[:16]}"


def lake_digests(lake_dir, filesystem=None) -> dict[str, str]:
    return {
        table: table_digest(lake.published_files(lake_dir, table), filesystem)
        for table in DATA_TABLES
    }


@pytest.fixture(scope="module")
def local_digests(seed_run) -> dict[str, str]:
    settings, _ = seed_run
    return lake_digests(settings.lake_dir)


def run_seeds(settings: Settings):
    from flows.pipeline import newsetl_run

    return newsetl_run(settings=settings)


def test_memory_lake_run_publishes_the_local_lakes_tables(
    prefect_harness, seeds_dir, tmp_path, memory_lake, local_digests
):
    settings = make_settings(tmp_path, seeds_dir).model_copy(update={"lake_dir": memory_lake})
    first = run_seeds(settings)
    assert first.docs_loaded == 2
    store = lake.resolve(memory_lake)
    assert isinstance(store, lake.ObjectStore)

    assert lake_digests(memory_lake, MEMORY) == local_digests
    assert "0:empty" not in local_digests.values()
    assert MEMORY.find(store.path(lake.STAGING)) == []
    manifest = json.loads(MEMORY.cat(store.path(lake.PUBLISHED_STATE)))
    assert set(manifest["tables"]) == set(PUBLISHED_TABLES)
    run_folder = f"{lake.VERSIONS}/{first.run_id}"
    assert all(folder.startswith(run_folder) for folder in manifest["tables"].values())
    runs = lake.published_files(memory_lake, "runs")
    assert table_digest(runs, MEMORY).startswith("1:")

    again = run_seeds(settings)
    assert again.docs_unchanged == 2 and again.docs_loaded == 0
    assert lake_digests(memory_lake, MEMORY) == local_digests
    assert MEMORY.find(store.path(lake.STAGING)) == []
    manifest = json.loads(MEMORY.cat(store.path(lake.PUBLISHED_STATE)))
    # Only the bookkeeping tables were re-exported; the data tables keep the first version.
    assert manifest["tables"]["runs"] == f"{lake.VERSIONS}/{again.run_id}/runs"
    assert manifest["tables"]["documents"] == f"{run_folder}/documents"
    assert table_digest(lake.published_files(memory_lake, "runs"), MEMORY).startswith("2:")
    # Nothing but the versions the manifest names is left behind.
    left = {
        store.relative(folder)
        for run in MEMORY.ls(store.path(lake.VERSIONS), detail=False)
        for folder in MEMORY.ls(run, detail=False)
    }
    assert left == set(manifest["tables"].values())


def test_file_url_lake_run_is_a_local_lake(prefect_harness, seeds_dir, tmp_path, local_digests):
    url = f"file://{tmp_path}/lake"
    settings = make_settings(tmp_path, seeds_dir).model_copy(update={"lake_dir": url})
    run_seeds(settings)
    assert lake_digests(url) == local_digests
    # Same layout as a plain path: table folders renamed into place, no versions, no staging.
    assert (tmp_path / "lake" / "documents").is_dir()
    assert not (tmp_path / "lake" / lake.VERSIONS).exists()
    assert not any((tmp_path / "lake" / lake.STAGING).glob("*/*"))
    assert lake.published_state(url) == lake.published_state(tmp_path / "lake") is not None


def test_locations_resolve_to_folder_or_object_store(tmp_path):
    assert lake.resolve(tmp_path) == tmp_path
    assert lake.resolve("data/lake") == Path("data/lake")
    assert lake.resolve(f"file://{tmp_path}/x") == tmp_path / "x"
    store = lake.resolve("memory://bucket/lake")
    assert isinstance(store, lake.ObjectStore) and store.root == "/bucket/lake"
    assert lake.duckdb_filesystem(tmp_path) is None
    assert lake.duckdb_filesystem("memory://bucket/lake") is store.fs


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Path("/srv/lake"), Path("/srv/lake")),
        ("data/lake", Path("data/lake")),
        ("s3://bucket/lake", "s3://bucket/lake"),
        ("file:///srv/lake", "file:///srv/lake"),
        ("simplecache::s3://bucket/lake", "simplecache::s3://bucket/lake"),
    ],
)
def test_settings_keep_urls_and_make_paths(value, expected):
    assert Settings(lake_dir=value).lake_dir == expected


def _stage_rows(lake_dir: str, run_id: str) -> str:
    row = {"source_uri": f"file:///in/{run_id}.txt", "reason": "empty", "run_id": run_id}
    return lake.stage(lake_dir, run_id, "quarantine", "0", [row], schema.QUARANTINE)


def test_object_store_publish_swaps_the_manifest_and_drops_orphans(memory_lake):
    store = lake.resolve(memory_lake)
    staged = _stage_rows(memory_lake, "r1")
    assert staged.startswith("memory://") and lake.staged_files(memory_lake, "r1", "quarantine")

    def publish(run_id: str) -> None:
        out = lake.new_publish_dir(memory_lake, run_id)
        with MEMORY.open(f"{MEMORY._strip_protocol(out)}/quarantine/quarantine.parquet", "wb") as f:
            pq.write_table(pa.table({"run_id": [run_id]}), f)
        lake.swap_in_published(memory_lake, out, ("quarantine",))
        lake.write_published_state(memory_lake, run_id)

    publish("r1")
    publish("r2")
    assert lake.published_state(memory_lake) == "r2"
    assert lake.published_table(memory_lake, "quarantine").endswith("_versions/r2/quarantine")
    assert not MEMORY.exists(store.path(lake.VERSIONS, "r1"))

    # A run that crashed after exporting, before its manifest PUT: r2 stays current, the
    # orphan goes at the next run's cleanup.
    crashed = lake.new_publish_dir(memory_lake, "r3")
    MEMORY.pipe(f"{MEMORY._strip_protocol(crashed)}/quarantine/quarantine.parquet", b"partial")
    assert lake.published_table(memory_lake, "quarantine").endswith("_versions/r2/quarantine")
    lake.remove_abandoned_publishes(memory_lake)
    lake.remove_staging(memory_lake)
    assert not MEMORY.exists(store.path(lake.VERSIONS, "r3"))
    assert MEMORY.exists(store.path(lake.VERSIONS, "r2"))
    assert MEMORY.find(store.path(lake.STAGING)) == []


class FakeS3(MemoryFileSystem):
    """An in-memory filesystem answering to ``s3://``, standing in for s3fs."""

    protocol = ("s3", "s3a")
    root_marker = ""

    @classmethod
    def _strip_protocol(cls, path: str) -> str:
        """``bucket/key`` paths, as s3fs has them."""
        return path.removeprefix("s3://").removeprefix("s3a://").rstrip("/")


def test_duckdb_reads_and_writes_s3_urls_through_the_registered_filesystem(monkeypatch):
    """No httpfs extension (it would download): DuckDB must use the fsspec filesystem."""
    monkeypatch.setitem(sys.modules["fsspec.registry"]._registry, "s3", FakeS3)
    url = f"s3://bucket-{uuid.uuid4().hex}/lake"
    try:
        staged = _stage_rows(url, "r1")
        assert staged.startswith("s3://")
        with duckdb.connect() as conn:
            conn.execute("SET autoinstall_known_extensions = false")
            conn.register_filesystem(lake.duckdb_filesystem(url))
            assert conn.read_parquet(staged).fetchall() == [("file:///in/r1.txt", "empty", "r1")]
            conn.execute(f"COPY (SELECT 1 AS x) TO '{url}/_versions/r1/t/t.parquet'")
        assert lake.resolve(url).fs.exists(f"{url}/_versions/r1/t/t.parquet")
    finally:
        lake.resolve(url).fs.rm(url.removeprefix("s3://").split("/")[0], recursive=True)
    assert not [key for key in MEMORY.store if "bucket-" in key]


@pytest.mark.skipif(importlib.util.find_spec("s3fs") is not None, reason="s3fs is installed")
def test_cli_refuses_an_s3_lake_without_s3fs_in_one_line(tmp_path):
    from etl.cli.main import unwritable_output

    settings = make_settings(tmp_path, tmp_path).model_copy(update={"lake_dir": "s3://b/lake"})
    problem = unwritable_output(settings)
    assert problem is not None and problem.startswith("cannot write the lake s3://b/lake")
    assert "s3fs" in problem and "\n" not in problem
