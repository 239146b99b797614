"""Run bookkeeping: run ids, the row each run leaves in the ``runs`` table, and the typed summary
a run returns to its caller (the CLI, backfill, deployments)."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from etl.records import Quarantined
from etl.settings import Settings
from etl.storage.warehouse import load


def new_run_id(now: datetime) -> str:
    """Sortable, unique run id: UTC start time plus a random suffix."""
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass
class RunStats:
    run_id: str
    started_at: datetime
    source: str
    docs_seen: int = 0
    docs_loaded: int = 0
    docs_unchanged: int = 0
    docs_quarantined: int = 0

    def row(self, status: str, finished_at: datetime, error: str | None = None) -> dict:
        """The ``runs`` row (schema ``etl.schema.RUNS``)."""
        return {**asdict(self), "finished_at": finished_at, "status": status, "error": error}


def count_inputs(stats: RunStats, n_articles: int, n_quarantined: int, n_unchanged: int) -> None:
    """Fill the document counters once the run knows what it read and what it will load."""
    stats.docs_seen = n_articles + n_quarantined
    stats.docs_quarantined = n_quarantined
    stats.docs_unchanged = n_unchanged
    stats.docs_loaded = n_articles - n_unchanged


@dataclass(frozen=True)
class RunSummary:
    """What one run did, as the flow returns it.

    Counts say what they count: ``files_seen`` input files (a JSONL file is one file however many
    articles it holds); the ``docs_*`` counters are documents (a JSONL line is one), as in
    ``runs``; ``quarantined`` lists every input the run could not read (a file or a JSONL line).
    """

    run_id: str
    source: str
    db_path: str
    lake_dir: str
    files_seen: int
    docs_seen: int
    docs_loaded: int
    docs_unchanged: int
    docs_quarantined: int
    quarantined: tuple[Quarantined, ...] = ()
    table_counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        stats: RunStats,
        *,
        db_path: str,
        lake_dir: str,
        files_seen: int,
        quarantined: list[Quarantined],
        table_counts: dict[str, int],
    ) -> RunSummary:
        return cls(
            run_id=stats.run_id,
            source=stats.source,
            db_path=db_path,
            lake_dir=lake_dir,
            files_seen=files_seen,
            docs_seen=stats.docs_seen,
            docs_loaded=stats.docs_loaded,
            docs_unchanged=stats.docs_unchanged,
            docs_quarantined=stats.docs_quarantined,
            quarantined=tuple(quarantined),
            table_counts=table_counts,
        )

    def counts_line(self) -> str:
        """``N files, M documents: L loaded, U unchanged, Q quarantined``."""
        return (
            f"{self.files_seen} files, {self.docs_seen} documents: {self.docs_loaded} loaded, "
            f"{self.docs_unchanged} unchanged, {self.docs_quarantined} quarantined"
        )


def count_failed(stats: RunStats, n_failed: int) -> None:
    """Move documents that failed a per-document stage from loaded to quarantined."""
    stats.docs_loaded -= n_failed
    stats.docs_quarantined += n_failed


def warehouse_counts(settings: Settings) -> dict[str, int]:
    """Rows per table of the live warehouse ``settings`` names (empty when there is none)."""
    return load.table_counts(settings.db_path)


def summary_of_run(
    stats: RunStats, settings: Settings, files_seen: int, quarantined: list[Quarantined]
) -> RunSummary:
    """The summary of a finished run of ``settings``, with the live warehouse's table sizes."""
    return RunSummary.of(
        stats,
        db_path=str(settings.db_path),
        lake_dir=str(settings.lake_dir),
        files_seen=files_seen,
        quarantined=quarantined,
        table_counts=warehouse_counts(settings),
    )
