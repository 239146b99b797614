"""Run bookkeeping: run ids and the row each run leaves in the ``runs`` table."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime


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


def count_failed(stats: RunStats, n_failed: int) -> None:
    """Move documents that failed a per-document stage from loaded to quarantined."""
    stats.docs_loaded -= n_failed
    stats.docs_quarantined += n_failed
