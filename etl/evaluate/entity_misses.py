"""Where ECB+ cross-document entity recall is lost: missed gold pairs grouped by cause.

``python -m etl.evaluate.entity_misses --db WAREHOUSE [--gold GOLD] [--examples N]`` resolves the
warehouse's entity mentions again with the code of this tree (``resolve_entities`` over
``entity_mentions`` with spaCy's labels and the documents' text, so no re-parsing), scores them
like ``newsetl eval coref`` (cross-document pairwise precision / recall / F1 of gold entity
mentions matched by overlap), and sorts every gold cross-document pair that is not merged into
one cause:

* ``unmatched``: one side has no predicted mention at all (not counted by the scorer, listed
  per gold instance for what extraction misses);
* ``description``: one side's predicted text has no capitalized word after its article;
* ``description_place``: a person on one side, a place on the other: a person described by a
  place (``an Okla. man``) whose gold mention matched the place inside the description;
* ``possessive``: one side's text holds an owner's possessive (``Kyrgyzstan's Central Election
  Commission``);
* ``label`` / ``place_vs_org``: both sides fold to the same name but spaCy labelled them
  differently (``place_vs_org``: a place label on one side, ORG on the other);
* ``same_name``: same folded name, same label, still apart (ambiguity rules);
* ``surname_only`` / ``given_only``: one side is one word of the other's full name;
* ``initial``: names that differ by initials;
* ``spelling``: same number of words, near-identical letters;
* ``acronym`` and ``other``.

It also lists the largest groups of wrongly merged pairs (precision). Counts are pairs, as the
scorer counts them, so a cause's share of the missed pairs is its share of lost recall.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
from rapidfuzz import fuzz

from etl import schema
from etl.evaluate.coref import doc_key, gold_mentions, match_all
from etl.evaluate.entities import match_mentions, read_gold
from etl.stages.resolve.entities import NameMatching, resolve_entities
from etl.stages.resolve.names import acronym, exact_key, translit_key
from etl.storage.warehouse.engine import fetch_arrow, make_engine

_DEFAULT_GOLD = Path("../shared/data/ecb_dev/gold.jsonl")
MatchedRow = tuple[str, str, str, dict]  # doc key, gold instance, entity id, predicted row
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# "Kyrgyzstan's Central Election Commission": an owner's possessive inside the mention
_POSSESSIVE_INSIDE = re.compile(r"\w['’]s\s+\w")
_MENTION_COLUMNS = [
    "mention_id",
    "doc_id",
    "sentence_idx",
    "start_char",
    "end_char",
    "raw_start_char",
    "raw_end_char",
    "text",
]


def load_rows(db_path: Path) -> tuple[pa.Table, pa.Table, list[dict]]:
    """(mentions as resolution reads them, documents, mention rows with raw spans)."""
    engine = make_engine(db_path, read_only=True)
    try:
        with engine.connect() as conn:
            found = fetch_arrow(conn, "evaluate/entity_miss_mentions.sql").to_pylist()
            documents = fetch_arrow(conn, "evaluate/entity_miss_documents.sql")
    finally:
        engine.dispose()
    rows = [
        {
            **{column: row[column] for column in _MENTION_COLUMNS},
            "label": row["resolution_label"],
            # a warehouse older than person descriptions has no such column
            "antecedent_mention_id": row.get("antecedent_mention_id"),
            "demonym_use": row.get("demonym_use"),
        }
        for row in found
    ]
    columns = [*_MENTION_COLUMNS, "label", "antecedent_mention_id", "demonym_use"]
    mentions = pa.Table.from_pylist(
        rows, schema=pa.schema([schema.MENTIONS.field(column) for column in columns])
    )
    return mentions, documents, rows


def predicted_entities(
    mentions: pa.Table,
    documents: pa.Table,
    rows: list[dict],
    matching: NameMatching | None = None,
) -> tuple[dict[str, list[tuple[int, int, str]]], dict[tuple[str, int, int], dict]]:
    """doc key -> [(raw start, raw end, entity_id)], and each span's mention row (resolved with
    ``matching``, the learned name matching when None)."""
    resolution = resolve_entities(mentions, documents.select(["doc_id", "text"]), matching)
    entity_of = dict(
        zip(
            resolution.mention_entities.column("mention_id").to_pylist(),
            resolution.mention_entities.column("entity_id").to_pylist(),
            strict=True,
        )
    )
    key_of = dict(
        zip(
            documents.column("doc_id").to_pylist(),
            (doc_key(uri) for uri in documents.column("source_uri").to_pylist()),
            strict=True,
        )
    )
    by_doc: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    row_at: dict[tuple[str, int, int], dict] = {}
    for row in rows:
        if row["mention_id"] not in entity_of or row["raw_start_char"] is None:
            continue
        doc = key_of[row["doc_id"]]
        span = (doc, row["raw_start_char"], row["raw_end_char"])
        if span in row_at:
            continue
        row_at[span] = row
        by_doc[doc].append(
            (row["raw_start_char"], row["raw_end_char"], entity_of[row["mention_id"]])
        )
    return {doc: sorted(spans) for doc, spans in by_doc.items()}, row_at


def _capitalized(text: str) -> bool:
    words = text.split()
    if words and words[0].lower() in {"the", "a", "an"}:
        words = words[1:]
    return any(word[:1].isupper() for word in words)


def cause(first: dict, second: dict) -> str:
    """Why two mentions of one gold entity got two entities (see the module docstring)."""
    if not (_capitalized(first["text"]) and _capitalized(second["text"])):
        return "description"
    labels = {first["label"], second["label"]}
    if "PERSON" in labels and labels & _PLACE_LABELS:
        # the gold person is described by a place ("an Okla. man", "Brooklyn mother of 12") and
        # matched the place mention inside the description
        return "description_place"
    if any(_POSSESSIVE_INSIDE.search(row["text"]) for row in (first, second)):
        return "possessive"
    key_first, key_second = (
        translit_key(exact_key(first["text"])),
        translit_key(exact_key(second["text"])),
    )
    if key_first == key_second:
        if len(labels) == 1:
            return "same_name"
        return "place_vs_org" if labels & _PLACE_LABELS and labels & {"ORG"} else "label"
    words_first, words_second = key_first.split(), key_second.split()
    shorter, longer = sorted((words_first, words_second), key=len)
    if len(shorter) == 1 and len(longer) >= 2:
        if shorter[0] == longer[-1]:
            return "surname_only"
        if shorter[0] in longer:
            return "given_only"
        if acronym(tuple(longer)) == shorter[0]:
            return "acronym"
    if (
        len(words_first) == len(words_second)
        and words_first[-1] == words_second[-1]
        and any(len(word) == 1 for word in words_first + words_second)
    ):
        return "initial"
    if set(shorter) < set(longer):
        return "subset"
    if fuzz.ratio(key_first, key_second) >= 80:
        return "spelling"
    return "other"


def wrong_cause(first: dict, second: dict) -> str:
    """Why two mentions of two gold entities got one entity:

    * ``description``: one side is a person description resolved to a name of its document;
    * ``same_name``: both fold to one name (the gold tells apart two things of one name, such
      as the places of two events, or resolution merged namesakes);
    * ``short_form``: one side is a word of the other's name (a surname, an acronym's expansion);
    * ``demonym``: one side is a demonym or group (NORP) of the other's country;
    * ``other``."""
    if first.get("antecedent_mention_id") or second.get("antecedent_mention_id"):
        return "description"
    key_first, key_second = (
        translit_key(exact_key(first["text"])),
        translit_key(exact_key(second["text"])),
    )
    if key_first == key_second:
        return "same_name"
    shorter, longer = sorted((key_first.split(), key_second.split()), key=len)
    if set(shorter) < set(longer) or (len(shorter) == 1 and acronym(tuple(longer)) == shorter[0]):
        return "short_form"
    if "NORP" in {first["label"], second["label"]}:
        return "demonym"
    return "other"


def _cross_document_pairs(
    clusters: dict[str, list[tuple[str, dict, str]]],
) -> Iterator[tuple[tuple[dict, str], tuple[dict, str], str]]:
    """Every pair of (row, other cluster) members of one cluster that lie in two documents, with
    the first member's document."""
    for members in clusters.values():
        for index, (doc, row, other) in enumerate(members):
            for other_doc, other_row, other_other in members[index + 1 :]:
                if doc != other_doc:
                    yield (row, other), (other_row, other_other), doc


def matched_rows(
    gold: dict[str, list[tuple[int, int, str]]],
    predicted: dict[str, list[tuple[int, int, str]]],
    row_at: dict[tuple[str, int, int], dict],
) -> list[MatchedRow]:
    """Every matched gold mention as (doc key, gold instance, entity id, predicted row)."""
    matched = match_all(gold, predicted)
    predicted_span: dict[str, list[tuple[int, int]]] = {}
    for doc, spans in predicted.items():
        for start, end, _ in spans:
            predicted_span.setdefault(doc, []).append((start, end))
    # the predicted row each matched gold mention got (match_all keeps the gold span only)
    row_of: dict[tuple[str, tuple[int, int]], dict] = {}
    for doc, spans in gold.items():
        pairs = match_mentions(
            [(start, end, (start, end)) for start, end, _ in spans], predicted_span.get(doc, [])
        )
        for gold_span, span in pairs:
            row_of[(doc, gold_span)] = row_at[(doc, *span)]
    return [(doc, instance, entity, row_of[(doc, span)]) for doc, span, instance, entity in matched]


def _pairs_split_by(matched: list[MatchedRow], by_gold: bool) -> Iterator[tuple[dict, dict, str]]:
    """(row, other row, doc key of row) of the cross-document pairs of one gold instance given
    two entities (``by_gold``), or of one entity holding two gold instances."""
    clusters: dict[str, list[tuple[str, dict, str]]] = defaultdict(list)
    for doc, instance, entity, row in matched:
        if by_gold:
            clusters[instance].append((doc, row, entity))
        else:
            clusters[entity].append((doc, row, instance))
    for (row, other), (other_row, other_other), doc in _cross_document_pairs(clusters):
        if other != other_other:
            yield row, other_row, doc


def missed_pairs(matched: list[MatchedRow]) -> Iterator[tuple[dict, dict, str]]:
    """(row, other row, doc key of row) of every gold cross-document pair given two entities."""
    return _pairs_split_by(matched, by_gold=True)


def wrong_pairs(matched: list[MatchedRow]) -> Iterator[tuple[dict, dict, str]]:
    """(row, other row, doc key of row) of every predicted cross-document pair of two gold
    instances."""
    return _pairs_split_by(matched, by_gold=False)


def diagnose(db_path: Path, gold_path: Path, examples: int) -> str:
    mentions, documents, rows = load_rows(db_path)
    predicted, row_at = predicted_entities(mentions, documents, rows)
    gold = gold_mentions(read_gold(gold_path), "entities")
    matched = matched_rows(gold, predicted, row_at)
    by_instance: dict[str, list[tuple[str, dict, str]]] = defaultdict(list)
    by_entity: dict[str, list[tuple[str, dict, str]]] = defaultdict(list)
    for doc, instance, entity, row in matched:
        by_instance[instance].append((doc, row, entity))
        by_entity[entity].append((doc, row, instance))
    causes: Counter = Counter()
    samples: dict[str, Counter] = defaultdict(Counter)
    gold_pairs = correct = 0
    for (row, entity), (other_row, other_entity), _ in _cross_document_pairs(by_instance):
        gold_pairs += 1
        if entity == other_entity:
            correct += 1
            continue
        reason = cause(row, other_row)
        causes[reason] += 1
        samples[reason][tuple(sorted(f"{r['text']}/{r['label']}" for r in (row, other_row)))] += 1
    wrong: Counter = Counter()
    predicted_pairs = 0
    for (row, instance), (other_row, other_instance), _ in _cross_document_pairs(by_entity):
        predicted_pairs += 1
        if instance != other_instance:
            wrong[tuple(sorted((row["text"], other_row["text"])))] += 1
    precision = correct / predicted_pairs if predicted_pairs else 0.0
    recall = correct / gold_pairs if gold_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    lines = [
        f"across documents: P {precision:.3f} R {recall:.3f} F1 {f1:.3f} "
        f"(gold {gold_pairs}, predicted {predicted_pairs}, correct {correct})",
        "missed gold pairs by cause:",
    ]
    for reason, count in causes.most_common():
        lines.append(f"  {reason:<13} {count:>6}  {count / gold_pairs:.3f} of gold pairs")
        for pair, n in samples[reason].most_common(examples):
            lines.append(f"      {n:>5}  {pair[0]}  |  {pair[1]}")
    lines.append(f"wrongly merged pairs: {sum(wrong.values())}")
    for pair, n in wrong.most_common(examples * 2):
        lines.append(f"      {n:>5}  {pair[0]}  |  {pair[1]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--gold", type=Path, default=_DEFAULT_GOLD)
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args(argv)
    print(diagnose(args.db, args.gold, args.examples))


if __name__ == "__main__":
    main()
