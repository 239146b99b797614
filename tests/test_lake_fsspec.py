"""The lake on fsspec URLs: a seed run with the lake at ``memory://`` (an object store: versioned
folders and a manifest) or at ``file://`` publishes the same tables as a run with a local folder,
leaves no staging files, and an unchanged re-run keeps the tables as they were."""

from __future__ import annotations

import hashlib
import importlib.util
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
        table: table_digest(lake.open_lake(lake_dir).published_files(table), filesystem)
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
    store = lake.open_lake(memory_lake)
    assert isinstance(store, lake.ObjectStoreLake)

    assert lake_digests(memory_lake, MEMORY) == local_digests
    assert "0:empty" not in local_digests.values()
    assert MEMORY.find(store.path(lake.STAGING)) == []
    manifest = store.manifest()
    assert set(manifest.tables) == set(PUBLISHED_TABLES)
    run_folder = f"{lake.VERSIONS}/{first.run_id}"
    assert all(folder.startswith(run_folder) for folder in manifest.folders())
    assert manifest.schema_version == schema.SCHEMA_VERSION
    runs = store.published_files("runs")
    assert table_digest(runs, MEMORY).startswith("1:")

    again = run_seeds(settings)
    assert again.docs_unchanged == 2 and again.docs_loaded == 0
    assert lake_digests(memory_lake, MEMORY) == local_digests
    assert MEMORY.find(store.path(lake.STAGING)) == []
    manifest = store.manifest()
    # Only the bookkeeping tables were re-exported; the data tables keep the first version.
    assert manifest.tables["runs"][""]["folder"] == f"{lake.VERSIONS}/{again.run_id}/runs"
    assert all(
        entry["folder"].startswith(f"{run_folder}/documents/year=")
        for entry in manifest.tables["documents"].values()
    )
    assert table_digest(store.published_files("runs"), MEMORY).startswith("2:")
    # Nothing but the versions the manifest names is left behind.
    versions = MEMORY.find(store.path(lake.VERSIONS))
    left = {store.relative(path).rsplit("/", 1)[0] for path in versions}
    assert left == manifest.folders()


def test_file_url_lake_run_is_a_local_lake(prefect_harness, seeds_dir, tmp_path, local_digests):
    url = f"file://{tmp_path}/lake"
    settings = make_settings(tmp_path, seeds_dir).model_copy(update={"lake_dir": url})
    run_seeds(settings)
    assert lake_digests(url) == local_digests
    # Same layout as a plain path: table folders renamed into place, no versions, no staging.
    assert (tmp_path / "lake" / "documents").is_dir()
    assert not (tmp_path / "lake" / lake.VERSIONS).exists()
    assert not any((tmp_path / "lake" / lake.STAGING).glob("*/*"))
    local = lake.open_lake(tmp_path / "lake")
    assert lake.open_lake(url).published_state() == local.published_state() is not None


def test_locations_open_a_local_or_object_store_lake(tmp_path):
    for location in (tmp_path, "data/lake", f"file://{tmp_path}/x"):
        assert isinstance(lake.open_lake(location), lake.LocalLake)
        assert lake.open_lake(location).duckdb_filesystem is None
    assert lake.open_lake(f"file://{tmp_path}/x").root == str(tmp_path / "x")
    assert lake.open_lake("data/lake").root == "data/lake"
    store = lake.open_lake("memory://bucket/lake")
    assert isinstance(store, lake.ObjectStoreLake) and store.root == "/bucket/lake"
    assert store.duckdb_filesystem is store.fs


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
    return lake.open_lake(lake_dir).stage(run_id, "quarantine", "0", [row], schema.QUARANTINE)


def _publish_one_table(store: lake.Lake, run_id: str, table: str, partitions: list[str]) -> None:
    """Publish ``partitions`` of ``table`` (each one file holding the run id) as a run would."""
    manifest = store.manifest()
    out = store.new_publish_dir(run_id)
    for partition in partitions:
        folder = store.fs._strip_protocol(f"{out}/{table}/{partition}".rstrip("/"))
        store.fs.makedirs(folder, exist_ok=True)
        with store.fs.open(f"{folder}/data_0.parquet", "wb") as handle:
            pq.write_table(pa.table({"run_id": [run_id]}), handle)
    gone = sorted(set(manifest.digests(table)) - set(partitions))
    changes = lake.PartitionChanges(
        {table: {partition: run_id for partition in partitions}}, {table: gone}
    )
    store.publish(out, manifest, changes, run_id)


def test_object_store_publish_swaps_the_manifest_and_drops_orphans(memory_lake):
    store = lake.open_lake(memory_lake)
    staged = _stage_rows(memory_lake, "r1")
    assert staged.startswith("memory://")

    _publish_one_table(store, "r1", "quarantine", [""])
    _publish_one_table(store, "r2", "quarantine", [""])
    assert store.published_state() == "r2"
    assert store.published_files("quarantine")[0].endswith("_versions/r2/quarantine/data_0.parquet")
    assert not MEMORY.exists(store.path(lake.VERSIONS, "r1"))

    # A run that crashed after exporting, before its manifest PUT: r2 stays current, the
    # orphan goes at the next run's cleanup.
    crashed = store.new_publish_dir("r3")
    MEMORY.pipe(f"{MEMORY._strip_protocol(crashed)}/quarantine/quarantine.parquet", b"partial")
    assert store.published_files("quarantine")[0].endswith("_versions/r2/quarantine/data_0.parquet")
    store.remove_abandoned_publishes()
    store.remove_staging()
    assert not MEMORY.exists(store.path(lake.VERSIONS, "r3"))
    assert MEMORY.exists(store.path(lake.VERSIONS, "r2"))
    assert MEMORY.find(store.path(lake.STAGING)) == []


@pytest.mark.parametrize("where", ["local", "memory"])
def test_publish_rewrites_only_changed_partitions(where, tmp_path, memory_lake):
    store = lake.open_lake(tmp_path / "lake" if where == "local" else memory_lake)
    store.prepare()
    months = ["year=2017/month=01", "year=2017/month=02"]
    _publish_one_table(store, "r1", "events", months)
    _publish_one_table(store, "r2", "events", ["year=2017/month=02", "year=2017/month=03"])
    files = store.published_files("events")
    assert len(files) == 2 and all("month=01" not in f for f in files)
    read = {f.split("/year=")[1]: pq.read_table(store.fs.open(f))[0][0].as_py() for f in files}
    assert read == {"2017/month=02/data_0.parquet": "r2", "2017/month=03/data_0.parquet": "r2"}
    assert set(store.manifest().tables["events"]) == set(months[1:]) | {"year=2017/month=03"}
    if where == "local":
        assert not (tmp_path / "lake" / "events" / "year=2017" / "month=01").exists()
        assert [p.name for p in (tmp_path / "lake").iterdir() if p.name.startswith(".")] == []


def test_a_lake_of_another_schema_version_is_refused(tmp_path):
    store = lake.open_lake(tmp_path)
    store.prepare()
    _publish_one_table(store, "r1", "runs", [""])
    store.check_schema_version()
    manifest = store.manifest()
    manifest.schema_version = "0"
    (tmp_path / lake.PUBLISHED_STATE).write_text(manifest.to_json())
    with pytest.raises(lake.LakeSchemaMismatch):
        store.check_schema_version()


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
            conn.register_filesystem(lake.open_lake(url).duckdb_filesystem)
            assert conn.read_parquet(staged).fetchall() == [("file:///in/r1.txt", "empty", "r1")]
            conn.execute(f"COPY (SELECT 1 AS x) TO '{url}/_versions/r1/t/t.parquet'")
        assert lake.open_lake(url).fs.exists(f"{url}/_versions/r1/t/t.parquet")
    finally:
        lake.open_lake(url).fs.rm(url.removeprefix("s3://").split("/")[0], recursive=True)
    assert not [key for key in MEMORY.store if "bucket-" in key]


@pytest.mark.skipif(importlib.util.find_spec("s3fs") is not None, reason="s3fs is installed")
def test_cli_refuses_an_s3_lake_without_s3fs_in_one_line(tmp_path):
    from etl.cli.main import unwritable_output

    settings = make_settings(tmp_path, tmp_path).model_copy(update={"lake_dir": "s3://b/lake"})
    problem = unwritable_output(settings)
    assert problem is not None and problem.startswith("cannot write the lake s3://b/lake")
    assert "s3fs" in problem and "\n" not in problem
