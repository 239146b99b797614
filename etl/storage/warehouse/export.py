"""Publish every warehouse table to the lake as Parquet (DuckDB's writer, zstd, schema version)."""

from __future__ import annotations

from pathlib import Path

from fsspec import AbstractFileSystem
from fsspec.implementations.local import LocalFileSystem

from etl.storage.warehouse.engine import make_engine, run_script

PARTITIONED_TABLES = (
    "documents",
    "sentences",
    "date_mentions",
    "entity_mentions",
    "events",
    "document_parts",
)
BOOKKEEPING_TABLES = ("runs", "quarantine")
SINGLE_FILE_TABLES = ("entities", "entity_aliases", "event_clusters", *BOOKKEEPING_TABLES)
PUBLISHED_TABLES = PARTITIONED_TABLES + SINGLE_FILE_TABLES


def export_tables(
    db_path: Path,
    out_dir: Path | str,
    tables: tuple[str, ...],
    filesystem: AbstractFileSystem | None = None,
    memory_limit: str | None = None,
) -> None:
    """Write each of ``tables`` under ``out_dir/<table>/``.

    ``out_dir`` is a local folder, or (with ``filesystem``, the lake's fsspec filesystem, which
    DuckDB then writes through) a URL on that filesystem. ``memory_limit``: DuckDB's memory cap
    (the partitioned writes otherwise buffer a large share of each table).
    """
    fs = filesystem or LocalFileSystem()
    engine = make_engine(db_path, read_only=True, memory_limit=memory_limit)
    try:
        with engine.connect() as conn:
            if filesystem is not None:
                conn.connection.driver_connection.register_filesystem(filesystem)
            for table in (t for t in PARTITIONED_TABLES if t in tables):
                run_script(conn, f"export/{table}.sql", {"path": f"{out_dir}/{table}"})
                # An empty table writes no partition; publish an empty folder rather than none.
                fs.makedirs(f"{out_dir}/{table}", exist_ok=True)
            for table in (t for t in SINGLE_FILE_TABLES if t in tables):
                fs.makedirs(f"{out_dir}/{table}", exist_ok=True)
                path = f"{out_dir}/{table}/{table}.parquet"
                run_script(conn, f"export/{table}.sql", {"path": path})
    finally:
        engine.dispose()
