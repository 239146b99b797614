"""Entity-resolution evaluation on GUM news: pairwise precision/recall of mentions per entity.

The pipeline (normalize when available -> spaCy -> sentences -> mentions -> ``resolve_entities``)
runs over all gold documents together, once on the cased text and once on the degraded
(lowercased, tokenized) text. Each gold proper-name mention that has a Wikidata id is matched
one-to-one to the predicted mention whose span overlaps its name span most (greedy by overlap
ratio; degraded text is compared in raw offsets). Over every pair of matched mentions, a pair is
*predicted* together when both got the same ``entity_id`` and *gold* together when both have the
same Wikidata id: precision = both / predicted, recall = both / gold, reported for pairs inside one
document, pairs across documents, and all pairs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pyarrow as pa
from spacy.language import Language

from etl import schema
from etl.evaluate.parse_cache import parse_cached
from etl.records import RawSpan, identity_span
from etl.stages.document import extract_document
from etl.stages.resolve.entities import resolve_entities

SCOPES = ("within", "across", "all")

# A gold/predicted pair: (doc_id, wikidata id, entity_id).
Matched = tuple[str, str, str]


def read_gold(gold_path: Path) -> list[dict]:
    """The gold documents of a ``gold.jsonl`` file."""
    lines = gold_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _normalizer() -> Callable[[str], tuple[str, RawSpan]] | None:
    """``text -> (normalized text, normalized->raw span map)`` when the normalize stage exists."""
    try:
        from etl.stages.normalize import normalize
    except ImportError:
        return None

    def run(text: str) -> tuple[str, RawSpan]:
        result = normalize(text)
        return result.text, result.raw_span

    return run


def predict(
    texts: dict[str, str],
    nlp: Language,
    normalizer: Callable | None,
    parse_cache: Path | None = None,
) -> tuple[dict[str, list[tuple[int, int]]], dict[tuple[str, int, int], str]]:
    """Run the pipeline over ``doc_id -> raw text``: raw mention spans and their entity ids."""
    mention_rows: list[dict] = []
    document_rows: list[dict] = []
    doc_ids = sorted(texts)
    normalized = [
        normalizer(texts[doc_id]) if normalizer else (texts[doc_id], identity_span)
        for doc_id in doc_ids
    ]
    parsed = parse_cached(nlp, [text for text, _ in normalized], parse_cache)
    for doc_id, (text, to_raw), doc in zip(doc_ids, normalized, parsed, strict=True):
        mention_rows.extend(extract_document(doc, doc_id, to_raw=to_raw).mentions)
        document_rows.append({"doc_id": doc_id, "text": text, "publisher": None})
    mentions = pa.Table.from_pylist(mention_rows, schema=schema.MENTIONS)
    resolution = resolve_entities(mentions, pa.Table.from_pylist(document_rows))
    entity_of = dict(
        zip(
            resolution.mention_entities.column("mention_id").to_pylist(),
            resolution.mention_entities.column("entity_id").to_pylist(),
            strict=True,
        )
    )
    spans: dict[str, list[tuple[int, int]]] = {}
    entities: dict[tuple[str, int, int], str] = {}
    for row in mention_rows:
        if row["mention_id"] not in entity_of:
            continue
        span = (row["raw_start_char"], row["raw_end_char"])
        spans.setdefault(row["doc_id"], []).append(span)
        entities[(row["doc_id"], *span)] = entity_of[row["mention_id"]]
    return spans, entities


def _overlap_ratio(first: tuple[int, int], second: tuple[int, int]) -> float:
    overlap = min(first[1], second[1]) - max(first[0], second[0])
    if overlap <= 0:
        return 0.0
    return overlap / (max(first[1], second[1]) - min(first[0], second[0]))


def match_mentions(
    gold: list[tuple[int, int, str]], predicted: list[tuple[int, int]]
) -> list[tuple[str, tuple[int, int]]]:
    """One-to-one greedy matching of gold (start, end, wikidata) to predicted spans by overlap."""
    candidates = []
    for gold_index, (start, end, _) in enumerate(gold):
        for pred_index, span in enumerate(predicted):
            ratio = _overlap_ratio((start, end), span)
            if ratio > 0:
                candidates.append((-ratio, gold_index, pred_index))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matched = []
    for _, gold_index, pred_index in candidates:
        if gold_index in used_gold or pred_index in used_pred:
            continue
        used_gold.add(gold_index)
        used_pred.add(pred_index)
        matched.append((gold[gold_index][2], predicted[pred_index]))
    return matched


def _pairs(keys: Iterable[tuple]) -> int:
    return sum(count * (count - 1) // 2 for count in Counter(keys).values())


def pairwise_scores(matched: list[Matched]) -> dict[str, dict[str, float]]:
    """Pairwise precision/recall/F1 within documents, across documents and over all pairs."""
    counts = {
        "gold": {
            "all": _pairs((wd,) for _, wd, _ in matched),
            "within": _pairs((doc, wd) for doc, wd, _ in matched),
        },
        "predicted": {
            "all": _pairs((ent,) for _, _, ent in matched),
            "within": _pairs((doc, ent) for doc, _, ent in matched),
        },
        "both": {
            "all": _pairs((wd, ent) for _, wd, ent in matched),
            "within": _pairs((doc, wd, ent) for doc, wd, ent in matched),
        },
    }
    for table in counts.values():
        table["across"] = table["all"] - table["within"]
    scores = {}
    for scope in SCOPES:
        gold, predicted, both = (counts[kind][scope] for kind in ("gold", "predicted", "both"))
        precision = both / predicted if predicted else 1.0
        recall = both / gold if gold else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[scope] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "gold_pairs": gold,
            "predicted_pairs": predicted,
            "correct_pairs": both,
        }
    return scores


def _evaluate_variant(
    gold_docs: list[dict],
    nlp: Language,
    text_field: str,
    prefix: str,
    normalizer,
    parse_cache: Path | None = None,
) -> dict:
    texts = {doc["doc_id"]: doc[text_field] for doc in gold_docs}
    spans, entities = predict(texts, nlp, normalizer, parse_cache)
    gold_by_doc = {
        doc["doc_id"]: sorted(
            {
                (ent[f"{prefix}name_start"], ent[f"{prefix}name_end"], ent["wikidata"])
                for ent in doc["entities"]
                if ent.get("wikidata") and ent.get(f"{prefix}name_start") is not None
            }
        )
        for doc in gold_docs
    }
    return _score(gold_by_doc, spans, entities)


def _score(
    gold_by_doc: dict[str, list[tuple[int, int, str]]],
    spans: dict[str, list[tuple[int, int]]],
    entities: dict[tuple[str, int, int], str],
) -> dict:
    matched: list[Matched] = []
    for doc_id, gold in gold_by_doc.items():
        for key, span in match_mentions(gold, spans.get(doc_id, [])):
            matched.append((doc_id, key, entities[(doc_id, *span)]))
    n_gold = sum(len(gold) for gold in gold_by_doc.values())
    return {"n_gold": n_gold, "n_matched": len(matched), "scores": pairwise_scores(matched)}


# ECB+ tags of the participants and places that can be named (issue 16's entity gold).
ECB_NAME_TAGS = frozenset(
    {"HUMAN_PART_PER", "HUMAN_PART_ORG", "HUMAN_PART_GPE", "LOC_GEO", "LOC_FAC", "LOC_OTHER"}
)
_ARTICLES = frozenset({"the", "a", "an"})


def _has_capitalized_word(text: str) -> bool:
    words = text.split()
    if words and words[0].lower() in _ARTICLES:
        words = words[1:]
    return any(word[:1].isupper() for word in words)


def ecb_gold_mentions(doc: dict) -> list[tuple[int, int, str]]:
    """(start, end, instance) of a document's ECB+ gold entity mentions: person, organization,
    GPE and place mentions of the coreference sentences that contain a capitalized word."""
    return sorted(
        {
            (mention["start"], mention["end"], mention["instance"])
            for mention in doc["mentions"]
            if mention["in_coref_sentence"]
            and mention["tag"] in ECB_NAME_TAGS
            and _has_capitalized_word(mention["text"])
        }
    )


def is_ecb_gold(gold_docs: list[dict]) -> bool:
    """ECB+ documents carry ``mentions`` with coreference instances; GUM documents ``entities``."""
    return bool(gold_docs) and "mentions" in gold_docs[0] and "entities" not in gold_docs[0]


def evaluate_ecb_entities(gold_docs: list[dict], nlp: Language, parse_cache: Path | None) -> dict:
    """Pairwise entity-grouping scores on the ECB+ texts as they are (cased news)."""
    normalizer = _normalizer()
    texts = {doc["doc"]: doc["text"] for doc in gold_docs}
    spans, entities = predict(texts, nlp, normalizer, parse_cache)
    gold_by_doc = {doc["doc"]: ecb_gold_mentions(doc) for doc in gold_docs}
    return {"cased": _score(gold_by_doc, spans, entities)}


def evaluate_entities(gold_path: Path, nlp: Language, parse_cache: Path | None = None) -> dict:
    """Pairwise entity-grouping scores: GUM cased and degraded texts, or ECB+ news."""
    gold_docs = read_gold(Path(gold_path))
    if is_ecb_gold(gold_docs):
        variants = evaluate_ecb_entities(gold_docs, nlp, parse_cache)
        return {"gold": str(gold_path), "n_documents": len(gold_docs), "variants": variants}
    normalizer = _normalizer()
    variants = {"cased": _evaluate_variant(gold_docs, nlp, "text", "", None, parse_cache)}
    variants["degraded"] = _evaluate_variant(
        gold_docs, nlp, "lower_text", "lower_", normalizer, parse_cache
    )
    variants["degraded"]["normalized"] = normalizer is not None
    return {"gold": str(gold_path), "n_documents": len(gold_docs), "variants": variants}


def format_entities_report(metrics: dict) -> str:
    """A plain-text table of the scores returned by ``evaluate_entities``."""
    lines = [
        f"entity resolution on {metrics['n_documents']} documents ({metrics['gold']})",
        f"{'text':<9} {'pairs':<7} {'precision':>9} {'recall':>7} {'f1':>6} "
        f"{'gold':>6} {'pred':>6} {'correct':>7}",
    ]
    for variant, result in metrics["variants"].items():
        for scope in SCOPES:
            score = result["scores"][scope]
            lines.append(
                f"{variant:<9} {scope:<7} {score['precision']:>9.3f} {score['recall']:>7.3f} "
                f"{score['f1']:>6.3f} {score['gold_pairs']:>6} {score['predicted_pairs']:>6} "
                f"{score['correct_pairs']:>7}"
            )
        note = "" if result.get("normalized", True) else " (degraded text not normalized)"
        lines.append(
            f"{variant:<9} matched {result['n_matched']}/{result['n_gold']} gold mentions{note}"
        )
    return "\n".join(lines)
