"""The ``newsetl backfill`` flow: run the pipeline over day folders ``<root>/YYYY-MM-DD/`` in order.

Each pending or changed day is one ``newsetl_run`` (a subflow when called from the backfill flow),
with its day folder as the source; days whose folder was loaded as it is now are skipped unless
``force`` (``etl.run.backfill``), so an interrupted backfill resumes where it stopped. Days run one
after another because the warehouse has a single writer. Progress counts input files.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from etl.run.backfill import DayPlan, parse_day, pending, plan_backfill
from etl.run.stats import RunSummary
from etl.settings import Settings
from flows.pipeline import run_pipeline

DayDone = Callable[[DayPlan, RunSummary], None]


@dataclass(frozen=True)
class DayResult:
    day: date
    summary: RunSummary


def run_days(
    plans: list[DayPlan], settings: Settings, on_day_done: DayDone | None = None
) -> list[DayResult]:
    """Run every pending or changed day in order; ``on_day_done`` reports each finished day."""
    results = []
    for plan in pending(plans):
        day_settings = settings.updated(source_dir=plan.folder)
        summary = run_pipeline(day_settings)
        results.append(DayResult(plan.day, summary))
        if on_day_done is not None:
            on_day_done(plan, summary)
    return results


class FilesPerSecondColumn(ProgressColumn):
    """Input files per second over the days finished so far."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- files/s" if speed is None else f"{speed:.1f} files/s")


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--:--"
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def day_line(plan: DayPlan, summary: RunSummary) -> str:
    """``DAY: N files, M documents: L loaded, U unchanged, Q quarantined``."""
    return f"{plan.day}: {summary.counts_line()}"


def quarantine_lines(plan: DayPlan, summary: RunSummary) -> list[str]:
    """One line per input the day's run quarantined, with its reason."""
    return [f"{plan.day}: quarantined: {q.source_uri}: {q.reason}" for q in summary.quarantined]


def progress_line(
    plan: DayPlan, summary: RunSummary, done: int, total: int, elapsed_s: float
) -> str:
    """One plain log line for a finished day: its counts, files/s so far and the ETA."""
    rate = done / elapsed_s if elapsed_s > 0 else None
    eta = (total - done) / rate if rate else None
    return (
        f"{day_line(plan, summary)}; {done}/{total} files, {rate or 0:.1f} files/s, "
        f"eta {format_eta(eta)}"
    )


@contextlib.contextmanager
def backfill_progress(plans: list[DayPlan], console: Console | None = None) -> Iterator[DayDone]:
    """A day-done callback: a rich progress bar on a terminal, plain lines otherwise; either way
    each day's quarantined inputs are printed with their reasons."""
    console = console or Console(stderr=True)
    total = sum(plan.n_files for plan in pending(plans))
    if not console.is_terminal:
        started = time.monotonic()
        done = 0

        def print_lines(plan: DayPlan, summary: RunSummary) -> None:
            nonlocal done
            done += plan.n_files
            line = progress_line(plan, summary, done, total, time.monotonic() - started)
            for text in (line, *quarantine_lines(plan, summary)):
                print(text, file=console.file, flush=True)

        yield print_lines
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        FilesPerSecondColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    # Progress moves a whole day at a time: estimate speed over the whole backfill.
    with Progress(*columns, console=console, speed_estimate_period=24 * 3600) as progress:
        task_id = progress.add_task("backfill", total=total)

        def advance(plan: DayPlan, summary: RunSummary) -> None:
            for text in (day_line(plan, summary), *quarantine_lines(plan, summary)):
                progress.console.print(text, markup=False, highlight=False)
            progress.update(task_id, advance=plan.n_files, description=f"done {plan.day}")

        yield advance


@flow(name="newsetl-backfill")
def newsetl_backfill(
    source_root: str,
    start: str,
    end: str,
    lake_dir: str | None = None,
    db_path: str | None = None,
    force: bool = False,
    settings: Settings | None = None,
) -> list[DayResult]:
    """Run every day folder from ``start`` to ``end`` (YYYY-MM-DD) not loaded as it is now."""
    settings = (settings or Settings()).updated(lake_dir=lake_dir, db_path=db_path)
    logger = get_run_logger()
    plans = plan_backfill(settings, Path(source_root), parse_day(start), parse_day(end), force)
    for plan in plans:
        if plan.status not in ("pending", "changed"):
            logger.info("%s: %s, skipped", plan.day, plan.status)

    def log_day(plan: DayPlan, summary: RunSummary) -> None:
        for text in (day_line(plan, summary), *quarantine_lines(plan, summary)):
            logger.info("%s", text)

    return run_days(plans, settings, log_day)
