"""Crash safety: SIGKILL ``newsetl run`` at many moments; the warehouse must never be half-loaded.

Every kill starts from the same previous state (the seeds loaded) and runs a batch that adds
three GUM news articles. Kill points are filesystem milestones of the run (staging files,
the next-state copy, the swap, publishing) plus fixed delays during start-up and processing.
After each kill the live warehouse must open read-only and hold exactly the previous state
(when the rename had not happened) or exactly the new one; an uninterrupted re-run must then
end with the same tables, and the same published lake, as a run that was never interrupted.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from newsetl_procs import (
    base_env,
    kill,
    lake_state,
    make_source,
    prefect_server,
    run,
    run_args,
    spawn,
    warehouse_state,
)

pytestmark = [pytest.mark.flow, pytest.mark.slow]

NEW_ARTICLES = ("clock", "election", "hackers")
POLL_S = 0.005


@dataclass(frozen=True)
class Layout:
    """Where one run keeps its warehouse and lake."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "w.duckdb"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    def staged(self, table: str, part: str) -> bool:
        return any((self.lake / "_staging").glob(f"*/{table}/{part}.parquet"))

    def lake_entries(self, prefix: str) -> bool:
        return self.lake.is_dir() and any(p.name.startswith(prefix) for p in self.lake.iterdir())

    def leftovers(self) -> list[str]:
        found = [p.name for p in self.root.glob(f"{self.db.name}.next-*")]
        staging = self.lake / "_staging"
        if staging.is_dir():
            found += [f"_staging/{p.name}" for p in staging.iterdir()]
        if self.lake.is_dir():
            found += [
                p.name for p in self.lake.iterdir() if p.name.startswith((".publish-", ".old-"))
            ]
        return found


@dataclass(frozen=True)
class KillPoint:
    name: str
    reached: Callable[[Layout, float, Baseline], bool]


@dataclass(frozen=True)
class Baseline:
    """The previous state every killed run starts from, and what an uninterrupted run ends with."""

    previous: Layout
    previous_state: dict[str, str]
    new_state: dict[str, str]
    new_lake: dict[str, str]
    db_inode: int
    published_mtime: int


def _published_mtime(layout: Layout) -> int:
    return (layout.lake / "_published.json").stat().st_mtime_ns


def _swapped(layout: Layout, base: Baseline) -> bool:
    return layout.db.stat().st_ino != base.db_inode


def _published(layout: Layout, base: Baseline) -> bool:
    try:
        return _published_mtime(layout) != base.published_mtime
    except FileNotFoundError:
        return False


KILL_POINTS = (
    KillPoint("start-up, 0.3 s", lambda lay, t, b: t >= 0.3),
    KillPoint("start-up, 1.5 s", lambda lay, t, b: t >= 1.5),
    KillPoint("processing, 3.5 s", lambda lay, t, b: t >= 3.5),
    KillPoint("first batch staged", lambda lay, t, b: lay.staged("documents", "00000")),
    KillPoint("second batch staged", lambda lay, t, b: lay.staged("events", "00001")),
    KillPoint("next-state copy made", lambda lay, t, b: any(lay.root.glob("w.duckdb.next-*"))),
    KillPoint("entities staged", lambda lay, t, b: lay.staged("entities", "0")),
    KillPoint("clusters staged", lambda lay, t, b: lay.staged("event_clusters", "0")),
    KillPoint("run row staged", lambda lay, t, b: lay.staged("runs", "0")),
    KillPoint("next state swapped in", lambda lay, t, b: _swapped(lay, b)),
    KillPoint("lake export started", lambda lay, t, b: lay.lake_entries(".publish-")),
    KillPoint("first lake table exported", lambda lay, t, b: any(lay.lake.glob(".publish-*/*"))),
    KillPoint("lake state written", lambda lay, t, b: _published(lay, b)),
)


def _copy_layout(source: Layout, root: Path) -> Layout:
    target = Layout(root)
    root.mkdir(parents=True)
    shutil.copy2(source.db, target.db)
    shutil.copytree(source.lake, target.lake)
    return target


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    home = tmp_path_factory.mktemp("crash-prefect")
    with prefect_server(home / "server") as api_url:
        # Batches of two documents: the three new articles are staged as two parts.
        yield {**base_env(home / "client", api_url), "NEWSETL_BATCH_SIZE": "2"}


@pytest.fixture(scope="module")
def sources(tmp_path_factory, seeds_dir) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("crash-sources")
    new = make_source(root / "new", seeds_dir, NEW_ARTICLES)
    if len(list(new.glob("GUM_*.txt"))) < len(NEW_ARTICLES):
        pytest.skip("GUM news texts of ../shared/data not available")
    return make_source(root / "previous", seeds_dir, ()), new


@pytest.fixture(scope="module")
def baseline(env, sources, tmp_path_factory) -> Baseline:
    previous_source, new_source = sources
    root = tmp_path_factory.mktemp("crash-baseline")
    previous = Layout(root / "previous")
    done = run(run_args(previous_source, previous.db, previous.lake), env)
    assert done.returncode == 0, done.stderr
    reference = _copy_layout(previous, root / "reference")
    done = run(run_args(new_source, reference.db, reference.lake), env)
    assert done.returncode == 0, done.stderr
    base = Baseline(
        previous=previous,
        previous_state=warehouse_state(previous.db),
        new_state=warehouse_state(reference.db),
        new_lake=lake_state(reference.lake),
        db_inode=0,
        published_mtime=0,
    )
    assert base.previous_state != base.new_state, "the batch must change the warehouse"
    return base


def _kill_at(point: KillPoint, layout: Layout, base: Baseline, args, env) -> tuple[bool, bool]:
    """Run until ``point`` is reached, SIGKILL; returns (killed while running, swap happened)."""
    proc = spawn(args, env)
    started = time.monotonic()
    while proc.poll() is None and not point.reached(layout, time.monotonic() - started, base):
        time.sleep(POLL_S)
    running = proc.poll() is None
    kill(proc)
    return running, _swapped(layout, base)


def _crash_and_recover(point: KillPoint, root: Path, baseline: Baseline, source: Path, env):
    """One kill point end to end; returns a description if the kill hit a running process."""
    layout = _copy_layout(baseline.previous, root)
    base = replace(
        baseline, db_inode=layout.db.stat().st_ino, published_mtime=_published_mtime(layout)
    )
    args = run_args(source, layout.db, layout.lake)
    running, swapped = _kill_at(point, layout, base, args, env)

    after_kill = warehouse_state(layout.db)
    expected = base.new_state if swapped else base.previous_state
    assert after_kill == expected, f"{point.name}: warehouse is neither old nor new state"

    rerun = run(args, env)
    assert rerun.returncode == 0, f"{point.name}: re-run failed: {rerun.stderr}"
    assert warehouse_state(layout.db) == base.new_state, f"{point.name}: re-run differs"
    assert lake_state(layout.lake) == base.new_lake, f"{point.name}: published lake differs"
    assert layout.leftovers() == [], f"{point.name}: leftovers {layout.leftovers()}"
    return f"{point.name} ({'new' if swapped else 'previous'} state)" if running else None


def test_sigkill_at_many_points_leaves_previous_or_new_state(baseline, sources, env, tmp_path):
    _, new_source = sources
    # Two kill points at a time: one run leaves the second core idle much of the time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(
            pool.map(
                lambda item: _crash_and_recover(
                    item[1], tmp_path / f"kill-{item[0]:02d}", baseline, new_source, env
                ),
                enumerate(KILL_POINTS),
            )
        )
    exercised = [outcome for outcome in outcomes if outcome]
    print(f"\ncrash points: {len(exercised)} passed: " + "; ".join(exercised))
    assert len(exercised) >= 10
