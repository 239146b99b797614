"""``quarantine_current``: the quarantined inputs of the latest succeeded run of each source."""

from __future__ import annotations

import duckdb

from etl.schema import WAREHOUSE_TABLES
from etl.storage.warehouse.ddl import create_table_statement
from etl.storage.warehouse.sqlfiles import read_sql, split_statements


def warehouse() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    for table in WAREHOUSE_TABLES:
        if table.name in ("runs", "quarantine"):
            conn.execute(create_table_statement(table))
    for statement in split_statements(read_sql("views/60_quarantine_current.sql")):
        conn.execute(statement)
    return conn


def add_run(conn, run_id: str, source: str, hour: int, status: str = "succeeded") -> None:
    conn.execute(
        "INSERT INTO runs (run_id, started_at, status, source) "
        "VALUES (?, TIMESTAMPTZ '2026-01-31 00:00:00+00' + to_hours(?), ?, ?)",
        [run_id, hour, status, source],
    )


def quarantine(conn, run_id: str, uri: str, reason: str = "empty file") -> None:
    conn.execute("INSERT INTO quarantine VALUES (?, ?, ?)", [uri, reason, run_id])


def current(conn) -> list[tuple[str, str, str]]:
    return conn.execute(
        "SELECT source, source_uri, run_id FROM quarantine_current ORDER BY ALL"
    ).fetchall()


def test_only_the_latest_succeeded_run_of_each_source_counts():
    conn = warehouse()
    add_run(conn, "r1", "/in/a", 1)
    quarantine(conn, "r1", "file:///in/a/bad.txt")
    quarantine(conn, "r1", "file:///in/a/fixed-later.txt")
    add_run(conn, "r2", "/in/a", 2)
    quarantine(conn, "r2", "file:///in/a/bad.txt")  # still bad: a row in this run too
    add_run(conn, "r3", "/in/a", 3, status="failed")  # a failed run says nothing about files
    add_run(conn, "r4", "/in/b", 1)
    quarantine(conn, "r4", "file:///in/b/x.jsonl#2")
    assert current(conn) == [
        ("/in/a", "file:///in/a/bad.txt", "r2"),
        ("/in/b", "file:///in/b/x.jsonl#2", "r4"),
    ]
    add_run(conn, "r5", "/in/b", 2)  # everything in /in/b fixed
    assert current(conn) == [("/in/a", "file:///in/a/bad.txt", "r2")]
