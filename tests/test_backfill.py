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
from etl.run.backfill import (
    DayPlan,
    count_inputs,
    day_range,
    parse_day,
    pending,
    plan_backfill,
    plan_days,
    same_folder,
    succeeded_sources,
)
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


def test_same_folder_ignores_spelling(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path)
    assert same_folder("a", tmp_path / "a")
    assert same_folder(f"{tmp_path}/a/", "a")
    assert not same_folder("a", tmp_path)


def test_plan_marks_done_missing_and_pending_days(day_root):
    finished = [str(day_root / D1.isoformat())]
    plans = plan_days(day_root, [D1, D2, D3], finished)
    assert [p.status for p in plans] == ["done", "missing", "pending"]
    assert [p.n_inputs for p in plans] == [1, 0, 1]
    assert [p.day for p in pending(plans)] == [D3]
    forced = plan_days(day_root, [D1, D2, D3], finished, force=True)
    assert [p.status for p in forced] == ["pending", "missing", "pending"]


def test_sidecars_are_not_counted_as_inputs(day_root):
    folder = day_root / D1.isoformat()
    assert len(list(folder.iterdir())) == 2
    assert count_inputs(folder) == 1


def test_no_warehouse_means_nothing_finished(tmp_path):
    assert succeeded_sources(tmp_path / "none.duckdb") == []


def test_progress_line_reports_rate_and_eta():
    plan = DayPlan(D1, Path("x"), 10, "pending")
    line = progress_line(plan, {"docs_seen": 10, "docs_loaded": 9}, 10, 40, 5.0)
    assert line == "2017-09-20: 10 inputs, 9 loaded; 10/40 inputs, 2.0 docs/s, eta 00:00:15"
    assert format_eta(None) == "--:--:--"
    assert format_eta(3725) == "01:02:05"


def test_progress_prints_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    plans = [DayPlan(D1, Path("a"), 3, "pending"), DayPlan(D3, Path("b"), 1, "pending")]
    with backfill_progress(plans, Console(file=out, force_terminal=False)) as on_day_done:
        on_day_done(plans[0], {"docs_seen": 3, "docs_loaded": 3})
        on_day_done(plans[1], {"docs_seen": 1, "docs_loaded": 0})
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2017-09-20: 3 inputs, 3 loaded; 3/4 inputs")
    assert lines[1].startswith("2017-09-22: 1 inputs, 0 loaded; 4/4 inputs")


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
    assert "2017-09-20  run" in result.output
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
    first = plan_backfill(settings.db_path, day_root, D1, D1)
    assert [r.day for r in run_days(first, settings)] == [D1]

    plans = plan_backfill(settings.db_path, day_root, D1, D3)
    assert [p.status for p in plans] == ["done", "missing", "pending"]
    done: list[date] = []
    results = run_days(plans, settings, lambda plan, summary: done.append(plan.day))
    assert done == [D3]
    assert results[0].summary["docs_loaded"] == 1
    assert results[0].summary["table_counts"]["documents"] == 2

    sources = succeeded_sources(settings.db_path)
    assert sorted(Path(s).name for s in sources) == [D1.isoformat(), D3.isoformat()]
    again = plan_backfill(settings.db_path, day_root, D1, D3)
    assert list(pending(again)) == []
