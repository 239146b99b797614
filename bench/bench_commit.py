"""Benchmark: the commit and lake export of one first run, replayed from its staged files.

``newsetl run``'s time after parsing is the commit (load the staged rows, resolve entities,
cluster events, record the run) and the lake export. To measure them apart from spaCy, this
keeps the staging files of one run and commits them into a fresh warehouse and lake as often as
asked, printing each phase's wall and CPU seconds (CPU time is steadier than wall time on a
shared machine) and, with ``--profile``, the top of a cProfile of the commit.

  prepare:  python bench/bench_commit.py prepare DIR [--n 2000]
            (builds bench_pipeline's corpus of N documents, parses and stages it as a run does)
  replay:   python bench/bench_commit.py replay DIR [--repeat 1] [--profile 30] [--digest]
            [--keep WAREHOUSE]
            (``--digest`` prints a digest of every warehouse table, to compare two versions of the
            code row for row: the run's own timestamps are left out)
  fork-threshold: python bench/bench_commit.py fork-threshold WAREHOUSE
            (a replay's warehouse kept with ``--keep``: the CPU seconds of scoring its events'
            candidate pairs, or the first 100,000 to 1,000,000 of them, in one process and in
            two, this process's share, the critical path on idle cores, and the fork's cost:
            what ``incremental_coref.MIN_PAIRS_PER_PROCESS`` is set from)
  group:    python bench/bench_commit.py group WAREHOUSE
            (a replay's warehouse kept with ``--keep``: entity resolution's grouping of every
            document and its tallying under the stored person names, in this process, the CPU
            seconds of each and a digest of the groups' full names, tallies and rows, to compare
            two versions of the code)
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pickle
import pstats
import resource
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
STATE_FILE = "run.pickle"
STAGED_LAKE = "staged-lake"
# Columns that differ between two commits of the same staged run: when it was committed.
TIME_COLUMNS = {"finished_at", "committed_at", "load_date", "applied_at", "recorded_at"}


def cpu_seconds() -> float:
    """CPU seconds of this process (DuckDB's threads included, forked helpers not: what is left
    of a phase on the critical path when its helpers run on idle cores)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def children_cpu_seconds() -> float:
    """CPU seconds of this process's finished children (forked helpers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


@contextmanager
def phase(name: str, figures: dict[str, tuple[float, float]]):
    wall, cpu = time.perf_counter(), cpu_seconds()
    yield
    figures[name] = (time.perf_counter() - wall, cpu_seconds() - cpu)


# Where the commit's time goes: (module, function) pairs timed while a replay runs, each under
# every module that calls it by name.
TIMED_FUNCTIONS = {
    "load: insert staged rows": [("etl.storage.warehouse.load", "insert_documents")],
    "resolve: full names": [("etl.run.incremental", "_full_names_by_document")],
    "resolve: relink names": [("etl.run.incremental", "relink_person_names")],
    "resolve: apply change": [("etl.storage.warehouse.load", "apply_entity_change")],
    "resolve (whole)": [("etl.run.incremental", "resolve_change")],
    "cluster: profiles": [("etl.run.incremental_coref", "new_profiles")],
    "cluster: candidate pairs": [
        ("etl.run.incremental_coref", "candidate_pairs"),
        ("etl.run.incremental_coref", "candidate_pair_array"),
    ],
    "cluster: pair scoring": [
        ("etl.run.incremental_coref", "pair_probabilities"),
    ],
    "cluster: block members in the date windows": [("etl.run.incremental_coref", "_block_members")],
    "cluster: stored profiles": [("etl.run.incremental_coref", "stored_profiles")],
    "cluster: events read": [("etl.run.incremental_coref", "_events")],
    "cluster: components": [("etl.run.incremental_coref", "_components")],
    "cluster: clusters": [
        ("etl.run.incremental_coref", "cluster_tables"),
        ("etl.run.incremental_coref", "_clusters_of"),
    ],
    "cluster: write state": [
        ("etl.run.incremental_coref", "_replace_state"),
        ("etl.run.incremental_coref", "_apply_clusters"),
    ],
    "cluster (whole)": [
        ("etl.run.incremental_coref", "full_clustering"),
        ("etl.run.incremental_coref", "cluster_change"),
    ],
}


@contextmanager
def timed_functions(figures: dict[str, list[float]]):
    """Wrap ``TIMED_FUNCTIONS`` so each call adds its wall and CPU seconds to ``figures``."""
    import importlib

    originals = []
    for name, targets in TIMED_FUNCTIONS.items():
        figures[name] = [0.0, 0.0]
        for module_name, attribute in targets:
            module = importlib.import_module(module_name)
            original = getattr(module, attribute, None)
            if original is None:  # an older version of the code, to compare with
                continue
            originals.append((module, attribute, original))

            def wrapper(*args, _original=original, _figure=figures[name], **kwargs):
                wall, cpu = time.perf_counter(), cpu_seconds()
                try:
                    return _original(*args, **kwargs)
                finally:
                    _figure[0] += time.perf_counter() - wall
                    _figure[1] += cpu_seconds() - cpu

            setattr(module, attribute, wrapper)
    try:
        yield
    finally:
        for module, attribute, original in originals:
            setattr(module, attribute, original)


def prepare(folder: Path, n_docs: int) -> None:
    """Parse and stage a first run of ``n_docs`` documents into ``folder`` without committing."""
    from bench_pipeline import build_corpus

    from etl.run.plan import (
        batches,
        case_evidence_for,
        plan_against_warehouse,
        read_sources,
        settings_for_commit,
        split_by_case_evidence,
    )
    from etl.run.stats import RunStats, count_failed, count_inputs, new_run_id
    from etl.runtime.task_runners import open_parser
    from etl.settings import Settings
    from etl.stages.ingest import discover_sources
    from flows.pipeline import process_batch

    folder.mkdir(parents=True, exist_ok=True)
    build_corpus(folder / "corpus", n_docs)
    settings = Settings().updated(
        source_dir=folder / "corpus", lake_dir=folder / STAGED_LAKE, db_path=folder / "empty.duckdb"
    )
    started = datetime.now(UTC)
    stats = RunStats(new_run_id(started), started, str(settings.source_dir.resolve()))
    sources, refused = discover_sources(settings.source_dir)
    articles = read_sources(sources, settings)
    plan = plan_against_warehouse(articles, settings)
    count_inputs(stats, len(articles), len(refused), plan.unchanged)
    evidence = case_evidence_for(plan.to_process, settings)
    well_formed, degraded = split_by_case_evidence(plan.to_process, settings.document_part_chars)
    jobs = [(batch, None) for batch in batches(well_formed, settings.batch_size)]
    jobs += [(batch, evidence) for batch in batches(degraded, settings.batch_size)]
    staged, quarantined = [], list(refused)
    with open_parser(settings) as parser:
        for i, (batch, batch_evidence) in enumerate(jobs):
            files, failed = process_batch.fn(
                batch, f"{i:05d}", stats.run_id, started.date(), batch_evidence, parser, settings
            )
            staged += files
            quarantined += failed
            print(f"batch {i + 1}/{len(jobs)} staged", flush=True)
    count_failed(stats, len(quarantined) - len(refused))
    commit_settings = settings_for_commit(settings, plan.to_process)
    state = (commit_settings, stats, plan, staged, quarantined, str(folder / STAGED_LAKE))
    (folder / STATE_FILE).write_bytes(pickle.dumps(state))
    print(f"staged {len(plan.to_process)} documents of run {stats.run_id} under {folder}")


def warehouse_digest(db_path: Path) -> dict[str, str]:
    """A digest of each table's rows in a canonical order, the commit's timestamps left out."""
    import duckdb

    digests = {}
    with duckdb.connect(str(db_path), read_only=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables "
                "where table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        for table in tables:
            columns = [
                row[0]
                for row in conn.execute(
                    "select column_name from information_schema.columns where table_name = ? "
                    "order by ordinal_position",
                    [table],
                ).fetchall()
                if row[0] not in TIME_COLUMNS
            ]
            if not columns:
                continue
            select = ", ".join(f'"{c}"' for c in columns)
            digest = hashlib.sha256()
            for row in conn.execute(f'select {select} from "{table}" order by all').fetchall():
                digest.update(repr(row).encode())
            digests[table] = digest.hexdigest()[:16]
    return digests


def replay(
    folder: Path, repeat: int, profile_top: int, digest: bool, keep: Path | None = None
) -> None:
    """Commit the staged run into a fresh warehouse and lake ``repeat`` times, with timings."""
    from etl.reference.places import place_index
    from etl.run import commit
    from etl.stages.normalize.lexicon import load_lexicon

    # The run's process has these loaded by the time it commits (normalize and extract use them).
    load_lexicon(), place_index()
    state = pickle.loads((folder / STATE_FILE).read_bytes())
    settings, stats, plan, staged, quarantined, staged_lake = state
    for attempt in range(repeat):
        with tempfile.TemporaryDirectory(prefix="newsetl-commit-") as tmp:
            lake_dir = Path(tmp) / "lake"
            shutil.copytree(staged_lake, lake_dir)
            files = [
                {table: path.replace(staged_lake, str(lake_dir)) for table, path in batch.items()}
                for batch in staged
            ]
            run_settings = settings.updated(lake_dir=lake_dir, db_path=Path(tmp) / "w.duckdb")
            figures: dict[str, tuple[float, float]] = {}
            parts: dict[str, list[float]] = {}
            profiler = cProfile.Profile() if profile_top else None
            with phase("commit_run", figures), timed_functions(parts):
                if profiler:
                    profiler.enable()
                commit.commit_run(run_settings, stats, plan, files, quarantined)
                if profiler:
                    profiler.disable()
            with phase("publish_lake", figures):
                commit.publish_lake(run_settings, stats.run_id)
            print(
                f"replay {attempt + 1}: {len(plan.to_process)} documents "
                f"(CPU: this process; forked helpers so far {children_cpu_seconds():.1f} s)"
            )
            for name, (wall, cpu) in figures.items():
                print(f"  {name:<26s} wall {wall:6.1f} s   CPU {cpu:6.1f} s")
                if name == "commit_run":
                    for part, (part_wall, part_cpu) in parts.items():
                        print(f"    {part:<24s} wall {part_wall:6.1f} s   CPU {part_cpu:6.1f} s")
            if digest:
                for table, value in warehouse_digest(run_settings.db_path).items():
                    print(f"  digest {table:<24s} {value}")
            if keep:
                shutil.copyfile(run_settings.db_path, keep)
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile_top)


def fork_threshold(warehouse: Path, repeat: int = 3) -> None:
    """Print the CPU seconds of scoring pairs in one process and in two (see the docstring)."""
    from etl.run import incremental_coref
    from etl.stages.resolve import clusters
    from etl.storage.warehouse import load

    with load.connect(warehouse) as conn:
        doc_ids = incremental_coref._fetch(conn, "documents_without_profile", all=True)
        doc_ids = doc_ids.column(0).to_pylist()
        events = incremental_coref._events(conn, doc_ids=doc_ids)
        events.sort(key=lambda event: event.event_id)
        profiles = incremental_coref.stored_profiles(conn, doc_ids)
    model = clusters.default_model()
    pairs = clusters.candidate_pair_array(events, profiles, clusters.candidate_window(model))
    incremental_coref.MIN_PAIRS_PER_PROCESS = 1
    for n_pairs in sorted({100_000, 250_000, 500_000, 1_000_000, len(pairs)}):
        if n_pairs > len(pairs):
            continue
        best: dict[int, tuple[float, float]] = {}
        for _ in range(repeat):
            for processes in (1, 2):
                own, children = cpu_seconds(), children_cpu_seconds()
                incremental_coref.score_pairs(events, pairs[:n_pairs], profiles, model, processes)
                spent = (cpu_seconds() - own, children_cpu_seconds() - children)
                best[processes] = min(best.get(processes, spent), spent)
        alone, (parent, child) = best[1][0], best[2]
        print(
            f"{n_pairs:>9,d} pairs: one process {alone:.3f} s CPU "
            f"({alone / n_pairs * 1e6:.2f} us a pair); two: this one {parent:.3f} s, "
            f"the child {child:.3f} s; the fork costs this one {parent - alone / 2:+.3f} s"
        )


def group_and_tally(warehouse: Path) -> None:
    """Print the CPU seconds of grouping and tallying every document (see the docstring)."""
    from etl.reference.places import place_index
    from etl.run import incremental
    from etl.stages.normalize.lexicon import load_lexicon
    from etl.stages.resolve.entities import NameMatching, PersonNames
    from etl.storage.warehouse import load

    load_lexicon(), place_index()  # loaded before a run commits (see replay)
    with load.connect(warehouse) as conn:
        doc_ids = sorted(conn.exec_driver_sql("select doc_id from documents").scalars())
        chunks = list(load.documents_for_resolution_of(conn, doc_ids, len(doc_ids)))
        anchors = {row["key"]: row["anchor"] for row in load.person_names(conn).to_pylist()}
    persons = PersonNames.from_anchors(anchors, matching=NameMatching.learned())
    cpu = cpu_seconds()
    documents = list(incremental._documents(chunks, with_full_names=True))
    grouped = cpu_seconds()
    full_names = {document.doc_id: document.full_names for document in documents}
    mapped = incremental._tally_documents(documents, persons, full_names)
    tallied = cpu_seconds()
    digest = hashlib.sha256(repr(sorted(full_names.items())).encode())
    for entity_key, tally in sorted(mapped.tallies.items()):
        fields = [(name, getattr(tally, name)) for name in tally.__dataclass_fields__]
        digest.update(repr((entity_key, fields)).encode())
    for table in [*mapped.mention_entities, *mapped.key_rows]:
        digest.update(repr(table.to_pydict()).encode())
    print(
        f"{len(full_names)} documents: group {grouped - cpu:.2f} s CPU, "
        f"tally {tallied - grouped:.2f} s CPU; digest {digest.hexdigest()[:16]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare")
    prep.add_argument("folder", type=Path)
    prep.add_argument("--n", type=int, default=2000)
    again = sub.add_parser("replay")
    again.add_argument("folder", type=Path)
    again.add_argument("--repeat", type=int, default=1)
    again.add_argument("--profile", type=int, default=0, help="Print the top N of a cProfile.")
    again.add_argument("--digest", action="store_true")
    again.add_argument("--keep", type=Path, help="Copy the committed warehouse here.")
    threshold = sub.add_parser("fork-threshold")
    threshold.add_argument("warehouse", type=Path)
    grouping = sub.add_parser("group")
    grouping.add_argument("warehouse", type=Path)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.folder, args.n)
    elif args.command == "fork-threshold":
        fork_threshold(args.warehouse)
    elif args.command == "group":
        group_and_tally(args.warehouse)
    else:
        replay(args.folder, args.repeat, args.profile, args.digest, args.keep)


if __name__ == "__main__":
    main()
