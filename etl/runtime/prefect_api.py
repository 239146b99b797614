"""Where this process's Prefect API is: the configured server, or a temporary one started here.

Without ``PREFECT_API_URL`` Prefect starts a temporary server (a uvicorn subprocess serving
``prefect.server.api.server:create_app``) at the first flow call, after importing its server
package, and waits for it: several seconds in which nothing else happens. The CLI instead
launches that same server as its very first step (``launch_temporary_server``), before it
imports Prefect, spaCy or DuckDB, points ``PREFECT_API_URL`` at it, and waits for it only just
before the first flow call (``wait_until_ready``): the imports and the server's start-up overlap.
Local Dask workers inherit ``PREFECT_API_URL`` and report to the same server.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# What Prefect 3.8's own temporary server sets: no UI, ephemeral services, final settings.
_SERVER_ENVIRONMENT = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}
DEFAULT_STARTUP_TIMEOUT_S = 120.0


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
