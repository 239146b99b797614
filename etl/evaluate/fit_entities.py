"""Learn entity resolution's linking thresholds by leave-one-topic-out CV on ECB+.

``python -m etl.evaluate.fit_entities [--gold ../shared/data/ecb_dev/gold.jsonl]
[--parse-cache DIR | --db WAREHOUSE] [--write]`` fits two thresholds, one after the other, on
the gold entity pairs across documents (the mentions ``newsetl eval coref`` scores), counted
per topic:

1. the **protagonist share** of person descriptions (``etl.stages.extract.descriptions``: "an
   Oklahoma man" refers to the document's most named person when that person holds at least
   this share of its person mentions): the documents are extracted once per share of
   ``SHARE_GRID`` and resolved;
2. the **surname dominance** (``NameMatching.surname_dominance``: a lone surname several known
   people bear is the one named in at least this share of their full-name mentions): the rows
   of the fitted share are resolved once per value of ``DOMINANCE_GRID``.

With ``--db WAREHOUSE`` (an ECB+ warehouse built by ``newsetl run``) only the resolution
thresholds are fitted, on the warehouse's rows as they are: no parsing or extraction, so a change
to resolution is judged in seconds.

For each it prints precision / recall / F1 per value, the fitted value (best over all topics)
and the held-out figure (each topic scored with the value best on the other topics); for the
surname dominance also how many topics each value raises and lowers against the shipped one (a
gain from one or two topics is suspect). ``--write``
stores the fitted protagonist share (``etl/stages/extract/data/description_fallback.json``); the
surname dominance is only reported: its small entity gain cost held-out event coreference more
than it gained (see ``_surname_dominance`` in ``etl/stages/resolve/data/name_matching.json``).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import replace
from importlib import resources
from pathlib import Path

from etl.evaluate.coref import doc_key, gold_mentions
from etl.evaluate.entities import (
    Rows,
    Variant,
    _f1,
    _matched_spans,
    _normalizer,
    _pairs,
    extract_rows,
    leave_one_group_out,
    read_gold,
    resolve_rows,
)
from etl.evaluate.entity_misses import load_rows
from etl.settings import Settings
from etl.stages.nlp import load_pipeline
from etl.stages.resolve.entities import NameMatching

SHARE_GRID = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.01)  # 1.01: never fall back
DOMINANCE_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: never
_DEFAULT_GOLD = Path("../shared/data/ecb_dev/gold.jsonl")
Counts = dict[str, Counter]  # topic -> gold / predicted / both pair counts


def _across_counts(items: list[tuple[str, str, str]]) -> Counter:
    """Gold, predicted and correct pairs of (doc, gold key, entity) items in two documents."""

    def across(keys: list[tuple[str, tuple]]) -> int:
        return _pairs(key for _, key in keys) - _pairs(keys)

    return Counter(
        gold=across([(doc, (key,)) for doc, key, _ in items]),
        predicted=across([(doc, (entity,)) for doc, _, entity in items]),
        both=across([(doc, (key, entity)) for doc, key, entity in items]),
    )


def ecb_variant(gold_path: Path) -> Variant:
    """The ECB+ documents, their scored entity mentions and their topics."""
    gold_docs = read_gold(gold_path)
    return Variant(
        texts={doc["doc"]: doc["text"] for doc in gold_docs},
        gold=gold_mentions(gold_docs, "entities"),
        group_of={doc["doc"]: str(doc["topic"]) for doc in gold_docs},
        normalizer=_normalizer(),
    )


def topic_counts(variant: Variant, rows: Rows, matching: NameMatching | None = None) -> Counts:
    """topic -> cross-document pair counts of the rows resolved with ``matching``."""
    spans, entities = resolve_rows(rows, matching)
    by_topic: dict[str, list[tuple[str, str, str]]] = {}
    for doc, key, span in _matched_spans(variant, spans):
        by_topic.setdefault(variant.group_of[doc], []).append((doc, key, entities[(doc, *span)]))
    return {topic: _across_counts(items) for topic, items in by_topic.items()}


def topics_moved(counts: dict[float, Counts], shipped: float) -> dict[float, tuple[int, int]]:
    """value -> (topics whose F1 it raises, topics whose F1 it lowers) against ``shipped``: a
    gain from one or two topics is a rule fitted to them, not a mechanism."""
    moved = {}
    for value, by_topic in counts.items():
        changes = [
            round(_f1(by_topic[topic])[2] - _f1(counts[shipped][topic])[2], 9)
            for topic in by_topic
            if topic in counts[shipped]
        ]
        moved[value] = (
            sum(change > 0 for change in changes),
            sum(change < 0 for change in changes),
        )
    return moved


def cross_validate(counts: dict[float, Counts], shipped: float | None = None) -> dict:
    """Fitted value and figures, and the leave-one-topic-out held-out figures (with
    ``shipped``, the value in use, also how many topics each value moves against it)."""

    def best(excluded: str | None) -> float:
        def f1(value: float) -> float:
            summed = sum(
                (c for topic, c in counts[value].items() if topic != excluded), start=Counter()
            )
            return round(_f1(summed)[2], 9)

        return max(counts, key=lambda value: (f1(value), value))  # ties: the stricter value

    fitted = best(None)
    topics = sorted({topic for by_topic in counts.values() for topic in by_topic})
    held_out, choices = leave_one_group_out(counts, best, topics)
    return {
        "per_value": {
            value: _f1(sum(by_topic.values(), start=Counter()))
            for value, by_topic in counts.items()
        },
        "fitted_value": fitted,
        "fitted": _f1(sum(counts[fitted].values(), start=Counter())),
        "held_out": _f1(held_out),
        "choices": dict(sorted(choices.items())),
        "shipped": shipped,
        "topics_moved": topics_moved(counts, shipped) if shipped in counts else {},
    }


def warehouse_rows(db_path: Path) -> Rows:
    """The mention and document rows of an ECB+ warehouse, keyed by gold document
    (``<topic>/<doc>``): what ``extract_rows`` gives, without parsing or extracting again."""
    _, documents, rows = load_rows(db_path)
    key_of = {
        doc_id: doc_key(uri)
        for doc_id, uri in zip(
            documents.column("doc_id").to_pylist(),
            documents.column("source_uri").to_pylist(),
            strict=True,
        )
    }
    mention_rows = [{**row, "doc_id": key_of[row["doc_id"]]} for row in rows]
    document_rows = [
        {"doc_id": key_of[doc_id], "text": text, "publisher": None}
        for doc_id, text in zip(
            documents.column("doc_id").to_pylist(),
            documents.column("text").to_pylist(),
            strict=True,
        )
    ]
    return mention_rows, document_rows


def fit_resolution(variant: Variant, rows: Rows) -> dict[str, dict]:
    """Cross-validation of resolution's corpus thresholds on rows already extracted."""
    learned = NameMatching.learned()
    return {
        "surname_dominance": cross_validate(
            {
                value: topic_counts(variant, rows, replace(learned, surname_dominance=value))
                for value in DOMINANCE_GRID
            },
            shipped=learned.surname_dominance,
        )
    }


def fit(gold_path: Path, parse_cache: Path | None) -> dict[str, dict]:
    """Cross-validation of the protagonist share, then of the surname dominance."""
    variant = ecb_variant(gold_path)
    nlp = load_pipeline(Settings().spacy_model)
    rows_of = {
        share: extract_rows(variant.texts, nlp, variant.normalizer, parse_cache, share)
        for share in SHARE_GRID
    }
    shares = cross_validate({share: topic_counts(variant, rows) for share, rows in rows_of.items()})
    return {
        "protagonist_share": shares,
        **fit_resolution(variant, rows_of[shares["fitted_value"]]),
    }


def _data_file(package: str, name: str) -> Path:
    return Path(str(resources.files(package).joinpath("data", name)))


def write_fitted(result: dict[str, dict]) -> list[Path]:
    """Store the fitted protagonist share in the data file the pipeline reads."""
    share_path = _data_file("etl.stages.extract", "description_fallback.json")
    share_path.write_text(
        json.dumps(
            {
                "_doc": "Least share of a document's person mentions its most named person holds"
                " for a description without role evidence to refer to them; fitted by"
                " python -m etl.evaluate.fit_entities --write (leave-one-topic-out CV on ECB+).",
                "protagonist_share": result["protagonist_share"]["fitted_value"],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return [share_path]


def format_fit(result: dict[str, dict]) -> str:
    lines = []
    for name, figures in result.items():
        moved = figures.get("topics_moved", {})
        for value, (precision, recall, f1) in figures["per_value"].items():
            line = (
                f"{name} {value:.2f}: across-document P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
            )
            if value in moved and value != figures["shipped"]:
                gaining, losing = moved[value]
                line += f"; against {figures['shipped']:.2f}: {gaining} topics gain, {losing} lose"
            lines.append(line)
        fitted, held_out = figures["fitted"], figures["held_out"]
        lines.append(
            f"{name}: fitted {figures['fitted_value']:.2f} P/R/F1 {fitted[0]:.3f}/{fitted[1]:.3f}/"
            f"{fitted[2]:.3f}; held out (leave one topic out) {held_out[0]:.3f}/"
            f"{held_out[1]:.3f}/{held_out[2]:.3f}; choices {figures['choices']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=_DEFAULT_GOLD)
    parser.add_argument("--parse-cache", type=Path, default=None)
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="an ECB+ warehouse: fit resolution's thresholds on its rows (no protagonist share)",
    )
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    if args.db is not None:
        result = fit_resolution(ecb_variant(args.gold), warehouse_rows(args.db))
    else:
        result = fit(args.gold, args.parse_cache)
    print(format_fit(result))
    if args.write:
        for path in write_fitted(result):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
