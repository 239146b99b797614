"""The command line's help: real flag syntax and defaults for every command, and ``--version``."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from etl.cli.main import app, package_version

COMMANDS = [
    ["run"],
    ["backfill"],
    ["query"],
    ["eval", "normalize"],
    ["eval", "events"],
    ["eval", "entities"],
    ["eval", "coref"],
]


def help_of(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_flags_as_flags(command):
    text = help_of(*command)
    assert "<bool>" not in text
    # Every option that takes a value names it (--db PATH), never a type in angle brackets.
    assert not re.search(r"--[a-z-]+ <", text), text


def test_run_help_gives_defaults_and_plain_boolean_flags():
    text = help_of("run")
    assert re.search(r"^\s+--strict\s+Exit 3", text, re.M)
    assert "--lock-timeout SECONDS" in text and "(default 0)" in text
    assert "(default 200)" in text and "(default: seeds/)" in text


def test_strict_is_a_flag_and_takes_no_value(tmp_path):
    result = CliRunner().invoke(app, ["run", "--strict", "true", "--source", str(tmp_path)])
    assert result.exit_code == 2 and "unexpected extra argument" in result.output


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"newsetl {package_version()}"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", package_version())
