"""Process-level plumbing around Prefect and the interpreter: the temporary Prefect API server,
task runners (thread pool or Dask) and the quiet process exit."""
