"""Backfills: day ranges, which days are done, progress lines, a resumable run over day folders."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from etl.cli.main import app
from etl.records import Quarantined
from etl.run.backfill import (
    DayPlan,
    FinishedSource,
    day_folder,
    day_range,
    finished_sources,
    parse_day,
    pending,
    plan_backfill,
    plan_day,
    read_folder,
    source_key,
)
from etl.run.stats import RunSummary
from etl.storage.warehouse.load import loaded_documents
from flows.backfill import backfill_progress, format_eta, progress_line
from flows.deploy import nightly_day
from tests.conftest import make_settings

D1, D2, D3 = date(2017, 9, 20), date(2017, 9, 21), date(2017, 9, 22)


@pytest.fixture
def day_root(tmp_path, seeds_dir) -> Path:
    """Day folders 2017-09-20 (one seed) and 2017-09-22 (the other); 2017-09-21 is missing."""
    root = tmp_path / "incoming"
    seeds = sorted(p for p in seeds_dir.iterdir() if p.suffix == ".txt")
    for day, seed in ((D1, seeds[0]), (D3, seeds[1])):
        folder = root / day.isoformat()
        folder.mkdir(parents=True)
        for path in seeds_dir.glob(seed.stem + ".*"):
            shutil.copy(path, folder / path.name)
    return root


def test_day_range_is_inclusive_and_ordered():
    assert day_range(D1, D3) == [D1, D2, D3]
    assert day_range(D2, D2) == [D2]


def test_reversed_range_and_bad_day_are_refused():
    with pytest.raises(ValueError, match="before"):
        day_range(D3, D1)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("20/09/2017")


def summary_of(files: int, docs: int, loaded: int, quarantined=()) -> RunSummary:
    return RunSummary(
        run_id="r",
        source="s",
        db_path="w.duckdb",
        lake_dir="lake",
        files_seen=files,
        docs_seen=docs,
        docs_loaded=loaded,
        docs_unchanged=docs - loaded - len(quarantined),
        docs_quarantined=len(quarantined),
        quarantined=tuple(quarantined),
    )


def test_source_key_ignores_spelling(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path)
    assert source_key("a") == source_key(tmp_path / "a") == source_key(f"{tmp_path}/a/")
    assert source_key("a") != source_key(tmp_path)
    assert day_folder(Path("."), D1) == (tmp_path / D1.isoformat()).resolve()


def plan_all(day_root, finished, loaded=None, force=False):
    from etl.settings import Settings

    settings = Settings()
    loaded = loaded if loaded is not None else loaded_documents(day_root / "none.duckdb")
    return [
        plan_day(day, day_folder(day_root, day), settings, finished, loaded, force)
        for day in (D1, D2, D3)
    ]


def test_plan_marks_pending_missing_and_forced_days(day_root):
    plans = plan_all(day_root, {})
    assert [p.status for p in plans] == ["pending", "missing", "pending"]
    assert [(p.n_files, p.n_documents) for p in plans] == [(1, 1), (0, 0), (1, 1)]
    assert [p.day for p in pending(plans)] == [D1, D3]


def test_plan_counts_files_and_documents_apart(day_root):
    folder = day_root / D1.isoformat()
    (folder / "two.jsonl").write_text('{"text": "One article."}\n{"text": "Another article."}\n')
    (folder / "empty.txt").write_bytes(b"")
    from etl.settings import Settings

    content = read_folder(folder, Settings())
    # The seed's .txt (its .meta.json sidecar is not an input), the JSONL file, the empty file.
    assert content.n_files == 3
    assert content.n_documents == 4
    assert [q.source_uri.rsplit("/", 1)[1] for q in content.quarantined] == ["empty.txt"]


def test_day_loaded_as_it_is_is_done_and_a_changed_or_new_file_replans_it(day_root):
    from etl.settings import Settings

    folder = day_folder(day_root, D1)
    content = read_folder(folder, Settings())
    (article,) = content.articles
    import pyarrow as pa

    loaded = pa.table(
        {
            "doc_id": [article.doc_id],
            "source_uri": [article.source_uri],
            "content_sha256": [article.content_sha256],
        }
    )
    finished = {source_key(folder): FinishedSource("run-1", frozenset())}
    assert [p.status for p in plan_all(day_root, finished, loaded)] == [
        "done",
        "missing",
        "pending",
    ]
    forced = plan_all(day_root, finished, loaded, force=True)
    assert forced[0].status == "pending"

    (folder / "late.txt").write_text("A story filed after the first load of the day.\n")
    assert plan_all(day_root, finished, loaded)[0].status == "changed"
    (folder / "late.txt").unlink()

    # A bad file that the last run did not quarantine (it appeared since) replans the day;
    # one it did quarantine, still bad, does not.
    (folder / "bad.txt").write_bytes(b"")
    assert plan_all(day_root, finished, loaded)[0].status == "changed"
    bad_uri = (folder / "bad.txt").as_uri()
    finished_bad = {source_key(folder): FinishedSource("run-1", frozenset({bad_uri}))}
    assert plan_all(day_root, finished_bad, loaded)[0].status == "done"
    # ...and fixing it replans the day.
    (folder / "bad.txt").write_text("The file was fixed and now holds an article.\n")
    assert plan_all(day_root, finished_bad, loaded)[0].status == "changed"


def test_no_warehouse_means_nothing_finished(tmp_path):
    assert finished_sources(tmp_path / "none.duckdb") == {}


def test_progress_line_counts_files_and_documents():
    plan = DayPlan(D1, Path("x"), 10, 12, "pending")
    line = progress_line(plan, summary_of(10, 12, 11), 10, 40, 5.0)
    assert line == (
        "2017-09-20: 10 files, 12 documents: 11 loaded, 1 unchanged, 0 quarantined; "
        "10/40 files, 2.0 files/s, eta 00:00:15"
    )
    assert format_eta(None) == "--:--:--"
    assert format_eta(3725) == "01:02:05"


def test_progress_prints_plain_lines_and_quarantined_files_when_not_a_terminal():
    out = io.StringIO()
    plans = [DayPlan(D1, Path("a"), 3, 3, "pending"), DayPlan(D3, Path("b"), 1, 1, "changed")]
    bad = Quarantined("file:///in/2017-09-20/empty.txt", "empty file")
    with backfill_progress(plans, Console(file=out, force_terminal=False)) as on_day_done:
        on_day_done(plans[0], summary_of(3, 3, 2, [bad]))
        on_day_done(plans[1], summary_of(1, 1, 0))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2017-09-20: 3 files, 3 documents: 2 loaded, 0 unchanged")
    assert "3/4 files" in lines[0]
    assert lines[1] == "2017-09-20: quarantined: file:///in/2017-09-20/empty.txt: empty file"
    assert lines[2].startswith("2017-09-22: 1 files, 1 documents: 0 loaded") and "4/4" in lines[2]


def test_nightly_loads_the_previous_local_day():
    # 01:30 UTC on the 21st is 03:30 in Berlin: the night of the 21st loads the 20th.
    assert nightly_day(datetime(2017, 9, 21, 1, 30, tzinfo=UTC), "Europe/Berlin", 1) == D1
    # 23:30 UTC on the 20th is already the 21st in Berlin.
    assert nightly_day(datetime(2017, 9, 20, 23, 30, tzinfo=UTC), "Europe/Berlin", 0) == D2


def test_cli_dry_run_lists_days_without_running(day_root, tmp_path):
    db = tmp_path / "w.duckdb"
    args = ["backfill", "--from", "2017-09-20", "--to", "2017-09-22", "--source", str(day_root)]
    result = CliRunner().invoke(app, [*args, "--db", str(db), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2017-09-20  run" in result.output and "1 files       1 documents" in result.output
    assert "2017-09-21  skip (no folder)" in result.output
    assert not db.exists()


def test_cli_refuses_reversed_range(day_root, tmp_path):
    args = ["backfill", "--from", "2017-09-22", "--to", "2017-09-20", "--source", str(day_root)]
    result = CliRunner().invoke(app, [*args, "--db", str(tmp_path / "w.duckdb"), "--dry-run"])
    assert result.exit_code == 2


@pytest.mark.flow
@pytest.mark.slow
def test_backfill_runs_pending_days_in_order_and_resumes(prefect_harness, day_root, tmp_path):
    from flows.backfill import run_days

    settings = make_settings(tmp_path, day_root)
    # The first day was loaded before the backfill started (an interrupted earlier backfill).
    first = plan_backfill(settings, day_root, D1, D1)
    assert [r.day for r in run_days(first, settings)] == [D1]

    plans = plan_backfill(settings, day_root, D1, D3)
    assert [p.status for p in plans] == ["done", "missing", "pending"]
    done: list[date] = []
    results = run_days(plans, settings, lambda plan, summary: done.append(plan.day))
    assert done == [D3]
    assert results[0].summary.docs_loaded == 1
    assert results[0].summary.table_counts["documents"] == 2

    sources = finished_sources(settings.db_path)
    assert sorted(sources) == [str(day_folder(day_root, d)) for d in (D1, D3)]
    again = plan_backfill(settings, day_root, D1, D3)
    assert list(pending(again)) == []
