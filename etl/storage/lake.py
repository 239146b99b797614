"""The Parquet lake: per-run staging files the warehouse loads from, and the published tables.

The lake is a local folder (a path, or a ``file://`` URL) or any fsspec URL, e.g.
``s3://bucket/lake`` with s3fs installed, ``gcs://...`` with gcsfs, ``memory://...`` in tests.
``open_lake`` decides once which of the two implementations of ``Lake`` serves it; the rest of
the code calls the same methods on either.

Layout (under the lake's root):

* ``_staging/<run_id>/<table>/<part>.parquet``: what one run produced (per-document rows of
  its new or changed documents, then resolution results). The warehouse load reads these with
  DuckDB's Parquet reader; they are removed once the run is committed.
* the published tables: every warehouse table. Tables that grow with the corpus (``documents``,
  ``sentences``, ``date_mentions``, ``entity_mentions``, ``events``) are partitioned Hive-style
  by the month of the news, ``year=YYYY/month=MM/`` of the document's publication date (its
  load date when none is known); the others are one file. Files are zstd-compressed and carry
  ``newsetl_schema_version`` in their key/value metadata.
* ``_published.json``, the manifest: the warehouse data state and schema version the lake was
  published from, and for every table each partition's row digest and the folder holding it.
  A publish compares the warehouse's digests with it and rewrites only the partitions that
  differ, so a night's run rewrites the months its documents (and the entities they touched)
  belong to, not the archive.

How new partitions appear atomically depends on the storage:

* ``LocalLake`` (POSIX folder): each changed partition is exported into a hidden
  ``.publish-<run_id>/`` folder and swapped into ``<table>/<partition>/`` with a rename, so a
  partition folder always holds one whole version; the manifest is replaced last.
* ``ObjectStoreLake`` (any other fsspec filesystem): one object PUT is atomic but there is no
  atomic rename, so nothing is renamed. Changed partitions are exported once to
  ``_versions/<run_id>/<table>/<partition>/``; then the one small object ``_published.json``
  is replaced, naming the folder of each partition; only then are version folders it no
  longer names deleted. Readers resolve a table through the manifest (``published_files``),
  never by listing ``_versions/``. A crash before the manifest PUT leaves the previous
  snapshot current; the next run deletes the orphans.

The DuckDB load and export stay on the flow's machine (one writer). For an object store lake
DuckDB reaches the files through the same fsspec filesystem, registered on its connection
(``Lake.duckdb_filesystem``), so no DuckDB extension is needed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
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
OLD_PREFIX = ".old-"
SCHEMA_VERSION_KEY = b"newsetl_schema_version"
PUBLISHED_STATE = "_published.json"
WHOLE_TABLE = ""  # the partition key of a table published as one file

LakeDir = Path | str


class LakeSchemaMismatch(RuntimeError):
    """The lake was published by a release with another schema version."""


@dataclass
class Manifest:
    """What the lake currently publishes: per table, each partition's digest and folder."""

    state: str | None = None
    schema_version: str | None = None
    tables: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def digests(self, table: str) -> dict[str, str]:
        return {key: entry["digest"] for key, entry in self.tables.get(table, {}).items()}

    def folders(self) -> set[str]:
        return {entry["folder"] for parts in self.tables.values() for entry in parts.values()}

    def to_json(self) -> str:
        return json.dumps(
            {"state": self.state, "schema_version": self.schema_version, "tables": self.tables},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Manifest:
        data = json.loads(text)
        tables = {}
        for table, parts in data.get("tables", {}).items():
            # Before partition digests the manifest named one folder per table.
            old_style = isinstance(parts, str)
            tables[table] = {WHOLE_TABLE: {"digest": "", "folder": parts}} if old_style else parts
        return cls(data.get("state"), data.get("schema_version"), tables)


@dataclass
class PartitionChanges:
    """What a publish changes: partitions written ({table: {partition: digest}}; a table
    listed with no partitions was compared and is unchanged) and partitions left without rows."""

    changed: dict[str, dict[str, str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)


def _with_schema_version(table: pa.Table) -> pa.Table:
    metadata = dict(table.schema.metadata or {})
    metadata[SCHEMA_VERSION_KEY] = SCHEMA_VERSION.encode()
    return table.replace_schema_metadata(metadata)


class Lake:
    """Operations every lake offers; ``LocalLake`` and ``ObjectStoreLake`` differ only in how a
    file or a partition becomes visible (rename vs. write-once plus manifest)."""

    def __init__(self, fs: AbstractFileSystem, root: str) -> None:
        self.fs = fs
        self.root = root.rstrip("/") or "/"

    # --------------------------------------------------------------------------- paths
    def path(self, *parts: str) -> str:
        return "/".join([self.root, *(p for p in parts if p)])

    def url(self, path: str) -> str:
        """The path as DuckDB and other readers name it."""
        return path

    def relative(self, path: str) -> str:
        return self.fs._strip_protocol(path)[len(self.root) :].strip("/")

    @property
    def duckdb_filesystem(self) -> AbstractFileSystem | None:
        """The fsspec filesystem a DuckDB connection must register to reach the lake."""
        return None

    # --------------------------------------------------------------------------- staging
    def prepare(self) -> None:
        """Make the lake usable (create a local folder); fails early if it cannot be reached."""

    def _write_parquet(self, table: pa.Table, path: str) -> None:
        raise NotImplementedError

    def stage(
        self,
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
        path = self.path(STAGING, run_id, table, f"{part}.parquet")
        self._write_parquet(_with_schema_version(data), path)
        return self.url(path)

    def remove_staging(self, run_id: str | None = None) -> None:
        """Drop one run's staging folder, or every one (left behind by crashed runs)."""
        self._remove_tree(self.path(STAGING, run_id or ""))

    def _remove_tree(self, path: str) -> None:
        self.fs.invalidate_cache(path)  # other processes (workers, crashed runs) wrote here
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(path, recursive=True)

    # --------------------------------------------------------------------------- publishing
    def manifest(self) -> Manifest:
        """The current ``_published.json`` (empty before the first publish).

        Read errors other than a missing file propagate: publishing over an empty manifest
        would drop every table.
        """
        path = self.path(PUBLISHED_STATE)
        self.fs.invalidate_cache(path)
        try:
            with self.fs.open(path, "rb") as handle:
                return Manifest.from_json(handle.read())
        except FileNotFoundError:
            return Manifest()

    def check_schema_version(self) -> None:
        """Refuse a lake published by a release with another schema version."""
        found = self.manifest().schema_version
        if found is not None and found != SCHEMA_VERSION:
            raise LakeSchemaMismatch(
                f"the lake at {self.root} has schema version {found}, this release writes "
                f"{SCHEMA_VERSION}: publish to a new lake or re-export it"
            )

    def new_publish_dir(self, run_id: str) -> str:
        """Where to export this run's changed partitions before they are made current."""
        raise NotImplementedError

    def partition_folder(self, publish_dir: str, table: str, partition: str) -> str:
        """The folder a partition exported to ``publish_dir`` is read from once current."""
        raise NotImplementedError

    def publish(
        self,
        publish_dir: str,
        manifest: Manifest,
        changes: PartitionChanges,
        state: str,
    ) -> None:
        """Make the changed partitions exported to ``publish_dir`` current, drop the removed
        ones, and replace the manifest (``manifest``, the one read before exporting, updated
        accordingly and with the warehouse data ``state``) last."""
        raise NotImplementedError

    def _updated(
        self,
        publish_dir: str,
        manifest: Manifest,
        changes: PartitionChanges,
        state: str,
    ) -> Manifest:
        tables = {table: dict(parts) for table, parts in manifest.tables.items()}
        for table, parts in changes.changed.items():
            entries = tables.setdefault(table, {})
            for partition, digest in parts.items():
                folder = self.relative(self.partition_folder(publish_dir, table, partition))
                entries[partition] = {"digest": digest, "folder": folder}
        for table, partitions in changes.removed.items():
            for partition in partitions:
                tables.get(table, {}).pop(partition, None)
        return Manifest(state, SCHEMA_VERSION, tables)

    def _write_manifest(self, manifest: Manifest) -> None:
        raise NotImplementedError

    def published_state(self) -> str | None:
        """The warehouse data state the published tables were exported from (None: unknown)."""
        try:
            return self.manifest().state
        except (OSError, ValueError):
            return None

    def published_files(self, table: str) -> list[str]:
        """Sorted paths or URLs of the Parquet files of a table's current partitions."""
        files = []
        for entry in self.manifest().tables.get(table, {}).values():
            folder = self.path(entry["folder"])
            self.fs.invalidate_cache(folder)
            with contextlib.suppress(FileNotFoundError):
                files += [self.url(p) for p in self.fs.find(folder) if p.endswith(".parquet")]
        return sorted(files)

    def remove_abandoned_publishes(self) -> None:
        """Remove what runs that crashed while publishing left behind."""
        raise NotImplementedError


class LocalLake(Lake):
    """A lake in a local (POSIX) folder: files and partition folders appear by rename."""

    def __init__(self, root: Path) -> None:
        super().__init__(LocalFileSystem(), str(root))

    def relative(self, path: str) -> str:
        return os.path.relpath(path, self.root)

    def prepare(self) -> None:
        Path(self.root).mkdir(parents=True, exist_ok=True)

    def _write_parquet(self, table: pa.Table, path: str) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            pq.write_table(table, tmp, compression="zstd")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def remove_staging(self, run_id: str | None = None) -> None:
        shutil.rmtree(self.path(STAGING, run_id or ""), ignore_errors=True)

    def new_publish_dir(self, run_id: str) -> str:
        folder = Path(self.path(f"{PUBLISH_TMP_PREFIX}{run_id}"))
        shutil.rmtree(folder, ignore_errors=True)  # a retried publish starts over
        folder.mkdir(parents=True)
        return str(folder)

    def partition_folder(self, publish_dir: str, table: str, partition: str) -> str:
        return self.path(table, partition)

    def publish(self, publish_dir, manifest, changes, state) -> None:
        run_name = Path(publish_dir).name
        for table, parts in changes.changed.items():
            if table not in manifest.tables:
                # First publish of the table (or of a lake laid out by an older release): every
                # partition is new, so the whole table folder is swapped in at once.
                self._swap(Path(publish_dir, table), run_name, table, WHOLE_TABLE)
                continue
            for partition in parts:
                self._swap(Path(publish_dir, table, partition), run_name, table, partition)
        for table, partitions in changes.removed.items():
            for partition in partitions:
                self._swap(None, run_name, table, partition)
        self._write_manifest(self._updated(publish_dir, manifest, changes, state))
        shutil.rmtree(publish_dir, ignore_errors=True)

    def _swap(self, new: Path | None, run_name: str, table: str, partition: str) -> None:
        """Rename ``new`` over ``<table>/<partition>`` (or only remove that folder)."""
        target = Path(self.path(table, partition))
        old = Path(self.path(f"{OLD_PREFIX}{run_name}-{table}-{partition.replace('/', '-')}"))
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        if new is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not new.exists():  # an empty table exports no file: publish an empty folder
                new.mkdir(parents=True)
            os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
        if new is None and target.parent != Path(self.path(table)):
            with contextlib.suppress(OSError):
                target.parent.rmdir()  # a year folder left without months

    def _write_manifest(self, manifest: Manifest) -> None:
        path = Path(self.path(PUBLISHED_STATE))
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(manifest.to_json())
        os.replace(tmp, path)

    def remove_abandoned_publishes(self) -> None:
        root = Path(self.root)
        if not root.is_dir():
            return
        for path in root.iterdir():
            if path.name.startswith((PUBLISH_TMP_PREFIX, OLD_PREFIX)):
                shutil.rmtree(path, ignore_errors=True)


class ObjectStoreLake(Lake):
    """A lake on a filesystem without atomic rename: files are written once, under names no
    other run uses, and the manifest names the current ones."""

    def url(self, path: str) -> str:
        return self.fs.unstrip_protocol(path)

    @property
    def duckdb_filesystem(self) -> AbstractFileSystem | None:
        return self.fs

    def _write_parquet(self, table: pa.Table, path: str) -> None:
        with self.fs.open(path, "wb") as handle:  # one upload: atomic on object stores
            pq.write_table(table, handle, compression="zstd")

    def new_publish_dir(self, run_id: str) -> str:
        folder = self.path(VERSIONS, run_id)
        self._remove_tree(folder)  # a retried publish starts over
        return self.url(folder)

    def partition_folder(self, publish_dir: str, table: str, partition: str) -> str:
        return f"{publish_dir}/{table}/{partition}".rstrip("/")

    def publish(self, publish_dir, manifest, changes, state) -> None:
        updated = self._updated(publish_dir, manifest, changes, state)
        self._write_manifest(updated)
        self._remove_unpublished_versions(updated)

    def _write_manifest(self, manifest: Manifest) -> None:
        with self.fs.open(self.path(PUBLISHED_STATE), "wb") as handle:
            handle.write(manifest.to_json().encode())

    def remove_abandoned_publishes(self) -> None:
        self._remove_unpublished_versions(self.manifest())

    def _remove_unpublished_versions(self, manifest: Manifest) -> None:
        """Delete everything under ``_versions/`` that the manifest does not name."""
        current = manifest.folders()
        versions = self.path(VERSIONS)
        self.fs.invalidate_cache(versions)
        if not self.fs.exists(versions):
            return
        for run_folder in self.fs.ls(versions, detail=False):
            prefix = self.relative(run_folder) + "/"
            if not any(folder.startswith(prefix) for folder in current):
                self._remove_tree(run_folder)
                continue
            for path in self.fs.find(run_folder):
                if not any(self.relative(path).startswith(f"{f}/") for f in current):
                    self.fs.rm(path)


def open_lake(lake_dir: LakeDir) -> Lake:
    """The lake at a local folder or fsspec URL, as the implementation that serves it.

    A URL whose protocol has no implementation installed (``s3://`` without s3fs) raises
    ImportError; an unknown protocol raises ValueError.
    """
    location = lake_location(lake_dir)
    if isinstance(location, Path):
        return LocalLake(location)
    fs, root = url_to_fs(location)
    if isinstance(fs, LocalFileSystem):
        return LocalLake(Path(root))
    return ObjectStoreLake(fs, root)
