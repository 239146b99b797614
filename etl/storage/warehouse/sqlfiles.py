"""Access to the SQL files under ``sql/`` (installed as the ``etl.sql`` package)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@cache
def read_sql(relative_path: str) -> str:
    """The text of ``sql/<relative_path>``."""
    return resources.files("etl.sql").joinpath(relative_path).read_text(encoding="utf-8")


def split_statements(script: str) -> list[str]:
    """Split a script on semicolons that end a line; comments-only chunks are dropped."""
    chunks = re.split(r";\s*(?:\n|$)", script)
    statements = []
    for chunk in chunks:
        code = "\n".join(
            line for line in chunk.splitlines() if not line.strip().startswith("--")
        ).strip()
        if code:
            statements.append(code)
    return statements


def sql_files(folder: str) -> list[str]:
    """Relative paths of the ``.sql`` files in a folder of ``sql/``, sorted by name."""
    base = resources.files("etl.sql").joinpath(folder)
    return sorted(f"{folder}/{item.name}" for item in base.iterdir() if item.name.endswith(".sql"))


def params_for(statement: str, params: dict) -> dict:
    """Only the named parameters a statement uses (DuckDB rejects unused ones)."""
    names = set(_PARAM.findall(statement))
    return {name: value for name, value in params.items() if name in names}
