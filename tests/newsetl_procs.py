"""Helpers for tests that drive ``newsetl run`` as a real subprocess (crash, lock, exit codes).

Each ``newsetl run`` started without a Prefect API starts its own temporary Prefect server
(~10 s). Tests that spawn many runs share one ``prefect server`` per module instead, reached
through ``PREFECT_API_URL`` on the loopback interface.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
_SCRIPT = Path(sys.executable).with_name("newsetl")
NEWSETL = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "etl.cli"]
PREFECT_SERVER = [sys.executable, "-m", "prefect", "server", "start"]
# Tables whose content is the warehouse's data; ``runs`` and ``quarantine`` record history.
DATA_TABLES = (
    "documents",
    "sentences",
    "date_mentions",
    "entity_mentions",
    "entities",
    "entity_aliases",
    "events",
    "event_clusters",
)
# Columns that legitimately differ between two runs loading the same inputs.
# Columns saying which run wrote a row, or when (derived_state.recorded_at), not what it holds.
RUN_COLUMNS = ("run_id", "load_date", "recorded_at")


@contextlib.contextmanager
def client_env_with_own_server(home: Path) -> Iterator[dict[str, str]]:
    """A Prefect server of its own under ``home``, and the environment of CLI runs using it."""
    with prefect_server(home / "server") as api_url:
        yield base_env(home / "client", api_url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(prefect_home: Path, api_url: str | None = None) -> dict[str, str]:
    """Environment for a ``newsetl`` subprocess: its own Prefect home, no analytics, quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSETL_"))}
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        PYTHONPATH=str(REPO_ROOT),
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


@contextlib.contextmanager
def prefect_server(home: Path, timeout_s: float = 120.0) -> Iterator[str]:
    """Start one Prefect API server on loopback; yields its API URL and stops it afterwards."""
    port = _free_port()
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "server.log", "wb")  # noqa: SIM115 (closed in finally)
    proc = subprocess.Popen(
        [*PREFECT_SERVER, "--host", "127.0.0.1", "--port", str(port)],
        env=base_env(home),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prefect server did not start; see {home / 'server.log'}")
            time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def run_args(source: Path, db: Path, lake: Path, *extra: str) -> list[str]:
    return [*NEWSETL, "run", "--source", str(source), "--db", str(db), "--lake", str(lake), *extra]


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start a command in its own process group (so a SIGKILL reaches all of it)."""
    return subprocess.Popen(
        args,
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def run(
    args: list[str], env: dict[str, str], timeout_s: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s
    )


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group of ``proc`` and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def make_source(folder: Path, seeds_dir: Path, gum_names: tuple[str, ...]) -> Path:
    """A source folder: the seed articles plus some cased GUM news texts (if available)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in seeds_dir.iterdir():
        shutil.copy(path, folder / path.name)
    for name in gum_names:
        gum = SHARED_DATA / "gum_news_dev" / f"GUM_news_{name}.txt"
        if gum.is_file():
            shutil.copy(gum, folder / gum.name)
    return folder


def rows_without_run_columns(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    """A table's rows (in no particular order), leaving out the per-run columns."""
    columns = [
        row[0]
        for row in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
        if row[0] not in RUN_COLUMNS
    ]
    select = ", ".join(f'"{c}"' for c in columns)
    return conn.execute(f'SELECT {select} FROM "{table}"').fetchall()


def _table_digest(conn: duckdb.DuckDBPyConnection, table: str) -> str:
    """Order-independent digest of a table's rows, leaving out the per-run columns."""
    rows = sorted(repr(row) for row in rows_without_run_columns(conn, table))
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
    return f"{len(rows)}:{digest}"


def warehouse_state(db_path: Path) -> dict[str, str]:
    """Digest of every data table of a warehouse, opened read-only as an analyst would."""
    conn = duckdb.connect(str(db_path), read_only=True)
    try:
        return {table: _table_digest(conn, table) for table in DATA_TABLES}
    finally:
        conn.close()


def lake_state(lake_dir: Path) -> dict[str, str]:
    """Digest of every published data table of a lake (read with DuckDB's Parquet reader)."""
    conn = duckdb.connect()
    try:
        state = {}
        for table in DATA_TABLES:
            files = sorted(str(p) for p in (lake_dir / table).rglob("*.parquet"))
            if not files:
                state[table] = "0:empty"
                continue
            conn.read_parquet(files, hive_partitioning=False).create_view(table)
            state[table] = _table_digest(conn, table)
        return state
    finally:
        conn.close()
