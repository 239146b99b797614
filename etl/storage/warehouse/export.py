"""Publish warehouse tables to the lake as Parquet, rewriting only the partitions that changed.

Each ``sql/export/<table>.sql`` defines the table's published rows (a temporary view, with the
``year``/``month`` of the news for partitioned tables). Their per-partition digests are compared
with the ones the lake's manifest holds; only partitions whose digest differs are written (by
DuckDB's writer, zstd, the schema version in the key/value metadata), and partitions that no
longer have rows are reported as removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fsspec import AbstractFileSystem
from fsspec.implementations.local import LocalFileSystem

from etl.schema import SCHEMA_VERSION
from etl.storage.lake import PartitionChanges
from etl.storage.warehouse.engine import fetch_arrow, make_engine, run_script

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
# Partitions (months) one COPY writes: each is held open until the COPY ends.
PARTITIONS_PER_COPY = 12


def export_changed(
    db_path: Path,
    out_dir: str,
    tables: tuple[str, ...],
    published: Mapping[str, Mapping[str, str]],
    filesystem: AbstractFileSystem | None = None,
    memory_limit: str | None = None,
    only_partitions: Mapping[str, list[str]] | None = None,
) -> PartitionChanges:
    """Write under ``out_dir/<table>/`` the partitions of ``tables`` whose digest differs from
    ``published`` ({table: {partition: digest}}, what the lake holds now).

    ``out_dir`` is a local folder, or (with ``filesystem``, the lake's fsspec filesystem, which
    DuckDB then writes through) a URL on that filesystem. ``memory_limit``: DuckDB's memory cap.
    ``only_partitions``: for the partitioned tables it names, the only partitions that may
    differ (the others are not read); every partition of the tables it does not name.
    """
    fs = filesystem or LocalFileSystem()
    result = PartitionChanges()
    engine = make_engine(db_path, read_only=True, memory_limit=memory_limit)
    try:
        with engine.connect() as conn:
            if filesystem is not None:
                conn.connection.driver_connection.register_filesystem(filesystem)
            months_of: object = ()  # the partitions document_months holds now (None: all)
            for table in tables:
                partitioned = table in PARTITIONED_TABLES
                compared = (only_partitions or {}).get(table) if partitioned else None
                if partitioned and compared != months_of:
                    months = {"all_partitions": compared is None, "partitions": compared or []}
                    run_script(conn, "export/document_months.sql", months)
                    months_of = compared
                run_script(conn, f"export/{table}.sql")
                digest_sql = "partition_digests" if partitioned else "table_digest"
                digests = fetch_arrow(conn, f"export/{digest_sql}.sql").to_pydict()
                now = dict(zip(digests["partition"], digests["digest"], strict=True))
                before = published.get(table, {})
                if compared is not None:
                    before = {p: digest for p, digest in before.items() if p in set(compared)}
                changed = sorted(p for p, digest in now.items() if before.get(p) != digest)
                result.changed[table] = {p: now[p] for p in changed}
                result.removed[table] = sorted(set(before) - set(now))
                folder = f"{out_dir}/{table}"
                fs.makedirs(folder, exist_ok=True)
                params = {"schema_version": SCHEMA_VERSION}
                # A few partitions per COPY: DuckDB holds every partition a COPY writes open at
                # once, and a night that re-resolves documents of every month of a 100,000-
                # document archive ran out of its 128MB writing them all in one.
                for start in range(0, len(changed) if partitioned else 0, PARTITIONS_PER_COPY):
                    run_script(
                        conn,
                        "export/copy_partitions.sql",
                        {
                            **params,
                            "path": folder,
                            "partitions": changed[start : start + PARTITIONS_PER_COPY],
                        },
                    )
                if changed and not partitioned:
                    path = f"{folder}/{table}.parquet"
                    run_script(conn, "export/copy_table.sql", {**params, "path": path})
    finally:
        engine.dispose()
    return result
