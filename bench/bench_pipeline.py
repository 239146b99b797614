"""Benchmark: ``newsetl run`` end to end against bare spaCy on the same texts, and peak memory.

Builds a corpus of N documents from real text (the seeds and ../shared/data: GUM news, cased
and degraded, and the PLOVER sentences), recombining sentences so every document differs; then
times, in one go:
  (a) the baseline a spaCy user would run: bare ``nlp.pipe`` of the model's full pipeline (every
      component enabled, spaCy's default batch size) with ``n_process`` = the cores this machine
      gives us, in a fresh process, model loading included,
  (b) ``newsetl run`` end to end in a fresh process (Prefect start-up and every stage included),
  (c) the unchanged re-run of (b),
and prints words/s, the (b)/(a) throughput ratio, the re-run's time as a fraction of (b), the
peak RSS of each (the whole process tree's resident memory, summed, sampled every 0.2 s), and
the CPU seconds of each process tree and their ratio (steadier on a shared machine).

Then where (b)'s time goes: Prefect start-up and shutdown (the process's wall time outside the
flow run), and each task's wall time from the run's own Prefect database (batches: normalize +
parse + extract + stage, overlapped; commit: load + resolve + cluster, each phase's seconds
from the commit task's artifact; publish: lake export);
and the CPU seconds per 1,000 documents of normalize, parse and extract, each run alone on one
core over a sample of the corpus, beside parsing the same sample with the model as shipped (the
one-time loads of normalize and extract, paid once per process, are printed apart: scaled from
the sample to 1,000 documents they would count several times).

Run: ``python bench/bench_pipeline.py [--n 2000] [--n 10000 --no-baseline] [--task-runner dask]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
STAGE_SAMPLE_DOCS = 200  # documents the per-stage CPU figures are measured on
DEGRADED_SHARE = 0.3  # about the share of lower-cased wire copy the pipeline must restore


@dataclass
class Timing:
    seconds: float
    peak_rss_mib: float
    # CPU seconds of the whole process tree (user + system, every descendant waited for): on a
    # machine shared with other jobs, wall time follows their load, CPU time much less.
    cpu_seconds: float = 0.0


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(" ".join(text.split())) if len(s.split()) >= 4]


def sentence_pools() -> tuple[list[str], list[str]]:
    """(cased sentences, degraded sentences) from the seeds and the shared evaluation data."""
    cased: list[str] = []
    degraded: list[str] = []
    for path in sorted((REPO / "seeds").glob("*.txt")):
        text = path.read_text("utf8")
        (cased if any(c.isupper() for c in text) else degraded).extend(split_sentences(text))
    for path in sorted((SHARED / "gum_news_dev").glob("*.txt")):
        pool = degraded if path.name.endswith(".lower.txt") else cased
        pool.extend(split_sentences(path.read_text("utf8")))
    plover = SHARED / "plover_dev.jsonl"
    if plover.exists():
        for line in plover.read_text("utf8").splitlines():
            record = json.loads(line)
            cased.append(record["text"])
            degraded.append(record["lower_text"])
    return cased, degraded


def build_corpus(folder: Path, n_docs: int, seed: int = 13) -> list[str]:
    """Write ``n_docs`` distinct articles of 10-30 recombined sentences; returns their texts."""
    cased, degraded = sentence_pools()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    texts: list[str] = []
    seen: set[str] = set()
    while len(texts) < n_docs:
        pool = degraded if rng.random() < DEGRADED_SHARE else cased
        text = " ".join(rng.sample(pool, min(len(pool), rng.randint(10, 30)))) + "\n"
        if text in seen:
            continue
        seen.add(text)
        (folder / f"doc_{len(texts):06d}.txt").write_text(text, "utf8")
        texts.append(text)
    return texts


# The baseline in a fresh process: load the full model, pipe the corpus, print the word count.
BARE_SPACY = """
import pathlib, sys, spacy
texts = [p.read_text("utf8") for p in sorted(pathlib.Path(sys.argv[1]).glob("*.txt"))]
nlp = spacy.load(sys.argv[2])
docs = nlp.pipe(texts, n_process=int(sys.argv[3]))
print(sum(sum(1 for t in doc if not (t.is_punct or t.is_space)) for doc in docs))
"""


def bare_spacy(corpus: Path, model: str, n_process: int, env: dict) -> tuple[Timing, int]:
    """The baseline (a) over the corpus: its timing and the words spaCy found."""
    with tempfile.NamedTemporaryFile("w+", suffix=".out") as out:
        args = [sys.executable, "-c", BARE_SPACY, str(corpus), model, str(n_process)]
        timing = timed_command(args, env, stdout=out)
        out.seek(0)
        return timing, int(out.read().split()[-1])


def prefect_rows(prefect_home: Path, sql: str, params: list) -> list[tuple]:
    """Rows of a query on the Prefect database of ``prefect_home`` (read-only)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{prefect_home / 'prefect.db'}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def prefect_task_times(
    prefect_home: Path, after: datetime, before: datetime
) -> tuple[float, dict[str, tuple[int, float]]]:
    """From the Prefect database, for the runs between ``after`` and ``before`` (UTC): the
    longest flow run's seconds and, per task name, the number of task runs and their wall span
    (first start to last end)."""
    window = [f"{after:%Y-%m-%d %H:%M:%S}", f"{before:%Y-%m-%d %H:%M:%S}"]
    flows = prefect_rows(
        prefect_home,
        "select start_time, end_time from flow_run where start_time between ? and ? "
        "and end_time is not null",
        window,
    )
    tasks = prefect_rows(
        prefect_home,
        "select name, start_time, end_time from task_run where start_time between ? and ? "
        "and end_time is not null",
        window,
    )

    def seconds(start: str, end: str) -> float:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()

    spans: dict[str, tuple[str, str]] = {}
    counts: dict[str, int] = {}
    for name, start, end in tasks:
        task = name.rsplit("-", 1)[0]
        first, last = spans.get(task, (start, end))
        spans[task] = (min(first, start), max(last, end))
        counts[task] = counts.get(task, 0) + 1
    flow_s = max((seconds(start, end) for start, end in flows), default=0.0)
    return flow_s, {task: (counts[task], seconds(*span)) for task, span in spans.items()}


def commit_phases(prefect_home: Path, after: datetime, before: datetime) -> str | None:
    """The wall seconds of the commit's phases (load, resolve, cluster, ...) from the artifact
    the commit task of the run between ``after`` and ``before`` (UTC) left in Prefect's
    database."""
    from flows.pipeline import COMMIT_PHASES_ARTIFACT

    rows = prefect_rows(
        prefect_home,
        "select data from artifact where key = ? and created between ? and ? "
        "order by created desc limit 1",
        [COMMIT_PHASES_ARTIFACT, f"{after:%Y-%m-%d %H:%M:%S}", f"{before:%Y-%m-%d %H:%M:%S}"],
    )
    if not rows:
        return None
    phases = json.loads(rows[0][0])
    phases = json.loads(phases) if isinstance(phases, str) else phases
    return ", ".join(f"{p['phase']} {p['seconds']:.1f}" for p in phases)


def stage_cpu_seconds(texts: list[str], model: str) -> tuple[dict[str, float], dict[str, float]]:
    """CPU seconds of normalize, parse (the pipeline's parser, one process), extract, and of
    parsing with the model as shipped; and apart, the one-time loads of normalize and extract
    (lexicons, casing model, gazetteers, place index: once per process, not per document, so
    not scaled with the sample)."""
    import spacy

    from etl.ids import content_sha256
    from etl.stages.document import extract_document
    from etl.stages.nlp import load_pipeline, parse_texts
    from etl.stages.normalize import normalize

    nlp = load_pipeline(model)
    list(parse_texts(nlp, texts[:4]))  # warm-up
    # A few texts, one of them degraded (the casing restoration's path), through normalize and
    # extract first: what a run loads once.
    warm_texts = [*texts[:4], texts[0].lower()]
    loads = {}
    started = time.process_time()
    warm = [normalize(text) for text in warm_texts]
    loads["normalize"] = time.process_time() - started
    warm_docs = list(parse_texts(nlp, [n.text for n in warm]))
    started = time.process_time()
    for doc, norm in zip(warm_docs, warm, strict=True):
        extract_document(doc, content_sha256(norm.text), to_raw=norm.raw_span)
    loads["extract"] = time.process_time() - started
    started = time.process_time()
    normalized = [normalize(text) for text in texts]
    seconds = {"normalize": time.process_time() - started}
    started = time.process_time()
    docs = list(parse_texts(nlp, [n.text for n in normalized]))
    seconds["parse"] = time.process_time() - started
    # The same texts through the model as shipped (what the baseline runs): what newsetl's
    # pipeline (etl.stages.nlp.load_pipeline) saves or adds per document.
    shipped = spacy.load(model)
    list(shipped.pipe([n.text for n in normalized[:4]]))  # warm-up
    started = time.process_time()
    list(shipped.pipe([n.text for n in normalized], batch_size=16))
    seconds["parse (model as shipped)"] = time.process_time() - started
    started = time.process_time()
    for doc, norm in zip(docs, normalized, strict=True):
        extract_document(doc, content_sha256(norm.text), to_raw=norm.raw_span)
    seconds["extract"] = time.process_time() - started
    return seconds, loads


def tree_rss_bytes(process: psutil.Process) -> int:
    """Resident memory of a process and all its descendants (spaCy children, Prefect server)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
    return total


def timed_command(args: list[str], env: dict, stdout=None) -> Timing:
    """Run a command; wall seconds and the peak of its whole process tree's summed RSS.

    Summing the tree matters: the run's spaCy child process and Prefect's temporary server are
    separate processes, and ``/usr/bin/time`` would report only the largest single one.
    """
    started = time.perf_counter()
    cpu_before = children_cpu_seconds()
    with tempfile.TemporaryFile("w+") as log:
        out = stdout or log
        process = psutil.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss_bytes(process))
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            out.seek(0)
            raise RuntimeError(f"{' '.join(args)} failed:\n{out.read()}")
    return Timing(seconds, peak / 2**20, children_cpu_seconds() - cpu_before)


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's waited-for descendants so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_newsetl(
    workdir: Path, corpus: Path, extra: list[str], env: dict, warehouse: str = "w"
) -> Timing:
    """``newsetl run`` of ``corpus`` into ``workdir/<warehouse>.duckdb`` and its lake."""
    newsetl = str(Path(sys.executable).with_name("newsetl"))
    db = workdir / f"{warehouse}.duckdb"
    args = [newsetl, "run", "--source", str(corpus), "--db", str(db)]
    return timed_command([*args, "--lake", str(workdir / f"{warehouse}-lake"), *extra], env)


def bench_size(n_docs: int, args: argparse.Namespace) -> None:
    from etl.settings import Settings, available_cores

    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-") as tmp:
        workdir = Path(tmp)
        texts = build_corpus(workdir / "corpus", n_docs)
        env = {
            **os.environ,
            "PREFECT_HOME": str(workdir / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        extra = ["--task-runner", args.task_runner]
        if args.batch_size:
            extra += ["--batch-size", str(args.batch_size)]
        print(f"N = {n_docs} documents, {sum(len(t.split()) for t in texts):,} whitespace words")
        cores = available_cores()
        if args.baseline:
            baseline, words = bare_spacy(workdir / "corpus", settings.spacy_model, cores, env)
            print(
                f"(a) bare spaCy nlp.pipe, full {settings.spacy_model} pipeline, "
                f"n_process={cores} (the cores available): {baseline.seconds:.1f} s, "
                f"{words / baseline.seconds:,.0f} words/s ({words:,} words; model load "
                f"included), peak RSS {baseline.peak_rss_mib:,.0f} MiB, "
                f"{baseline.cpu_seconds:.1f} CPU s"
            )
        # Prefect's database is created and migrated once per PREFECT_HOME; a machine that runs
        # newsetl nightly has it already, so initialize it before timing (start-up of Prefect's
        # temporary server is still timed in every run below).
        (workdir / "empty").mkdir()
        run_newsetl(workdir, workdir / "empty", [], env, warehouse="init")
        first_started = datetime.now(UTC)
        first = run_newsetl(workdir, workdir / "corpus", extra, env)
        first_ended = datetime.now(UTC)
        rerun = run_newsetl(workdir, workdir / "corpus", extra, env)
        line_b = f"(b) newsetl run end to end ({args.task_runner}): {first.seconds:.1f} s"
        if args.baseline:
            line_b += f", {words / first.seconds:,.0f} words/s"
        print(f"{line_b}, peak RSS {first.peak_rss_mib:,.0f} MiB, {first.cpu_seconds:.1f} CPU s")
        print(
            f"(c) unchanged re-run: {rerun.seconds:.1f} s, peak RSS {rerun.peak_rss_mib:,.0f} MiB"
        )
        if args.baseline:
            ratio = baseline.seconds / first.seconds
            print(f"throughput ratio (b)/(a) = {ratio:.2f}  (goal >= 1.0)")
            # Steadier than the wall ratio when other jobs share the machine: the work each did.
            print(f"CPU ratio (a)/(b) = {baseline.cpu_seconds / first.cpu_seconds:.2f}")
        print(f"re-run ratio (c)/(b) = {rerun.seconds / first.seconds:.2f}")
        print_breakdown(workdir, first, first_started, first_ended, texts, settings.spacy_model)


def print_breakdown(
    workdir: Path,
    first: Timing,
    started: datetime,
    ended: datetime,
    texts: list[str],
    model: str,
) -> None:
    """Where (b)'s time went: Prefect around the flow, each task's wall span, and the CPU cost
    of each per-document stage alone."""
    flow_s, tasks = prefect_task_times(workdir / "prefect", started, ended)
    print("where (b)'s time goes (wall seconds):")
    outside_s = first.seconds - flow_s
    print(f"  Prefect start-up, process start and exit (outside the flow) {outside_s:6.1f}")
    for task, (count, span_s) in sorted(tasks.items(), key=lambda item: -item[1][1]):
        print(f"  task {task:<20s} x{count:<4d} {span_s:6.1f}")
    phases = commit_phases(workdir / "prefect", started, ended)
    print(f"  commit_run's phases: {phases or 'not logged'} (publish_lake: the lake export)")
    sample = texts[:STAGE_SAMPLE_DOCS]
    cpu, loads = stage_cpu_seconds(sample, model)
    per_1000 = 1000 / len(sample)
    print(f"CPU seconds per 1,000 documents, each stage alone on one core ({len(sample)} docs):")
    for stage, spent in cpu.items():
        print(f"  {stage:<26s} {spent * per_1000:6.1f}")
    once = ", ".join(f"{stage} {spent:.1f}" for stage, spent in loads.items())
    print(f"  (not in the figures above: one-time loads, CPU seconds once per process: {once})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="Documents (repeatable).")
    parser.add_argument("--task-runner", default="default", choices=["default", "dask"])
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument(
        "--no-baseline", dest="baseline", action="store_false", help="Skip (a), e.g. for memory."
    )
    args = parser.parse_args()
    for n_docs in args.n or [2000]:
        bench_size(n_docs, args)


if __name__ == "__main__":
    main()
