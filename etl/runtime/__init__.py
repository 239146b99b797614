"""Process-level plumbing around Prefect and the interpreter: ``prefect_runtime`` (the Prefect
API server, Dask workers' API, the process exit; ``fast`` or ``stock`` by one setting) and
``task_runners`` (thread pool or Dask, and the spaCy parser batches use)."""
