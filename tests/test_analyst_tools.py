"""The warehouse and the lake open in the tools analysts use: the duckdb-cli 1.5.6 command line
(read-only, on a copy of the seed warehouse), pandas and polars through the documented
SQLAlchemy URL, and pyarrow and polars on every Parquet file of the lake."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from etl.storage.warehouse.export import PARTITIONED_TABLES, PUBLISHED_TABLES

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
CONTRACT_TABLES = (
    "documents",
    "sentences",
    "date_mentions",
    "document_parts",
    "entities",
    "entity_aliases",
    "entity_mentions",
    "events",
    "event_clusters",
    "runs",
    "quarantine",
)


def analyst_views() -> list[str]:
    names = []
    for path in sorted((SQL_DIR / "views").glob("*.sql")):
        names += re.findall(r"CREATE OR REPLACE VIEW (\w+)", path.read_text(encoding="utf-8"))
    return names


def duckdb_cli() -> Path:
    """The ``duckdb`` command of the duckdb-cli package installed beside this Python."""
    cli = Path(sys.executable).parent / "duckdb"
    found = cli if cli.exists() else shutil.which("duckdb")
    assert found, "duckdb-cli is not installed (pip install duckdb-cli==1.5.6)"
    return Path(found)


@pytest.fixture(scope="module")
def warehouse(seed_run) -> Path:
    settings, _ = seed_run
    return settings.db_path


@pytest.fixture(scope="module")
def counts(seed_db) -> dict[str, int]:
    with seed_db() as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (*CONTRACT_TABLES, *analyst_views())
        }


@pytest.fixture(scope="module")
def warehouse_copy(warehouse, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("cli") / "warehouse.duckdb"
    shutil.copyfile(warehouse, copy)
    return copy


def run_cli(db: Path, sql: str) -> list[dict]:
    done = subprocess.run(
        [str(duckdb_cli()), "-readonly", "-json", str(db)],
        input=sql,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else []


def test_cli_is_duckdb_1_5_6():
    done = subprocess.run([str(duckdb_cli()), "--version"], capture_output=True, text=True)
    assert done.stdout.startswith("v1.5.6"), done.stdout


def test_every_table_and_view_answers_a_select_in_duckdb_cli(warehouse_copy, counts):
    names = [*CONTRACT_TABLES, *analyst_views()]
    union = " UNION ALL ".join(
        f"SELECT '{name}' AS name, count(*) AS n FROM (SELECT * FROM {name})" for name in names
    )
    answered = {row["name"]: row["n"] for row in run_cli(warehouse_copy, union + ";")}
    assert answered == {name: counts[name] for name in names}
    assert answered["documents"] == 2 and answered["mention_details"] > 0


@pytest.mark.parametrize("path", sorted((SQL_DIR / "queries").glob("*.sql")), ids=lambda p: p.stem)
def test_example_queries_run_in_duckdb_cli(warehouse_copy, seed_db, path):
    sql = path.read_text(encoding="utf-8")
    in_cli = run_cli(warehouse_copy, sql)
    with seed_db() as conn:
        expected = conn.execute(sql).fetchall()
    assert in_cli and len(in_cli) == len(expected)


def test_cli_opens_the_file_read_only(warehouse_copy):
    done = subprocess.run(
        [str(duckdb_cli()), "-readonly", str(warehouse_copy)],
        input="CREATE TABLE x AS SELECT 1;",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "read-only" in (done.stderr + done.stdout).lower()


@pytest.fixture(scope="module")
def engine(warehouse):
    """The documented SQLAlchemy access: duckdb:///<path>, read-only."""
    made = sa.create_engine(f"duckdb:///{warehouse}", connect_args={"read_only": True})
    yield made
    made.dispose()


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_pandas_read_sql_returns_contract_tables(engine, counts, table):
    frame = pd.read_sql(f"SELECT * FROM {table}", engine)
    assert len(frame) == counts[table]
    assert len(frame.columns) > 1


@pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result")
@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_polars_read_database_returns_contract_tables(engine, counts, table):
    with engine.connect() as conn:
        frame = pl.read_database(f"SELECT * FROM {table}", connection=conn)
    assert frame.height == counts[table]
    assert frame.width > 1


def test_pandas_reads_an_analyst_view(engine, counts):
    frame = pd.read_sql("SELECT * FROM event_details", engine)
    assert len(frame) == counts["events"] > 0
    assert {"actor_name", "recipient_name", "publisher"} <= set(frame.columns)


@pytest.fixture(scope="module")
def lake(seed_run) -> Path:
    settings, _ = seed_run
    return settings.lake_dir


def parquet_files(lake: Path, table: str) -> list[Path]:
    return sorted((lake / table).rglob("*.parquet"))


@pytest.mark.parametrize("table", PUBLISHED_TABLES)
def test_lake_tables_read_with_pyarrow_and_polars(lake, counts, table):
    folder = lake / table
    assert folder.is_dir(), f"{table} is not published in the lake"
    files = parquet_files(lake, table)
    if table in PARTITIONED_TABLES:
        assert all(f.parent.name.startswith("month=") for f in files)
        assert all(f.parent.parent.name.startswith("year=") for f in files)
    arrow = ds.dataset(folder, format="parquet", partitioning="hive")
    assert arrow.count_rows() == counts[table]
    per_file = sum(pq.read_table(f).num_rows for f in files)
    assert per_file == counts[table]
    if files:
        frame = pl.scan_parquet(folder / "**" / "*.parquet", hive_partitioning=True).collect()
        assert frame.height == counts[table]
        if table in PARTITIONED_TABLES:
            assert {"year", "month"} <= set(frame.columns)
    else:
        assert counts[table] == 0


def test_every_lake_file_reads_on_its_own(lake):
    files = [f for table in PUBLISHED_TABLES for f in parquet_files(lake, table)]
    assert files
    for path in files:
        assert pq.read_table(path).num_rows == pl.read_parquet(path).height


DOCUMENTED_SNIPPETS = [
    (Path(__file__).resolve().parents[1] / name, index)
    for name in ("README.md", "docs/analyst_quickstart.md")
    for index in range(
        (Path(__file__).resolve().parents[1] / name).read_text(encoding="utf-8").count("```python")
    )
]


def python_snippet(path: Path, index: int) -> str:
    blocks = re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    lines = blocks[index].splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines) + "\n"


@pytest.mark.parametrize(
    ("path", "index"), DOCUMENTED_SNIPPETS, ids=lambda v: v.name if isinstance(v, Path) else str(v)
)
def test_documented_python_snippets_run_quietly(warehouse_copy, path, index):
    """Each Python snippet of the README and the quickstart runs in a fresh interpreter (from a
    folder whose data/warehouse.duckdb is the seed warehouse) with nothing on stderr: no
    warnings, no DuckDB exit noise."""
    workdir = warehouse_copy.parent / f"snippet-{path.stem}-{index}"
    (workdir / "data").mkdir(parents=True)
    shutil.copyfile(warehouse_copy, workdir / "data" / "warehouse.duckdb")
    done = subprocess.run(
        [sys.executable, "-c", python_snippet(path, index)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
