"""How this process runs Prefect and ends: every start-up and exit workaround, behind one setting.

``NEWSETL_PREFECT_RUNTIME`` (``Settings.prefect_runtime``) chooses:

``fast`` (default)
    * **Server start-up overlapped with imports.** Without ``PREFECT_API_URL`` Prefect starts a
      temporary server (a uvicorn subprocess serving ``prefect.server.api.server:create_app``)
      at the first flow call, after importing its server package, and waits for it: several
      seconds in which nothing else happens. ``start`` instead launches that same server before
      Prefect, spaCy or DuckDB are imported, points ``PREFECT_API_URL`` at it, and
      ``PrefectRuntime.ready`` waits for it only just before the first flow call.
    * **Dask workers share this process's API** (``workers_share_prefect_api``): without
      ``PREFECT_API_URL`` every local worker process would start a temporary server of its own
      (about 10 s of CPU and 150 MB each).
    * **Immediate exit** (``exit_process``): after a run the heap holds every article and the
      loaded models; tearing it down object by object takes seconds that buy nothing (the
      warehouse is fsynced, the Parquet files are closed, the spaCy children joined). Exit
      handlers still run (the temporary server is stopped, logging flushes); stderr is pointed
      at /dev/null for what remains, so teardown messages from libraries cannot follow the
      command's last line.

``stock``
    Prefect's own behaviour: its temporary server at the first flow call, Dask workers on their
    own, a normal interpreter exit. Slower, and the fallback when a Prefect upgrade breaks one
    of the workarounds above. The normal exit tears down modules while Prefect's daemon threads
    still hold DuckDB objects, so DuckDB's bindings would print ``nanobind: leaked ...`` lines
    after the summary (harmless; no ``gc.collect()`` at exit frees them): stderr is pointed at
    /dev/null once the exit handlers have run, as in the fast runtime, so they do not appear.

Either way ``configure_environment`` sets what our commands need from Prefect: a project-local
``PREFECT_HOME``, no usage-data telemetry (server and client), no block registration, quiet logs.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from etl.settings import PREFECT_RUNTIMES, Settings

# What Prefect 3.8's own temporary server sets: no UI, ephemeral services, final settings.
_SERVER_ENVIRONMENT = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}
DEFAULT_STARTUP_TIMEOUT_S = 120.0


def disable_telemetry() -> None:
    """No usage data, unless the environment says otherwise: the server's analytics (its
    telemetry service also writes to the temporary server's SQLite database while the flow
    does, and fails without network) and the client's (which honours DO_NOT_TRACK and otherwise
    prints a notice on the first interactive run). Also applied when ``flows`` is imported, so
    calling a flow from Python is as quiet as the CLI."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def flow_call_defaults() -> None:
    """What calling a flow needs from Prefect, from the CLI or from Python (applied when
    ``flows`` is imported), unless the environment says otherwise: no telemetry, and patience
    for the temporary server's start-up (Prefect's own 20 s timed out on a busy machine: a flow
    called from Python failed with "Timed out while attempting to connect to ephemeral Prefect
    API server" where the CLI ran)."""
    disable_telemetry()
    os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", f"{DEFAULT_STARTUP_TIMEOUT_S:.0f}"
    )


def configure_environment(prefect_home: Path, verbose: bool = False) -> None:
    """Prefect settings our commands need, unless the environment already sets them.

    Runs before prefect is first imported (Prefect reads its settings at import)."""
    os.environ.setdefault("PREFECT_HOME", str(prefect_home.resolve()))
    flow_call_defaults()
    # The flows use no blocks; registering Prefect's block types costs every start-up ~0.5 s.
    os.environ.setdefault("PREFECT_API_BLOCKS_REGISTER_ON_START", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)


def runtime_mode(settings: Settings | None = None) -> str:
    """The configured runtime; ``stock`` when the settings cannot be read (the command then
    reports the invalid setting itself)."""
    if settings is None:
        try:
            settings = Settings()
        except ValueError:
            return "stock"
    return settings.prefect_runtime


@dataclass
class TemporaryServer:
    """A Prefect API server this process started and stops at exit."""

    process: subprocess.Popen
    api_url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class PrefectRuntime:
    """The runtime a command started: call ``ready`` before the first flow call."""

    mode: str
    server: TemporaryServer | None = None

    def ready(self) -> None:
        wait_until_ready(self.server)


def start(settings: Settings, verbose: bool = False) -> PrefectRuntime:
    """Configure Prefect and, in the fast runtime, launch its API server (returns at once)."""
    assert settings.prefect_runtime in PREFECT_RUNTIMES
    configure_environment(settings.prefect_home, verbose)
    # Both runtimes: nothing a library prints while the interpreter tears down follows the
    # command's last line (DuckDB's "nanobind: leaked" lines in the stock runtime's normal exit).
    silence_stderr_at_exit()
    if settings.prefect_runtime == "stock":
        return PrefectRuntime("stock")
    return PrefectRuntime("fast", launch_temporary_server())


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch_temporary_server() -> TemporaryServer | None:
    """Start Prefect's API server in a subprocess unless ``PREFECT_API_URL`` names one.

    Returns at once; ``PREFECT_API_URL`` points at the new server from now on (for this process
    and its children). Call ``wait_until_ready`` before talking to it.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        return None
    site_packages = Path(next(iter(spec.submodule_search_locations))).parent
    port = _free_loopback_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(site_packages),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]
    process = subprocess.Popen(command, env={**os.environ, **_SERVER_ENVIRONMENT})
    server = TemporaryServer(process, f"http://127.0.0.1:{port}/api")
    atexit.register(server.stop)
    os.environ["PREFECT_API_URL"] = server.api_url
    return server


def wait_until_ready(server: TemporaryServer | None) -> None:
    """Block until ``server`` answers its health check.

    If it died or never answered (a port taken meanwhile, say), it is stopped and
    ``PREFECT_API_URL`` is dropped again, so Prefect starts its own temporary server as usual.
    """
    if server is None:
        return
    timeout = float(
        os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
        or DEFAULT_STARTUP_TIMEOUT_S
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            with urllib.request.urlopen(f"{server.api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    server.stop()
    if os.environ.get("PREFECT_API_URL") == server.api_url:
        del os.environ["PREFECT_API_URL"]


def ensure_prefect_api() -> str:
    """The API URL in use, starting Prefect's own temporary server when none is configured."""
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    if api_url:
        return api_url
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    return server.api_url


@contextlib.contextmanager
def workers_share_prefect_api(settings: Settings) -> Iterator[None]:
    """Let local Dask workers report to this process's Prefect API (fast runtime, dask runner).

    Worker processes inherit the environment, so the API in use (or this process's temporary
    server, started now rather than at the first flow call) is exported to it for the run. A
    remote cluster's workers need ``PREFECT_API_URL`` set where they run (docs/operations.md).
    """
    if settings.task_runner != "dask" or settings.prefect_runtime == "stock":
        yield
        return
    api_url = ensure_prefect_api()
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous


def _silence_stderr() -> None:
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


def silence_stderr_at_exit() -> None:
    """Point stderr at /dev/null once the exit handlers registered after this one have run.

    Registered before Prefect is imported, it runs after Prefect's own exit handlers (they run
    last-in, first-out), so only the interpreter's final teardown is silenced."""
    atexit.register(_silence_stderr)


def exit_process(code: int, mode: str) -> NoReturn:
    """End the process with ``code``: at once in the fast runtime, normally in the stock one."""
    sys.stdout.flush()
    sys.stderr.flush()
    if mode == "stock":
        sys.exit(code)
    atexit._run_exitfuncs()
    os._exit(code)
