"""SQL safety: hostile file names and metadata load verbatim; ``newsetl query`` only ever reads.

File names and metadata values reach DuckDB only as data (Parquet staging files and bound
parameters), so SQL in them is stored as text. ``newsetl query`` refuses anything but one
read statement, however it is dressed up (comments, CTEs, several statements, ATTACH, COPY),
and runs on a read-only connection with its configuration locked.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from newsetl_procs import (
    NEWSETL,
    REPO_ROOT,
    base_env,
    prefect_server,
    run,
    run_args,
    warehouse_state,
)

from etl.storage.warehouse.query import QueryRefused, run_query

HOSTILE_NAMES = (
    "x'; DROP TABLE documents; --.txt",
    'Robert"); DELETE FROM runs;--.txt',
)
HOSTILE_FOLDER = "out'; COPY documents TO 'leak.csv'; --"
HOSTILE_METADATA = {
    "publisher": "Bobby' OR '1'='1",
    "title": "'); DROP TABLE documents; --",
    "url": "http://example.org/?q=';ATTACH '/tmp/evil.duckdb' AS evil;--",
    "published_at": "2017-09-20",
}

WRITES_IN_DISGUISE = (
    "DELETE FROM runs",
    "SELECT 1; DROP TABLE documents",
    "/* just a select */ DROP TABLE documents",
    "-- SELECT\nDELETE FROM runs",
    "WITH gone AS (SELECT 1) DELETE FROM runs",
    "WITH d AS (SELECT * FROM documents) INSERT INTO runs SELECT * FROM runs",
    "CREATE TABLE stolen AS SELECT * FROM documents",
    "UPDATE documents SET title = 'x'",
    "ATTACH '{tmp}/evil.duckdb' AS evil",
    "COPY documents TO '{tmp}/leak.csv'",
    "COPY (SELECT * FROM documents) TO '{tmp}/leak.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{tmp}/dump'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "PRAGMA enable_profiling",
    "CALL pragma_version()",
    "DETACH DATABASE w",
    "",
)
# Reads that try to write from inside: they pass the statement check and must fail read-only.
WRITES_INSIDE_READS = (
    "SELECT * FROM query('DELETE FROM runs RETURNING *')",
    "SELECT * FROM query('CREATE TABLE stolen AS SELECT 1')",
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, seeds_dir):
    """A warehouse loaded from the seeds plus articles with hostile names and metadata."""
    root = tmp_path_factory.mktemp("sql-safety")
    source = root / "src"
    source.mkdir()
    seed_text = next(p for p in sorted(seeds_dir.glob("*.txt")))
    for i, name in enumerate(HOSTILE_NAMES):
        article = source / name
        shutil.copy(seed_text, article)
        # Different content per file, so both are separate documents.
        article.write_text(article.read_text() + f"\nEdition {i + 1}.\n")
        meta_name = name[: -len(".txt")] + ".meta.json"
        (source / meta_name).write_text(json.dumps(HOSTILE_METADATA))
    with prefect_server(root / "prefect-server") as api_url:
        env = base_env(root / "prefect-client", api_url)
        # Warehouse and lake paths with quotes too: staging and export paths reach SQL as well.
        out = root / HOSTILE_FOLDER
        done = run(run_args(source, out / "w'; DROP TABLE runs; --.duckdb", out / "lake'"), env)
    assert done.returncode == 0, done.stderr
    return source, out / "w'; DROP TABLE runs; --.duckdb", env


@pytest.mark.flow  # the `loaded` fixture runs newsetl with its own Prefect server
def test_hostile_file_names_and_metadata_are_stored_verbatim(loaded):
    source, db, _ = loaded
    conn = duckdb.connect(str(db), read_only=True)
    try:
        rows = conn.execute(
            "SELECT source_uri, publisher, title, url FROM documents ORDER BY source_uri"
        ).fetchall()
        tables = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        runs = conn.execute("SELECT count(*) FROM runs").fetchall()
    finally:
        conn.close()
    assert {"documents", "runs"} <= tables
    assert runs == [(1,)]
    expected_uris = sorted((source / name).as_uri() for name in HOSTILE_NAMES)
    assert [r[0] for r in rows] == expected_uris
    for _, publisher, title, url in rows:
        assert publisher == HOSTILE_METADATA["publisher"]
        assert title == HOSTILE_METADATA["title"]
        assert url == HOSTILE_METADATA["url"]
    assert not Path("/tmp/evil.duckdb").exists()
    assert any((db.parent / "lake'" / "documents").rglob("*.parquet"))
    assert not (REPO_ROOT / "leak.csv").exists() and not (db.parent / "leak.csv").exists()


@pytest.mark.flow  # the `loaded` fixture runs newsetl with its own Prefect server
@pytest.mark.parametrize("sql", WRITES_IN_DISGUISE)
def test_query_refuses_anything_but_one_read(loaded, tmp_path, sql):
    _, db, _ = loaded
    before = warehouse_state(db)
    with pytest.raises(QueryRefused):
        run_query(db, sql.format(tmp=tmp_path))
    assert list(tmp_path.iterdir()) == []
    assert warehouse_state(db) == before


@pytest.mark.flow  # the `loaded` fixture runs newsetl with its own Prefect server
@pytest.mark.parametrize("sql", WRITES_INSIDE_READS)
def test_writes_hidden_inside_a_read_fail_on_the_read_only_connection(loaded, sql):
    _, db, _ = loaded
    before = warehouse_state(db)
    with pytest.raises(duckdb.Error):
        run_query(db, sql)
    assert warehouse_state(db) == before


@pytest.mark.flow  # the `loaded` fixture runs newsetl with its own Prefect server
def test_a_read_cannot_reconfigure_the_connection(loaded):
    _, db, _ = loaded
    with pytest.raises(duckdb.Error):
        run_query(db, "SELECT * FROM query('SET enable_external_access = true')")
    assert run_query(db, "SELECT count(*) AS n FROM documents").column("n").to_pylist() == [2]


@pytest.mark.flow  # the `loaded` fixture runs newsetl with its own Prefect server
@pytest.mark.parametrize(
    "sql",
    ["/* read */ DROP TABLE documents", "SELECT 1; DELETE FROM runs", "ATTACH 'x.db' AS x"],
)
def test_cli_query_refusal_is_one_line_and_exit_2(loaded, sql):
    _, db, env = loaded
    done = run([*NEWSETL, "query", sql, "--db", str(db)], env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsetl: error: refused")
