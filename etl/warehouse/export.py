"""Publish every warehouse table to the lake as Parquet (DuckDB's writer, zstd, schema version)."""

from __future__ import annotations

from pathlib import Path

from etl.warehouse.engine import make_engine, run_script

PARTITIONED_TABLES = ("documents", "sentences", "entity_mentions", "events")
BOOKKEEPING_TABLES = ("runs", "quarantine")
SINGLE_FILE_TABLES = ("entities", "entity_aliases", "event_clusters", *BOOKKEEPING_TABLES)
PUBLISHED_TABLES = PARTITIONED_TABLES + SINGLE_FILE_TABLES


def export_tables(db_path: Path, out_dir: Path, tables: tuple[str, ...]) -> None:
    """Write each of ``tables`` under ``out_dir/<table>/``."""
    engine = make_engine(db_path, read_only=True)
    try:
        with engine.connect() as conn:
            for table in (t for t in PARTITIONED_TABLES if t in tables):
                run_script(conn, f"export/{table}.sql", {"path": str(out_dir / table)})
                # An empty table writes no partition; publish an empty folder rather than none.
                (out_dir / table).mkdir(parents=True, exist_ok=True)
            for table in (t for t in SINGLE_FILE_TABLES if t in tables):
                (out_dir / table).mkdir(parents=True, exist_ok=True)
                path = out_dir / table / f"{table}.parquet"
                run_script(conn, f"export/{table}.sql", {"path": str(path)})
    finally:
        engine.dispose()
