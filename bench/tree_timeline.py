"""The RSS timeline of a ``newsetl run`` process tree, with the run's phases marked.

``run_marked`` starts ``python -m etl.cli`` (through this file) with phase marks: the functions
of ``RUN_PHASES`` and ``COMMIT_STEPS`` write a mark to a file as each call starts and ends, and
a sampler in the caller attributes every RSS sample of the tree (the CLI, its spaCy children,
the commit's forked children and Prefect's server apart) to the phases running then. It
reports the tree's peak per phase with its split at that moment, and writes every sample to
``<name>-rss.tsv``. Used by ``bench_big_article.py`` and ``bench_nightly.py``.

Run (what ``run_marked`` does): ``python bench/tree_timeline.py MARKS -- run --source ...``
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import psutil
from bench_pipeline import Timing

# The run's phases, by the functions that do them: (module, attribute path, phase). A call of
# one marks its thread as in that phase until it returns (a generator: while it computes each
# item); nested calls mark the innermost. Commit steps are those of COMMIT_STEPS below.
RUN_PHASES = (
    ("etl.run.plan", "read_sources", "read"),
    ("etl.run.plan", "plan_against_warehouse", "plan"),
    ("etl.stages.document", "normalize", "normalize"),
    ("etl.stages.nlp", "SubprocessParser.parse", "parse"),
    ("etl.stages.nlp", "InProcessParser.parse", "parse"),
    ("etl.stages.document", "_extract", "extract"),
    ("etl.run.commit", "stage_batch", "stage"),
    ("etl.run.commit", "commit_run", "commit"),
)


class PhaseMarks:
    """Writes ``<seconds since start> <thread> <phase or ->`` to a file at every phase change
    of a thread (see ``RUN_PHASES``), for the sampler of another process."""

    def __init__(self, path: Path) -> None:
        import threading

        self.out = path.open("w", buffering=1)
        self.lock = threading.Lock()
        self.local = threading.local()

    def _mark(self) -> None:
        import threading

        stack = getattr(self.local, "stack", [])
        with self.lock:
            phase = stack[-1] if stack else "-"
            self.out.write(f"{time.time():.3f} {threading.get_ident()} {phase}\n")

    def _enter(self, phase: str) -> None:
        if not hasattr(self.local, "stack"):
            self.local.stack = []
        self.local.stack.append(phase)
        self._mark()

    def _leave(self) -> None:
        self.local.stack.pop()
        self._mark()

    def wrap(self, function, phase: str):
        import functools
        import inspect

        marks = self

        if inspect.isgeneratorfunction(function):

            @functools.wraps(function)
            def marked_generator(*args, **kwargs):
                inner = function(*args, **kwargs)
                while True:
                    marks._enter(phase)
                    try:
                        item = next(inner)
                    except StopIteration:
                        return
                    finally:
                        marks._leave()
                    yield item

            return marked_generator

        @functools.wraps(function)
        def marked(*args, **kwargs):
            marks._enter(phase)
            try:
                return function(*args, **kwargs)
            finally:
                marks._leave()

        return marked

    def install(self) -> None:
        import importlib

        phases = [*RUN_PHASES, *((module, name, name) for module, name in COMMIT_STEPS)]
        for module_name, attribute, phase in phases:
            owner = importlib.import_module(module_name)
            *path, name = attribute.split(".")
            for part in path:
                owner = getattr(owner, part)
            setattr(owner, name, self.wrap(getattr(owner, name), phase))


def run_with_phase_marks(marks_path: Path, cli_args: list[str]) -> None:
    """The CLI in this process, its phases marked to ``marks_path``."""
    PhaseMarks(marks_path).install()
    sys.argv = ["newsetl", *cli_args]
    from etl.cli.main import main as cli_main

    cli_main()


KINDS = ("cli", "spacy", "forked", "prefect", "other")


def member_kind(member: psutil.Process, root: psutil.Process) -> str:
    """Which part of the run's tree a process is (``KINDS``): the CLI, a spaCy child (spawned),
    a child the commit forked (its command line is the CLI's), Prefect's server, or another
    (multiprocessing's resource tracker)."""
    if member.pid == root.pid:
        return "cli"
    with contextlib.suppress(psutil.Error):
        command = member.cmdline()
        if "spawn_main" in " ".join(command):
            return "spacy"
        if command == root.cmdline():
            return "forked"
        if any("prefect" in word or "uvicorn" in word for word in command):
            return "prefect"
    return "other"


class TreeTimeline:
    """RSS samples of a run's process tree, by member kind, each with the phases running; each
    sample is written to ``tsv_path`` as it is taken (a stopped run keeps its timeline)."""

    def __init__(self, marks_path: Path, tsv_path: Path) -> None:
        self.marks_path = marks_path
        self.marks_offset = 0
        self.thread_phase: dict[str, str] = {}
        self.peaks: dict[str, tuple[int, dict[str, int]]] = {}
        self.tsv = tsv_path.open("w", buffering=1)
        self.returncode: int | None = None  # the run's, once it has ended
        self.tsv.write("seconds\tphase\t" + "".join(f"{kind}_mib\t" for kind in KINDS))
        self.tsv.write("tree_mib\n")

    def _phases(self) -> str:
        if self.marks_path.exists():
            with self.marks_path.open() as marks:
                marks.seek(self.marks_offset)
                for line in marks:
                    if not line.endswith("\n"):
                        break  # half written: read it next time
                    self.marks_offset += len(line)
                    _, thread, phase = line.split()
                    self.thread_phase[thread] = phase
        running = sorted({p for p in self.thread_phase.values() if p != "-"})
        return "+".join(running) or "other"

    def sample(self, root: psutil.Process, started: float) -> int:
        by_kind = dict.fromkeys(KINDS, 0)
        for member in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                by_kind[member_kind(member, root)] += member.memory_info().rss
        phase = self._phases()
        total = sum(by_kind.values())
        if total > self.peaks.get(phase, (0, {}))[0]:
            self.peaks[phase] = (total, by_kind)
        mib = [rss / 2**20 for rss in by_kind.values()]
        seconds = time.perf_counter() - started
        self.tsv.write(f"{seconds:.1f}\t{phase}\t" + "\t".join(f"{m:.0f}" for m in mib))
        self.tsv.write(f"\t{sum(mib):.0f}\n")
        return total

    def report(self) -> str:
        lines = []
        for phase, (total, by_kind) in sorted(self.peaks.items(), key=lambda kv: -kv[1][0]):
            split = ", ".join(f"{kind} {rss / 2**20:,.0f}" for kind, rss in by_kind.items())
            lines.append(f"    peak {total / 2**20:,.0f} MiB during {phase} ({split})")
        return "\n".join(lines)


def run_marked(
    cli_args: list[str], env: dict, workdir: Path, name: str, max_seconds: float = float("inf")
) -> tuple[Timing, str, bool, TreeTimeline]:
    """``etl.cli`` with ``cli_args``, its phases marked: wall time and peak RSS of its process
    tree, its output, whether it finished within ``max_seconds`` (else it is stopped), and the
    tree's RSS timeline (written to ``workdir/<name>-rss.tsv``)."""
    out_path = workdir / f"{name}.out"
    marks_path = workdir / f"{name}-phases.txt"
    marks_path.unlink(missing_ok=True)
    args = [sys.executable, __file__, str(marks_path), "--", *cli_args]
    timeline = TreeTimeline(marks_path, workdir / f"{name}-rss.tsv")
    started = time.perf_counter()
    peak = 0
    with out_path.open("w") as out:
        process = psutil.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        while process.poll() is None and time.perf_counter() - started < max_seconds:
            peak = max(peak, timeline.sample(process, started))
            time.sleep(0.2)
        finished = process.poll() is not None
        if not finished:
            for member in [*process.children(recursive=True), process]:
                member.kill()
            process.wait()
    timing = Timing(time.perf_counter() - started, peak / 2**20)
    timeline.returncode = process.returncode
    timeline.tsv.close()
    return timing, out_path.read_text(), finished, timeline


# The commit's steps, by module (bench_big_article's (d) reports the peak of each).
COMMIT_STEPS = (
    ("etl.storage.warehouse.load", "insert_documents"),
    ("etl.run.incremental", "_full_names_by_document"),
    ("etl.run.incremental", "resolve_change"),
    ("etl.storage.warehouse.load", "apply_entity_change"),
    ("etl.run.incremental_coref", "new_profiles"),
    ("etl.run.incremental_coref", "_pairs_of"),
    ("etl.run.incremental_coref", "candidate_pair_array"),
    ("etl.run.incremental_coref", "pair_probabilities"),
    ("etl.run.incremental_coref", "_replace_state"),
    ("etl.run.incremental_coref", "_cluster_tables"),
    ("etl.run.incremental_coref", "_apply_clusters"),
    ("etl.run.commit", "publish_lake"),
)


if __name__ == "__main__":
    marks, separator, *cli_args = sys.argv[1:]
    run_with_phase_marks(Path(marks), cli_args)
