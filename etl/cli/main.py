"""The ``newsetl`` command line: one typed function per command; the work is in flows/ and etl/."""

from __future__ import annotations

import inspect
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_type_hints

import typer
from pydantic import ValidationError

from etl.build.registry import BuildStep
from etl.build.steps import STEPS
from etl.runtime import prefect_runtime
from etl.settings import TASK_RUNNERS, Settings

if TYPE_CHECKING:
    from etl.run.stats import RunSummary

# Plain (click) help: flags read as flags (``--strict``, not ``--strict <bool>``), options with
# their value and default, in any terminal width.
HELP_STYLE = {"rich_markup_mode": None, "add_completion": False}
DEFAULTS = Settings.model_fields

app = typer.Typer(
    help="newsetl: raw news articles -> entities and PLOVER events -> Parquet -> DuckDB.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    **HELP_STYLE,
)
eval_app = typer.Typer(
    help="Measure normalization, entities and events on gold data.", **HELP_STYLE
)
app.add_typer(eval_app, name="eval")
build_app = typer.Typer(
    help="Build the models and tables the pipeline ships; skipped when nothing changed.",
    no_args_is_help=True,
    **HELP_STYLE,
)
app.add_typer(build_app, name="build")


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsetl")
    except PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


def show_version(value: bool) -> None:
    if value:
        typer.echo(f"newsetl {package_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=show_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """newsetl: raw news articles -> entities and PLOVER events -> Parquet -> DuckDB."""


SourceOpt = Annotated[
    Path | None,
    typer.Option(
        "--source", metavar="DIR", help="Input folder (default: seeds/).", show_default=False
    ),
]
DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="DuckDB warehouse (default: data/warehouse.duckdb).",
        show_default=False,
    ),
]
LakeOpt = Annotated[
    str | None,
    typer.Option(
        "--lake",
        metavar="DIR|URL",
        help="Parquet lake: a folder or an fsspec URL, e.g. s3://bucket/lake with s3fs "
        "installed (default: data/lake/).",
        show_default=False,
    ),
]

TaskRunnerOpt = Annotated[
    str | None,
    typer.Option(
        "--task-runner",
        metavar="default|dask",
        help="default (batches in-process) or dask (batches on Dask workers).",
        show_default=False,
    ),
]
DaskAddressOpt = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        help="Scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (with dask).",
        show_default=False,
    ),
]
BatchSizeOpt = Annotated[
    int | None,
    typer.Option(
        "--batch-size",
        metavar="N",
        min=1,
        help=f"Documents per task (default {DEFAULTS['batch_size'].default}).",
        show_default=False,
    ),
]
StrictOpt = Annotated[
    bool,
    typer.Option("--strict", help="Exit 3 when any input was quarantined (default: off)."),
]
LockTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--lock-timeout",
        metavar="SECONDS",
        min=0,
        help="Seconds to wait for another run's warehouse lock before exit 75 "
        f"(default {DEFAULTS['lock_timeout_s'].default:g}).",
        show_default=False,
    ),
]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect logs.")]


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


def print_summary(summary: RunSummary) -> None:
    counts = summary.table_counts
    typer.echo(f"warehouse: {summary.db_path}  lake: {summary.lake_dir}")
    typer.echo(f"run {summary.run_id}: {summary.counts_line()}")
    typer.echo(
        f"warehouse holds {counts.get('documents', 0)} documents, "
        f"{counts.get('entities', 0)} entities, {counts.get('entity_mentions', 0)} mentions, "
        f"{counts.get('events', 0)} events, {counts.get('event_clusters', 0)} event clusters"
    )
    for item in summary.quarantined:
        typer.echo(f"quarantined: {item.source_uri}: {item.reason}")


def run_flow(settings: Settings, verbose: bool) -> RunSummary:
    """The run as the Prefect flow ``newsetl-run``, Prefect's runtime started for it."""
    runtime = prefect_runtime.start(settings, verbose)
    from flows.pipeline import run_pipeline

    runtime.ready()
    if not verbose:
        quiet_failure_logs()
    return run_pipeline(settings)


@app.command()
def run(
    source: SourceOpt = None,
    db: DbOpt = None,
    lake: LakeOpt = None,
    strict: StrictOpt = False,
    lock_timeout: LockTimeoutOpt = None,
    verbose: VerboseOpt = False,
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
    from etl.run.unchanged import run_if_unchanged
    from etl.storage.warehouse.load import WarehouseLocked

    try:
        # Nothing new to load: recorded without starting Prefect or loading the model.
        summary = run_if_unchanged(settings) or run_flow(settings, verbose)
    except WarehouseLocked as exc:
        raise fail(str(exc), 75) from None
    except Exception as exc:  # e.g. a file at --db that is not a DuckDB database: one line
        if verbose:
            raise
        raise fail(f"{type(exc).__name__}: {exc}") from None
    print_summary(summary)
    if (strict or settings.strict) and summary.docs_quarantined:
        raise fail(f"{summary.docs_quarantined} input(s) quarantined (--strict)", 3)


@app.command()
def backfill(
    start: Annotated[str, typer.Option("--from", metavar="YYYY-MM-DD", help="First day.")],
    end: Annotated[str, typer.Option("--to", metavar="YYYY-MM-DD", help="Last day (inclusive).")],
    source: Annotated[
        Path | None,
        typer.Option(
            "--source",
            metavar="DIR",
            help="Folder of day folders YYYY-MM-DD/ (default: seeds/).",
            show_default=False,
        ),
    ] = None,
    db: DbOpt = None,
    lake: LakeOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the days that would run, and stop.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Re-run days already loaded as they are now.")
    ] = False,
    strict: StrictOpt = False,
    lock_timeout: LockTimeoutOpt = None,
    task_runner: TaskRunnerOpt = None,
    dask_address: DaskAddressOpt = None,
    batch_size: BatchSizeOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Run every day folder SOURCE/YYYY-MM-DD/ of the range in order, skipping days loaded as
    they are now (a day whose files changed or appeared since runs again)."""
    from etl.run.backfill import parse_day, plan_backfill

    settings = settings_from(
        db_path=db,
        lake_dir=lake,
        lock_timeout_s=lock_timeout,
        task_runner=task_runner,
        dask_address=dask_address,
        batch_size=batch_size,
    )
    root = source or settings.source_dir
    if not root.is_dir():
        raise fail(f"source folder {root} does not exist or is not a folder")
    try:
        first, last = parse_day(start), parse_day(end)
        plans = plan_backfill(settings, root, first, last, force)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    action = {
        "pending": "run",
        "changed": "run (changed)",
        "done": "skip (loaded)",
        "missing": "skip (no folder)",
    }
    for plan in plans:
        typer.echo(
            f"{plan.day}  {action[plan.status]:<17} {plan.n_files:>6} files "
            f"{plan.n_documents:>7} documents  {plan.folder}"
        )
    if dry_run:
        return
    runtime = prefect_runtime.start(settings, verbose)
    from etl.storage.warehouse.load import WarehouseLocked
    from flows.backfill import backfill_progress, run_days

    runtime.ready()

    try:
        with backfill_progress(plans) as on_day_done:
            results = run_days(plans, settings, on_day_done)
    except WarehouseLocked as exc:
        raise fail(str(exc), 75) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise fail(f"{type(exc).__name__}: {exc}") from None
    loaded = sum(r.summary.docs_loaded for r in results)
    quarantined = sum(r.summary.docs_quarantined for r in results)
    typer.echo(
        f"backfill: {len(results)} day(s) run, {loaded} documents loaded, {quarantined} quarantined"
    )
    if (strict or settings.strict) and quarantined:
        raise fail(f"{quarantined} input(s) quarantined (--strict)", 3)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(metavar="SQL", help="One read-only SQL statement.")],
    db: DbOpt = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="table|csv|json|parquet", help="Output format (json: lines)."
        ),
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


GoldOpt = Annotated[
    Path, typer.Option("--gold", metavar="FILE", help="Gold file (see ../shared/data/README.md).")
]


def _gold_exists(gold: Path) -> None:
    if not gold.is_file():
        raise fail(f"gold file {gold} not found")


@eval_app.command("normalize")
def eval_normalize(
    gold: GoldOpt = Path("../shared/data/gum_news_dev/gold.jsonl"),
    cross_validate: Annotated[
        bool,
        typer.Option(
            "--cross-validate", help="Casing fitted and held out (leave a document/topic out)."
        ),
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="DOC", help="Print the features behind DOC's casing."),
    ] = None,
    without_feature: Annotated[
        list[str] | None,
        typer.Option(
            "--without-feature",
            metavar="PART",
            help="With --cross-validate: train without the features whose name contains PART.",
        ),
    ] = None,
    folds_by: Annotated[
        str,
        typer.Option(
            "--folds-by",
            metavar="group|document",
            help="With --cross-validate: hold out whole topics/genres (group) or documents.",
        ),
    ] = "group",
) -> None:
    """Casing, apostrophes and NER on restored degraded text vs the cased original
    (gum_news_dev, gum_more_dev; ecb_dev: casing only, degraded with the shared tool)."""
    _gold_exists(gold)
    from etl.evaluate import normalize as evaluate

    corpus, shared = gold.parent.name, gold.parents[2]
    if explain or cross_validate or corpus == "ecb_dev":
        from etl.stages.normalize.train_casing import load_corpus

        if explain:
            documents = {document.doc_id: document for document in load_corpus(corpus, shared)}
            if explain not in documents:
                raise fail(f"no document {explain} in {corpus}")
            typer.echo("\n".join(evaluate.explain_document(documents[explain].lower)))
        elif cross_validate:
            figures = evaluate.evaluate_casing_cross_validated(
                corpus, shared, tuple(without_feature or ()), folds_by
            )
            typer.echo(evaluate.format_cross_validated_report(corpus, figures))
        else:
            figures = {"packaged": evaluate.evaluate_casing_corpus(gold)}
            typer.echo(evaluate.format_casing_figures(corpus, figures))
        return
    from etl.evaluate.normalize import evaluate_normalization, format_normalization_report
    from etl.stages.nlp import load_pipeline

    settings = Settings()
    typer.echo(
        format_normalization_report(
            evaluate_normalization(gold, load_pipeline(settings.spacy_model))
        )
    )


@eval_app.command("events")
def eval_events(
    gold: GoldOpt = Path("../shared/data/plover_dev.jsonl"),
    folds: Annotated[
        int,
        typer.Option(
            "--folds", metavar="K", help="Also cross-validate what is learned: K folds by record."
        ),
    ] = 0,
    repeats: Annotated[
        int,
        typer.Option(
            "--repeats",
            metavar="R",
            help="With --folds: also repeat the cross-validation over R partitions (means).",
        ),
    ] = 1,
) -> None:
    """PLOVER event type precision/recall/F1 and actor/recipient match, cased and degraded."""
    _gold_exists(gold)
    from etl.evaluate import events as evaluation
    from etl.stages.nlp import load_pipeline

    nlp = load_pipeline(Settings().spacy_model)
    typer.echo(evaluation.format_events_report(evaluation.evaluate_events(gold, nlp)))
    if folds > 1:
        scored = evaluation.score_all(gold, nlp)
        result = evaluation.cross_validate(scored, folds)
        typer.echo(evaluation.format_cross_validation(result))
        if repeats > 1:
            results = evaluation.repeated_cross_validation(scored, folds, repeats)
            typer.echo(evaluation.format_repeats(results))


@eval_app.command("entities")
def eval_entities(
    gold: GoldOpt = Path("../shared/data/gum_news_dev/gold.jsonl"),
    parse_cache: Annotated[
        Path | None,
        typer.Option(
            "--parse-cache", metavar="DIR", help="Folder caching parsed Docs between runs."
        ),
    ] = None,
    cv: Annotated[
        bool,
        typer.Option("--cv", help="Fitted and held-out (leave one topic/document out) figures."),
    ] = False,
    write_fitted: Annotated[
        bool,
        typer.Option(
            "--write-fitted", help="With --cv: store the fitted name-matching thresholds."
        ),
    ] = False,
    errors: Annotated[
        bool,
        typer.Option("--errors", help="The missed gold pairs by cause, with examples."),
    ] = False,
) -> None:
    """Pairwise precision/recall of mentions grouped by entity_id vs gold entity ids (GUM
    Wikidata ids, or ECB+ coreference instances)."""
    _gold_exists(gold)
    from etl.evaluate.entities import (
        evaluate_entities,
        format_entities_report,
        write_fitted_matching,
    )
    from etl.stages.nlp import load_pipeline

    settings = Settings()
    nlp = load_pipeline(settings.spacy_model)
    metrics = evaluate_entities(gold, nlp, parse_cache, cv or write_fitted, errors)
    typer.echo(format_entities_report(metrics))
    if write_fitted:
        typer.echo(f"fitted thresholds written to {write_fitted_matching(metrics)}")


ForceOpt = Annotated[
    bool, typer.Option("--force", help="Build even when the inputs are unchanged.")
]


MAX_CHANGES_SHOWN = 5  # a first build or a changed corpus changes hundreds of files


def build_command(describe: Callable[..., BuildStep]) -> Callable[..., None]:
    """A ``newsetl build`` command from a step's typed function: its options, plus ``--force``."""

    def command(force: bool = False, **options: object) -> None:
        from etl.build.registry import run_step

        try:
            outcome = run_step(describe(**options), force)
        except (FileNotFoundError, RuntimeError) as exc:
            raise fail(str(exc)) from None
        if outcome.built:
            typer.echo(f"{outcome.name}: built {', '.join(str(p) for p in outcome.outputs)}")
            if outcome.changed:
                shown = ", ".join(outcome.changed[:MAX_CHANGES_SHOWN])
                more = len(outcome.changed) - MAX_CHANGES_SHOWN
                typer.echo(f"  changed: {shown}" + (f" and {more} more" if more > 0 else ""))
        else:
            typer.echo(f"{outcome.name}: up to date (inputs {outcome.inputs_sha256[:12]})")

    signature = inspect.signature(describe, eval_str=True)
    force = inspect.Parameter(
        "force", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=ForceOpt
    )
    command.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in signature.parameters.values()
        ]
        + [force],
        return_annotation=None,
    )
    command.__annotations__ = {
        **get_type_hints(describe, include_extras=True),
        "force": ForceOpt,
        "return": None,
    }
    command.__doc__ = describe.__doc__
    return command


for _name, _describe in STEPS.items():
    build_app.command(_name)(build_command(_describe))


@eval_app.command("coref")
def eval_coref(
    gold: GoldOpt = Path("../shared/data/ecb_dev/gold.jsonl"),
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", metavar="PATH", help="Re-score this warehouse instead of running the pipeline."
        ),
    ] = None,
    cv: Annotated[
        bool, typer.Option("--cv", help="Add leave-one-topic-out figures for event clustering.")
    ] = False,
) -> None:
    """ECB+ event and entity coreference: pairwise within/across documents, CoNLL F1."""
    _gold_exists(gold)
    if db is not None and not db.is_file():
        raise fail(f"warehouse {db} not found")
    from etl.evaluate.coref import evaluate_coref, format_coref_report

    settings = Settings()
    if db is None:  # the pipeline runs as a Prefect flow, like `newsetl run`
        prefect_runtime.start(settings, verbose=False).ready()
        quiet_failure_logs()
    typer.echo(format_coref_report(evaluate_coref(gold, db, settings, cross_validate=cv)))


def main() -> None:
    """The ``newsetl`` console script: run the command, then end the process the way the
    configured Prefect runtime does (``etl.runtime.prefect_runtime.exit_process``)."""
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exit_status(exc.code)
    prefect_runtime.exit_process(code, prefect_runtime.runtime_mode())


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
