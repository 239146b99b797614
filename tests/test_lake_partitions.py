"""Lake partitions by the month of the news, rewritten only where rows changed: a lake
published run after run holds exactly what one publish of the final warehouse writes, and a
run that adds documents of one month leaves every other month's files untouched."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.run.commit import publish_lake
from etl.settings import Settings
from etl.storage.lake import open_lake
from etl.storage.warehouse.engine import create_empty_warehouse
from etl.storage.warehouse.export import PUBLISHED_TABLES


def _add_document(db: Path, doc_id: str, published: date | None, loaded: date, run_id: str):
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO documents (doc_id, source_uri, published_at, raw_text, text, "
            "case_restored, content_sha256, run_id, load_date) "
            "VALUES (?, ?, ?, 'x', 'x', false, ?, ?, ?)",
            [doc_id, f"file:///{doc_id}.txt", published, doc_id, run_id, loaded],
        )
        con.execute("INSERT INTO sentences VALUES (?, 0, 0, 1, 'x')", [doc_id])
        con.execute(
            "INSERT INTO runs (run_id, status, docs_loaded) VALUES (?, 'succeeded', 1) "
            "ON CONFLICT DO NOTHING",
            [run_id],
        )


def _files(lake: Path) -> dict[str, int]:
    """Every published Parquet file with its inode (a rewrite gives a new one)."""
    return {
        str(p.relative_to(lake)): p.stat().st_ino
        for table in PUBLISHED_TABLES
        for p in (lake / table).rglob("*.parquet")
    }


def _contents(lake: Path) -> dict[str, list]:
    store = open_lake(lake)
    with duckdb.connect() as con:
        return {
            table: sorted(con.read_parquet(files).fetchall()) if files else []
            for table in PUBLISHED_TABLES
            for files in [store.published_files(table)]
        }


@pytest.fixture
def settings(tmp_path) -> Settings:
    create_empty_warehouse(tmp_path / "w.duckdb")
    return Settings(db_path=tmp_path / "w.duckdb", lake_dir=tmp_path / "lake")


def test_partitions_follow_the_publication_month_else_the_load_day(settings):
    _add_document(settings.db_path, "a", date(2017, 3, 9), date(2026, 11, 1), "r1")
    _add_document(settings.db_path, "b", None, date(2026, 11, 1), "r1")
    publish_lake(settings, "r1")
    lake = Path(settings.lake_dir)
    assert sorted(
        p.relative_to(lake / "documents").parent.as_posix()
        for p in (lake / "documents").rglob("*.parquet")
    ) == ["year=2017/month=03", "year=2026/month=11"]
    one_month = duckdb.read_parquet(str(lake / "sentences/year=2017/month=03/*.parquet"))
    assert one_month.fetchall() == [("a", 0, 0, 1, "x")]


def test_publishing_run_after_run_equals_one_publish_and_rewrites_only_changed_months(
    settings, tmp_path
):
    _add_document(settings.db_path, "a", date(2017, 3, 9), date(2026, 11, 1), "r1")
    _add_document(settings.db_path, "b", date(2018, 5, 1), date(2026, 11, 1), "r1")
    publish_lake(settings, "r1")
    before = _files(Path(settings.lake_dir))

    _add_document(settings.db_path, "c", date(2017, 3, 20), date(2026, 11, 2), "r2")
    publish_lake(settings, "r2")
    after = _files(Path(settings.lake_dir))

    untouched = {f for f in before if "year=2018" in f}
    assert untouched and all(after[f] == before[f] for f in untouched)
    assert all(after[f] != before[f] for f in before if "year=2017" in f)

    fresh = settings.model_copy(update={"lake_dir": tmp_path / "fresh"})
    publish_lake(fresh, "r3")
    assert _contents(Path(settings.lake_dir)) == _contents(Path(fresh.lake_dir))
    assert open_lake(settings.lake_dir).manifest().tables == {
        table: {
            partition: {**entry, "folder": entry["folder"]} for partition, entry in parts.items()
        }
        for table, parts in open_lake(fresh.lake_dir).manifest().tables.items()
    }
