"""The warehouse schema, generated from the Arrow schemas of ``etl.schema``, and its migrations.

``etl.schema.WAREHOUSE_TABLES`` is the one source: every table's columns and types (its Arrow
schema), its key (a DuckDB primary key) and its NOT NULL columns. From it come

* the ``CREATE TABLE`` statements of a new warehouse (``create_tables``);
* the upgrade of an existing warehouse when a run opens it (``upgrade``): missing tables are
  created, columns a newer release added to a schema are added (``ALTER TABLE ... ADD
  COLUMN``, at the end, NULL in existing rows), then the numbered migrations
  ``sql/migrations/NNNN_<what>.sql`` newer than the warehouse's version run in order, each
  recorded in ``schema_migrations``. A warehouse made by a newer release is refused.

A warehouse without ``schema_migrations`` predates it: version 1.

Alongside the schema, ``derived_state`` records the version of the code that derived the
warehouse's resolution and clustering state (``etl.schema.DERIVED_STATE_VERSION``): a new
warehouse records the current one; a warehouse recording another, or none (an older release
made it), is out of date (``derived_state_current``), and its next run recomputes entities and
clusters in full and records the current version (``etl.run.commit``).
"""

from __future__ import annotations

import re

import pyarrow as pa
from sqlalchemy.engine import Connection

from etl.schema import DERIVED_STATE_VERSION, SCHEMA_VERSION, WAREHOUSE_TABLES, WarehouseTable
from etl.storage.warehouse.engine import fetch_arrow, run_script
from etl.storage.warehouse.sqlfiles import sql_files

FIRST_VERSION = 1
_MIGRATION_NAME = re.compile(r"migrations/(\d{4})_[a-z0-9_]+\.sql$")
# The one kind of derived state recorded: entities and clusters are recomputed together.
RESOLUTION_AND_CLUSTERING = "resolution_and_clustering"


class WarehouseSchemaMismatch(RuntimeError):
    """The warehouse was made by a release with a newer schema than this one."""


def duckdb_type(arrow_type: pa.DataType) -> str:
    """The DuckDB column type that holds an Arrow type losslessly."""
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return f"{duckdb_type(arrow_type.value_type)}[]"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP"
    simple = {
        pa.string(): "VARCHAR",
        pa.large_string(): "VARCHAR",
        pa.bool_(): "BOOLEAN",
        pa.int16(): "SMALLINT",
        pa.int32(): "INTEGER",
        pa.int64(): "BIGINT",
        pa.float32(): "FLOAT",
        pa.float64(): "DOUBLE",
        pa.date32(): "DATE",
    }
    if arrow_type not in simple:
        raise TypeError(f"no DuckDB type for Arrow type {arrow_type}: add it to duckdb_type")
    return simple[arrow_type]


def create_table_statement(table: WarehouseTable) -> str:
    """``CREATE TABLE IF NOT EXISTS`` with the table's columns, NOT NULLs and primary key."""
    required = set(table.key) | set(table.required)
    columns = [
        f"    {field.name} {duckdb_type(field.type)}{' NOT NULL' if field.name in required else ''}"
        for field in table.schema
    ]
    if table.primary_key:
        columns.append(f"    PRIMARY KEY ({', '.join(table.key)})")
    return f"CREATE TABLE IF NOT EXISTS {table.name} (\n" + ",\n".join(columns) + "\n)"


def migrations() -> list[tuple[int, str]]:
    """(version, path) of every numbered migration, in order."""
    found = []
    for path in sql_files("migrations"):
        match = _MIGRATION_NAME.search(path)
        if match is None:
            raise ValueError(f"{path}: migrations are named NNNN_<what>.sql")
        found.append((int(match.group(1)), path))
    return sorted(found)


def create_tables(conn: Connection) -> None:
    """Create every table of a new warehouse, recorded as being at the current version."""
    for table in WAREHOUSE_TABLES:
        conn.exec_driver_sql(create_table_statement(table))
    run_script(conn, "ddl/schema_migrations.sql")
    for version, path in migrations():
        run_script(conn, "ddl/record_migration.sql", {"version": version, "name": path})
    run_script(conn, "ddl/derived_state.sql")
    record_derived_state(conn)  # no documents yet: nothing derived by another version


def warehouse_version(conn: Connection) -> int:
    run_script(conn, "ddl/schema_migrations.sql")
    version = fetch_arrow(conn, "ddl/schema_version.sql").column(0)[0].as_py()
    return FIRST_VERSION if version is None else version


def _add_missing_columns(conn: Connection, table: WarehouseTable) -> None:
    existing = set(
        fetch_arrow(conn, "ddl/table_columns.sql", {"table_name": table.name}).column(0).to_pylist()
    )
    for field in table.schema:
        if field.name not in existing:
            conn.exec_driver_sql(
                f"ALTER TABLE {table.name} ADD COLUMN {field.name} {duckdb_type(field.type)}"
            )


def upgrade(conn: Connection) -> None:
    """Bring an existing warehouse to the current schema (a no-op when it is up to date)."""
    version = warehouse_version(conn)
    if version > int(SCHEMA_VERSION):
        raise WarehouseSchemaMismatch(
            f"the warehouse has schema version {version}, newer than this release's "
            f"{SCHEMA_VERSION}: upgrade newsetl"
        )
    for table in WAREHOUSE_TABLES:
        conn.exec_driver_sql(create_table_statement(table))
        _add_missing_columns(conn, table)
    run_script(conn, "ddl/derived_state.sql")
    for number, path in migrations():
        if number > version:
            run_script(conn, path)
            run_script(conn, "ddl/record_migration.sql", {"version": number, "name": path})


def derived_state_current(conn: Connection) -> bool:
    """Whether this release's code derived the warehouse's resolution and clustering state."""
    params = {"name": RESOLUTION_AND_CLUSTERING}
    version = fetch_arrow(conn, "ddl/derived_state_version.sql", params).column(0)[0].as_py()
    return version == DERIVED_STATE_VERSION


def record_derived_state(conn: Connection) -> None:
    """Record that this release's code derived the resolution and clustering state (call after
    computing it in full, or after a run that built on a current state)."""
    params = {"name": RESOLUTION_AND_CLUSTERING, "version": DERIVED_STATE_VERSION}
    run_script(conn, "ddl/record_derived_state.sql", params)
