"""An unchanged re-run, recorded without Prefect or the model.

A nightly job often re-runs over a folder that holds nothing new. Its fixed start-up (Prefect's
temporary API server and flow machinery, loading spaCy) then costs far more than the run's
work, which is only to plan and to record. ``run_if_unchanged`` plans first, under the
warehouse's write lock: the inputs' content hashes against the live warehouse, read-only. When
nothing is new, changed or superseded it leaves what every run leaves through the same commit
code as the flow (a new warehouse state with the run's ``runs`` row and its quarantined
inputs, the lake's bookkeeping tables, anything a crashed run left unpublished) and returns the
run's summary. Otherwise it returns None, and the run is the Prefect flow (``flows.pipeline``),
which plans again under its own hold on the lock: the flow stays the path for real work.
A warehouse whose derived state an older release computed is brought up to date by that same
commit (``etl.run.commit.apply_documents``: entities and clusters recomputed in full, once).
"""

from __future__ import annotations

from datetime import UTC, datetime

from etl.records import Article, Quarantined
from etl.run import commit
from etl.run.plan import plan_against_warehouse, read_sources, warehouse_lock
from etl.run.stats import RunStats, RunSummary, count_inputs, new_run_id, summary_of_run
from etl.settings import Settings
from etl.stages.ingest import discover_sources


def run_if_unchanged(settings: Settings) -> RunSummary | None:
    """Record a run of ``settings.source_dir`` that has nothing to load and return its summary;
    None (nothing recorded) when the run has documents to load or remove, or no warehouse yet.

    Raises ``WarehouseLocked`` as the flow would when another run holds the warehouse.
    """
    if not settings.db_path.exists():
        return None  # a first run: everything is new, and reading twice would only cost time
    started = datetime.now(UTC)
    # The resolved path: the same folder typed two ways (or from another directory) is one source.
    stats = RunStats(new_run_id(started), started, str(settings.source_dir.resolve()))
    with warehouse_lock(settings):
        try:
            commit.clean_abandoned(settings)
            sources, refused = discover_sources(settings.source_dir)
            items = read_sources(sources, settings)
            articles = [item for item in items if isinstance(item, Article)]
            quarantined = refused + [item for item in items if isinstance(item, Quarantined)]
            load_plan = plan_against_warehouse(articles, settings)
        except Exception:
            # Whatever stops the planning (a file that is not a warehouse, a read that fails
            # now and not on a retry) is the flow's to retry, record and report.
            return None
        if load_plan.changes_anything:
            return None
        count_inputs(stats, len(articles), len(quarantined), load_plan.unchanged)
        try:
            commit.commit_run(settings, stats, load_plan, [], quarantined)
        except Exception as exc:
            commit.record_failed_run(settings, stats, f"{type(exc).__name__}: {exc}")
            raise
        commit.publish_lake(settings, stats.run_id)
    return summary_of_run(stats, settings, len(sources) + len(refused), quarantined)
