"""Lake and warehouse steps as plain functions: atomic files, schema agreement, swap semantics."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl import schema
from etl.storage import lake
from etl.storage.warehouse import ddl, load
from etl.storage.warehouse.engine import create_empty_warehouse, make_engine
from etl.storage.warehouse.sqlfiles import params_for, split_statements

TABLE_SCHEMAS = {
    "documents": schema.DOCUMENTS,
    "sentences": schema.SENTENCES,
    "date_mentions": schema.DATE_MENTIONS,
    "entity_mentions": schema.ENTITY_MENTIONS,
    "entities": schema.ENTITIES,
    "entity_aliases": schema.ENTITY_ALIASES,
    "events": schema.EVENTS,
    "event_clusters": schema.EVENT_CLUSTERS,
    "runs": schema.RUNS,
    "quarantine": schema.QUARANTINE,
}


def test_staged_file_is_zstd_with_schema_version(tmp_path):
    path = lake.open_lake(tmp_path).stage("r1", "sentences", "00000", [], schema.SENTENCES)
    meta = pq.ParquetFile(path).metadata
    assert meta.metadata[lake.SCHEMA_VERSION_KEY] == schema.SCHEMA_VERSION.encode()
    assert pq.read_schema(path).names == schema.SENTENCES.names
    assert [p.name for p in (tmp_path / "_staging" / "r1" / "sentences").iterdir()] == [
        "00000.parquet"
    ]


def test_ddl_matches_arrow_schemas(tmp_path):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    with duckdb.connect(str(db), read_only=True) as con:
        for table, arrow_schema in TABLE_SCHEMAS.items():
            columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
            assert columns == arrow_schema.names, table


def test_new_warehouse_uses_the_v1_storage_format(tmp_path):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    with duckdb.connect() as con:
        con.execute("ATTACH ? AS w (READ_ONLY)", [str(db)])
        (version,) = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'w'"
        ).fetchone()
    assert version.startswith("v1.2.0")


def test_reader_keeps_old_state_until_reconnect(tmp_path):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    reader = duckdb.connect(str(db), read_only=True)
    try:
        next_db = load.begin(db, "run2")
        with load.connect(next_db) as conn:
            conn.exec_driver_sql("INSERT INTO quarantine VALUES ('file:///x', 'bad', 'run2')")
        load.commit(next_db, db)
        assert reader.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    finally:
        reader.close()
    with duckdb.connect(str(db), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM quarantine").fetchone() == (1,)


def test_warehouse_of_an_older_release_gains_the_new_tables(tmp_path):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE date_mentions")  # as a warehouse made before that table
    next_db = load.begin(db, "upgrade")
    with load.connect(next_db) as conn:
        load.upgrade_schema(conn)
        load.upgrade_schema(conn)  # repeatable: every statement is IF NOT EXISTS
    load.commit(next_db, db)
    with duckdb.connect(str(db), read_only=True) as con:
        columns = [row[0] for row in con.execute("DESCRIBE date_mentions").fetchall()]
    assert columns == schema.DATE_MENTIONS.names


def test_abandoned_copy_never_becomes_live(tmp_path):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    next_db = load.begin(db, "crashed")
    with pytest.raises(RuntimeError), load.connect(next_db) as conn:
        conn.exec_driver_sql("INSERT INTO quarantine VALUES ('file:///x', 'bad', 'r')")
        raise RuntimeError("killed")
    spill_folder = next_db.with_name(next_db.name + ".tmp")  # DuckDB's, had it spilled
    spill_folder.mkdir()
    (spill_folder / "duckdb_temp_block-1.block").write_bytes(b"x")
    load.remove_abandoned_copies(db)
    assert not next_db.exists() and not spill_folder.exists()
    engine = make_engine(db, read_only=True)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM quarantine").scalar() == 0
    engine.dispose()


def test_second_writer_is_refused_while_the_lock_is_held(tmp_path):
    db = tmp_path / "w.duckdb"
    with load.write_lock(db), pytest.raises(load.WarehouseLocked), load.write_lock(db, 0.3):
        pass


def test_sql_script_helpers():
    script = "-- c\nDELETE FROM a WHERE x = $x;\nINSERT INTO b SELECT 1;\n"
    statements = split_statements(script)
    assert statements == ["DELETE FROM a WHERE x = $x", "INSERT INTO b SELECT 1"]
    assert params_for(statements[0], {"x": 1, "y": 2}) == {"x": 1}
    assert params_for(statements[1], {"x": 1}) == {}


def test_load_connection_caps_duckdb_memory(tmp_path):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    with load.connect(db, None, "64MB") as conn:
        limit = conn.exec_driver_sql("SELECT current_setting('memory_limit')").scalar()
    assert limit == "61.0 MiB"  # 64 MB in DuckDB's binary units


def test_memory_limit_setting_must_be_a_duckdb_size():
    from pydantic import ValidationError

    from etl.settings import Settings

    assert Settings(warehouse_memory_limit="1.5GB").warehouse_memory_limit == "1.5GB"
    with pytest.raises(ValidationError):
        Settings(warehouse_memory_limit="256MB'; DROP TABLE documents; --")


def _version_1_warehouse(db) -> None:
    """A warehouse as the release before schema version 2 created it (tests/warehouse_v1.sql),
    holding one document and one sentence."""
    script = (Path(__file__).parent / "warehouse_v1.sql").read_text()
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{db}' AS w (STORAGE_VERSION 'v1.2.0')")
        con.execute("USE w")
        con.execute(script)
        con.execute(
            "INSERT INTO documents (doc_id, source_uri, raw_text, text, case_restored, "
            "content_sha256, run_id) VALUES ('d1', 'file:///a.txt', 'x', 'x', false, 'h', 'r1')"
        )
        con.execute("INSERT INTO sentences VALUES ('d1', 0, 0, 1, 'x')")
        con.execute("ALTER TABLE documents DROP COLUMN n_words")  # as if added since


def _upgraded(db):
    next_db = load.begin(db, "upgrade")
    with load.connect(next_db) as conn:
        load.upgrade_schema(conn)
        load.upgrade_schema(conn)  # repeatable: a no-op once up to date
    load.commit(next_db, db)


def test_warehouse_of_the_previous_release_gains_columns_keys_and_its_version(tmp_path):
    db = tmp_path / "w.duckdb"
    _version_1_warehouse(db)
    _upgraded(db)
    with duckdb.connect(str(db)) as con:
        for table in schema.WAREHOUSE_TABLES:
            columns = [row[0] for row in con.execute(f"DESCRIBE {table.name}").fetchall()]
            assert sorted(columns) == sorted(table.schema.names), table.name
        assert con.execute("SELECT n_words FROM documents").fetchall() == [(None,)]
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (2,)
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO sentences VALUES ('d1', 0, 5, 6, 'y')")


def test_every_table_has_its_contract_key_as_primary_key(tmp_path):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    with duckdb.connect(str(db), read_only=True) as con:
        keys = {
            table: tuple(columns)
            for table, columns in con.execute(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                "WHERE constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        }
        (version,) = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    # Beside the contract's tables, the two bookkeeping tables: migrations and derived state.
    assert keys == {t.name: t.key for t in schema.WAREHOUSE_TABLES if t.primary_key} | {
        "schema_migrations": ("version",),
        "derived_state": ("name",),
    }
    assert str(version) == schema.SCHEMA_VERSION


def test_warehouse_of_a_newer_release_is_refused(tmp_path):
    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO schema_migrations VALUES (99, 'future', now())")
    with pytest.raises(ddl.WarehouseSchemaMismatch), load.connect(db) as conn:
        load.upgrade_schema(conn)


def test_generated_ddl_types():
    assert ddl.duckdb_type(pa.list_(pa.string())) == "VARCHAR[]"
    assert ddl.duckdb_type(pa.timestamp("us", tz="UTC")) == "TIMESTAMPTZ"
    with pytest.raises(TypeError):
        ddl.duckdb_type(pa.decimal128(5, 2))
