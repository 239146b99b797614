"""Keep interpreter-shutdown noise from burying a command's last lines.

After a Prefect flow run, DuckDB's nanobind bindings report objects still referenced by
Prefect's engine when the interpreter tears modules down ("nanobind: leaked N instances").
They are harmless, but they would follow the CLI's summary line and pytest's closing line.
Registered before Prefect is imported, the handler runs after Prefect's own exit handlers
(they run last-in, first-out) and points stderr at /dev/null for the final teardown only.
"""

from __future__ import annotations

import atexit
import os
import sys


def _silence_stderr() -> None:
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


def silence_stderr_at_exit() -> None:
    atexit.register(_silence_stderr)
