"""Time every example query of sql/queries/ on a synthetic warehouse of 100,000 documents.

The synthetic warehouse is built with DuckDB SQL from one or more real warehouses (by default
the seeds, loaded by ``newsetl run`` into a temporary folder): their documents, sentences,
mentions, events and clusters are replicated with new ids and publication dates spread over a
year. Entity ids are shared: one copy in 20 keeps the real entities (so each entity the
examples ask about is in about 5,000 documents, a heavily covered name), the others point to
one of 997 variants of each entity (``<id>~<n>``, named ``<name>#<n>``), so the warehouse also
holds thousands of other entities. Views and macros are the real ones.

    python bench/bench_queries.py [--docs 100000] [--source-db PATH ...] [--keep PATH]

Prints one line per query: result rows, median and slowest of the timed runs, and whether the
median is under the 0.5 s goal.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from etl.storage.warehouse.engine import create_empty_warehouse

REPO = Path(__file__).resolve().parents[1]
QUERIES = sorted((REPO / "sql" / "queries").glob("*.sql"))
GOAL_S = 0.5
YEAR_START = "2017-01-01"
KEEP_EVERY = 20  # one copy in KEEP_EVERY mentions the real entities
VARIANTS = 997  # the other copies mention one of VARIANTS variants of each entity

# Each statement reads source database `src` and copy numbers from table `copies(i)`. A copy's
# date shift moves its publication date to day (i * 7 + source order) mod 365 of the year.
REPLICATE = {
    "documents": """
        INSERT INTO documents BY NAME
        SELECT d.* REPLACE (
            d.doc_id || '-' || c.i AS doc_id,
            d.source_uri || '#' || c.i AS source_uri,
            CAST(d.published_at + s.shift AS DATE) AS published_at,
            CAST(d.load_date + s.shift AS DATE) AS load_date
        )
        FROM src.documents AS d JOIN shifts AS s USING (doc_id) CROSS JOIN copies AS c
        WHERE s.i = c.i
    """,
    "sentences": """
        INSERT INTO sentences BY NAME
        SELECT t.* REPLACE (t.doc_id || '-' || c.i AS doc_id)
        FROM src.sentences AS t CROSS JOIN copies AS c
    """,
    "entity_mentions": """
        INSERT INTO entity_mentions BY NAME
        SELECT t.* REPLACE (
            t.mention_id || '-' || c.i AS mention_id,
            t.doc_id || '-' || c.i AS doc_id,
            t.entity_id || coalesce('~' || c.v, '') AS entity_id
        )
        FROM src.entity_mentions AS t CROSS JOIN copies AS c
    """,
    "events": """
        INSERT INTO events BY NAME
        SELECT t.* REPLACE (
            t.event_id || '-' || c.i AS event_id,
            t.doc_id || '-' || c.i AS doc_id,
            t.actor_mention_id || '-' || c.i AS actor_mention_id,
            t.recipient_mention_id || '-' || c.i AS recipient_mention_id,
            t.cluster_id || '-' || c.i AS cluster_id,
            CAST(t.event_date + s.shift AS DATE) AS event_date,
            t.actor_entity_id || coalesce('~' || c.v, '') AS actor_entity_id,
            t.recipient_entity_id || coalesce('~' || c.v, '') AS recipient_entity_id
        )
        FROM src.events AS t JOIN shifts AS s USING (doc_id) CROSS JOIN copies AS c
        WHERE s.i = c.i
    """,
    "event_clusters": """
        INSERT INTO event_clusters BY NAME
        SELECT t.* REPLACE (
            t.cluster_id || '-' || c.i AS cluster_id,
            CAST(t.event_date + CAST((c.i * 7) % 365 AS INTEGER) AS DATE) AS event_date,
            t.actor_entity_id || coalesce('~' || c.v, '') AS actor_entity_id,
            t.recipient_entity_id || coalesce('~' || c.v, '') AS recipient_entity_id
        )
        FROM src.event_clusters AS t CROSS JOIN copies AS c
    """,
    "entities": """
        INSERT INTO entities BY NAME
        SELECT * FROM src.entities
        UNION ALL
        SELECT t.* REPLACE (t.entity_id || '~' || v.v AS entity_id, t.name || '#' || v.v AS name)
        FROM src.entities AS t CROSS JOIN variants AS v
    """,
    "entity_aliases": """
        INSERT INTO entity_aliases BY NAME
        SELECT * FROM src.entity_aliases
        UNION ALL
        SELECT t.* REPLACE (t.entity_id || '~' || v.v AS entity_id, t.alias || '#' || v.v AS alias)
        FROM src.entity_aliases AS t CROSS JOIN variants AS v
    """,
    "runs": "INSERT INTO runs BY NAME SELECT * FROM src.runs",
}

SHIFTS = f"""
    CREATE OR REPLACE TEMP TABLE shifts AS
    SELECT d.doc_id, c.i,
           CAST((DATE '{YEAR_START}' + CAST((c.i * 7 + d.k) % 365 AS INTEGER))
                - d.published_at AS INTEGER) AS shift
    FROM (SELECT doc_id, coalesce(published_at, load_date) AS published_at,
                 row_number() OVER (ORDER BY doc_id) AS k
          FROM src.documents) AS d
    CROSS JOIN copies AS c
"""


def seed_warehouse(work: Path) -> Path:
    """Load the seeds with the real pipeline into ``work`` and return the warehouse path."""
    db = work / "seed.duckdb"
    subprocess.run(
        [
            "newsetl",
            "run",
            "--source",
            str(REPO / "seeds"),
            "--db",
            str(db),
            "--lake",
            str(work / "lake"),
        ],
        check=True,
        capture_output=True,
    )
    return db


def build_synthetic(sources: list[Path], target: Path, n_docs: int) -> None:
    """Replicate the rows of ``sources`` into a new warehouse of about ``n_docs`` documents."""
    create_empty_warehouse(target)
    con = duckdb.connect(str(target))
    try:
        for number, source in enumerate(sources):
            con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
            n_source = con.execute("SELECT count(*) FROM src.documents").fetchone()[0]
            per_source = math.ceil(n_docs / len(sources) / max(n_source, 1))
            start = number * 1_000_000
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE copies AS "
                f"SELECT i, CASE WHEN i % {KEEP_EVERY} = 0 THEN NULL ELSE i % {VARIANTS} END AS v "
                f"FROM range({start}, {start + per_source}) AS r(i)"
            )
            con.execute(
                "CREATE OR REPLACE TEMP TABLE variants AS SELECT DISTINCT v FROM copies "
                "WHERE v IS NOT NULL"
            )
            con.execute(SHIFTS)
            tables = (
                REPLICATE
                if number == 0
                else {k: v for k, v in REPLICATE.items() if k not in ("entities", "entity_aliases")}
            )
            for statement in tables.values():
                con.execute(statement)
            con.execute("DETACH src")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def time_query(db: Path, sql: str, repeats: int) -> tuple[int, list[float]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        n_rows = con.sql(sql).to_arrow_table().num_rows  # warm-up: loads the blocks
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            con.sql(sql).to_arrow_table()
            timings.append(time.perf_counter() - started)
        return n_rows, timings
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--source-db", type=Path, action="append", default=[])
    parser.add_argument("--keep", type=Path, help="Write the synthetic warehouse here.")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="newsetl-bench-") as tmp:
        work = Path(tmp)
        sources = args.source_db or [seed_warehouse(work)]
        target = args.keep or work / "synthetic.duckdb"
        target.unlink(missing_ok=True)
        started = time.perf_counter()
        build_synthetic(sources, target, args.docs)
        built_s = time.perf_counter() - started
        con = duckdb.connect(str(target), read_only=True)
        sizes = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "sentences", "entity_mentions", "events", "entities")
        }
        con.close()
        print(
            f"synthetic warehouse built in {built_s:.1f} s: "
            + ", ".join(f"{n:,} {t}" for t, n in sizes.items())
            + f" ({target.stat().st_size / 1e6:.0f} MB)"
        )
        print(f"{'query':42} {'rows':>8} {'median s':>9} {'max s':>7}  goal < {GOAL_S} s")
        failures = 0
        for path in QUERIES:
            n_rows, timings = time_query(target, path.read_text(encoding="utf-8"), args.repeats)
            median = statistics.median(timings)
            ok = median < GOAL_S
            failures += not ok
            print(
                f"{path.name:42} {n_rows:>8,} {median:>9.3f} {max(timings):>7.3f}  "
                + ("ok" if ok else "SLOW")
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
