"""Cross-document coreference evaluation on ECB+: do event clusters and entities group reports?

``newsetl eval coref --gold ../shared/data/ecb_dev/gold.jsonl`` runs the real pipeline
(``flows.pipeline.run_pipeline``) over the gold documents as they are, with their ``.meta.json``,
into a temporary warehouse (or re-scores an existing one, ``--db``), then compares the warehouse
with the gold mentions:

* **events**: gold action mentions (``kind == "event"``) in the ECB+ coreference sentences, each
  matched one-to-one to the predicted event whose raw trigger span overlaps it most; the predicted
  cluster is the event's ``cluster_id``.
* **entities**: gold person, organization, GPE and place mentions (tags ``HUMAN_PART*``,
  ``NON_HUMAN_PART*``, ``LOC_*``) containing a capitalized word, in the coreference sentences,
  matched to entity mentions the same way; the predicted cluster is the mention's ``entity_id``.

For both it prints pairwise precision/recall/F1 over pairs of matched mentions inside one
document and across documents (gold clusters are ECB+ instances, which stay inside a topic;
predicted clusters are taken over the whole split, so a cluster joining two topics costs
precision), CoNLL F1 (mean of MUC, B-cubed and CEAF-e) on the matched mentions, and how many gold
cross-document instances spanning >= 2 documents were matched in >= 2 documents. Documents are
tied to the warehouse by ``documents.source_uri`` (``file://.../docs/<topic>/<doc>.txt``).

Rows labelled ``warehouse`` score the warehouse's own clusters (with the committed model they
are the fitted figures); ``--cv`` adds rows labelled ``held_out``, the leave-one-topic-out figures
of the learned event-coreference model (``etl.evaluate.fit_coref``): each topic's events are
clustered with a model fitted on the other topics.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from etl.evaluate.conll import conll_scores
from etl.evaluate.entities import SCOPES, Matched, match_mentions, pairwise_scores, read_gold
from etl.settings import Settings
from etl.storage.warehouse.engine import fetch_arrow, make_engine

ENTITY_TAG_PREFIXES = ("HUMAN_PART", "NON_HUMAN_PART", "LOC_")
KINDS = ("events", "entities")
# Gold instances whose largest cluster share is listed one by one (a small check, not ECB+).
SHARES_LISTED = 10


@dataclass
class Prediction:
    """What the warehouse predicted, by gold document key ``<topic>/<doc>``."""

    # doc key -> [(raw start, raw end, cluster key)]: one entry per distinct span
    events: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    entities: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    # doc key -> [(raw start, raw end, event_id)], for re-clustering without re-parsing
    event_ids: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    doc_key_of: dict[str, str] = field(default_factory=dict)


def doc_key(source_uri: str) -> str:
    """``<topic>/<doc>`` of a ``file://.../<topic>/<doc>.txt`` source URI."""
    path = Path(unquote(urlparse(source_uri).path))
    return f"{path.parent.name}/{path.name.removesuffix('.txt')}"


def _spans_by_doc(rows: list[dict], key: str) -> dict[str, list[tuple[int, int, str]]]:
    """doc key -> distinct (start, end, value) with the smallest value kept per span."""
    best: dict[tuple[str, int, int], str] = {}
    for row in rows:
        if row["raw_start_char"] is None or row[key] is None:
            continue
        span = (row["doc_key"], row["raw_start_char"], row["raw_end_char"])
        if span not in best or row[key] < best[span]:
            best[span] = row[key]
    by_doc: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for (doc, start, end), value in sorted(best.items()):
        by_doc[doc].append((start, end, value))
    return dict(by_doc)


def load_prediction(db_path: Path) -> Prediction:
    """Predicted event and entity mention spans of a warehouse, keyed by gold document."""
    engine = make_engine(db_path, read_only=True)
    try:
        with engine.connect() as conn:
            events = fetch_arrow(conn, "evaluate/coref_events.sql").to_pylist()
            entities = fetch_arrow(conn, "evaluate/coref_entity_mentions.sql").to_pylist()
            documents = fetch_arrow(conn, "evaluate/coref_documents.sql").to_pylist()
    finally:
        engine.dispose()
    key_of = {row["doc_id"]: doc_key(row["source_uri"]) for row in documents}
    for row in events + entities:
        row["doc_key"] = key_of[row["doc_id"]]
    return Prediction(
        events=_spans_by_doc(events, "cluster_id"),
        entities=_spans_by_doc(entities, "entity_id"),
        event_ids=_spans_by_doc(events, "event_id"),
        doc_key_of=key_of,
    )


def is_entity_gold(mention: dict) -> bool:
    """A named participant or place: the tags of persons, organizations, GPEs and places whose
    text holds a capitalized word."""
    return mention["tag"].startswith(ENTITY_TAG_PREFIXES) and any(
        word[:1].isupper() for word in mention["text"].split()
    )


def gold_mentions(gold_docs: list[dict], kind: str) -> dict[str, list[tuple[int, int, str]]]:
    """doc key -> [(start, end, instance)] of the gold mentions scored for ``kind``."""
    wanted = (lambda m: m["kind"] == "event") if kind == "events" else is_entity_gold
    return {
        doc["doc"]: sorted(
            (m["start"], m["end"], m["instance"])
            for m in doc["mentions"]
            if m["in_coref_sentence"] and wanted(m)
        )
        for doc in gold_docs
    }


def match_all(
    gold: dict[str, list[tuple[int, int, str]]], predicted: dict[str, list[tuple[int, int, str]]]
) -> list[tuple[str, tuple[int, int], str, str]]:
    """(doc key, gold span, gold instance, predicted cluster) of every matched gold mention."""
    matched = []
    for doc, gold_spans in sorted(gold.items()):
        predicted_spans = predicted.get(doc, [])
        cluster_of = {(start, end): value for start, end, value in predicted_spans}
        pairs = match_mentions(
            [(start, end, (start, end, instance)) for start, end, instance in gold_spans],
            [(start, end) for start, end, _ in predicted_spans],
        )
        for (start, end, instance), span in pairs:
            matched.append((doc, (start, end), instance, cluster_of[span]))
    return sorted(matched)


def score_matches(
    gold: dict[str, list[tuple[int, int, str]]],
    matched: list[tuple[str, tuple[int, int], str, str]],
) -> dict:
    """Pairwise, CoNLL and 'found in >= 2 documents' figures of one kind of mention."""
    pairs: list[Matched] = [(doc, instance, cluster) for doc, _, instance, cluster in matched]
    key = {(doc, span): instance for doc, span, instance, _ in matched}
    response = {(doc, span): cluster for doc, span, _, cluster in matched}
    gold_docs_of: dict[str, set[str]] = defaultdict(set)
    for doc, spans in gold.items():
        for _, _, instance in spans:
            gold_docs_of[instance].add(doc)
    matched_docs_of: dict[str, set[str]] = defaultdict(set)
    for doc, _, instance, _ in matched:
        matched_docs_of[instance].add(doc)
    multi_doc = {instance for instance, docs in gold_docs_of.items() if len(docs) >= 2}
    return {
        "largest_cluster_share": largest_cluster_share(matched, gold_docs_of, multi_doc),
        "n_gold": sum(len(spans) for spans in gold.values()),
        "n_matched": len(matched),
        "pairwise": pairwise_scores(pairs),
        "conll": conll_scores(key, response),
        "gold_multi_doc_instances": len(multi_doc),
        "found_in_two_docs": sum(len(matched_docs_of[i]) >= 2 for i in multi_doc),
    }


def largest_cluster_share(
    matched: list[tuple[str, tuple[int, int], str, str]],
    gold_docs_of: dict[str, set[str]],
    instances: set[str],
) -> dict[str, float]:
    """instance -> the share of the documents reporting it that one predicted cluster holds (the
    cluster holding most of them): "ten reports of one meeting, one cluster" is a share of 1.0."""
    docs_of_cluster: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc, _, instance, cluster in matched:
        docs_of_cluster[instance, cluster].add(doc)
    largest: dict[str, int] = defaultdict(int)
    for (instance, _), docs in docs_of_cluster.items():
        largest[instance] = max(largest[instance], len(docs))
    return {
        instance: round(largest[instance] / len(gold_docs_of[instance]), 4)
        for instance in sorted(instances)
    }


def score_prediction(gold_docs: list[dict], prediction: Prediction) -> dict[str, dict]:
    """Scores for events and entities of one prediction."""
    results = {}
    for kind in KINDS:
        gold = gold_mentions(gold_docs, kind)
        predicted = prediction.events if kind == "events" else prediction.entities
        results[kind] = score_matches(gold, match_all(gold, predicted))
    return results


def build_warehouse(docs_dir: Path, work_dir: Path, settings: Settings) -> Path:
    """Run the pipeline over ``docs_dir`` into a warehouse under ``work_dir``; its path."""
    from flows.pipeline import run_pipeline

    db_path = work_dir / "warehouse.duckdb"
    run_pipeline(settings.updated(source_dir=docs_dir, db_path=db_path, lake_dir=work_dir / "lake"))
    return db_path


def evaluate_coref(
    gold_path: Path,
    db_path: Path | None = None,
    settings: Settings | None = None,
    cross_validate: bool = False,
) -> dict:
    """Scores of the warehouse ``db_path`` (built from the gold documents when None)."""
    gold_docs = read_gold(Path(gold_path))
    settings = settings or Settings()
    with tempfile.TemporaryDirectory(prefix="newsetl-coref-") as work_dir:
        if db_path is None:
            db_path = build_warehouse(Path(gold_path).parent / "docs", Path(work_dir), settings)
        prediction = load_prediction(db_path)
        metrics = {
            "gold": str(gold_path),
            "db": str(db_path),
            "n_documents": len(gold_docs),
            "n_loaded": len(set(prediction.doc_key_of.values()) & {d["doc"] for d in gold_docs}),
            "warehouse": score_prediction(gold_docs, prediction),
        }
        if cross_validate:
            from etl.evaluate.fit_coref import leave_one_topic_out

            metrics["held_out"] = leave_one_topic_out(gold_docs, db_path, prediction)
    return metrics


def _kind_lines(name: str, label: str, result: dict) -> list[str]:
    lines = []
    for scope in ("within", "across"):
        score = result["pairwise"][scope]
        lines.append(
            f"{name:<9} {label:<9} {scope:<7} {score['precision']:>9.3f} {score['recall']:>7.3f} "
            f"{score['f1']:>6.3f} {score['gold_pairs']:>7} {score['predicted_pairs']:>7} "
            f"{score['correct_pairs']:>7}"
        )
    conll = result["conll"]
    lines.append(
        f"{name:<9} {label:<9} CoNLL F1 {conll['conll']['f1']:.3f} (MUC {conll['muc']['f1']:.3f}, "
        f"B3 {conll['b3']['f1']:.3f}, CEAF-e {conll['ceaf_e']['f1']:.3f}); matched "
        f"{result['n_matched']}/{result['n_gold']} gold mentions; "
        f"{result['found_in_two_docs']}/{result['gold_multi_doc_instances']} gold multi-document "
        "instances found in >= 2 documents"
    )
    shares = result.get("largest_cluster_share") or {}
    if shares:
        lines.append(
            f"{name:<9} {label:<9} largest cluster share of a gold multi-document instance's "
            f"documents: mean {sum(shares.values()) / len(shares):.3f}"
            + (
                " ("
                + ", ".join(f"{instance} {share:.2f}" for instance, share in shares.items())
                + ")"
                if len(shares) <= SHARES_LISTED
                else ""
            )
        )
    return lines


def format_coref_report(metrics: dict) -> str:
    """A plain-text table of the scores returned by ``evaluate_coref``."""
    lines = [
        f"coreference on {metrics['n_loaded']}/{metrics['n_documents']} documents "
        f"({metrics['gold']}; warehouse {metrics['db']})",
        f"{'mentions':<9} {'clusters':<9} {'pairs':<7} {'precision':>9} {'recall':>7} {'f1':>6} "
        f"{'gold':>7} {'pred':>7} {'correct':>7}",
    ]
    for label in ("warehouse", "held_out"):
        if label not in metrics:
            continue
        for kind in KINDS:
            if kind in metrics[label]:
                lines.extend(_kind_lines(kind, label, metrics[label][kind]))
    return "\n".join(lines)


def metrics_json(metrics: dict) -> str:
    """The metrics as one JSON document (for scripts comparing runs)."""
    return json.dumps(metrics, indent=2, sort_keys=True)


__all__ = ["SCOPES", "evaluate_coref", "format_coref_report", "metrics_json", "score_prediction"]
