"""Shared fixtures: one spaCy model and one Prefect test server per session, storage per test."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from etl.runtime.prefect_runtime import silence_stderr_at_exit

# Prefect reads these at import time: keep its state out of the user's home and quiet.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="newsetl-prefect-test-"))
os.environ.setdefault("PREFECT_HOME", str(_PREFECT_HOME))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

silence_stderr_at_exit()

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def nlp():
    """The English pipeline, loaded once for the whole test session."""
    from etl.stages.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return REPO_ROOT / "seeds"


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the whole session (starting one costs ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def make_settings(root: Path, source: Path, **overrides):
    """Settings whose warehouse, lake and Prefect home live under ``root``."""
    from etl.settings import Settings

    return Settings(
        source_dir=source,
        db_path=root / "warehouse.duckdb",
        lake_dir=root / "lake",
        prefect_home=root / "prefect",
        **overrides,
    )


@pytest.fixture(scope="session")
def seed_run(prefect_harness, seeds_dir, tmp_path_factory):
    """The seeds loaded once by the real flow: (settings, run summary). Treat as read-only."""
    from flows.pipeline import newsetl_run

    settings = make_settings(tmp_path_factory.mktemp("seed-run"), seeds_dir)
    summary = newsetl_run(settings=settings)
    return settings, summary


@pytest.fixture(scope="session")
def seed_db(seed_run):
    """A read-only DuckDB connection factory on the seed warehouse."""
    import duckdb

    settings, _ = seed_run

    def connect():
        return duckdb.connect(str(settings.db_path), read_only=True)

    return connect


# Fixtures that start a Prefect server or run the flow: a test using any of them (directly or
# through another fixture) is a flow test, outside `make test-fast`.
FLOW_FIXTURES = ("prefect_harness", "seed_run")
# Whole-corpus evaluation goals (tens of seconds each): slow, kept out of `make test-fast`.
SLOW_TESTS = ("test_normalize.py::test_gum_dev_goals", "test_events.py::test_dev_scores_meet_goals")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(name in item.fixturenames for name in FLOW_FIXTURES):
            item.add_marker(pytest.mark.flow)
        if item.nodeid.split("/")[-1].startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter):
    """Say how many distinct bad inputs the ingest suite exercised (issue 8 asks for the count)."""
    passed = [
        report
        for report in terminalreporter.stats.get("passed", [])
        if "test_ingest_bad_inputs.py::test_bad_input[" in report.nodeid
    ]
    if passed:
        terminalreporter.write_line(f"bad-input cases: {len(passed)} passed")
