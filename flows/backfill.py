"""The ``newsetl backfill`` flow: run the pipeline over day folders ``<root>/YYYY-MM-DD/`` in order.

Each pending day is one ``newsetl_run`` (a subflow when called from the backfill flow), with its
day folder as the source; days whose folder already has a succeeded run in the warehouse are
skipped unless ``force``, so an interrupted backfill resumes where it stopped. Days run one after
another because the warehouse has a single writer.
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
from etl.settings import Settings
from flows.pipeline import run_pipeline


@dataclass
class DayResult:
    day: date
    summary: dict


def run_days(
    plans: list[DayPlan],
    settings: Settings,
    on_day_done: Callable[[DayPlan, dict], None] | None = None,
) -> list[DayResult]:
    """Run every pending day in order; ``on_day_done`` reports each finished day (progress)."""
    results = []
    for plan in pending(plans):
        day_settings = settings.updated(source_dir=plan.folder.resolve())
        summary = run_pipeline(day_settings)
        results.append(DayResult(plan.day, summary))
        if on_day_done is not None:
            on_day_done(plan, summary)
    return results


class DocsPerSecondColumn(ProgressColumn):
    """Documents per second over the days finished so far."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- docs/s" if speed is None else f"{speed:.1f} docs/s")


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--:--"
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def progress_line(plan: DayPlan, summary: dict, done: int, total: int, elapsed_s: float) -> str:
    """One plain log line for a finished day: counts, documents/s so far and the ETA."""
    rate = done / elapsed_s if elapsed_s > 0 else None
    eta = (total - done) / rate if rate else None
    return (
        f"{plan.day}: {summary['docs_seen']} inputs, {summary['docs_loaded']} loaded; "
        f"{done}/{total} inputs, {rate or 0:.1f} docs/s, eta {format_eta(eta)}"
    )


@contextlib.contextmanager
def backfill_progress(
    plans: list[DayPlan], console: Console | None = None
) -> Iterator[Callable[[DayPlan, dict], None]]:
    """A day-done callback: a rich progress bar on a terminal, plain lines otherwise."""
    console = console or Console(stderr=True)
    total = sum(plan.n_inputs for plan in pending(plans))
    if not console.is_terminal:
        started = time.monotonic()
        done = 0

        def print_line(plan: DayPlan, summary: dict) -> None:
            nonlocal done
            done += plan.n_inputs
            line = progress_line(plan, summary, done, total, time.monotonic() - started)
            print(line, file=console.file, flush=True)

        yield print_line
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("docs"),
        DocsPerSecondColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    # Progress moves a whole day at a time: estimate speed over the whole backfill.
    with Progress(*columns, console=console, speed_estimate_period=24 * 3600) as progress:
        task_id = progress.add_task("backfill", total=total)

        def advance(plan: DayPlan, summary: dict) -> None:
            progress.update(task_id, advance=plan.n_inputs, description=f"done {plan.day}")

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
) -> list[dict]:
    """Run every day folder from ``start`` to ``end`` (YYYY-MM-DD) not yet loaded."""
    settings = (settings or Settings()).updated(lake_dir=lake_dir, db_path=db_path)
    logger = get_run_logger()
    plans = plan_backfill(
        settings.db_path, Path(source_root), parse_day(start), parse_day(end), force
    )
    for plan in plans:
        if plan.status != "pending":
            logger.info("%s: %s, skipped", plan.day, plan.status)

    def log_day(plan: DayPlan, summary: dict) -> None:
        logger.info(
            "%s: %d inputs, %d loaded, %d unchanged, %d quarantined",
            plan.day,
            summary["docs_seen"],
            summary["docs_loaded"],
            summary["docs_unchanged"],
            summary["docs_quarantined"],
        )

    results = run_days(plans, settings, log_day)
    return [{"day": r.day.isoformat(), **r.summary} for r in results]
