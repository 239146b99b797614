"""SQLAlchemy engines for the warehouse (duckdb_engine), and the script runner used by the load."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from etl.storage.warehouse.sqlfiles import params_for, read_sql, split_statements, sql_files

# DuckDB 1.x tools (duckdb-cli, older drivers) cannot open files in DuckDB 2.0's default format,
# so warehouses are created with the ATTACH option STORAGE_VERSION 'v1.2.0' (see
# create_empty_warehouse); a copied warehouse keeps the format of its original.


def database_url(db_path: Path) -> str:
    return f"duckdb:///{db_path}"


def make_engine(
    db_path: Path, *, read_only: bool = False, memory_limit: str | None = None
) -> Engine:
    """An engine on one warehouse file; read-only engines can coexist with other readers.

    ``memory_limit`` (a DuckDB size such as ``256MB``) caps DuckDB's buffer memory; beyond it,
    joins, sorts and inserts spill to a temporary folder beside the file.
    """
    connect_args: dict = {"read_only": True} if read_only else {}
    if memory_limit is not None:
        connect_args["config"] = {"memory_limit": memory_limit}
    return sa.create_engine(database_url(db_path), connect_args=connect_args, poolclass=sa.NullPool)


def run_script(conn: Connection, relative_path: str, params: dict | None = None) -> None:
    """Run every statement of ``sql/<relative_path>`` with the named parameters it uses."""
    for statement in split_statements(read_sql(relative_path)):
        conn.exec_driver_sql(statement, params_for(statement, params or {}))


def fetch_arrow(conn: Connection, relative_path: str, params: dict | None = None):
    """Result of the single query in ``sql/<relative_path>`` as an Arrow table."""
    statement = split_statements(read_sql(relative_path))[0]
    relation = conn.connection.driver_connection.sql(
        statement, params=params_for(statement, params or {}) or None
    )
    return relation.to_arrow_table()


def apply_views_and_macros(conn: Connection) -> None:
    """(Re)create every analyst view and table macro, so existing warehouses get new versions."""
    for folder in ("macros", "views"):
        for path in sql_files(folder):
            run_script(conn, path)


def create_empty_warehouse(db_path: Path) -> None:
    """Create a warehouse file in the v1.2.0 storage format with every table, view and macro."""
    from etl.storage.warehouse.ddl import create_tables  # ddl builds on this module

    engine = sa.create_engine("duckdb:///:memory:", poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(
                "ATTACH $path AS warehouse (STORAGE_VERSION 'v1.2.0')", {"path": str(db_path)}
            )
            conn.exec_driver_sql("USE warehouse")
            create_tables(conn)
            apply_views_and_macros(conn)
            conn.commit()  # closing the engine below checkpoints and closes the attached file
    finally:
        engine.dispose()
