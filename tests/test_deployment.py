"""The real deployment path: a Prefect server on loopback, `prefect deploy --all` from
prefect.yaml, a process worker, and one `prefect deployment run` of `nightly` that lands data.

Slow (a server, a worker and a flow-run process each start Prefect): marked ``slow``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PREFECT = str(Path(sys.executable).with_name("prefect"))
DAY = "2017-09-20"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server exited with {server.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/health", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.5)
    raise TimeoutError(f"prefect server at {url} not healthy after {timeout_s} s")


@contextlib.contextmanager
def background(args: list[str], env: dict, log: Path):
    """A process in its own session, always killed (with its children) on exit."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            args,
            env=env,
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def prefect(args: list[str], env: dict, timeout_s: float) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PREFECT, *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s
    )
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def deployment_env(tmp_path, seeds_dir):
    data = tmp_path / "data"
    day_dir = data / "incoming" / DAY
    day_dir.mkdir(parents=True)
    for path in seeds_dir.iterdir():
        shutil.copy(path, day_dir / path.name)
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "NEWSETL_"))
    }
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PREFECT_LOGGING_LEVEL="INFO",
        NEWSETL_PROJECT_DIR=str(REPO_ROOT),
        NEWSETL_DATA=str(data),
        NEWSETL_PREFECT_HOME=str(tmp_path / "prefect-home"),
    )
    return env, port, data


def test_nightly_deployment_run_lands_data(deployment_env, tmp_path):
    env, port, data = deployment_env
    server_args = [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with background(server_args, env, tmp_path / "server.log") as server:
        wait_healthy(env["PREFECT_API_URL"], server, timeout_s=60)
        prefect(["work-pool", "create", "newsetl", "--type", "process"], env, 30)
        deployed = prefect(["--no-prompt", "deploy", "--all"], env, 60)
        assert "newsetl-nightly/nightly" in deployed.stdout
        assert "newsetl-backfill/backfill" in deployed.stdout
        schedule = prefect(["deployment", "inspect", "newsetl-nightly/nightly"], env, 30)
        assert "0 2 * * *" in schedule.stdout
        assert "Europe/Berlin" in schedule.stdout
        worker_args = [PREFECT, "worker", "start", "--pool", "newsetl", "--limit", "1"]
        with background(worker_args, env, tmp_path / "worker.log"):
            run = subprocess.run(
                [
                    PREFECT,
                    "deployment",
                    "run",
                    "newsetl-nightly/nightly",
                    "--param",
                    f"day={DAY}",
                    "--watch",
                    "--watch-timeout",
                    "90",
                ],
                env=env,
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
        worker_log = (tmp_path / "worker.log").read_text(errors="replace")
        assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\nworker:\n{worker_log[-4000:]}"
        artifact = prefect(["artifact", "inspect", "newsetl-run-counts"], env, 30)
        assert "docs_loaded" in artifact.stdout
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as conn:
        (documents,) = conn.execute("SELECT count(*) FROM documents").fetchone()
        sources = [row[0] for row in conn.execute("SELECT source FROM runs").fetchall()]
    assert documents == 2
    assert sources == [str((data / "incoming" / DAY).resolve())]
    assert (data / "lake" / "documents").is_dir()
