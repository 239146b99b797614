"""The benchmarks' phase marks name functions that exist: ``bench/tree_timeline.py`` wraps each
by name, and a renamed function would make ``bench_nightly.py`` and ``bench_big_article.py`` fail
on their first night instead of here."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_every_marked_phase_names_an_existing_function(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    tree_timeline = importlib.import_module("tree_timeline")
    missing = []
    for module_name, attribute, *_ in (*tree_timeline.RUN_PHASES, *tree_timeline.COMMIT_STEPS):
        owner = importlib.import_module(module_name)
        for part in attribute.split("."):
            owner = getattr(owner, part, None)
        if not callable(owner):
            missing.append(f"{module_name}.{attribute}")
    sys.modules.pop("tree_timeline", None)
    assert missing == []
