"""Build the Prefect task runner a run uses, from settings: in-process threads or a Dask cluster.

``default`` runs batches one after another in the flow's process (one worker thread): spaCy is
CPU-bound and holds the GIL for most of a batch, so more threads only add memory. ``dask`` sends
each batch to a Dask worker: an existing cluster at ``dask_address``, or a local cluster of
``dask_workers`` processes with one thread each (each worker loads the spaCy model once).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from etl.settings import Settings


def dask_cluster_kwargs(n_workers: int) -> dict[str, object]:
    """``LocalCluster`` arguments: one single-threaded worker process per core we were given."""
    return {
        "n_workers": n_workers,
        "threads_per_worker": 1,
        "processes": True,
        # The dashboard needs bokeh and a port; batch runs have no use for it.
        "dashboard_address": None,
    }


def build_task_runner(settings: Settings) -> TaskRunner:
    """The task runner named by ``settings.task_runner``."""
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs=dask_cluster_kwargs(settings.dask_workers))
    return ThreadPoolTaskRunner(max_workers=1)


@contextlib.contextmanager
def workers_share_prefect_api(settings: Settings) -> Iterator[None]:
    """Let local Dask workers report to this process's Prefect API instead of starting their own.

    Without ``PREFECT_API_URL`` every worker process would start a temporary Prefect server of
    its own (about 10 s of CPU and 150 MB each). Worker processes inherit the environment, so
    the API in use (or this process's temporary server, started now rather than at the first
    flow call) is exported to it for the run. A remote cluster's workers need
    ``PREFECT_API_URL`` set where they run (docs/operations.md).
    """
    if settings.task_runner != "dask":
        yield
        return
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    if not api_url:
        from prefect.server.api.server import SubprocessASGIServer

        # The same instance Prefect's client would start for the flow: one server, not two.
        server = SubprocessASGIServer()
        server.start()
        api_url = server.api_url
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
