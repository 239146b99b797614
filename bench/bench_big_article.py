"""Benchmark: ``newsetl run`` over one huge article: wall time and peak memory.

Three runs, each a fresh ``python -m etl.cli run`` into its own warehouse and lake:
  (a) a 1.5 MB article on a single line (default settings),
  (b) a 50 MB article of ordinary paragraphs with the default limits: refused by the file size
      limit (``NEWSETL_MAX_FILE_BYTES``, 20 MB), the reason printed,
  (c) the same article with ``NEWSETL_MAX_FILE_BYTES`` raised: loaded in parts
      (``NEWSETL_DOCUMENT_PART_CHARS``).
The articles are sentences of the seeds and ../shared/data recombined (as ``bench_pipeline.py``
does). For each run it prints the wall time, the peak RSS of the whole process tree (the CLI,
its spaCy children and Prefect's server, summed, sampled every 0.2 s) and what was loaded, with
a check that every sentence and mention offset slices the document's text to the row's text.
The CLI runs with phase marks (``tree_timeline.py``): the sampler attributes every RSS sample
(the CLI, its spaCy children, the commit's forked children and Prefect's server apart) to the
phases running then. Each run prints the tree's peak per phase with its split at that moment,
and writes the timeline to ``<run>-rss.tsv``.

Then (d), the part a run's size does not change with spaCy: the commit (load, entity
resolution, event clustering, lake export) of one document with the rows of (a) repeated until its
text is as long as the big article's, staged copy by copy as a run stages a long document's parts,
in a fresh process (wall time, its peak RSS, and the peak and wall time of each step of the
commit; the process holds (a)'s rows throughout, which a run's commit does not).

And (e), with ``--pass-one-from WAREHOUSE --copies K`` (the single line's warehouse, say): pass 1
of entity resolution and the full person names of one document of K copies of its mentions,
in CPU seconds (the machine's load does not count), to see that they grow linearly.

A run still going after ``--max-minutes`` is stopped and its figures so far are printed (spaCy
parses about 25,000 characters per CPU second here, so the 50 MB article needs over half an
hour of CPU).

Run: ``python bench/bench_big_article.py [--mb 50] [--single-line-mb 1.5] [--max-minutes M]
[--runs abdc]``
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import psutil
from bench_pipeline import REPO, Timing, sentence_pools
from tree_timeline import COMMIT_STEPS, run_marked


def offset_check(db: Path) -> list[tuple[str, int]]:
    """Rows per table, and the sentences and mentions whose offsets do not slice their document's
    text (and raw text) to the row's text. In Python: DuckDB's substr walks a long text from its
    start for every row."""
    counts = []
    with duckdb.connect(str(db), read_only=True) as conn:
        for table in ("documents", "sentences", "entity_mentions", "events"):
            counts.append((table, conn.sql(f"select count(*) from {table}").fetchall()[0][0]))
        texts = {
            d: (t, r)
            for d, t, r in conn.sql("select doc_id, text, raw_text from documents").fetchall()
        }
        sentences = conn.sql("select doc_id, start_char, end_char, text from sentences").fetchall()
        mentions = conn.sql(
            "select doc_id, start_char, end_char, raw_start_char, raw_end_char, text"
            " from entity_mentions"
        ).fetchall()
    bad_sentences = sum(texts[d][0][a:b] != text for d, a, b, text in sentences)
    bad_mentions = sum(
        texts[d][0][a:b] != text or texts[d][1][ra:rb] != text for d, a, b, ra, rb, text in mentions
    )
    return [*counts, ("bad sentences", bad_sentences), ("bad mentions", bad_mentions)]


def build_article(n_chars: int, single_line: bool, seed: int = 7) -> str:
    """About ``n_chars`` characters of recombined news sentences: paragraphs of 3-8 sentences, or
    one line."""
    cased, _ = sentence_pools()
    rng = random.Random(seed)
    pieces: list[str] = ["Officials meet as talks resume", "" if single_line else "\n\n"]
    size = 0
    while size < n_chars:
        paragraph = " ".join(rng.choice(cased) for _ in range(rng.randint(3, 8)))
        pieces.append(paragraph + (" " if single_line else "\n\n"))
        size += len(paragraph) + 2
    return ("" if single_line else " ").join(pieces).strip() + "\n"


def report(name: str, timing: Timing, db: Path, output: str, finished: bool) -> None:
    state = "" if finished else " (stopped unfinished: figures so far)"
    print(
        f"{name}: {timing.seconds:.1f} s wall, peak RSS {timing.peak_rss_mib:,.0f} MiB (tree)"
        + state,
        flush=True,
    )
    for line in output.splitlines():
        if "quarantined" in line or "too large" in line or "documents" in line:
            print(f"    | {line.strip()}")
    if not finished:
        return
    counts = offset_check(db)
    print("    " + ", ".join(f"{value:,} {label}" for label, value in counts), flush=True)


class PhasePeaks:
    """Peak RSS of this process per commit step (see ``COMMIT_STEPS``), sampled every 20 ms."""

    def __init__(self) -> None:
        import threading

        self.phase = "staging"
        self.peaks: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.process = psutil.Process()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            rss = self.process.memory_info().rss
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), rss)
            time.sleep(0.02)

    def watch(self) -> None:
        import functools
        import importlib

        for module_name, name in COMMIT_STEPS:
            module = importlib.import_module(module_name)
            step = getattr(module, name)

            @functools.wraps(step)
            def watched(*args, _step=step, _name=name, **kwargs):
                outer, self.phase = self.phase, _name
                started = time.perf_counter()
                try:
                    return _step(*args, **kwargs)
                finally:
                    self.phase = outer if outer != "staging" else "other"
                    spent = time.perf_counter() - started
                    self.seconds[_name] = self.seconds.get(_name, 0.0) + spent

            setattr(module, name, watched)

    def report(self) -> str:
        return ", ".join(f"{phase} {peak / 2**20:,.0f}" for phase, peak in self.peaks.items())

    def report_seconds(self) -> str:
        return ", ".join(f"{phase} {spent:,.1f}" for phase, spent in self.seconds.items())


def commit_copies(source_db: Path, copies: int, workdir: Path) -> None:
    """(d) in this process: stage ``copies`` shifted copies of the one document of
    ``source_db`` as one document, commit and publish it, print the time and peak RSS."""
    import copy
    import resource
    from datetime import UTC, datetime

    from etl.run import commit
    from etl.run.plan import LoadPlan, settings_for_commit
    from etl.run.stats import RunStats, new_run_id
    from etl.settings import Settings
    from etl.stages.document import BatchRows, ExtractedDocument, shift_into_document
    from etl.stages.ingest.readers import make_article

    with duckdb.connect(str(source_db), read_only=True) as conn:
        tables = {
            name: conn.sql(f"select * from {name}").to_arrow_table().to_pylist()
            for name in (
                "documents",
                "sentences",
                "entity_mentions",
                "events",
                "date_mentions",
                "document_parts",
            )
        }
    (document,) = tables["documents"]
    phases = PhasePeaks()
    phases.watch()
    started = time.perf_counter()
    whole = make_article(document["raw_text"] * copies, "utf-8", document["source_uri"], {})
    settings = settings_for_commit(
        Settings(db_path=workdir / "commit.duckdb", lake_dir=workdir / "commit-lake"), [whole]
    )
    stats = RunStats(new_run_id(datetime.now(UTC)), datetime.now(UTC), str(workdir))
    staged = []
    for k in range(copies):
        part = ExtractedDocument(
            sentences=copy.deepcopy(tables["sentences"]),
            mentions=copy.deepcopy(tables["entity_mentions"]),
            events=copy.deepcopy(tables["events"]),
            event_findings=[],
            date_mentions=copy.deepcopy(tables["date_mentions"]),
            n_words=0,
            anatomy=None,
            parts=copy.deepcopy(tables["document_parts"]),
            published_at=None,
            published_at_source=None,
        )
        # (a)'s ids already carry its own part numbers: copies take numbers beyond them.
        shift_into_document(
            part,
            k * 1_000_003,
            k * len(document["text"]),
            k * len(document["raw_text"]),
            k * len(tables["sentences"]),
            k * len(tables["document_parts"]),
        )
        rows = BatchRows(partial=True)
        rows.add(part)
        if k == copies - 1:
            rows.documents.append(
                {
                    **document,
                    "text": document["text"] * copies,
                    "raw_text": document["raw_text"] * copies,
                    "run_id": stats.run_id,
                }
            )
        staged.append(commit.stage_batch(settings, stats.run_id, f"00000-{k:04d}", rows))
    stats.docs_seen = stats.docs_loaded = 1
    commit.commit_run(settings, stats, LoadPlan(to_process=[whole]), staged, [])
    commit.publish_lake(settings, stats.run_id)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n_mentions = len(tables["entity_mentions"]) * copies
    print(
        f"(d) commit of one document of {len(document['text']) * copies:,} characters "
        f"({n_mentions:,} mentions, {len(tables['events']) * copies:,} events): "
        f"{time.perf_counter() - started:.1f} s wall, peak RSS {peak_mib:,.0f} MiB "
        f"(DuckDB memory limit {settings.warehouse_memory_limit})",
        flush=True,
    )
    print(f"    peak RSS per step (MiB): {phases.report()}", flush=True)
    print(f"    wall time per step (s, nested steps counted in each): {phases.report_seconds()}")


def pass_one_copies(source_db: Path, copies: int) -> None:
    """(e) in this process: pass 1 of entity resolution and the full person names, as
    ``resolve_change`` does them, of one document made of ``copies`` shifted copies of the
    mentions of ``source_db``'s one document; prints the CPU seconds (the machine's load does
    not count) and the peak RSS."""
    import resource

    import pyarrow as pa
    import pyarrow.compute as pc

    from etl.stages.normalize.lexicon import load_lexicon
    from etl.stages.resolve import entities

    with duckdb.connect(str(source_db), read_only=True) as conn:
        mentions = conn.sql(
            "select mention_id, doc_id, start_char, end_char, text,"
            " coalesce(spacy_label, label) as label, antecedent_mention_id, demonym_use,"
            " sentence_idx from entity_mentions"
        ).to_arrow_table()
        ((doc_id, text, n_sentences),) = conn.sql(
            "select doc_id, text, (select max(sentence_idx) + 1 from entity_mentions)"
            " from documents"
        ).fetchall()

    def copy(k: int) -> pa.Table:
        suffix = pa.scalar(f"-{k}")
        columns = {name: mentions[name] for name in mentions.column_names}
        for name in ("mention_id", "antecedent_mention_id"):
            columns[name] = pc.binary_join_element_wise(mentions[name], suffix, "")
        for name in ("start_char", "end_char"):
            columns[name] = pc.add(mentions[name], k * len(text))
        columns["sentence_idx"] = pc.add(mentions["sentence_idx"], k * n_sentences)
        return pa.table(columns)

    table = pa.concat_tables([copy(k) for k in range(copies)])
    documents = pa.table({"doc_id": [doc_id], "text": [text * copies]})
    load_lexicon()  # loaded once per process, whatever the document's size
    started = time.process_time()
    for one_doc, one_text, doc_mentions in entities._documents_of_chunk(table, documents):
        groups = entities._group_document(one_doc, doc_mentions, one_text)
        names = entities.document_full_person_names(doc_mentions, one_text)
    cpu = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"(e) pass 1 and names of one document of {len(text) * copies:,} characters "
        f"({table.num_rows:,} mentions): {cpu:.1f} CPU s, peak RSS {peak:,.0f} MiB, "
        f"{len(groups)} groups, {len(names)} full names",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the big article")
    parser.add_argument("--single-line-mb", type=float, default=1.5)
    parser.add_argument("--max-minutes", type=float, default=240.0, help="per run")
    parser.add_argument("--runs", default="abdc", help="which runs, in this order (default abdc)")
    parser.add_argument("--commit-from", type=Path, help=argparse.SUPPRESS)  # (d)'s process
    parser.add_argument("--copies", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument(
        "--pass-one-from",
        type=Path,
        help="(e): time pass 1 of entity resolution on --copies copies of this warehouse's one "
        "document (the single line's, say)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the articles, warehouses and lakes here (default: a temporary folder, removed)",
    )
    args = parser.parse_args()
    if args.pass_one_from:
        pass_one_copies(args.pass_one_from, args.copies)
        return
    if args.commit_from:
        commit_copies(args.commit_from, args.copies, args.commit_from.parent)
        return
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("NEWSETL_MAX_FILE_BYTES", None)
    with tempfile.TemporaryDirectory(prefix="bench-big-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        env["PREFECT_HOME"] = str(workdir / "prefect")  # never the caller's folder
        single, big = workdir / "single", workdir / "big"
        single.mkdir(exist_ok=True)
        big.mkdir(exist_ok=True)
        line = build_article(int(args.single_line_mb * 1_000_000), single_line=True)
        (single / "single-line.txt").write_text(line, "utf8")
        article = build_article(int(args.mb * 1_000_000), single_line=False)
        (big / "big.txt").write_text(article, "utf8")
        size = (big / "big.txt").stat().st_size
        print(f"articles: single line {len(line.encode()):,} bytes, big {size:,} bytes", flush=True)

        copies = max(1, round(size / len(line.encode())))
        del line, article
        limit = args.max_minutes * 60
        raised = {**env, "NEWSETL_MAX_FILE_BYTES": str(size + 1)}
        cli_runs = {
            "a": ("(a) single line, defaults", single, env, "single"),
            "b": ("(b) big article, defaults", big, env, "refused"),
            "c": ("(c) big article, limit raised", big, raised, "big"),
        }
        for run in args.runs:
            if run == "d":  # needs (a)'s warehouse
                source_db = str(workdir / "single.duckdb")
                command = [sys.executable, __file__, "--commit-from", source_db]
                subprocess.run([*command, "--copies", str(copies)], env=env, check=True)
                continue
            title, source, run_env, name = cli_runs[run]
            cli_args = ["run", "--source", str(source), "--db", str(workdir / f"{name}.duckdb")]
            cli_args += ["--lake", str(workdir / f"{name}-lake")]
            timing, output, done, timeline = run_marked(cli_args, run_env, workdir, name, limit)
            report(title, timing, workdir / f"{name}.duckdb", output, done)
            print(timeline.report(), flush=True)


if __name__ == "__main__":
    main()
