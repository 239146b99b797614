"""Commit stage: turn one run's staged Parquet files into the next warehouse state and swap it in.

Order inside the next-state copy: insert the run's documents, resolve the entities they and the
superseded documents touch (``etl.run.incremental``: the same result as resolving everything)
and relink their mentions and events, remove the superseded documents, cluster events, record
the run.
A warehouse whose resolution and clustering state was derived by another release (see
``etl.storage.warehouse.ddl.derived_state_current``) instead has the superseded documents
removed, then every entity and cluster recomputed in full, once, in the same next state.
Nothing is visible to analysts until ``load.commit`` renames the copy over the live file; the
lake's published tables are then exported from the new state.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlalchemy.engine import Connection

from etl import schema
from etl.records import Quarantined
from etl.run.plan import LoadPlan
from etl.run.stats import RunStats
from etl.settings import Settings
from etl.storage import lake
from etl.storage.warehouse import ddl, load
from etl.storage.warehouse.export import BOOKKEEPING_TABLES, PUBLISHED_TABLES, export_changed

# Resolution and clustering import spaCy (seconds): imported where used, so that recording an
# unchanged re-run (``etl.run.unchanged``) does without.
if TYPE_CHECKING:
    from etl.run import incremental
    from etl.stages.document import BatchRows

ENTITY_IDS = pa.schema([("entity_id", pa.string())])
DOC_IDS = pa.schema([("doc_id", pa.string())])
NAME_KEYS = pa.schema([("key", pa.string())])
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


def resolve_entities(
    conn: Connection,
    settings: Settings,
    run_id: str,
    scope: incremental.ResolutionScope | None = None,
) -> list[str] | None:
    """Bring the entities up to date with the documents: only what ``scope`` (the run's new and
    superseded documents, all still in the warehouse) changes, or everything when ``scope`` is
    None or the warehouse lacks the incremental state (see ``etl.run.incremental``). Returns
    the documents whose mentions were re-resolved, None after a full resolution."""
    from etl.run import incremental

    full = (
        scope is None
        or not load.resolution_state_complete(conn)
        or not ddl.derived_state_current(conn)
    )
    if full:
        load.reset_entities(conn)
        scope = incremental.ResolutionScope(load.all_doc_ids(conn), [])
    change = incremental.resolve_change(conn, scope, settings.resolution_chunk_docs)

    def staged(name: str, data: pa.Table | Sequence[dict], table_schema: pa.Schema) -> str:
        return stage_table(settings, run_id, name, "0", data, table_schema)

    load.apply_entity_change(
        conn,
        {
            "touched": staged(
                "touched_entities",
                [{"entity_id": entity_id} for entity_id in change.touched_entity_ids],
                ENTITY_IDS,
            ),
            "entities": staged("entities", change.resolution.entities, schema.ENTITIES),
            "aliases": staged("aliases", change.resolution.aliases, schema.ENTITY_ALIASES),
            "tallies": staged("entity_tallies", change.tallies, schema.ENTITY_TALLIES),
            "resolution_keys": staged(
                "resolution_keys", change.resolution_keys, schema.RESOLUTION_KEYS
            ),
            "mention_entities": staged(
                "mention_entities",
                change.resolution.mention_entities,
                schema.MENTION_ENTITIES,
            ),
            "resolved_docs": staged(
                "resolved_documents",
                [{"doc_id": doc_id} for doc_id in change.resolved_doc_ids],
                DOC_IDS,
            ),
            "relinked_names": staged(
                "relinked_names", [{"key": key} for key in change.relinked_names], NAME_KEYS
            ),
            "person_names": staged("person_names", change.person_names, schema.PERSON_NAMES),
        },
    )
    load.touch_documents(conn, change.resolved_doc_ids)
    return None if full else change.resolved_doc_ids


def cluster(
    conn: Connection,
    settings: Settings,
    run_id: str,
    changed_doc_ids: list[str] | None = None,
    removed_doc_ids: Sequence[str] = (),
    fresh_profiles: bool = False,
) -> None:
    """Bring event clusters up to date: only what the run's re-resolved (``changed_doc_ids``)
    and superseded documents change, or every event when ``changed_doc_ids`` is None or the
    warehouse lacks the incremental state (see ``etl.run.incremental_coref``); every
    document's profile is recomputed too with ``fresh_profiles`` (entity ids changed)."""
    from etl.run import incremental_coref

    def staged(name: str, data: pa.Table | Sequence[dict], table_schema: pa.Schema) -> str:
        return stage_table(settings, run_id, name, "0", data, table_schema)

    if changed_doc_ids is None or not incremental_coref.state_complete(conn):
        incremental_coref.full_clustering(
            conn, staged, fresh_profiles=fresh_profiles or changed_doc_ids is not None
        )
    else:
        incremental_coref.cluster_change(conn, changed_doc_ids, list(removed_doc_ids), staged)


def resolve_and_cluster(conn: Connection, settings: Settings, run_id: str) -> None:
    """Resolve every mention to an entity and cluster every event afresh (a full
    recomputation: what an incremental run must equal)."""
    resolve_entities(conn, settings, run_id)
    cluster(conn, settings, run_id)
    ddl.record_derived_state(conn)


def _rederive(
    conn: Connection,
    settings: Settings,
    run_id: str,
    superseded_doc_ids: list[str],
    times: PhaseTimes,
) -> None:
    """Bring a warehouse whose derived state another release computed up to date: remove the
    superseded documents, then recompute every entity, profile and cluster (its stored keys,
    anchors and tallies may not be what this release derives: they cannot be built on)."""
    with times.timing("resolve"):
        load.touch_documents(conn, load.all_doc_ids(conn))  # the new and superseded ones too
        load.collect_touched_partitions(conn)  # the superseded documents' months, while they exist
        load.remove_documents(conn, superseded_doc_ids)
        resolve_entities(conn, settings, run_id)
    with times.timing("cluster"):
        cluster(conn, settings, run_id, fresh_profiles=True)
        load.record_lake_changes(conn, run_id)
    ddl.record_derived_state(conn)


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
    with load.connect(
        next_db,
        filesystem,
        settings.warehouse_memory_limit,
        settings.warehouse_checkpoint_memory_limit,
    ) as conn:
        load.upgrade_schema(conn)
        yield conn
    load.commit(next_db, settings.db_path)


class PhaseTimes(dict):
    """Wall seconds of each phase of a commit, in order (the flow's commit task stores them as
    a Prefect artifact; the pipeline benchmark prints them)."""

    @contextlib.contextmanager
    def timing(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self[phase] = self.get(phase, 0.0) + time.perf_counter() - started


def apply_documents(
    conn: Connection,
    settings: Settings,
    run_id: str,
    files: dict[str, list[str]],
    superseded_doc_ids: list[str],
    times: PhaseTimes | None = None,
) -> None:
    """Load a run's staged documents (``files``: the staging files of each of ``BATCH_TABLES``),
    remove the superseded ones, and bring entities and clusters up to date (each phase's time
    added to ``times``)."""
    times = PhaseTimes() if times is None else times
    with times.timing("load"):
        load.insert_documents(conn, files)
        new_doc_ids = load.staged_doc_ids(conn, files.get("documents", []))
    if not ddl.derived_state_current(conn):
        _rederive(conn, settings, run_id, superseded_doc_ids, times)
        return
    if not new_doc_ids and not superseded_doc_ids:
        return
    from etl.run import incremental

    with times.timing("resolve"):
        load.touch_documents(conn, [*new_doc_ids, *superseded_doc_ids])
        # Superseded documents leave after resolution, which subtracts what they contributed.
        scope = incremental.ResolutionScope(new_doc_ids, superseded_doc_ids)
        resolved_doc_ids = resolve_entities(conn, settings, run_id, scope)
        load.collect_touched_partitions(conn)  # the superseded documents' months, while they exist
        load.remove_documents(conn, superseded_doc_ids)
    with times.timing("cluster"):
        cluster(conn, settings, run_id, resolved_doc_ids, superseded_doc_ids)
        load.record_lake_changes(conn, run_id)


def commit_run(
    settings: Settings,
    stats: RunStats,
    plan: LoadPlan,
    staged: Sequence[dict[str, str]],
    quarantined: Sequence[Quarantined],
) -> PhaseTimes:
    """Apply a finished run to a copy of the warehouse and swap it in (all or nothing); returns
    the wall seconds of its phases (load, resolve, cluster, and the rest: copy, record,
    checkpoint and swap)."""
    times = PhaseTimes()
    started = time.perf_counter()
    with _next_state(settings, stats.run_id) as conn:
        files = {t: [batch[t] for batch in staged] for t in BATCH_TABLES}
        apply_documents(conn, settings, stats.run_id, files, plan.superseded_doc_ids, times)
        _record(conn, settings, stats.row("succeeded", datetime.now(UTC)), quarantined)
    times["copy, record, swap"] = time.perf_counter() - started - sum(times.values())
    return times


def record_failed_run(settings: Settings, stats: RunStats, error: str) -> None:
    """Leave the previous state as it was, plus a ``runs`` row saying this run failed."""
    with _next_state(settings, stats.run_id) as conn:
        _record(conn, settings, stats.row("failed", datetime.now(UTC), error), [])


def publish_lake(settings: Settings, run_id: str) -> None:
    """Export the live warehouse's changed partitions to the lake and drop the run's staging.

    Only ``runs`` and ``quarantine`` are compared when the documents are as the lake last
    published them. After a data change every table is, but of the partitioned tables only
    the partitions the runs since the last publish recorded touching (``lake_changes``; all of
    them when that is unknown, e.g. after an older release's run); only the partitions whose
    digest changed are rewritten. A crash before publishing leaves the manifest's state behind,
    so the next publish covers that run's partitions too.
    """
    store = lake.open_lake(settings.lake_dir)
    manifest = store.manifest()
    state = load.data_state(settings.db_path)
    tables = BOOKKEEPING_TABLES if manifest.state == state else PUBLISHED_TABLES
    touched = (
        None
        if manifest.state == state
        else load.lake_changes_since(settings.db_path, manifest.state)
    )
    out_dir = store.new_publish_dir(run_id)
    exported = export_changed(
        settings.db_path,
        out_dir,
        tables,
        {table: manifest.digests(table) for table in tables},
        store.duckdb_filesystem,
        settings.warehouse_memory_limit,
        {table: touched for table in tables if table in manifest.tables and touched is not None},
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
