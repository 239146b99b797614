"""Commit stage: turn one run's staged Parquet files into the next warehouse state and swap it in.

Order inside the next-state copy: remove superseded documents, insert the run's documents,
resolve entities globally (reading the warehouse a chunk of documents at a time) and relink
mentions and events, cluster events, record the run.
Nothing is visible to analysts until ``load.commit`` renames the copy over the live file; the
lake's published tables are then exported from the new state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pyarrow as pa
from sqlalchemy.engine import Connection

from etl import schema
from etl.records import Quarantined
from etl.run.plan import LoadPlan
from etl.run.stats import RunStats
from etl.settings import Settings
from etl.stages.document import BatchRows
from etl.stages.resolve import cluster_events, full_person_name_keys, resolve_in_chunks, table_rows
from etl.storage import lake
from etl.storage.warehouse import load
from etl.storage.warehouse.export import BOOKKEEPING_TABLES, PUBLISHED_TABLES, export_changed

BATCH_TABLES = {
    "documents": schema.DOCUMENTS,
    "sentences": schema.SENTENCES,
    "date_mentions": schema.DATE_MENTIONS,
    "mentions": schema.MENTIONS,
    "events": schema.EXTRACTED_EVENTS,
    "document_parts": schema.DOCUMENT_PARTS,
}


def stage_table(
    settings: Settings,
    run_id: str,
    table: str,
    part: str,
    data: pa.Table | Sequence[dict],
    table_schema: pa.Schema,
) -> str:
    """Write one staging file of the run (rows or an Arrow table); returns its path or URL."""
    return lake.open_lake(settings.lake_dir).stage(run_id, table, part, data, table_schema)


def stage_batch(settings: Settings, run_id: str, part: str, rows: BatchRows) -> dict[str, str]:
    """Write one processed batch to the run's staging area; returns the file of each table."""
    return {
        table: stage_table(settings, run_id, table, part, getattr(rows, table), table_schema)
        for table, table_schema in BATCH_TABLES.items()
    }


def resolve_and_cluster(conn: Connection, settings: Settings, run_id: str) -> None:
    """Resolve every mention to an entity and cluster every event, in the next state."""
    person_names = full_person_name_keys(table_rows(load.person_mentions(conn)))
    chunks = load.resolution_chunks(conn, settings.resolution_chunk_docs)
    resolved = resolve_in_chunks(person_names, chunks)
    load.apply_entities(
        conn,
        {
            "entities": stage_table(
                settings, run_id, "entities", "0", resolved.entities, schema.ENTITIES
            ),
            "aliases": stage_table(
                settings, run_id, "aliases", "0", resolved.aliases, schema.ENTITY_ALIASES
            ),
            "mention_entities": stage_table(
                settings,
                run_id,
                "mention_entities",
                "0",
                resolved.mention_entities,
                schema.MENTION_ENTITIES,
            ),
        },
    )
    cluster_map, clusters = cluster_events(
        load.events_for_clustering(conn), load.documents_for_clustering(conn)
    )
    load.apply_clusters(
        conn,
        {
            "event_cluster_map": stage_table(
                settings,
                run_id,
                "event_cluster_map",
                "0",
                cluster_map,
                schema.EVENT_CLUSTER_MAP,
            ),
            "event_clusters": stage_table(
                settings, run_id, "event_clusters", "0", clusters, schema.EVENT_CLUSTERS
            ),
        },
    )


def _record(
    conn: Connection, settings: Settings, run_row: dict, quarantined: Sequence[Quarantined]
) -> None:
    run_id = run_row["run_id"]
    quarantine_rows = [
        {"source_uri": q.source_uri, "reason": q.reason, "run_id": run_id} for q in quarantined
    ]
    load.record_run(
        conn,
        {
            "runs": stage_table(settings, run_id, "runs", "0", [run_row], schema.RUNS),
            "quarantine": stage_table(
                settings, run_id, "quarantine", "0", quarantine_rows, schema.QUARANTINE
            ),
        },
    )


@contextlib.contextmanager
def _next_state(settings: Settings, run_id: str) -> Iterator[Connection]:
    """A transaction on a copy of the live warehouse, its schema brought up to date; the copy is
    swapped in when the block ends without an error, and never otherwise."""
    next_db = load.begin(settings.db_path, run_id)
    filesystem = lake.open_lake(settings.lake_dir).duckdb_filesystem
    with load.connect(next_db, filesystem, settings.warehouse_memory_limit) as conn:
        load.upgrade_schema(conn)
        yield conn
    load.commit(next_db, settings.db_path)


def commit_run(
    settings: Settings,
    stats: RunStats,
    plan: LoadPlan,
    staged: Sequence[dict[str, str]],
    quarantined: Sequence[Quarantined],
) -> None:
    """Apply a finished run to a copy of the warehouse and swap it in (all or nothing)."""
    with _next_state(settings, stats.run_id) as conn:
        load.remove_documents(conn, plan.superseded_doc_ids)
        load.insert_documents(conn, {t: [files[t] for files in staged] for t in BATCH_TABLES})
        if plan.changes_anything:
            resolve_and_cluster(conn, settings, stats.run_id)
        _record(conn, settings, stats.row("succeeded", datetime.now(UTC)), quarantined)


def record_failed_run(settings: Settings, stats: RunStats, error: str) -> None:
    """Leave the previous state as it was, plus a ``runs`` row saying this run failed."""
    with _next_state(settings, stats.run_id) as conn:
        _record(conn, settings, stats.row("failed", datetime.now(UTC), error), [])


def publish_lake(settings: Settings, run_id: str) -> None:
    """Export the live warehouse's changed partitions to the lake and drop the run's staging.

    Only ``runs`` and ``quarantine`` are compared when the documents are as the lake last
    published them; after any data change (or a crash before publishing) every table is, and
    only the partitions whose digest changed are rewritten.
    """
    store = lake.open_lake(settings.lake_dir)
    manifest = store.manifest()
    state = load.data_state(settings.db_path)
    tables = BOOKKEEPING_TABLES if manifest.state == state else PUBLISHED_TABLES
    out_dir = store.new_publish_dir(run_id)
    exported = export_changed(
        settings.db_path,
        out_dir,
        tables,
        {table: manifest.digests(table) for table in tables},
        store.duckdb_filesystem,
        settings.warehouse_memory_limit,
    )
    store.publish(out_dir, manifest, exported, state)
    store.remove_staging(run_id)


def clean_abandoned(settings: Settings) -> None:
    """Remove what crashed runs left behind (call under the write lock, before a run), after
    checking the lake was published with this release's schema version."""
    store = lake.open_lake(settings.lake_dir)
    store.check_schema_version()
    load.remove_abandoned_copies(settings.db_path)
    store.remove_staging()
    store.remove_abandoned_publishes()
