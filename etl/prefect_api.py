"""Where this process's Prefect API is: the configured server, or a temporary one started here.

Without ``PREFECT_API_URL`` Prefect starts a temporary server (a uvicorn subprocess) at the first
flow call, which takes several seconds. Starting it ourselves lets that wait overlap other
start-up work (the CLI imports the pipeline meanwhile), and lets local Dask workers share it.
"""

from __future__ import annotations

import threading


def ensure_prefect_api() -> str:
    """The API URL in use, starting Prefect's temporary server when none is configured.

    It is the same instance Prefect's client would start for a flow (one per process), so the
    flow finds it running instead of starting a second one.
    """
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    if api_url:
        return api_url
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    return server.api_url


def start_prefect_api_in_background() -> threading.Thread:
    """Begin ``ensure_prefect_api`` in a thread; ``join`` it before the first flow call.

    Prefect marks its server running before the server answers, so a flow started while the
    thread still waits would talk to a server that is not up yet. A failure here is not lost:
    the flow call starts the server again and reports the error.
    """
    thread = threading.Thread(target=_ensure_quietly, name="prefect-api-start", daemon=True)
    thread.start()
    return thread


def _ensure_quietly() -> None:
    try:
        ensure_prefect_api()
    except Exception:
        return
