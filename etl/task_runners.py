"""Build the Prefect task runner a run uses, from settings: in-process threads or a Dask cluster.

``default`` runs batches one after another in the flow's process (one worker thread): spaCy is
CPU-bound and holds the GIL for most of a batch, so more threads only add memory. ``dask`` sends
each batch to a Dask worker: an existing cluster at ``dask_address``, or a local cluster of
``dask_workers`` processes with one thread each (each worker loads the spaCy model once).
"""

from __future__ import annotations

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
