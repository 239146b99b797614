"""The data tests beside the models (``sql/tests/*.sql``, dbt-style: each query returns the rows
that break a rule) return nothing on the seed warehouse, and do catch a broken one."""

from __future__ import annotations

import pytest

from etl.storage.warehouse.engine import create_empty_warehouse
from etl.storage.warehouse.sqlfiles import read_sql, sql_files

DATA_TESTS = sql_files("tests")


def test_there_are_data_tests():
    assert {"tests/unique_keys.sql", "tests/document_children.sql"} <= set(DATA_TESTS)


@pytest.mark.flow
@pytest.mark.parametrize("path", DATA_TESTS)
def test_data_test_passes_on_the_seed_warehouse(seed_db, path):
    with seed_db() as con:
        offending = con.execute(read_sql(path)).fetchall()
    assert offending == [], f"{path}: {offending[:5]}"


def test_data_tests_report_offending_rows(tmp_path):
    import duckdb

    db = tmp_path / "w.duckdb"
    create_empty_warehouse(db)
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO sentences VALUES ('orphan', 0, 0, 1, 'x')")
        con.execute("INSERT INTO entity_aliases VALUES ('e1', 'A', 1)")  # an alias of no entity
        assert con.execute(read_sql("tests/document_children.sql")).fetchall() == [
            ("sentences", "orphan")
        ]
        assert ("entity_aliases.entity_id", "e1") in con.execute(
            read_sql("tests/resolved_references.sql")
        ).fetchall()
