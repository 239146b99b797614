"""Evaluation of pipeline stages against the shared gold data."""
