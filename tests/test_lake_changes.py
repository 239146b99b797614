"""The lake after a run compares only the partitions the runs since its last publish touched
(``lake_changes``): new and superseded documents, documents whose mentions were re-resolved or
relabeled and whose events changed cluster. Publishing that way, run after run (and after a run
whose publish crashed), gives exactly the lake one full publish of the warehouse writes."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from test_incremental_resolution import gum_documents, made_up, run_batch
from test_lake_partitions import _contents, _files

from etl import schema
from etl.run import commit
from etl.settings import Settings
from etl.storage import lake
from etl.storage.warehouse import load
from etl.storage.warehouse.engine import create_empty_warehouse


def record(settings: Settings, run_id: str, docs_loaded: int) -> None:
    """The ``runs`` row a run's commit writes."""
    row = {"run_id": run_id, "status": "succeeded", "docs_loaded": docs_loaded}
    with load.connect(settings.db_path) as conn:
        load.record_run(
            conn,
            {
                "runs": commit.stage_table(settings, run_id, "runs", "0", [row], schema.RUNS),
                "quarantine": commit.stage_table(
                    settings, run_id, "quarantine", "0", [], schema.QUARANTINE
                ),
            },
        )


def redated(docs: list[dict], seed: int) -> list[dict]:
    """The documents published over two years, so a run touches a few of many months."""
    rng = random.Random(seed)
    for doc in docs:
        doc["documents"][0]["published_at"] = date(2019, 1, 1) + timedelta(days=rng.randrange(730))
    return docs


def assert_same_as_full_publish(settings: Settings, tmp_path: Path, name: str) -> None:
    fresh = settings.model_copy(update={"lake_dir": tmp_path / f"fresh-{name}"})
    commit.publish_lake(fresh, f"fresh-{name}")
    assert _contents(Path(settings.lake_dir)) == _contents(Path(fresh.lake_dir)), name
    assert lake.open_lake(settings.lake_dir).manifest().tables == (
        lake.open_lake(fresh.lake_dir).manifest().tables
    ), name


def test_publishing_touched_partitions_run_after_run_equals_a_full_publish(tmp_path):
    settings = Settings(db_path=tmp_path / "w.duckdb", lake_dir=tmp_path / "lake")
    create_empty_warehouse(settings.db_path)
    docs = redated(gum_documents(), seed=3)
    rng = random.Random(5)
    rng.shuffle(docs)
    # Half the documents first, then three runs of a few, each superseding some.
    half, step = len(docs) // 2, max(1, len(docs) // 6)
    batches = [docs[:half]] + [docs[start : start + step] for start in range(half, len(docs), step)]
    loaded: list[str] = []
    untouched_files = 0
    for number, batch in enumerate(batches):
        run_id = f"2026010{number}T000000Z"
        superseded = rng.sample(loaded, min(2, len(loaded)))
        loaded = [d for d in loaded if d not in superseded] + [
            doc["documents"][0]["doc_id"] for doc in batch
        ]
        run_batch(settings, run_id, batch, superseded)
        record(settings, run_id, len(batch))
        before = _files(Path(settings.lake_dir))
        touched = load.lake_changes_since(
            settings.db_path, lake.open_lake(settings.lake_dir).manifest().state
        )
        commit.publish_lake(settings, run_id)
        assert_same_as_full_publish(settings, tmp_path, run_id)
        if number:
            # The restricted comparison was used, and a month no run touched kept its files.
            assert touched is not None
            after = _files(Path(settings.lake_dir))
            kept = [f for f in before if "/year=" in f and not any(p in f for p in touched)]
            assert all(after.get(f) == before[f] for f in kept)
            untouched_files += len(kept)
    assert untouched_files


def test_runs_whose_publish_crashed_are_published_by_the_next_run(tmp_path):
    settings = Settings(db_path=tmp_path / "w.duckdb", lake_dir=tmp_path / "lake")
    create_empty_warehouse(settings.db_path)

    def report(doc_id: str, text: str, names, published: date) -> dict:
        doc = made_up(doc_id, text, names)
        doc["documents"][0]["published_at"] = published
        return doc

    first = report(
        "a",
        "Ana Lopez met Smith in Lima.",
        [("Ana Lopez", "PERSON"), ("Smith", "PERSON"), ("Lima", "GPE")],
        date(2018, 3, 1),
    )
    run_batch(settings, "20260101T000000Z", [first], [])
    record(settings, "20260101T000000Z", 1)
    commit.publish_lake(settings, "20260101T000000Z")
    # A full name relinks the lone surname of March 2018; this run's publish never happens.
    second = report(
        "b",
        "John Smith met Omar Haddad.",
        [("John Smith", "PERSON"), ("Omar Haddad", "PERSON")],
        date(2020, 7, 1),
    )
    run_batch(settings, "20260102T000000Z", [second], [])
    record(settings, "20260102T000000Z", 1)
    third = report(
        "c",
        "Omar Haddad spoke in Osaka.",
        [("Omar Haddad", "PERSON"), ("Osaka", "GPE")],
        date(2021, 1, 5),
    )
    run_batch(settings, "20260103T000000Z", [third], ["a"])
    record(settings, "20260103T000000Z", 1)
    assert load.lake_changes_since(settings.db_path, "20260101T000000Z") == [
        "year=2018/month=03",
        "year=2020/month=07",
        "year=2021/month=01",
    ]
    commit.publish_lake(settings, "20260103T000000Z")
    assert_same_as_full_publish(settings, tmp_path, "after-crash")


def test_a_data_run_without_recorded_partitions_compares_every_partition(tmp_path):
    settings = Settings(db_path=tmp_path / "w.duckdb", lake_dir=tmp_path / "lake")
    create_empty_warehouse(settings.db_path)
    doc = made_up("a", "Ana Lopez met Smith.", [("Ana Lopez", "PERSON"), ("Smith", "PERSON")])
    run_batch(settings, "20260101T000000Z", [doc], [])
    record(settings, "20260101T000000Z", 1)
    assert load.lake_changes_since(settings.db_path, None) is None  # never published
    commit.publish_lake(settings, "20260101T000000Z")
    with load.connect(settings.db_path) as conn:  # a run of a release that recorded nothing
        conn.exec_driver_sql("DELETE FROM lake_changes")
    record(settings, "20260102T000000Z", 1)
    assert load.lake_changes_since(settings.db_path, "20260101T000000Z") is None
