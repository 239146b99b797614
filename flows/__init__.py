"""Prefect flows: thin wiring of the ``etl`` stages into tasks. No logic lives here."""
