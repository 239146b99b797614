"""Prefect flows: thin wiring of the ``etl`` stages into tasks. No logic lives here."""

from etl.runtime.prefect_runtime import disable_telemetry

# Before any flow module imports Prefect: flows called from Python send no usage data either.
disable_telemetry()
