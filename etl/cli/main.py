"""The ``newsetl`` command line: one typed function per command; the work is in flows/ and etl/."""

from __future__ import annotations

import atexit
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from etl.runtime.prefect_api import TemporaryServer, launch_temporary_server, wait_until_ready
from etl.runtime.quiet_exit import silence_stderr_at_exit
from etl.settings import TASK_RUNNERS, Settings

app = typer.Typer(
    help="newsetl: raw news articles -> entities and PLOVER events -> Parquet -> DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Measure normalization, entities and events on gold data.")
app.add_typer(eval_app, name="eval")

SourceOpt = Annotated[
    Path | None,
    typer.Option("--source", help="Input folder (default: seeds/).", show_default=False),
]
DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db", help="DuckDB warehouse (default: data/warehouse.duckdb).", show_default=False
    ),
]
LakeOpt = Annotated[
    str | None,
    typer.Option(
        "--lake",
        help="Parquet lake: a folder or an fsspec URL, e.g. s3://bucket/lake with s3fs "
        "installed (default: data/lake/).",
        show_default=False,
    ),
]

TaskRunnerOpt = Annotated[
    str | None,
    typer.Option(
        "--task-runner",
        help="default (batches in-process) or dask (batches on Dask workers).",
        show_default=False,
    ),
]
DaskAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        help="Scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (with dask).",
        show_default=False,
    ),
]
BatchSizeOpt = Annotated[
    int | None,
    typer.Option(
        "--batch-size", min=1, help="Documents per task (default 200).", show_default=False
    ),
]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line reason on stderr and return the exit to raise."""
    typer.echo(f"newsetl: error: {' '.join(str(message).split())}", err=True)
    return typer.Exit(code)


def settings_from(**overrides: object) -> Settings:
    """Settings from NEWSETL_* variables, with the command line's options on top (validated)."""
    task_runner = overrides.get("task_runner")
    if task_runner is not None and task_runner not in TASK_RUNNERS:
        choices = " or ".join(TASK_RUNNERS)
        raise fail(f"unknown task runner {task_runner!r}; choose {choices}", 2)
    try:
        return Settings().updated(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors()
        )
        raise fail(f"invalid setting: {problems}", 2) from None


def prepare_prefect(settings: Settings, verbose: bool = False) -> TemporaryServer | None:
    """Point Prefect at a project-local home, quiet it and launch its API server.

    Runs before prefect is first imported; the caller imports the pipeline while the server
    starts and calls ``wait_until_ready`` on the result before the first flow call.
    """
    silence_stderr_at_exit()
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home.resolve()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # The flows use no blocks; registering Prefect's block types costs every start-up ~0.5 s.
    os.environ.setdefault("PREFECT_API_BLOCKS_REGISTER_ON_START", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    return launch_temporary_server()


def unwritable_output(settings: Settings) -> str | None:
    """Why the run could not write its warehouse or lake (None when it can), checked up front.

    Creating the folders and the warehouse's lock file is what the run does first anyway; doing
    it here turns a path under a file, a read-only mount or /proc into one clear line.
    """
    db_path = settings.db_path
    try:
        if db_path.is_dir():
            return f"cannot write the warehouse {db_path}: it is a folder"
        blocking_file = next((p for p in db_path.parents if p.is_file()), None)
        if blocking_file is not None:
            return f"cannot write the warehouse {db_path}: {blocking_file} is a file"
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with open(db_path.with_name(db_path.name + ".lock"), "a"):
            pass
        if db_path.exists() and not os.access(db_path, os.W_OK):
            return f"cannot write the warehouse {db_path}: permission denied"
    except OSError as exc:
        return f"cannot write the warehouse {db_path}: {exc.strerror or exc}"
    from etl.storage.lake import open_lake

    try:
        open_lake(settings.lake_dir).prepare()
    except (OSError, ImportError, ValueError) as exc:  # ImportError: s3:// without s3fs
        reason = getattr(exc, "strerror", None) or exc
        return f"cannot write the lake {settings.lake_dir}: {reason}"
    return None


def quiet_failure_logs() -> None:
    """Leave a failed run's report to the one-line error.

    Prefect would log the failure's traceback too, and its events worker warns while it drains
    at exit ("EventsWorker - Still processing items"), after our last line.
    """
    for name in ("prefect.flow_runs", "prefect.task_runs", "EventsWorker"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def print_summary(summary: dict) -> None:
    counts = summary["table_counts"]
    typer.echo(f"warehouse: {summary['db_path']}  lake: {summary['lake_dir']}")
    typer.echo(
        f"run {summary['run_id']}: {summary['docs_seen']} inputs, {summary['docs_loaded']} loaded, "
        f"{summary['docs_unchanged']} unchanged, {summary['docs_quarantined']} quarantined"
    )
    typer.echo(
        f"warehouse holds {counts.get('documents', 0)} documents, "
        f"{counts.get('entities', 0)} entities, {counts.get('entity_mentions', 0)} mentions, "
        f"{counts.get('events', 0)} events, {counts.get('event_clusters', 0)} event clusters"
    )
    for item in summary["quarantined"]:
        typer.echo(f"quarantined: {item['source_uri']}: {item['reason']}")


@app.command()
def run(
    source: SourceOpt = None,
    db: DbOpt = None,
    lake: LakeOpt = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 3 when any input was quarantined.")
    ] = False,
    lock_timeout: Annotated[
        float | None,
        typer.Option("--lock-timeout", help="Seconds to wait for another run's lock."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect logs.")] = False,
    task_runner: TaskRunnerOpt = None,
    dask_address: DaskAddressOpt = None,
    batch_size: BatchSizeOpt = None,
) -> None:
    """Run one batch over every input file under --source and load the warehouse."""
    settings = settings_from(
        source_dir=source,
        db_path=db,
        lake_dir=lake,
        lock_timeout_s=lock_timeout,
        task_runner=task_runner,
        dask_address=dask_address,
        batch_size=batch_size,
    )
    if not settings.source_dir.is_dir():
        raise fail(f"source folder {settings.source_dir} does not exist or is not a folder")
    problem = unwritable_output(settings)
    if problem:
        raise fail(problem)
    prefect_server = prepare_prefect(settings, verbose)
    from etl.storage.warehouse.load import WarehouseLocked
    from flows.pipeline import run_pipeline

    wait_until_ready(prefect_server)

    if not verbose:
        quiet_failure_logs()

    try:
        summary = run_pipeline(settings)
    except WarehouseLocked as exc:
        raise fail(str(exc), 75) from None
    except Exception as exc:  # e.g. a file at --db that is not a DuckDB database: one line
        if verbose:
            raise
        raise fail(f"{type(exc).__name__}: {exc}") from None
    print_summary(summary)
    if (strict or settings.strict) and summary["docs_quarantined"]:
        raise fail(f"{summary['docs_quarantined']} input(s) quarantined (--strict)", 3)


@app.command()
def backfill(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")],
    source: Annotated[
        Path | None,
        typer.Option("--source", help="Folder of day folders YYYY-MM-DD/.", show_default=False),
    ] = None,
    db: DbOpt = None,
    lake: LakeOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the days that would run, and stop.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Re-run days already loaded.")] = False,
    task_runner: TaskRunnerOpt = None,
    dask_address: DaskAddressOpt = None,
    batch_size: BatchSizeOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect logs.")] = False,
) -> None:
    """Run every day folder SOURCE/YYYY-MM-DD/ of the range in order, skipping loaded days."""
    from etl.run.backfill import parse_day, plan_backfill

    settings = settings_from(
        db_path=db,
        lake_dir=lake,
        task_runner=task_runner,
        dask_address=dask_address,
        batch_size=batch_size,
    )
    root = source or settings.source_dir
    if not root.is_dir():
        raise fail(f"source folder {root} does not exist or is not a folder")
    try:
        first, last = parse_day(start), parse_day(end)
        plans = plan_backfill(settings.db_path, root, first, last, force)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    for plan in plans:
        action = {"pending": "run", "done": "skip (loaded)", "missing": "skip (no folder)"}
        typer.echo(
            f"{plan.day}  {action[plan.status]:<17} {plan.n_inputs:>6} inputs  {plan.folder}"
        )
    if dry_run:
        return
    prefect_server = prepare_prefect(settings, verbose)
    from etl.storage.warehouse.load import WarehouseLocked
    from flows.backfill import backfill_progress, run_days

    wait_until_ready(prefect_server)

    try:
        with backfill_progress(plans) as on_day_done:
            results = run_days(plans, settings, on_day_done)
    except WarehouseLocked as exc:
        raise fail(str(exc), 75) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise fail(f"{type(exc).__name__}: {exc}") from None
    loaded = sum(r.summary["docs_loaded"] for r in results)
    typer.echo(f"backfill: {len(results)} day(s) run, {loaded} documents loaded")


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="One read-only SQL statement.")],
    db: DbOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, json (lines) or parquet.")
    ] = "table",
) -> None:
    """Run one read-only statement against the warehouse and print the result."""
    from etl.storage.warehouse.query import FORMATS, QueryRefused, format_result, run_query

    if fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", 2)
    settings = settings_from(db_path=db)
    try:
        result = run_query(settings.db_path, sql)
    except QueryRefused as exc:
        raise fail(f"refused: {exc}", 2) from None
    except Exception as exc:  # any DuckDB error is the user's query failing: one line, non-zero
        raise fail(f"{type(exc).__name__}: {exc}") from None
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(*result.column_names)
        for row in result.to_pylist():
            table.add_row(*("" if v is None else str(v) for v in row.values()))
        Console(width=max(120, Console().width)).print(table)
        typer.echo(f"({result.num_rows} rows)")
    elif fmt == "parquet":
        sys.stdout.buffer.write(format_result(result, fmt))
    else:
        typer.echo(format_result(result, fmt), nl=False)


GoldOpt = Annotated[Path, typer.Option("--gold", help="Gold file (see ../shared/data/README.md).")]


def _gold_exists(gold: Path) -> None:
    if not gold.is_file():
        raise fail(f"gold file {gold} not found")


@eval_app.command("normalize")
def eval_normalize(gold: GoldOpt = Path("../shared/data/gum_news_dev/gold.jsonl")) -> None:
    """Casing, apostrophes and NER on restored degraded GUM text vs the cased original."""
    _gold_exists(gold)
    from etl.evaluate.normalize import evaluate_normalization, format_normalization_report
    from etl.stages.nlp import load_pipeline

    settings = Settings()
    typer.echo(
        format_normalization_report(
            evaluate_normalization(gold, load_pipeline(settings.spacy_model))
        )
    )


@eval_app.command("events")
def eval_events(gold: GoldOpt = Path("../shared/data/plover_dev.jsonl")) -> None:
    """PLOVER event type precision/recall/F1 and actor/recipient match, cased and degraded."""
    _gold_exists(gold)
    from etl.evaluate.events import evaluate_events, format_events_report
    from etl.stages.nlp import load_pipeline

    settings = Settings()
    typer.echo(format_events_report(evaluate_events(gold, load_pipeline(settings.spacy_model))))


@eval_app.command("entities")
def eval_entities(gold: GoldOpt = Path("../shared/data/gum_news_dev/gold.jsonl")) -> None:
    """Pairwise precision/recall of mentions grouped by entity_id vs gold Wikidata ids."""
    _gold_exists(gold)
    from etl.evaluate.entities import evaluate_entities, format_entities_report
    from etl.stages.nlp import load_pipeline

    settings = Settings()
    typer.echo(format_entities_report(evaluate_entities(gold, load_pipeline(settings.spacy_model))))


def main() -> None:
    """The ``newsetl`` console script: run the command, then end the process at once.

    After a run the heap holds every article and the loaded models; tearing it down object by
    object takes seconds that buy nothing (the warehouse is fsynced, the Parquet files are
    closed, the spaCy children have been joined). Exit handlers still run (Prefect stops its
    temporary server, logging flushes); only the interpreter's final teardown is skipped.
    """
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exit_status(exc.code)
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def exit_status(code: object) -> int:
    """The process exit status ``sys.exit(code)`` would give."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
