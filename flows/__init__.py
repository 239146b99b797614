"""Prefect flows: thin wiring of the ``etl`` stages into tasks. No logic lives here."""

from etl.runtime.prefect_runtime import flow_call_defaults

# Before any flow module imports Prefect: flows called from Python send no usage data either,
# and wait for the temporary server as the CLI does.
flow_call_defaults()
