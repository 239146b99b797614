"""Backfill planning: the days of a range, their input folders, and which of them are done.

Input for a backfill is laid out in day folders ``<root>/YYYY-MM-DD/``. A day is finished when
the warehouse's ``runs`` table holds a succeeded run whose ``source`` is that day's folder; a
resumed backfill skips those days. Pure helpers only: running the days is ``flows/backfill.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# What etl.stages.ingest.discover reads; used only to size the progress bar.
INPUT_SUFFIXES = (".txt", ".jsonl")


@dataclass(frozen=True)
class DayPlan:
    day: date
    folder: Path
    n_inputs: int
    status: str  # "pending", "done" (a succeeded run exists) or "missing" (no folder)


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` day; ValueError with the offending text otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a YYYY-MM-DD day: {text!r}") from None


def day_range(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive; ValueError when the range is reversed."""
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def day_folder(root: Path, day: date) -> Path:
    return root / day.isoformat()


def count_inputs(folder: Path) -> int:
    """Input files (``.txt``/``.jsonl``) under a day folder, to size progress reporting."""
    if not folder.is_dir():
        return 0
    return sum(
        1 for path in folder.rglob("*") if path.is_file() and path.suffix.lower() in INPUT_SUFFIXES
    )


def same_folder(a: str | Path, b: str | Path) -> bool:
    """Whether two spellings of a folder (relative, absolute, trailing slash) are the same."""
    return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()


def is_finished(folder: Path, finished_sources: Iterable[str]) -> bool:
    return any(same_folder(folder, source) for source in finished_sources)


def plan_days(
    root: Path, days: Iterable[date], finished_sources: Iterable[str], force: bool = False
) -> list[DayPlan]:
    """One plan entry per day, in order: done days are skipped later unless ``force``."""
    finished = list(finished_sources)
    plans = []
    for day in days:
        folder = day_folder(root, day)
        if not folder.is_dir():
            status = "missing"
        elif not force and is_finished(folder, finished):
            status = "done"
        else:
            status = "pending"
        plans.append(DayPlan(day, folder, count_inputs(folder), status))
    return plans


def pending(plans: Iterable[DayPlan]) -> Iterator[DayPlan]:
    return (plan for plan in plans if plan.status == "pending")


def succeeded_sources(db_path: Path) -> list[str]:
    """``source`` of every succeeded run in the warehouse (empty when there is no warehouse)."""
    if not db_path.exists():
        return []
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as conn:
        rows = conn.execute(
            "SELECT DISTINCT source FROM runs WHERE status = 'succeeded' AND source IS NOT NULL"
        ).fetchall()
    return [row[0] for row in rows]


def plan_backfill(
    db_path: Path, root: Path, first: date, last: date, force: bool = False
) -> list[DayPlan]:
    """The plan of every day of the range against the warehouse's succeeded runs."""
    finished = [] if force else succeeded_sources(db_path)
    return plan_days(root, day_range(first, last), finished, force)
