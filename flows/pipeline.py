"""The ``newsetl run`` flow: one batch over every input file of a source folder.

discover -> read -> plan -> per batch of documents: normalize + spaCy + extract -> stage Parquet
-> commit the next warehouse state (entities resolved, events clustered) -> publish the lake.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from etl.records import Article, Quarantined, SourceFile
from etl.run import commit
from etl.run.plan import (
    LoadPlan,
    batches,
    case_evidence_for,
    plan_against_warehouse,
    read_sources,
    settings_for_commit,
    split_by_case_evidence,
    warehouse_lock,
)
from etl.run.stats import (
    RunStats,
    RunSummary,
    count_failed,
    count_inputs,
    new_run_id,
    summary_of_run,
)
from etl.runtime.forked import return_free_memory
from etl.runtime.prefect_runtime import workers_share_prefect_api
from etl.runtime.task_runners import (
    ParsingCountdown,
    build_task_runner,
    document_limits,
    open_parser,
    parsing_countdown,
)
from etl.settings import Settings
from etl.stages.document import BatchRows, accepted_chunks, iter_batch_rows
from etl.stages.ingest import discover_sources
from etl.stages.nlp import Parser
from etl.stages.normalize import CaseEvidence

COMMIT_PHASES_ARTIFACT = "newsetl-commit-phases"


@task
def discover(settings: Settings) -> tuple[list[SourceFile], list[Quarantined]]:
    return discover_sources(settings.source_dir)


@task(retries=2, retry_delay_seconds=1)
def read_inputs(sources: list[SourceFile], settings: Settings) -> list[Article | Quarantined]:
    return read_sources(sources, settings)


@task
def plan(articles: list[Article], settings: Settings) -> LoadPlan:
    return plan_against_warehouse(articles, settings)


@task
def case_evidence(articles: list[Article], settings: Settings) -> CaseEvidence:
    return case_evidence_for(articles, settings)


# No cache policy: the load plan decides what is new, and hashing a batch's texts (or the
# parser's process pool) for a cache key would only cost time.
@task(retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def process_batch(
    batch: list[Article],
    part: str,
    run_id: str,
    load_date: date,
    evidence: CaseEvidence | None,
    parser: Parser,
    settings: Settings,
    countdown: ParsingCountdown | None = None,
) -> tuple[list[dict[str, str]], list[Quarantined]]:
    """Stage one batch's rows; returns the staged files and the articles that failed a stage.

    Rows are staged chunk by chunk as they come (a long document's part by part), so a batch
    never holds a long document's rows whole. The batch tells ``countdown`` when its parsing is
    over (its last text parsed, or the task ending), so the run's last batch ends the spaCy
    children before its last rows are staged.
    """
    parts = itertools.count()
    quarantined: list[Quarantined] = []

    def stage(rows: BatchRows) -> dict[str, str]:
        quarantined.extend(rows.quarantined)
        return commit.stage_batch(settings, run_id, f"{part}-{next(parts):04d}", rows)

    def parsed() -> None:
        if countdown:
            countdown.parsed(part)

    chunks = iter_batch_rows(
        batch,
        parser,
        run_id=run_id,
        load_date=load_date,
        evidence=evidence,
        limits=document_limits(settings),
        parsed=parsed,
    )
    try:
        return accepted_chunks(chunks, stage), quarantined
    finally:
        parsed()


@task
def commit_run(settings, stats, load_plan, staged, quarantined) -> None:
    # Parsing is over: what its Docs and rows left in the C heap goes back before the commit.
    return_free_memory()
    times = commit.commit_run(settings, stats, load_plan, staged, quarantined)
    # Where the commit's time went (bench/bench_pipeline.py reads it from Prefect's database).
    create_table_artifact(
        key=COMMIT_PHASES_ARTIFACT,
        table=[{"phase": phase, "seconds": round(seconds, 2)} for phase, seconds in times.items()],
        description=f"newsetl run {stats.run_id}: wall seconds of the commit's phases",
    )


@task(retries=2, retry_delay_seconds=1)
def publish_lake(settings: Settings, run_id: str) -> None:
    commit.publish_lake(settings, run_id)


def publish_counts_artifact(summary: RunSummary) -> None:
    """A Prefect table artifact with the run's document counts and the warehouse's table sizes."""
    rows = [
        {"measure": name, "value": getattr(summary, name)}
        for name in ("files_seen", "docs_seen", "docs_loaded", "docs_unchanged", "docs_quarantined")
    ] + [{"measure": f"rows in {table}", "value": n} for table, n in summary.table_counts.items()]
    create_table_artifact(
        key="newsetl-run-counts",
        table=rows,
        description=f"newsetl run {summary.run_id}: counts (warehouse {summary.db_path})",
    )


# Two batch threads feed the spaCy child process by default (see etl.runtime.task_runners);
# run_pipeline swaps in the runner the settings name.
@flow(name="newsetl-run", task_runner=ThreadPoolTaskRunner(max_workers=2))
def newsetl_run(
    source_dir: str | None = None,
    lake_dir: str | None = None,
    db_path: str | None = None,
    settings: Settings | None = None,
) -> RunSummary:
    """Ingest, normalize, extract and load every input file under ``source_dir``."""
    settings = (settings or Settings()).updated(
        source_dir=source_dir, lake_dir=lake_dir, db_path=db_path
    )
    started = datetime.now(UTC)
    # The resolved path: the same folder typed two ways (or from another directory) is one source.
    stats = RunStats(new_run_id(started), started, str(settings.source_dir.resolve()))
    with warehouse_lock(settings):
        commit.clean_abandoned(settings)
        try:
            # The parser starts first: its model loads while the inputs are read and planned.
            with open_parser(settings) as parser:
                sources, refused = discover(settings)
                items = read_inputs(sources, settings)
                articles = [item for item in items if isinstance(item, Article)]
                quarantined = refused + [item for item in items if isinstance(item, Quarantined)]
                load_plan = plan(quote(articles), settings)
                count_inputs(stats, len(articles), len(quarantined), load_plan.unchanged)
                # The load and the lake export need room for the largest document's row.
                commit_settings = settings_for_commit(settings, load_plan.to_process)
                # Well-formed articles need no case evidence: their batches go first and are
                # parsed while the evidence is gathered; degraded ones wait for it. Submitted
                # arguments are passed bare, not quote()d: Dask flattens quote's namedtuple into
                # a plain tuple on its way to a worker, and the task would get a tuple.
                evidence = case_evidence.submit(load_plan.to_process, settings)
                well_formed, degraded = split_by_case_evidence(
                    load_plan.to_process, settings.document_part_chars
                )
                jobs = [(batch, None) for batch in batches(well_formed, settings.batch_size)]
                jobs += [(batch, evidence) for batch in batches(degraded, settings.batch_size)]
                parts = [f"{i:05d}" for i in range(len(jobs))]
                countdown = parsing_countdown(parser, parts)
                futures = [
                    process_batch.submit(
                        batch,
                        part,
                        stats.run_id,
                        started.date(),
                        batch_evidence,
                        parser,
                        settings,
                        countdown,
                    )
                    for part, (batch, batch_evidence) in zip(parts, jobs, strict=True)
                ]
                results = [future.result() for future in futures]
                staged = [files for batch_files, _ in results for files in batch_files]
                failed = [item for _, batch_failed in results for item in batch_failed]
                count_failed(stats, len(failed))
                quarantined += failed
            commit_run(commit_settings, stats, quote(load_plan), staged, quarantined)
        except Exception as exc:
            commit.record_failed_run(settings, stats, f"{type(exc).__name__}: {exc}")
            raise
        publish_lake(commit_settings, stats.run_id)
    summary = summary_of_run(stats, settings, len(sources) + len(refused), quarantined)
    publish_counts_artifact(summary)
    return summary


def run_pipeline(settings: Settings) -> RunSummary:
    """Run ``newsetl_run`` with the task runner ``settings.task_runner`` names."""
    with workers_share_prefect_api(settings):
        return newsetl_run.with_options(task_runner=build_task_runner(settings))(settings=settings)
