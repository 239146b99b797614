"""The Parquet lake: per-run staging files the warehouse loads from, and the published tables.

Layout (under ``lake_dir``):

* ``_staging/<run_id>/<table>/<part>.parquet``: what one run produced (per-document rows of
  its new or changed documents, then resolution results). The warehouse load reads these with
  DuckDB's Parquet reader; they are removed once the run is committed.
* ``<table>/``: every warehouse table, published after each committed run. Tables that grow
  with the corpus (``documents``, ``sentences``, ``entity_mentions``, ``events``) are
  partitioned Hive-style by ``load_date`` (the UTC day the document was loaded); the others are
  one file. Files are zstd-compressed and carry ``newsetl_schema_version`` in their key/value
  metadata.

Every file appears atomically: it is written under a temporary name, then renamed.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.schema import SCHEMA_VERSION

STAGING = "_staging"
PUBLISH_TMP_PREFIX = ".publish-"
SCHEMA_VERSION_KEY = b"newsetl_schema_version"
PUBLISHED_STATE = "_published.json"


def staging_dir(lake_dir: Path, run_id: str) -> Path:
    return lake_dir / STAGING / run_id


def write_table(table: pa.Table, path: Path) -> Path:
    """Write one Parquet file atomically (temporary name, then rename), zstd, schema version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = dict(table.schema.metadata or {})
    metadata[SCHEMA_VERSION_KEY] = SCHEMA_VERSION.encode()
    table = table.replace_schema_metadata(metadata)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_rows(rows: Sequence[dict], schema: pa.Schema, path: Path) -> Path:
    """Write plain row dicts as one Parquet file with the given schema."""
    return write_table(pa.Table.from_pylist(list(rows), schema=schema), path)


def staged_files(lake_dir: Path, run_id: str, table: str) -> list[str]:
    """Sorted staging files of one table for one run (empty when the run staged none)."""
    folder = staging_dir(lake_dir, run_id) / table
    return sorted(str(p) for p in folder.glob("*.parquet")) if folder.is_dir() else []


def remove_staging(lake_dir: Path, run_id: str | None = None) -> None:
    """Drop one run's staging folder, or every staging folder (left behind by crashed runs)."""
    target = lake_dir / STAGING if run_id is None else staging_dir(lake_dir, run_id)
    shutil.rmtree(target, ignore_errors=True)


def new_publish_dir(lake_dir: Path, run_id: str) -> Path:
    """A hidden folder to export the new snapshot into before it is swapped in."""
    folder = lake_dir / f"{PUBLISH_TMP_PREFIX}{run_id}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def swap_in_published(lake_dir: Path, publish_dir: Path, tables: Sequence[str]) -> None:
    """Move each exported table folder into place, replacing the previous snapshot's folder."""
    for table in tables:
        new = publish_dir / table
        if not new.exists():
            continue
        target = lake_dir / table
        old = lake_dir / f".old-{publish_dir.name}-{table}"
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(publish_dir, ignore_errors=True)


def remove_abandoned_publishes(lake_dir: Path) -> None:
    """Remove export folders of runs that crashed while publishing."""
    if not lake_dir.is_dir():
        return
    for path in lake_dir.iterdir():
        if path.name.startswith((PUBLISH_TMP_PREFIX, ".old-")):
            shutil.rmtree(path, ignore_errors=True)


def stage(
    lake_dir: Path,
    run_id: str,
    table: str,
    part: str,
    data: pa.Table | Sequence[dict],
    schema: pa.Schema,
) -> str:
    """Write one staging file of a run and return its path (rows are cast to ``schema``)."""
    if isinstance(data, pa.Table):
        data = data.select(schema.names).cast(schema)
    else:
        data = pa.Table.from_pylist(list(data), schema=schema)
    return str(write_table(data, staging_dir(lake_dir, run_id) / table / f"{part}.parquet"))


def published_state(lake_dir: Path) -> str | None:
    """The warehouse data state the published tables were exported from (None if unknown)."""
    try:
        return json.loads((lake_dir / PUBLISHED_STATE).read_text())["state"]
    except (OSError, ValueError, KeyError):
        return None


def write_published_state(lake_dir: Path, state: str) -> None:
    path = lake_dir / PUBLISHED_STATE
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps({"state": state}))
    os.replace(tmp, path)
