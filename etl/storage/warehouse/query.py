"""Read-only queries for ``newsetl query``: one statement, refused unless it only reads.

Two guards: the statement's type must be SELECT or EXPLAIN (DuckDB's own parser says so, so
comments, case or string tricks cannot hide a write), and the connection itself is opened
read-only with configuration locked, so nothing that slips past the first guard can write.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from etl.storage.warehouse.engine import make_engine

READ_STATEMENTS = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
FORMATS = ("table", "csv", "json", "parquet")


class QueryRefused(ValueError):
    """The statement is not a single read."""


def check_read_only(sql: str) -> str:
    """Return the single statement of ``sql`` if it only reads, else raise QueryRefused."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"cannot parse the statement: {exc}") from exc
    if len(statements) != 1:
        raise QueryRefused(f"expected exactly one statement, got {len(statements)}")
    statement = statements[0]
    if statement.type not in READ_STATEMENTS:
        kind = statement.type.name
        article = "an" if kind[:1] in "AEIOU" else "a"
        raise QueryRefused(
            f"only reads are allowed (SELECT, EXPLAIN); this is {article} {kind} statement"
        )
    return statement.query


def run_query(db_path: Path, sql: str) -> pa.Table:
    """Run one read-only statement against the warehouse and return its result."""
    statement = check_read_only(sql)
    if not db_path.exists():
        raise FileNotFoundError(f"no warehouse at {db_path}: run `newsetl run` first")
    engine = make_engine(db_path, read_only=True)
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            raw.execute("SET lock_configuration = true")
            return raw.sql(statement).to_arrow_table()
    finally:
        engine.dispose()


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def format_result(table: pa.Table, fmt: str) -> str | bytes:
    """Render a result as text (table, csv, json lines) or Parquet bytes."""
    rows = table.to_pylist()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.column_names)
        writer.writerows([[_cell(row[c]) for c in table.column_names] for row in rows])
        return out.getvalue()
    if fmt == "json":
        return "".join(json.dumps(row, default=str, ensure_ascii=False) + "\n" for row in rows)
    if fmt == "parquet":
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        return sink.getvalue()
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
