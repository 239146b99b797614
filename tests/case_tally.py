"""Counting a module's passed cases and printing the count at its end, past pytest's capture."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest


def write_summary_line(request: pytest.FixtureRequest, line: str) -> None:
    """Write ``line`` to the terminal even while pytest captures output (plain print without)."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    if capture is None or reporter is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(line)


def tally_cases(
    request: pytest.FixtureRequest, describe: Callable[[int], str]
) -> Iterator[list[str]]:
    """Body of a module-scoped ``tally`` fixture: tests append the ids of passing cases to the
    yielded list; at the module's end ``describe(count)`` is printed."""
    passed: list[str] = []
    yield passed
    write_summary_line(request, describe(len(passed)))
