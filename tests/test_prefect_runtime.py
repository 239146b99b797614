"""The Prefect runtime setting: ``fast`` (our start-up and exit workarounds) and ``stock``
(Prefect's own behaviour) both run the pipeline, quietly, from the command line; the run's
spaCy children end once every batch has parsed, and come back for a batch that parses again."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest
from newsetl_procs import REPO_ROOT, base_env, run_args

from etl.runtime import prefect_runtime
from etl.runtime.task_runners import ParsingCountdown
from etl.settings import Settings
from etl.stages.nlp import DEFAULT_MODEL, SubprocessParser


@pytest.fixture
def clean_prefect_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("PREFECT_") or name in ("DO_NOT_TRACK", "NEWSETL_PREFECT_RUNTIME"):
            monkeypatch.delenv(name)


def test_environment_turns_telemetry_off_for_server_and_client(clean_prefect_env, tmp_path):
    prefect_runtime.configure_environment(tmp_path / "home")
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert os.environ["DO_NOT_TRACK"] == "1"
    assert os.environ["PREFECT_HOME"] == str((tmp_path / "home").resolve())
    assert (tmp_path / "home").is_dir()


def test_environment_keeps_what_the_user_set(clean_prefect_env, monkeypatch, tmp_path):
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "DEBUG")
    prefect_runtime.configure_environment(tmp_path, verbose=False)
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "DEBUG"


def test_stock_runtime_launches_nothing_and_leaves_the_api_alone(
    clean_prefect_env, monkeypatch, tmp_path
):
    silenced = []
    monkeypatch.setattr(prefect_runtime, "silence_stderr_at_exit", lambda: silenced.append(1))
    settings = Settings(prefect_home=tmp_path, prefect_runtime="stock", task_runner="dask")
    runtime = prefect_runtime.start(settings)
    assert runtime == prefect_runtime.PrefectRuntime("stock", None)
    assert silenced == [1]  # quiet at exit, like the fast runtime
    runtime.ready()
    with prefect_runtime.workers_share_prefect_api(settings):
        assert "PREFECT_API_URL" not in os.environ


def test_runtime_mode_comes_from_the_environment(clean_prefect_env, monkeypatch):
    assert prefect_runtime.runtime_mode() == "fast"
    monkeypatch.setenv("NEWSETL_PREFECT_RUNTIME", "stock")
    assert prefect_runtime.runtime_mode() == "stock"
    monkeypatch.setenv("NEWSETL_PREFECT_RUNTIME", "bogus")
    assert prefect_runtime.runtime_mode() == "stock"


@pytest.mark.flow
@pytest.mark.slow
@pytest.mark.parametrize("mode", prefect_runtime.PREFECT_RUNTIMES)
def test_cli_run_under_each_runtime_is_quiet(mode, seeds_dir, tmp_path):
    # No PREFECT_API_URL: each runtime starts Prefect's temporary server its own way.
    env = base_env(tmp_path / "prefect")
    for name in ("PREFECT_SERVER_ANALYTICS_ENABLED", "PREFECT_LOGGING_LEVEL"):
        env.pop(name)  # the runtime sets these itself
    env["NEWSETL_PREFECT_RUNTIME"] = mode
    done = subprocess.run(
        run_args(seeds_dir, tmp_path / "w.duckdb", tmp_path / "lake"),
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "2 files, 2 documents: 2 loaded" in done.stdout
    # Nothing on stderr: no traceback, no DuckDB teardown noise (the stock runtime's normal exit
    # would print "nanobind: leaked" lines), no telemetry notice.
    assert done.stderr == "", done.stderr


def test_importing_flows_sets_what_a_flow_call_from_python_needs(clean_prefect_env) -> None:
    # A fresh interpreter: flows/__init__ runs once per process. The user's own setting wins.
    check = (
        "import os, flows; print(os.environ['DO_NOT_TRACK'], "
        "os.environ['PREFECT_SERVER_ANALYTICS_ENABLED'], "
        "os.environ['PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS'])"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    run = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True)
    assert run.stdout.split() == ["1", "false", "120"], run.stderr
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "300"
    run = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True)
    assert run.stdout.split() == ["1", "false", "300"], run.stderr


class _Children:
    """Counts the calls that would end a parser's children."""

    def __init__(self) -> None:
        self.ended = 0

    def end_children(self) -> None:
        self.ended += 1


def test_the_countdown_ends_the_children_once_every_batch_has_parsed() -> None:
    children = _Children()
    countdown = ParsingCountdown(children, ["00000", "00001"])
    countdown.parsed("00000")
    countdown.parsed("00000")  # a batch saying it twice (its retried task) counts once
    assert children.ended == 0
    countdown.parsed("00001")
    assert children.ended == 1
    ParsingCountdown(children, [])  # a run with nothing to parse ends them at once
    assert children.ended == 2


def test_parser_children_end_and_come_back_for_a_later_parse() -> None:
    def spacy_children() -> list[psutil.Process]:
        # spawn's children, not its resource tracker
        return [c for c in psutil.Process().children() if "spawn_main" in " ".join(c.cmdline())]

    texts = ["Kazakhstan accused Kyrgyzstan of closing the border.", "Talks resume."]
    with SubprocessParser(DEFAULT_MODEL, n_process=1) as parser:
        first = [doc.text for doc in parser.parse(texts)]
        assert spacy_children()
        parser.end_children()
        assert not spacy_children()
        assert [doc.text for doc in parser.parse(texts)] == first == texts
    assert not spacy_children()
