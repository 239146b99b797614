"""Atomic warehouse loads: build the next state in a copy of the file, then swap it in.

DuckDB allows one writer or many readers per file, never both. A run therefore never writes to
the live warehouse: it makes a copy of it (or creates an empty one), applies the run to the
copy, and replaces the live file with ``os.replace``. Analysts' read-only connections keep the
file they opened (the old state) until they reconnect; a crash before the swap leaves the
previous state untouched, and the abandoned copy is removed by the next run.

The copy costs what the run changed, not the warehouse's size: the file a swap replaces is
kept as ``<db>.standby`` (a hard link taken before the rename), and the next run turns it into
its copy by rewriting only the blocks in which it differs from the live file (a DuckDB
checkpoint rewrites the blocks of the row groups a run changed). The standby is reused only
when no connection has it open (an analyst still reading the state before the last run holds
DuckDB's shared lock on it); otherwise, and when there is none, the live file is copied whole.
The standby doubles the warehouse's disk use.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
from fsspec import AbstractFileSystem
from sqlalchemy.engine import Connection

from etl.settings import MEMORY_SIZE_PATTERN
from etl.storage.warehouse import ddl
from etl.storage.warehouse.engine import (
    apply_views_and_macros,
    create_empty_warehouse,
    fetch_arrow,
    make_engine,
    run_script,
)

TMP_MARKER = ".next-"
STANDBY_SUFFIX = ".standby"
SYNC_BLOCK_BYTES = 1 << 20
LOADED_COLUMNS = ("doc_id", "source_uri", "content_sha256")


class WarehouseLocked(RuntimeError):
    """Another run holds the warehouse's write lock."""


@contextlib.contextmanager
def write_lock(db_path: Path, timeout_s: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's run lock (an flock on ``<db>.lock``), waiting up to ``timeout_s``."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(
                        f"another newsetl run is loading {db_path} (lock {lock_path}); "
                        "try again later or raise --lock-timeout"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def next_path(db_path: Path, run_id: str) -> Path:
    return db_path.with_name(f"{db_path.name}{TMP_MARKER}{run_id}")


def remove_abandoned_copies(db_path: Path) -> None:
    """Delete copies left by runs that crashed before their swap (call under the write lock),
    with the spill folders (``<copy>.tmp``) DuckDB may have left beside them."""
    for path in db_path.parent.glob(f"{db_path.name}{TMP_MARKER}*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def standby_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + STANDBY_SUFFIX)


def _open_here(path: Path) -> bool:
    """Whether this process has ``path`` open (a connection of this process whose DuckDB lock a
    close of another descriptor of the file released: POSIX record locks work that way)."""
    identity = (path.stat().st_dev, path.stat().st_ino)
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            found = os.stat(fd)
            if (found.st_dev, found.st_ino) == identity:
                return True
    return False


def _unused(path: Path) -> bool:
    """Whether no connection (of any process) has a DuckDB file open: DuckDB holds a lock on
    the files it opens, which an open-file-description write lock conflicts with."""
    if _open_here(path):
        return False
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        whole_file = struct.pack("hhxxxxqqixxxx", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, whole_file)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # releases the lock


def sync_file(target: Path, source: Path) -> int:
    """Make ``target`` byte-identical to ``source``, writing only the blocks that differ;
    returns the bytes written."""
    written = 0
    with open(source, "rb") as reader, open(target, "r+b") as writer:
        offset = 0
        while block := reader.read(SYNC_BLOCK_BYTES):
            if writer.read(len(block)) != block:
                writer.seek(offset)
                writer.write(block)
                written += len(block)
            offset += len(block)
        writer.truncate(offset)
    return written


def begin(db_path: Path, run_id: str) -> Path:
    """Start the next state: a copy of the live warehouse (the unused standby brought up to
    date, else a whole copy), or a new empty one."""
    target = next_path(db_path, run_id)
    target.unlink(missing_ok=True)
    if not db_path.exists():
        create_empty_warehouse(target)
        return target
    standby = standby_path(db_path)
    if standby.exists() and _unused(standby):
        os.replace(standby, target)  # no reader can open it under this name
        sync_file(target, db_path)
    else:
        shutil.copyfile(db_path, target)
    return target


def commit(next_db: Path, db_path: Path) -> None:
    """Make the next state live: durable on disk first, then one atomic rename (the replaced
    file is kept as the next run's standby)."""
    with open(next_db, "rb") as handle:
        os.fsync(handle.fileno())
    replaced = next_db.with_name(next_db.name + STANDBY_SUFFIX)  # removed if we crash here
    replaced.unlink(missing_ok=True)
    if db_path.exists():
        os.link(db_path, replaced)
    os.replace(next_db, db_path)
    if replaced.exists():
        os.replace(replaced, standby_path(db_path))
    dir_fd = os.open(db_path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def connect(
    db_path: Path,
    filesystem: AbstractFileSystem | None = None,
    memory_limit: str | None = None,
    checkpoint_memory_limit: str | None = None,
) -> Iterator[Connection]:
    """A read-write transaction on a (next-state) warehouse file; checkpointed on success.

    ``filesystem``: the fsspec filesystem of an object-store lake, registered on the connection
    so the load's ``read_parquet`` reaches its staged files (see ``etl.storage.lake``).
    ``memory_limit``: DuckDB's memory cap for the load (see ``make_engine``);
    ``checkpoint_memory_limit``: its cap while the changes are written into the file (the
    write holds the changed tables' indexes in memory: more than the load needs on a large
    warehouse), the load's cap when not given.
    """
    engine = make_engine(db_path, memory_limit=memory_limit)
    try:
        with engine.begin() as conn:
            if filesystem is not None:
                conn.connection.driver_connection.register_filesystem(filesystem)
            yield conn
        with engine.connect() as conn:
            if checkpoint_memory_limit is not None:
                limit = _checked_size(checkpoint_memory_limit)
                conn.exec_driver_sql(f"SET memory_limit = '{limit}'")
            conn.exec_driver_sql("CHECKPOINT")
    finally:
        engine.dispose()


def loaded_documents(db_path: Path) -> pa.Table:
    """doc_id, source_uri, content_sha256 of every loaded document (empty if no warehouse)."""
    table = _read_live(db_path, "load/loaded_documents.sql")
    if table is None:
        return pa.table({name: pa.array([], pa.string()) for name in LOADED_COLUMNS})
    return table


def remove_documents(conn: Connection, doc_ids: list[str]) -> None:
    if doc_ids:
        run_script(conn, "load/remove_documents.sql", {"doc_ids": doc_ids})


def insert_documents(conn: Connection, files: dict[str, list[str]]) -> None:
    """Load staged per-document tables: keys documents, sentences, mentions, events."""
    if files.get("documents"):
        run_script(conn, "load/insert_documents.sql", files)


def staged_doc_ids(conn: Connection, files: list[str]) -> list[str]:
    """Ids of the documents in a run's staged ``documents`` files."""
    if not files:
        return []
    table = fetch_arrow(conn, "load/staged_documents.sql", {"documents": files})
    return table.column(0).to_pylist()


def documents_for_resolution_of(
    conn: Connection, doc_ids: list[str], docs_per_chunk: int
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(mentions, documents) of the documents ``doc_ids``, ``docs_per_chunk`` at a time, in
    doc_id order: the chunks incremental resolution reads (a generator, like
    ``resolution_chunks``)."""
    ordered = sorted(doc_ids)
    for start in range(0, len(ordered), docs_per_chunk):
        params = {"doc_ids": ordered[start : start + docs_per_chunk]}
        yield (
            fetch_arrow(conn, "load/mentions_of_documents.sql", params),
            fetch_arrow(conn, "load/texts_of_documents.sql", params),
        )


def all_doc_ids(conn: Connection) -> list[str]:
    return fetch_arrow(conn, "load/all_documents.sql").column(0).to_pylist()


def person_name_keys(conn: Connection, excluded_doc_ids: list[str]) -> list[str]:
    """The full person names of every document but ``excluded_doc_ids``."""
    params = {"excluded": excluded_doc_ids}
    return fetch_arrow(conn, "load/person_name_keys.sql", params).column(0).to_pylist()


def person_names(conn: Connection) -> pa.Table:
    """Every stored person name: key, anchor, name_block, surname_block."""
    return fetch_arrow(conn, "load/person_names.sql")


def full_names_of_documents(conn: Connection, doc_ids: list[str]) -> list[str]:
    """The full person names the documents ``doc_ids`` contributed."""
    if not doc_ids:
        return []
    params = {"doc_ids": doc_ids}
    return fetch_arrow(conn, "load/full_names_of_documents.sql", params).column(0).to_pylist()


def full_names_held(conn: Connection, keys: list[str], excluded_doc_ids: list[str]) -> list[str]:
    """Which of the full person names ``keys`` a document but ``excluded_doc_ids`` holds."""
    holding = _holding(conn, "full_name", keys, excluded_doc_ids)
    return sorted(set(holding.column("key").to_pylist()))


def documents_with_keys(
    conn: Connection, keys: list[str], excluded_doc_ids: list[str]
) -> list[str]:
    """Documents (but ``excluded_doc_ids``) holding one of the group keys ``keys``."""
    holding = _holding(conn, "root", keys, excluded_doc_ids)
    return sorted(set(holding.column("doc_id").to_pylist()))


def _holding(conn: Connection, role: str, keys: list[str], excluded_doc_ids: list[str]):
    """(doc_id, key) of the documents but ``excluded_doc_ids`` holding a key of ``keys``."""
    params = {"role": role, "keys": keys, "excluded": excluded_doc_ids}
    if not keys:
        return pa.table({"doc_id": pa.array([], pa.string()), "key": pa.array([], pa.string())})
    return fetch_arrow(conn, "load/documents_with_keys.sql", params)


def entity_tallies(conn: Connection, entity_ids: list[str]) -> pa.Table:
    return fetch_arrow(conn, "load/entity_tallies.sql", {"entity_ids": entity_ids})


def entity_alias_counts(conn: Connection, entity_ids: list[str]) -> pa.Table:
    return fetch_arrow(conn, "load/entity_alias_counts.sql", {"entity_ids": entity_ids})


def resolution_state_complete(conn: Connection) -> bool:
    """Whether entities were resolved with the state incremental resolution builds on."""
    return bool(fetch_arrow(conn, "load/resolution_state.sql").column(0)[0].as_py())


def reset_entities(conn: Connection) -> None:
    run_script(conn, "load/reset_entities.sql")


def apply_entity_change(conn: Connection, files: dict[str, str]) -> None:
    """Load an incremental resolution: keys touched, entities, aliases, tallies,
    resolution_keys, mention_entities, resolved_docs, relinked_names, person_names (one
    Parquet file each)."""
    run_script(conn, "load/apply_entity_change.sql", files)


def touch_documents(conn: Connection, doc_ids: list[str]) -> None:
    """Note documents whose published rows the run may change (their lake partitions are
    compared after it); loading steps note the ones they find themselves, too."""
    if doc_ids:
        run_script(conn, "load/touch_documents.sql", {"doc_ids": doc_ids})


def collect_touched_partitions(conn: Connection) -> None:
    """Turn the documents touched so far into their lake partitions (call before documents
    are removed, and at the end of the run)."""
    run_script(conn, "export/document_months.sql", {"all_partitions": True, "partitions": []})
    run_script(conn, "load/collect_touched_partitions.sql")


def record_lake_changes(conn: Connection, run_id: str) -> None:
    """Record the lake partitions the run touched in ``lake_changes``."""
    collect_touched_partitions(conn)
    run_script(conn, "load/record_lake_changes.sql", {"run_id": run_id})


def lake_changes_since(db_path: Path, state: str | None) -> list[str] | None:
    """The lake partitions the runs that changed data after the published ``state`` touched;
    None when that is unknown (a lake never published, or a run that recorded no partitions:
    the lake then compares every partition)."""
    if state is None or not db_path.exists():
        return None
    engine = make_engine(db_path, read_only=True)
    try:
        with engine.connect() as conn:
            runs = fetch_arrow(conn, "load/lake_changes_since.sql", {"state": state}).to_pylist()
    finally:
        engine.dispose()
    if any(not run["partitions"] for run in runs):
        return None
    return sorted({partition for run in runs for partition in run["partitions"]})


def record_run(conn: Connection, files: dict[str, str]) -> None:
    """Load the run's row and its quarantined inputs: keys runs, quarantine."""
    run_script(conn, "load/record_run.sql", files)
    apply_views_and_macros(conn)


def _read_live(db_path: Path, relative_path: str) -> pa.Table | None:
    """Run one query against the live warehouse read-only; None when there is no warehouse."""
    if not db_path.exists():
        return None
    engine = make_engine(db_path, read_only=True)
    try:
        with engine.connect() as conn:
            return fetch_arrow(conn, relative_path)
    finally:
        engine.dispose()


def known_names(db_path: Path) -> list[str]:
    """Entity names and aliases of the live warehouse (empty when there is none)."""
    table = _read_live(db_path, "load/known_names.sql")
    return [] if table is None else [n for n in table.column(0).to_pylist() if n]


def table_counts(db_path: Path) -> dict[str, int]:
    table = _read_live(db_path, "load/table_counts.sql")
    return {} if table is None else dict(zip(*table.to_pydict().values(), strict=True))


def data_state(db_path: Path) -> str:
    """Id of the last run that changed documents ('' for none)."""
    table = _read_live(db_path, "load/data_state.sql")
    return "" if table is None else table.column(0)[0].as_py()


def upgrade_schema(conn: Connection) -> None:
    """Bring a warehouse made by an older release to the current schema (see ``ddl.upgrade``).

    The next state is a copy of the live file, which may predate a table, a column or a key;
    this is a no-op when it is up to date, and refuses a warehouse of a newer release.
    """
    ddl.upgrade(conn)


_SIZE_RE = re.compile(MEMORY_SIZE_PATTERN)


def _checked_size(size: str) -> str:
    """``size`` when it is a DuckDB memory size (SET takes no bound parameter)."""
    if not _SIZE_RE.match(size):
        raise ValueError(f"not a memory size: {size!r}")
    return size
