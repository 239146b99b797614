"""``newsetl query``: every kind of write is refused with a clear message, reads work, and each
output format (table, csv, json lines, parquet) carries the same result."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from etl.cli.main import app
from etl.storage.warehouse.query import QueryRefused, check_read_only, format_result, run_query

REFUSED = {
    "create table": "CREATE TABLE t AS SELECT 1 AS x",
    "create view": "CREATE VIEW v AS SELECT 1 AS x",
    "create macro": "CREATE MACRO m(x) AS x + 1",
    "drop": "DROP TABLE documents",
    "alter": "ALTER TABLE documents ADD COLUMN x INTEGER",
    "insert": "INSERT INTO runs (run_id, status) VALUES ('x', 'ok')",
    "update": "UPDATE documents SET title = 'x'",
    "delete": "DELETE FROM documents",
    "truncate": "TRUNCATE documents",
    "attach": "ATTACH '/tmp/other.duckdb' AS other",
    "detach": "DETACH warehouse",
    "copy to": "COPY documents TO '/tmp/documents.csv'",
    "copy query to": "COPY (SELECT * FROM documents) TO '/tmp/documents.parquet' (FORMAT parquet)",
    "copy from": "COPY documents FROM '/tmp/documents.csv'",
    "export database": "EXPORT DATABASE '/tmp/export'",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "pragma": "PRAGMA enable_checkpoint_on_shutdown",
    "set": "SET threads = 1",
    "checkpoint": "CHECKPOINT",
    "vacuum": "VACUUM",
    "call": "CALL pragma_version()",
    "transaction": "BEGIN TRANSACTION",
    "two statements": "SELECT 1; DROP TABLE documents",
    "write after comment": "/* SELECT */ DELETE FROM documents -- SELECT",
    "lower case": "delete from documents",
    "with ... insert": "WITH x AS (SELECT 1) INSERT INTO runs (run_id, status) SELECT 'a', 'b'",
    "empty": "   ",
}


@pytest.fixture(scope="module")
def db_path(seed_run):
    settings, _ = seed_run
    return settings.db_path


def invoke(*args: str):
    return CliRunner().invoke(app, ["query", *args])


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_check_read_only_refuses_every_non_read(sql):
    with pytest.raises(QueryRefused):
        check_read_only(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "select count(*) from documents",
        "WITH d AS (SELECT * FROM documents) SELECT doc_id FROM d",
        "FROM entities",
        "EXPLAIN SELECT * FROM events",
        "-- a comment\nSELECT 'DROP TABLE documents' AS not_a_drop",
        "SELECT 1;",
    ],
)
def test_check_read_only_accepts_reads(sql):
    assert check_read_only(sql)


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_cli_refuses_with_a_one_line_reason_and_changes_nothing(db_path, sql):
    before = db_path.stat().st_mtime_ns, db_path.stat().st_size
    result = invoke(sql, "--db", str(db_path))
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith("newsetl: error: refused:") and "\n" not in message
    assert result.stdout == ""
    assert (db_path.stat().st_mtime_ns, db_path.stat().st_size) == before


def test_refusal_names_the_statement_kind():
    with pytest.raises(QueryRefused, match=r"only reads are allowed.*DELETE"):
        check_read_only("DELETE FROM documents")
    with pytest.raises(QueryRefused, match="exactly one statement"):
        check_read_only("SELECT 1; SELECT 2")


def test_run_query_reads_the_warehouse(db_path):
    table = run_query(db_path, "SELECT doc_id, publisher FROM documents ORDER BY doc_id")
    assert table.column_names == ["doc_id", "publisher"]
    assert sorted(table.column("publisher").to_pylist()) == ["RFE/RL", "Reuters"]


def test_run_query_without_a_warehouse_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="newsetl run"):
        run_query(tmp_path / "missing.duckdb", "SELECT 1")


def test_a_failing_read_exits_non_zero_with_one_line(db_path):
    result = invoke("SELECT no_such_column FROM documents", "--db", str(db_path))
    assert result.exit_code == 1
    assert result.stderr.startswith("newsetl: error:") and result.stderr.count("\n") == 1


def test_unknown_format_is_refused(db_path):
    result = invoke("SELECT 1", "--db", str(db_path), "--format", "xml")
    assert result.exit_code == 2 and "unknown format" in result.stderr


QUERY = "SELECT doc_id, publisher, published_at, n_words FROM documents ORDER BY doc_id"


@pytest.fixture(scope="module")
def expected(db_path) -> list[dict]:
    return run_query(db_path, QUERY).to_pylist()


def test_format_table(db_path, expected):
    result = invoke(QUERY, "--db", str(db_path), "--format", "table")
    assert result.exit_code == 0, result.stderr
    for column in ("doc_id", "publisher", "published_at", "n_words"):
        assert column in result.stdout
    for row in expected:
        assert row["doc_id"] in result.stdout and row["publisher"] in result.stdout
    assert result.stdout.rstrip().endswith(f"({len(expected)} rows)")


def test_format_csv(db_path, expected):
    result = invoke(QUERY, "--db", str(db_path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["doc_id"] for r in parsed] == [r["doc_id"] for r in expected]
    assert [r["published_at"] for r in parsed] == [str(r["published_at"]) for r in expected]
    assert [int(r["n_words"]) for r in parsed] == [r["n_words"] for r in expected]


def test_format_json_lines(db_path, expected):
    result = invoke(QUERY, "--db", str(db_path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    parsed = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc_id"] for r in parsed] == [r["doc_id"] for r in expected]
    assert [r["n_words"] for r in parsed] == [r["n_words"] for r in expected]
    assert parsed[0]["published_at"] == str(expected[0]["published_at"])


def test_format_parquet(db_path, expected):
    result = invoke(QUERY, "--db", str(db_path), "--format", "parquet")
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(io.BytesIO(result.stdout_bytes))
    assert table.to_pylist() == expected


def test_format_result_renders_nulls_and_unicode():
    import pyarrow as pa

    table = pa.table({"name": ["Kyrgyzstan’s", None], "n": [1, None]})
    assert format_result(table, "csv") == "name,n\nKyrgyzstan’s,1\n,\n"
    lines = format_result(table, "json").splitlines()
    assert json.loads(lines[1]) == {"name": None, "n": None}
    assert "Kyrgyzstan’s" in lines[0]
    with pytest.raises(ValueError, match="unknown format"):
        format_result(table, "xml")


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        ("ATTACH '/tmp/other.duckdb' AS other", "this is an ATTACH statement"),
        ("EXPORT DATABASE '/tmp/export'", "this is an EXPORT statement"),
        ("DROP TABLE documents", "this is a DROP statement"),
    ],
)
def test_refusal_names_the_statement_with_its_article(sql, refusal):
    with pytest.raises(QueryRefused, match=refusal):
        check_read_only(sql)
