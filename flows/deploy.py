"""The ``nightly`` deployment's flow: load one day folder ``<source_root>/YYYY-MM-DD/``.

The day defaults to the scheduled start date (in the schedule's timezone) minus ``lag_days``:
a run scheduled at 02:00 loads yesterday's folder, which is complete by then. Passing ``day``
loads that day instead (how an operator re-runs a night by hand). Paths and knobs not given as
parameters come from ``NEWSETL_*`` variables in the worker's environment.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from etl.run.backfill import day_folder, parse_day
from etl.run.stats import RunSummary
from etl.settings import Settings
from flows.pipeline import run_pipeline


def nightly_day(scheduled_start: datetime, timezone: str, lag_days: int) -> date:
    """The day a run scheduled at ``scheduled_start`` loads: its local date minus ``lag_days``."""
    return scheduled_start.astimezone(ZoneInfo(timezone)).date() - timedelta(days=lag_days)


@flow(name="newsetl-nightly", retries=1, retry_delay_seconds=600)
def newsetl_nightly(
    source_root: str,
    lake_dir: str | None = None,
    db_path: str | None = None,
    day: str | None = None,
    timezone: str = "UTC",
    lag_days: int = 1,
    task_runner: str | None = None,
) -> RunSummary:
    """Run the pipeline over the day folder of ``day`` (default: the scheduled night's day)."""
    the_day = (
        parse_day(day) if day else nightly_day(flow_run.scheduled_start_time, timezone, lag_days)
    )
    folder = day_folder(Path(source_root), the_day)
    if not folder.is_dir():
        raise FileNotFoundError(f"no input folder for {the_day}: {folder}")
    settings = Settings().updated(
        source_dir=folder,
        lake_dir=lake_dir or None,
        db_path=db_path or None,
        task_runner=task_runner,
    )
    get_run_logger().info("loading %s from %s into %s", the_day, folder, settings.db_path)
    return run_pipeline(settings)
