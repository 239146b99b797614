"""Backfill planning: the days of a range, their input folders, and which of them need a run.

Input for a backfill is laid out in day folders ``<root>/YYYY-MM-DD/``. A day folder is
**done** when the warehouse's ``runs`` table holds a succeeded run whose ``source`` is that
folder (compared as absolute, resolved paths, so a backfill started from another directory
finds it) and the folder's content is what that run saw: every article in it is loaded with the
same content hash, and the inputs it cannot read are the ones that run quarantined. A folder
whose files changed or appeared since is **changed** and runs again; one never loaded is
**pending**. Running the days is ``flows/backfill.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from etl.records import Article, Quarantined
from etl.run.plan import plan_load, read_sources
from etl.settings import Settings
from etl.stages.ingest import discover_sources

# Statuses that run (``pending``: never loaded; ``changed``: content differs from its last load).
RUNNABLE = ("pending", "changed")


@dataclass(frozen=True)
class DayPlan:
    day: date
    folder: Path
    n_files: int  # input files (.txt, .jsonl) in the folder
    n_documents: int  # articles in them (a JSONL line is one), readable or not
    status: str  # "pending", "changed", "done" or "missing" (no folder)


@dataclass(frozen=True)
class FinishedSource:
    """The latest succeeded run of one source folder and the inputs it quarantined."""

    run_id: str
    quarantined: frozenset[str]


@dataclass(frozen=True)
class FolderContent:
    """What a run of a folder would read: its files, articles and unreadable inputs."""

    n_files: int
    articles: list[Article]
    quarantined: list[Quarantined]

    @property
    def n_documents(self) -> int:
        return len(self.articles) + len(self.quarantined)


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
    """The day's input folder, absolute and resolved (the form ``runs.source`` records)."""
    return (root / day.isoformat()).expanduser().resolve()


def source_key(source: str | Path) -> str:
    """One spelling per folder (relative, absolute, trailing slash): the resolved absolute path.

    Runs record resolved paths; older rows may hold the path as typed, resolved here against
    the current directory as the old planner did."""
    return str(Path(source).expanduser().resolve())


def read_folder(folder: Path, settings: Settings) -> FolderContent:
    """Read a folder as a run would (same discovery, decoding and limits), without loading it."""
    sources, refused = discover_sources(folder)
    items = read_sources(sources, settings)
    return FolderContent(
        n_files=len(sources) + len(refused),
        articles=[item for item in items if isinstance(item, Article)],
        quarantined=list(refused) + [item for item in items if isinstance(item, Quarantined)],
    )


def content_changed(content: FolderContent, finished: FinishedSource, loaded) -> bool:
    """Whether a folder holds what its last run did not load: new or changed articles, or a
    different set of unreadable inputs (a bad file fixed, or a new one)."""
    if plan_load(content.articles, loaded).to_process:
        return True
    return {q.source_uri for q in content.quarantined} != finished.quarantined


def plan_day(
    day: date,
    folder: Path,
    settings: Settings,
    finished: dict[str, FinishedSource],
    loaded,
    force: bool = False,
) -> DayPlan:
    if not folder.is_dir():
        return DayPlan(day, folder, 0, 0, "missing")
    content = read_folder(folder, settings)
    last_run = finished.get(source_key(folder))
    if force or last_run is None:
        status = "pending"
    elif content_changed(content, last_run, loaded):
        status = "changed"
    else:
        status = "done"
    return DayPlan(day, folder, content.n_files, content.n_documents, status)


def pending(plans: Iterable[DayPlan]) -> Iterator[DayPlan]:
    """The days that run, in order."""
    return (plan for plan in plans if plan.status in RUNNABLE)


def finished_sources(db_path: Path) -> dict[str, FinishedSource]:
    """The latest succeeded run of every source folder, keyed by ``source_key`` (empty when
    there is no warehouse)."""
    if not db_path.exists():
        return {}
    from etl.storage.warehouse.engine import fetch_arrow, make_engine

    engine = make_engine(db_path, read_only=True)
    try:
        with engine.connect() as conn:
            rows = fetch_arrow(conn, "load/finished_sources.sql").to_pylist()
    finally:
        engine.dispose()
    latest: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: (r["started_at"], r["run_id"])):
        latest[source_key(row["source"])] = row
    return {
        key: FinishedSource(row["run_id"], frozenset(row["quarantined"]))
        for key, row in latest.items()
    }


def plan_backfill(
    settings: Settings, root: Path, first: date, last: date, force: bool = False
) -> list[DayPlan]:
    """The plan of every day of the range against the warehouse ``settings.db_path``."""
    from etl.storage.warehouse.load import loaded_documents

    days = day_range(first, last)
    finished = {} if force else finished_sources(settings.db_path)
    loaded = loaded_documents(settings.db_path) if finished else None
    return [plan_day(day, day_folder(root, day), settings, finished, loaded, force) for day in days]
