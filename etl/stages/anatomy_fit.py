"""Learn the prose thresholds of ``etl.stages.anatomy`` from annotated news sentences.

``python -m etl.stages.anatomy_fit [--gold ../shared/data/ecb_dev/gold.jsonl]`` reads the ECB+
developer documents, takes every line the annotators marked an event in (outside the header
lines: URL, the header date line) as a line of running news text, and sets each threshold to the
quantile below which only ``ERROR_BUDGET`` of those lines fall: word counts of lines that end a
sentence and of lines that do not, and the function-word share of all of them. It writes
``etl/stages/data/anatomy.json`` and prints, cross-validated by topic (thresholds fitted on the
other topics), the share of held-out news lines that would be called boilerplate, next to the
fitted share.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import numpy as np

from etl.stages.anatomy import (
    _TERMINAL,
    DATA_PATH,
    ProseThresholds,
    _words,
    function_share,
    is_boilerplate,
)

DEFAULT_GOLD = Path("../shared/data/ecb_dev/gold.jsonl")
# The share of annotated news lines the thresholds may call boilerplate.
ERROR_BUDGET = 0.005


def news_lines(gold_path: Path) -> dict[int, list[str]]:
    """Lines with a gold event mention, per topic (URL and header date lines left out)."""
    by_topic: dict[int, list[str]] = defaultdict(list)
    with gold_path.open(encoding="utf-8") as handle:
        for raw in handle:
            doc = json.loads(raw)
            header = {doc.get("published_at_line")}
            with_events = {m["sentence"] for m in doc["mentions"] if m["kind"] == "event"}
            for sentence in doc["sentences"]:
                line = doc["text"][sentence["start"] : sentence["end"]].strip()
                is_url_line = doc["subtopic"] == "ecbplus" and sentence["sentence"] == 0
                if sentence["sentence"] in with_events and line not in header and not is_url_line:
                    by_topic[doc["topic"]].append(line)
    return by_topic


def fit(lines: list[str]) -> ProseThresholds:
    """Each threshold at the ``ERROR_BUDGET`` quantile of the news lines that do not end like a
    sentence (lines that do are always prose)."""
    open_ended = [line for line in lines if not line.endswith(_TERMINAL)]
    return ProseThresholds(
        min_words=int(np.quantile([len(_words(line)) for line in open_ended], ERROR_BUDGET)),
        min_share=round(
            float(np.quantile([function_share(line) for line in open_ended], ERROR_BUDGET)), 4
        ),
    )


def flagged_share(lines: list[str], thresholds: ProseThresholds) -> float:
    return sum(is_boilerplate(line, thresholds) for line in lines) / len(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--out", type=Path, default=DATA_PATH)
    args = parser.parse_args(argv)
    by_topic = news_lines(args.gold)
    everything = [line for lines in by_topic.values() for line in lines]
    thresholds = fit(everything)
    held_out = []
    for topic, lines in sorted(by_topic.items()):
        others = [line for t, ls in by_topic.items() if t != topic for line in ls]
        held_out.extend(is_boilerplate(line, fit(others)) for line in lines)
    print(f"news lines: {len(everything)} in {len(by_topic)} topics")
    print(f"thresholds: {thresholds}")
    print(
        f"news lines called boilerplate: fitted {flagged_share(everything, thresholds):.4f}, "
        f"held out by topic {sum(held_out) / len(held_out):.4f}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                **asdict(thresholds),
                "fitted_on": "ecb_dev/gold.jsonl",
                "error_budget": ERROR_BUDGET,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
