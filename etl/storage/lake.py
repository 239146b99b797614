"""The Parquet lake: per-run staging files the warehouse loads from, and the published tables.

The lake is a local folder (a path, or a ``file://`` URL) or any fsspec URL, e.g.
``s3://bucket/lake`` with s3fs installed, ``gcs://...`` with gcsfs, ``memory://...`` in tests.

Layout (under the lake's root):

* ``_staging/<run_id>/<table>/<part>.parquet``: what one run produced (per-document rows of
  its new or changed documents, then resolution results). The warehouse load reads these with
  DuckDB's Parquet reader; they are removed once the run is committed.
* the published tables: every warehouse table, exported after each committed run. Tables that
  grow with the corpus (``documents``, ``sentences``, ``date_mentions``, ``entity_mentions``,
  ``events``, ``document_parts``) are partitioned Hive-style by ``load_date`` (the UTC day the
  document was loaded); the others are one file. Files are zstd-compressed and carry
  ``newsetl_schema_version`` in their key/value metadata. ``_published.json`` records the
  warehouse data state they were exported from.

How a new snapshot appears atomically depends on the storage:

* Local folder (POSIX): every file is written under a temporary name, then renamed. A snapshot
  is exported into a hidden ``.publish-<run_id>/`` folder and each table folder is swapped in
  with a rename, so ``<lake>/<table>/`` is always one whole snapshot.
* Any other fsspec filesystem is treated as an object store: one object PUT is atomic (an
  object appears whole or not at all) but there is no atomic rename, so nothing is ever
  renamed. Files are written once, under names no other run uses. A snapshot is exported to
  ``_versions/<run_id>/<table>/``; then the one small object ``_published.json`` is replaced,
  naming the version folder of each table (``{"state": ..., "tables": {table: folder}}``);
  only then are version folders that it no longer names deleted. Readers resolve a table
  through that manifest (``published_table``), never by listing ``_versions/``. A crash before
  the manifest PUT leaves the previous snapshot current; the next run deletes the orphans.

The DuckDB load and export stay on the flow's machine (one writer). For an object store lake
DuckDB reaches the files through the same fsspec filesystem, registered on its connection
(``duckdb_filesystem``), so no DuckDB extension is needed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from fsspec import AbstractFileSystem
from fsspec.core import url_to_fs
from fsspec.implementations.local import LocalFileSystem

from etl.schema import SCHEMA_VERSION
from etl.settings import lake_location

STAGING = "_staging"
VERSIONS = "_versions"
PUBLISH_TMP_PREFIX = ".publish-"
SCHEMA_VERSION_KEY = b"newsetl_schema_version"
PUBLISHED_STATE = "_published.json"

LakeDir = Path | str


@dataclass(frozen=True)
class ObjectStore:
    """A lake on a filesystem without atomic rename: its fsspec filesystem and root path."""

    fs: AbstractFileSystem
    root: str

    def path(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    def url(self, path: str) -> str:
        """The path with its protocol, as DuckDB and other readers need it."""
        return self.fs.unstrip_protocol(path)

    def relative(self, path: str) -> str:
        return self.fs._strip_protocol(path)[len(self.root) :].strip("/")


def resolve(lake_dir: LakeDir) -> Path | ObjectStore:
    """The lake's local folder, or its object store for any other fsspec URL.

    A URL whose protocol has no implementation installed (``s3://`` without s3fs) raises
    ImportError; an unknown protocol raises ValueError.
    """
    location = lake_location(lake_dir)
    if isinstance(location, Path):
        return location
    fs, root = url_to_fs(location)
    if isinstance(fs, LocalFileSystem):
        return Path(root)
    return ObjectStore(fs, root.rstrip("/"))


def duckdb_filesystem(lake_dir: LakeDir) -> AbstractFileSystem | None:
    """The fsspec filesystem a DuckDB connection must register to reach the lake (None: local)."""
    where = resolve(lake_dir)
    return where.fs if isinstance(where, ObjectStore) else None


def prepare_root(lake_dir: LakeDir) -> None:
    """Create a local lake's folder; for an object store, check its filesystem is installed."""
    where = resolve(lake_dir)
    if isinstance(where, Path):
        where.mkdir(parents=True, exist_ok=True)


def staging_dir(lake_dir: Path, run_id: str) -> Path:
    return lake_dir / STAGING / run_id


def _with_schema_version(table: pa.Table) -> pa.Table:
    metadata = dict(table.schema.metadata or {})
    metadata[SCHEMA_VERSION_KEY] = SCHEMA_VERSION.encode()
    return table.replace_schema_metadata(metadata)


def write_table(table: pa.Table, path: Path) -> Path:
    """Write one Parquet file atomically (temporary name, then rename), zstd, schema version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = _with_schema_version(table)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_object(table: pa.Table, store: ObjectStore, path: str) -> str:
    """Write one Parquet object in a single upload (atomic on object stores); returns its URL."""
    with store.fs.open(path, "wb") as handle:
        pq.write_table(_with_schema_version(table), handle, compression="zstd")
    return store.url(path)


def write_rows(rows: Sequence[dict], schema: pa.Schema, path: Path) -> Path:
    """Write plain row dicts as one Parquet file with the given schema."""
    return write_table(pa.Table.from_pylist(list(rows), schema=schema), path)


def staged_files(lake_dir: LakeDir, run_id: str, table: str) -> list[str]:
    """Sorted staging files of one table for one run (empty when the run staged none)."""
    where = resolve(lake_dir)
    if isinstance(where, ObjectStore):
        pattern = where.path(STAGING, run_id, table, "*.parquet")
        where.fs.invalidate_cache(where.path(STAGING, run_id, table))
        return sorted(where.url(path) for path in where.fs.glob(pattern))
    folder = staging_dir(where, run_id) / table
    return sorted(str(p) for p in folder.glob("*.parquet")) if folder.is_dir() else []


def _remove_tree(store: ObjectStore, path: str) -> None:
    store.fs.invalidate_cache(path)  # other processes (workers, crashed runs) wrote here
    with contextlib.suppress(FileNotFoundError):
        store.fs.rm(path, recursive=True)


def remove_staging(lake_dir: LakeDir, run_id: str | None = None) -> None:
    """Drop one run's staging folder, or every staging folder (left behind by crashed runs)."""
    where = resolve(lake_dir)
    if isinstance(where, ObjectStore):
        parts = (STAGING,) if run_id is None else (STAGING, run_id)
        _remove_tree(where, where.path(*parts))
        return
    target = where / STAGING if run_id is None else staging_dir(where, run_id)
    shutil.rmtree(target, ignore_errors=True)


def new_publish_dir(lake_dir: LakeDir, run_id: str) -> Path | str:
    """Where to export the new snapshot before it is swapped in: a hidden local folder, or the
    URL of the run's version folder on an object store."""
    where = resolve(lake_dir)
    if isinstance(where, ObjectStore):
        folder = where.path(VERSIONS, run_id)
        _remove_tree(where, folder)  # a retried publish starts over
        return where.url(folder)
    folder = where / f"{PUBLISH_TMP_PREFIX}{run_id}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def swap_in_published(lake_dir: LakeDir, publish_dir: Path | str, tables: Sequence[str]) -> None:
    """Make each exported table current, replacing the previous snapshot's version of it.

    Local: rename each table folder into place. Object store: one PUT of the manifest naming
    the new version folders, then delete the versions no longer named.
    """
    where = resolve(lake_dir)
    if isinstance(where, ObjectStore):
        manifest = _read_manifest(where)
        folder = where.relative(str(publish_dir))
        manifest["tables"] = {**manifest.get("tables", {}), **{t: f"{folder}/{t}" for t in tables}}
        _write_manifest(where, manifest)
        _remove_unpublished_versions(where, manifest)
        return
    publish_dir = Path(publish_dir)
    for table in tables:
        new = publish_dir / table
        if not new.exists():
            continue
        target = where / table
        old = where / f".old-{publish_dir.name}-{table}"
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(publish_dir, ignore_errors=True)


def remove_abandoned_publishes(lake_dir: LakeDir) -> None:
    """Remove export folders of runs that crashed while publishing."""
    where = resolve(lake_dir)
    if isinstance(where, ObjectStore):
        _remove_unpublished_versions(where, _read_manifest(where))
        return
    if not where.is_dir():
        return
    for path in where.iterdir():
        if path.name.startswith((PUBLISH_TMP_PREFIX, ".old-")):
            shutil.rmtree(path, ignore_errors=True)


def _remove_unpublished_versions(store: ObjectStore, manifest: dict) -> None:
    """Delete every ``_versions/<run_id>/<table>`` folder the manifest does not name."""
    current = set(manifest.get("tables", {}).values())
    versions = store.path(VERSIONS)
    store.fs.invalidate_cache(versions)
    if not store.fs.exists(versions):
        return
    for run_folder in store.fs.ls(versions, detail=False):
        table_folders = store.fs.ls(run_folder, detail=False)
        stale = [f for f in table_folders if store.relative(f) not in current]
        if len(stale) == len(table_folders):
            _remove_tree(store, run_folder)
        else:
            for folder in stale:
                _remove_tree(store, folder)


def stage(
    lake_dir: LakeDir,
    run_id: str,
    table: str,
    part: str,
    data: pa.Table | Sequence[dict],
    schema: pa.Schema,
) -> str:
    """Write one staging file of a run and return its path or URL (rows cast to ``schema``)."""
    if isinstance(data, pa.Table):
        data = data.select(schema.names).cast(schema)
    else:
        data = pa.Table.from_pylist(list(data), schema=schema)
    where = resolve(lake_dir)
    if isinstance(where, ObjectStore):
        return write_object(data, where, where.path(STAGING, run_id, table, f"{part}.parquet"))
    return str(write_table(data, staging_dir(where, run_id) / table / f"{part}.parquet"))


def published_table(lake_dir: LakeDir, table: str) -> str | None:
    """Path or URL of the folder holding a table's current snapshot (None: never published)."""
    where = resolve(lake_dir)
    if isinstance(where, ObjectStore):
        folder = _read_manifest(where).get("tables", {}).get(table)
        return None if folder is None else where.url(where.path(folder))
    folder = where / table
    return str(folder) if folder.is_dir() else None


def published_files(lake_dir: LakeDir, table: str) -> list[str]:
    """Sorted paths or URLs of the Parquet files of a table's current snapshot."""
    where = resolve(lake_dir)
    folder = published_table(lake_dir, table)
    if folder is None:
        return []
    if isinstance(where, ObjectStore):
        found = where.fs.find(where.fs._strip_protocol(folder))
        return sorted(where.url(path) for path in found if path.endswith(".parquet"))
    return sorted(str(path) for path in Path(folder).rglob("*.parquet"))


def _read_manifest(store: ObjectStore) -> dict:
    """The object store's ``_published.json`` ({} before the first publish).

    Other read errors propagate: rewriting the manifest from an empty one would drop tables.
    """
    try:
        with store.fs.open(store.path(PUBLISHED_STATE), "rb") as handle:
            return json.loads(handle.read())
    except FileNotFoundError:
        return {}


def _write_manifest(store: ObjectStore, manifest: dict) -> None:
    with store.fs.open(store.path(PUBLISHED_STATE), "wb") as handle:
        handle.write(json.dumps(manifest, sort_keys=True).encode())


def published_state(lake_dir: LakeDir) -> str | None:
    """The warehouse data state the published tables were exported from (None if unknown)."""
    where = resolve(lake_dir)
    try:
        if isinstance(where, ObjectStore):
            return _read_manifest(where).get("state")
        return json.loads((where / PUBLISHED_STATE).read_text())["state"]
    except (OSError, ValueError, KeyError):
        return None


def write_published_state(lake_dir: LakeDir, state: str) -> None:
    where = resolve(lake_dir)
    if isinstance(where, ObjectStore):
        _write_manifest(where, {**_read_manifest(where), "state": state})
        return
    path = where / PUBLISHED_STATE
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps({"state": state}))
    os.replace(tmp, path)
