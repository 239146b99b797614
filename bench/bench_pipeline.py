"""Benchmark: ``newsetl run`` end to end against bare spaCy on the same texts, and peak memory.

Builds a corpus of N documents from real text (the seeds and ../shared/data: GUM news, cased
and degraded, and the PLOVER sentences), recombining sentences so every document differs; then
times, in one go:
  (a) bare spaCy ``nlp.pipe`` over the texts (same model, batch size and process count),
  (b) ``newsetl run`` end to end in a fresh process (Prefect start-up and every stage included),
  (c) the unchanged re-run of (b),
and prints words/s, the (b)/(a) throughput ratio, the re-run's time as a fraction of (b), and
the peak RSS of each (the whole process tree's resident memory, summed, sampled every 0.2 s).

Run: ``python bench/bench_pipeline.py [--n 2000] [--n 10000 --no-baseline] [--task-runner dask]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
DEGRADED_SHARE = 0.3  # about the share of lower-cased wire copy the pipeline must restore


@dataclass
class Timing:
    seconds: float
    peak_rss_mib: float


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


def bare_spacy(texts: list[str], model: str, batch_size: int, n_process: int) -> tuple[float, int]:
    """Seconds of ``nlp.pipe`` over the texts (model already loaded) and the words it found."""
    from etl.stages.nlp import load_pipeline

    nlp = load_pipeline(model)
    started = time.perf_counter()
    words = sum(
        sum(1 for token in doc if not (token.is_punct or token.is_space))
        for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
    )
    return time.perf_counter() - started, words


def tree_rss_bytes(process: psutil.Process) -> int:
    """Resident memory of a process and all its descendants (spaCy children, Prefect server)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
    return total


def timed_command(args: list[str], env: dict) -> Timing:
    """Run a command; wall seconds and the peak of its whole process tree's summed RSS.

    Summing the tree matters: the run's spaCy child process and Prefect's temporary server are
    separate processes, and ``/usr/bin/time`` would report only the largest single one.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = psutil.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss_bytes(process))
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            out.seek(0)
            raise RuntimeError(f"{' '.join(args)} failed:\n{out.read()}")
    return Timing(seconds, peak / 2**20)


def run_newsetl(
    workdir: Path, corpus: Path, extra: list[str], env: dict, warehouse: str = "w"
) -> Timing:
    """``newsetl run`` of ``corpus`` into ``workdir/<warehouse>.duckdb`` and its lake."""
    newsetl = str(Path(sys.executable).with_name("newsetl"))
    db = workdir / f"{warehouse}.duckdb"
    args = [newsetl, "run", "--source", str(corpus), "--db", str(db)]
    return timed_command([*args, "--lake", str(workdir / f"{warehouse}-lake"), *extra], env)


def bench_size(n_docs: int, args: argparse.Namespace) -> None:
    from etl.settings import Settings

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
        if args.baseline:
            load_started = time.perf_counter()
            from etl.stages.nlp import load_pipeline

            load_pipeline(settings.spacy_model)
            load_s = time.perf_counter() - load_started
            pipe_s, words = bare_spacy(
                texts, settings.spacy_model, settings.nlp_batch_size, settings.n_process
            )
            print(
                f"(a) bare spaCy nlp.pipe (n_process={settings.n_process}): {pipe_s:.1f} s, "
                f"{words / pipe_s:,.0f} words/s ({words:,} words; model load {load_s:.1f} s "
                "not counted)"
            )
        # Prefect's database is created and migrated once per PREFECT_HOME; a machine that runs
        # newsetl nightly has it already, so initialize it before timing (start-up of Prefect's
        # temporary server is still timed in every run below).
        (workdir / "empty").mkdir()
        run_newsetl(workdir, workdir / "empty", [], env, warehouse="init")
        first = run_newsetl(workdir, workdir / "corpus", extra, env)
        rerun = run_newsetl(workdir, workdir / "corpus", extra, env)
        line_b = f"(b) newsetl run end to end ({args.task_runner}): {first.seconds:.1f} s"
        if args.baseline:
            line_b += f", {words / first.seconds:,.0f} words/s"
        print(f"{line_b}, peak RSS {first.peak_rss_mib:,.0f} MiB")
        print(
            f"(c) unchanged re-run: {rerun.seconds:.1f} s, peak RSS {rerun.peak_rss_mib:,.0f} MiB"
        )
        if args.baseline:
            print(f"throughput ratio (b)/(a) = {pipe_s / first.seconds:.2f}  (goal >= 0.90)")
        print(f"re-run ratio (c)/(b) = {rerun.seconds / first.seconds:.2f}")


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
