"""Entity-resolution evaluation: pairwise precision/recall of mentions per entity.

Gold sets: GUM (``gum_news_dev``, ``gum_more_dev``: proper-name mentions with Wikidata ids, cased
and degraded text) and ECB+ (``ecb_dev``: named person, organization, GPE and place mentions of
the coreference sentences, keyed by their coreference instance; cased news as it is).

The pipeline (normalize when available -> spaCy -> sentences -> mentions -> ``resolve_entities``)
runs over all gold documents together, once on the cased text and, for GUM, once on the degraded
(lowercased, tokenized) text. Each gold mention that has an entity key is matched
one-to-one to the predicted mention whose span overlaps its name span most (greedy by overlap
ratio; degraded text is compared in raw offsets). Over every pair of matched mentions, a pair is
*predicted* together when both got the same ``entity_id`` and *gold* together when both have the
same Wikidata id: precision = both / predicted, recall = both / gold, reported for pairs inside one
document, pairs across documents, and all pairs.

``cv`` adds the cross-validated figures of what resolution learns from data (the name-matching
thresholds, see ``cross_validate``): fitted and held out (leave one ECB+ topic or GUM document
out), side by side.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyarrow as pa
from spacy.language import Language

from etl import schema
from etl.evaluate.parse_cache import parse_cached
from etl.records import RawSpan, identity_span
from etl.stages.document import extract_document
from etl.stages.resolve.demonyms import is_demonym
from etl.stages.resolve.entities import NameMatching, name_key, resolve_entities
from etl.stages.resolve.names import acronym, strip_possessive

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


Rows = tuple[list[dict], list[dict]]  # (mention rows, document rows) of extracted documents
Predicted = tuple[dict[str, list[tuple[int, int]]], dict[tuple[str, int, int], str]]


def extract_rows(
    texts: dict[str, str],
    nlp: Language,
    normalizer: Callable | None,
    parse_cache: Path | None,
    description_share: float | None = None,
) -> Rows:
    """Normalize, parse and extract ``doc_id -> raw text``: mention rows and document rows
    (``description_share``: see ``extract_document``)."""
    mention_rows: list[dict] = []
    document_rows: list[dict] = []
    doc_ids = sorted(texts)
    normalized = [
        normalizer(texts[doc_id]) if normalizer else (texts[doc_id], identity_span)
        for doc_id in doc_ids
    ]
    parsed = parse_cached(nlp, [text for text, _ in normalized], parse_cache)
    for doc_id, (text, to_raw), doc in zip(doc_ids, normalized, parsed, strict=True):
        mention_rows.extend(
            extract_document(
                doc, doc_id, to_raw=to_raw, description_share=description_share
            ).mentions
        )
        document_rows.append({"doc_id": doc_id, "text": text, "publisher": None})
    return mention_rows, document_rows


def resolve_rows(rows: Rows, matching: NameMatching | None = None) -> Predicted:
    """Resolve extracted rows: raw mention spans per document and their entity ids."""
    mention_rows, document_rows = rows
    mentions = pa.Table.from_pylist(mention_rows, schema=schema.MENTIONS)
    resolution = resolve_entities(mentions, pa.Table.from_pylist(document_rows), matching)
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


def predict(
    texts: dict[str, str],
    nlp: Language,
    normalizer: Callable | None,
    parse_cache: Path | None = None,
) -> Predicted:
    """Run the pipeline over ``doc_id -> raw text``: raw mention spans and their entity ids."""
    return resolve_rows(extract_rows(texts, nlp, normalizer, parse_cache))


def _overlap_ratio(first: tuple[int, int], second: tuple[int, int]) -> float:
    overlap = min(first[1], second[1]) - max(first[0], second[0])
    if overlap <= 0:
        return 0.0
    return overlap / (max(first[1], second[1]) - min(first[0], second[0]))


def match_mentions(
    gold: list[tuple[int, int, str]], predicted: list[tuple[int, int]]
) -> list[tuple[str, tuple[int, int]]]:
    """One-to-one greedy matching of gold (start, end, wikidata) to predicted spans by overlap."""
    return [(mention[2], span) for mention, span in _match_by_gold(gold, predicted)]


def _match_by_gold(
    gold: list[tuple[int, int, str]], predicted: list[tuple[int, int]]
) -> list[tuple[tuple[int, int, str], tuple[int, int]]]:
    """(gold mention, predicted span) of ``match_mentions``' one-to-one matching."""
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
        matched.append((gold[gold_index], predicted[pred_index]))
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


@dataclass(frozen=True)
class Variant:
    """One text form of a gold set: documents' texts, gold mentions and cross-validation groups."""

    texts: dict[str, str]
    gold: dict[str, list[tuple[int, int, str]]]  # doc -> (start, end, gold entity key)
    group_of: dict[str, str]  # doc -> held-out group (ECB+ topic, GUM document)
    normalizer: Callable | None


def _gum_variant(gold_docs: list[dict], text_field: str, prefix: str, normalizer) -> Variant:
    return Variant(
        texts={doc["doc_id"]: doc[text_field] for doc in gold_docs},
        gold={
            doc["doc_id"]: sorted(
                {
                    (ent[f"{prefix}name_start"], ent[f"{prefix}name_end"], ent["wikidata"])
                    for ent in doc["entities"]
                    if ent.get("wikidata") and ent.get(f"{prefix}name_start") is not None
                }
            )
            for doc in gold_docs
        },
        group_of={doc["doc_id"]: doc["doc_id"] for doc in gold_docs},
        normalizer=normalizer,
    )


def _matched_spans(variant: Variant, spans: dict) -> list[tuple[str, str, tuple[int, int]]]:
    """(doc, gold key, predicted span) of every gold mention matched by a predicted one."""
    return [
        (doc_id, key, span)
        for doc_id, gold in variant.gold.items()
        for key, span in match_mentions(gold, spans.get(doc_id, []))
    ]


def _score(variant: Variant, predicted: Predicted) -> dict:
    spans, entities = predicted
    matched = [
        (doc_id, key, entities[(doc_id, *span)])
        for doc_id, key, span in _matched_spans(variant, spans)
    ]
    n_gold = sum(len(gold) for gold in variant.gold.values())
    return {"n_gold": n_gold, "n_matched": len(matched), "scores": pairwise_scores(matched)}


# Name-matching thresholds tried by cross-validation (rapidfuzz ratios: per word, whole name).
MATCHING_GRID = tuple(
    NameMatching(word, name, NameMatching.learned().surname_dominance)
    for word in (70, 75, 80, 85, 90, 95)
    for name in (80, 84, 88, 92, 96)
)


def _f1(counts: Counter) -> tuple[float, float, float]:
    precision = counts["both"] / counts["predicted"] if counts["predicted"] else 1.0
    recall = counts["both"] / counts["gold"] if counts["gold"] else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _pair_counts_by_group(variant: Variant, matched: list[Matched]) -> dict[str, Counter]:
    """Gold, predicted and correct pairs among the matched mentions of each group."""
    by_group: dict[str, list[Matched]] = {}
    for item in matched:
        by_group.setdefault(variant.group_of[item[0]], []).append(item)
    return {
        group: Counter(
            gold=_pairs((wd,) for _, wd, _ in items),
            predicted=_pairs((ent,) for _, _, ent in items),
            both=_pairs((wd, ent) for _, wd, ent in items),
        )
        for group, items in by_group.items()
    }


def leave_one_group_out(
    counts: dict, best: Callable[[str | None], object], groups: list[str]
) -> tuple[Counter, Counter]:
    """(pair counts, choices) of each group scored with the setting ``best`` picks without it:
    ``counts`` maps each setting to its per-group pair counts."""
    held_out: Counter = Counter()
    choices: Counter = Counter()
    for group in groups:
        chosen = best(group)
        choices[chosen] += 1
        held_out += counts[chosen].get(group, Counter())
    return held_out, choices


def cross_validate(variant: Variant, rows: Rows) -> dict:
    """Fitted and held-out pairwise F1 of the name-matching thresholds.

    Every setting of ``MATCHING_GRID`` resolves the extracted rows once; pairs are counted within
    each group (an ECB+ topic, a GUM document). *Fitted*: the setting with the best F1 over all
    groups, and that F1. *Held out*: each group scored with the setting that is best on the
    other groups (leave one group out), counts summed over the groups.
    """
    matched_spans = _matched_spans(variant, resolve_rows(rows)[0])
    counts: dict[NameMatching, dict[str, Counter]] = {}
    for matching in MATCHING_GRID:
        entities = resolve_rows(rows, matching)[1]
        matched = [(doc, key, entities[(doc, *span)]) for doc, key, span in matched_spans]
        counts[matching] = _pair_counts_by_group(variant, matched)
    groups = sorted({group for by_group in counts.values() for group in by_group})

    def best(excluded: str | None) -> NameMatching:
        def total(matching: NameMatching) -> float:
            summed = sum((c for g, c in counts[matching].items() if g != excluded), start=Counter())
            return _f1(summed)[2]

        # Ties go to the setting nearest the stored one (data that cannot tell settings apart
        # leaves them as they are), then to the stricter: the choice is deterministic.
        stored = NameMatching.learned()

        def distance(m: NameMatching) -> float:
            return abs(m.word_similarity - stored.word_similarity) + abs(
                m.name_similarity - stored.name_similarity
            )

        return max(
            MATCHING_GRID,
            key=lambda m: (round(total(m), 9), -distance(m), m.word_similarity, m.name_similarity),
        )

    fitted = best(None)
    fitted_counts = sum(counts[fitted].values(), start=Counter())
    held_out_counts, choices = leave_one_group_out(counts, best, groups)
    return {
        "fitted_matching": fitted,
        "fitted": _f1(fitted_counts),
        "held_out": _f1(held_out_counts),
        "n_groups": len(groups),
        "choices": choices,
    }


# ----------------------------------------------------------------------------- error analysis

# Why a gold pair was missed (``split_cause``), in the order the report lists them.
ERROR_CAUSES = (
    "span",
    "person part",
    "short form",
    "acronym",
    "demonym",
    "place/org",
    "label split",
    "spelling",
    "other",
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@dataclass(frozen=True)
class PredictedMention:
    """What the error analysis shows of one predicted mention matched to a gold mention."""

    text: str
    label: str
    entity_id: str
    # the predicted span covers other words than the gold name (``_span_differs``)
    span_differs: bool = False


def _span_differs(text: str, gold: tuple[int, int], predicted: tuple[int, int]) -> bool:
    """Whether a predicted span names other words than the gold name span: words left out or
    added, not a possessive, an article or punctuation at its edges (``Jack Alter Fort`` for
    ``Fort Lee``, ``united Germany`` for ``Germany``)."""
    gold_words, predicted_words = (
        _folded_words(text[start:end]) for start, end in (gold, predicted)
    )
    return gold_words != predicted_words


def _folded_words(text: str) -> list[str]:
    return [word for word in name_key(strip_possessive(text)).split() if word not in _ARTICLES]


def split_cause(first: PredictedMention, second: PredictedMention) -> str:
    """Why two mentions of one gold entity got different entity ids, in this order: ``span``
    (a predicted span holds other words than the gold name: detection, not grouping, went
    wrong), ``person part`` (one is a run of the other's words and one side is tagged PERSON:
    a surname or given name alone, a title and surname), ``short form`` (one's words are a run
    of the other's: an organisation's or place's short name), ``acronym``, ``demonym`` (one is
    a demonym), ``place/org`` (the same name tagged as a place on one side and ORG on the
    other), ``label split`` (the same name under other different labels), ``spelling`` (other
    forms of one name that share a word: a given name in another language), else ``other`` (no
    word in common: a nickname, a different name of the thing)."""
    if first.span_differs or second.span_differs:
        return "span"
    words = [_folded_words(mention.text) for mention in (first, second)]
    if any(is_demonym(mention.text) for mention in (first, second)):
        return "demonym"
    labels = {first.label, second.label}
    if words[0] == words[1]:
        if len(labels) == 1:
            return "other"
        return "place/org" if labels & _PLACE_LABELS and "ORG" in labels else "label split"
    shorter, longer = sorted(words, key=len)
    if shorter and f" {' '.join(shorter)} " in f" {' '.join(longer)} ":
        return "person part" if "PERSON" in labels else "short form"
    if len(shorter) == 1 and len(longer) > 1 and acronym(tuple(longer)) == shorter[0]:
        return "acronym"
    if set(shorter) & set(longer):
        return "spelling"
    return "other"


def missed_pairs(variant: Variant, rows: Rows, predicted: Predicted) -> dict:
    """The gold pairs resolution missed, by cause, and the gold mentions left unmatched.

    A gold mention no predicted mention overlaps is ``not extracted`` (it counts in no pair);
    one matched to a span that covers less than the whole gold name, or more, is noted as a
    ``partial span`` beside its pair's cause. Each missed pair (same gold key, different entity
    ids) counts once under the cause ``split_cause`` gives, within or across documents; the
    examples list the most frequent pairs of surface forms per cause. The wrongly merged pairs
    (two gold keys, one entity id) come beside them by cause (``wrong_merges``).
    """
    spans, entities = predicted
    rows_by_span = {
        (row["doc_id"], row["raw_start_char"], row["raw_end_char"]): row for row in rows[0]
    }
    by_key: dict[str, list[tuple[str, PredictedMention]]] = defaultdict(list)
    by_entity: dict[str, list[tuple[str, str, dict]]] = defaultdict(list)
    unmatched: Counter = Counter()
    partial = 0
    for doc_id, gold in variant.gold.items():
        matched = dict(
            ((start, end), span)
            for (start, end, _), span in _match_by_gold(gold, spans.get(doc_id, []))
        )
        for start, end, key in gold:
            span = matched.get((start, end))
            if span is None:
                unmatched[variant.texts[doc_id][start:end]] += 1
                continue
            partial += span != (start, end)
            row = rows_by_span[(doc_id, *span)]
            mention = PredictedMention(
                row["text"],
                row["spacy_label"] or "",
                entities[(doc_id, *span)],
                _span_differs(variant.texts[doc_id], (start, end), span),
            )
            by_key[key].append((doc_id, mention))
            by_entity[mention.entity_id].append((doc_id, key, row))
    causes: dict[str, Counter] = {scope: Counter() for scope in ("within", "across")}
    examples: dict[str, Counter] = defaultdict(Counter)
    for mentions in by_key.values():
        for index, (doc_a, first) in enumerate(mentions):
            for doc_b, second in mentions[index + 1 :]:
                if first.entity_id == second.entity_id:
                    continue
                cause = split_cause(first, second)
                causes["within" if doc_a == doc_b else "across"][cause] += 1
                pair = tuple(
                    sorted((f"{first.text} ({first.label})", f"{second.text} ({second.label})"))
                )
                examples[cause][pair] += 1
    merges, merge_examples = wrong_merges(by_entity)
    all_gold_pairs = _pairs(
        (doc_id, key) for doc_id, gold in variant.gold.items() for *_, key in gold
    )
    matched_gold_pairs = _pairs(
        (doc_id, key) for key, mentions in by_key.items() for doc_id, _ in mentions
    )
    return {
        # within-document gold pairs left out of the score since a side was not extracted
        "uncovered_pairs": all_gold_pairs - matched_gold_pairs,
        "causes": causes,
        "examples": examples,
        "merges": merges,
        "merge_examples": merge_examples,
        "unmatched": unmatched,
        "partial_spans": partial,
        "document_recall": document_recall(variant, predicted),
    }


def wrong_merges(
    by_entity: Mapping[str, list[tuple[str, str, dict]]],
) -> tuple[dict[str, Counter], dict[str, Counter]]:
    """The predicted pairs of two gold entities (what precision loses), by cause within and
    across documents (``entity_misses.wrong_cause``: a description, the same name, a short form,
    a demonym, other), and the most frequent pairs of surface forms per cause. ``by_entity``:
    entity id -> (doc, gold key, mention row) of its matched mentions."""
    # imported here: entity_misses reads this module's matching helpers
    from etl.evaluate.entity_misses import wrong_cause

    causes: dict[str, Counter] = {scope: Counter() for scope in ("within", "across")}
    examples: dict[str, Counter] = defaultdict(Counter)
    for members in by_entity.values():
        for index, (doc_a, key_a, first) in enumerate(members):
            for doc_b, key_b, second in members[index + 1 :]:
                if key_a == key_b:
                    continue
                cause = wrong_cause(first, second)
                causes["within" if doc_a == doc_b else "across"][cause] += 1
                pair = tuple(
                    sorted(f"{row['text']} ({row['spacy_label'] or ''})" for row in (first, second))
                )
                examples[cause][pair] += 1
    return causes, examples


def document_recall(variant: Variant, predicted: Predicted) -> dict[str, float]:
    """Within-document pairwise recall of each document that has gold pairs: how evenly the
    grouping holds (one document's split protagonist hides in the pooled figure)."""
    spans, entities = predicted
    recall = {}
    for doc_id, gold in variant.gold.items():
        matched = [
            (doc_id, key, entities[(doc_id, *span)])
            for key, span in match_mentions(gold, spans.get(doc_id, []))
        ]
        score = pairwise_scores(matched)["within"]
        if score["gold_pairs"]:
            recall[doc_id] = score["recall"]
    return recall


def _evaluate(
    variant: Variant, nlp: Language, parse_cache: Path | None, cv: bool, errors: bool = False
) -> dict:
    rows = extract_rows(variant.texts, nlp, variant.normalizer, parse_cache)
    predicted = resolve_rows(rows)
    result = _score(variant, predicted)
    if cv:
        result["cv"] = cross_validate(variant, rows)
    if errors:
        result["errors"] = missed_pairs(variant, rows, predicted)
    return result


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


def evaluate_ecb_entities(
    gold_docs: list[dict],
    nlp: Language,
    parse_cache: Path | None,
    cv: bool = False,
    errors: bool = False,
) -> dict:
    """Pairwise entity-grouping scores on the ECB+ texts as they are (cased news)."""
    variant = Variant(
        texts={doc["doc"]: doc["text"] for doc in gold_docs},
        gold={doc["doc"]: ecb_gold_mentions(doc) for doc in gold_docs},
        group_of={doc["doc"]: str(doc["topic"]) for doc in gold_docs},
        normalizer=_normalizer(),
    )
    return {"cased": _evaluate(variant, nlp, parse_cache, cv, errors)}


def evaluate_entities(
    gold_path: Path,
    nlp: Language,
    parse_cache: Path | None = None,
    cv: bool = False,
    errors: bool = False,
) -> dict:
    """Pairwise entity-grouping scores: GUM cased and degraded texts, or ECB+ news; with ``cv``,
    also fitted and held-out figures of the learned name-matching thresholds; with ``errors``,
    the missed gold pairs by cause (``missed_pairs``)."""
    gold_docs = read_gold(Path(gold_path))
    if is_ecb_gold(gold_docs):
        variants = evaluate_ecb_entities(gold_docs, nlp, parse_cache, cv, errors)
        return {"gold": str(gold_path), "n_documents": len(gold_docs), "variants": variants}
    normalizer = _normalizer()
    cased = _gum_variant(gold_docs, "text", "", None)
    degraded = _gum_variant(gold_docs, "lower_text", "lower_", normalizer)
    variants = {
        "cased": _evaluate(cased, nlp, parse_cache, cv, errors),
        "degraded": _evaluate(degraded, nlp, parse_cache, cv, errors),
    }
    variants["degraded"]["normalized"] = normalizer is not None
    return {"gold": str(gold_path), "n_documents": len(gold_docs), "variants": variants}


def write_fitted_matching(metrics: dict) -> Path:
    """Store the thresholds fitted on the first variant in the resolver's data file."""
    fitted = next(iter(metrics["variants"].values()))["cv"]["fitted_matching"]
    path = Path(str(resources.files("etl.stages.resolve").joinpath("data", "name_matching.json")))
    raw = json.loads(path.read_text("utf-8"))
    raw.update(word_similarity=fitted.word_similarity, name_similarity=fitted.name_similarity)
    path.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    return path


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
        if "cv" in result:
            cv = result["cv"]
            fitted = cv["fitted_matching"]
            lines.append(
                f"{variant:<9} pairs within each of {cv['n_groups']} groups, name matching "
                f"word>={fitted.word_similarity:g} name>={fitted.name_similarity:g}: "
                "fitted P/R/F1 {:.3f}/{:.3f}/{:.3f}, held out {:.3f}/{:.3f}/{:.3f}".format(
                    *cv["fitted"], *cv["held_out"]
                )
            )
        if "errors" in result:
            lines.extend(format_errors(variant, result["errors"]))
    return "\n".join(lines)


def format_errors(variant: str, errors: dict, examples: int = 6) -> list[str]:
    """Lines of the missed-pair analysis of one text form (``missed_pairs``)."""
    lines = [
        f"{variant:<9} missed gold pairs by cause (within / across documents); "
        f"{errors['partial_spans']} matched mentions have a partial span"
    ]
    within, across = errors["causes"]["within"], errors["causes"]["across"]
    for cause in ERROR_CAUSES:
        if within[cause] or across[cause]:
            shown = "; ".join(
                f"{first} / {second} x{count}"
                for (first, second), count in errors["examples"][cause].most_common(examples)
            )
            lines.append(f"  {cause:<12} {within[cause]:>5} / {across[cause]:<5} {shown}")
    if "merges" in errors:
        within, across = errors["merges"]["within"], errors["merges"]["across"]
        lines.append(
            f"{variant:<9} wrongly merged pairs by cause (within / across documents): "
            f"{sum(within.values())} / {sum(across.values())}"
        )
        for cause in sorted(set(within) | set(across), key=lambda c: -(within[c] + across[c])):
            shown = "; ".join(
                f"{first} / {second} x{count}"
                for (first, second), count in errors["merge_examples"][cause].most_common(examples)
            )
            lines.append(f"  {cause:<12} {within[cause]:>5} / {across[cause]:<5} {shown}")
    recall = errors["document_recall"]
    if recall:
        ordered = sorted(recall.values())
        worst = sorted(recall, key=lambda doc_id: (recall[doc_id], doc_id))[:3]
        lines.append(
            f"  within-document recall over {len(ordered)} documents: min {ordered[0]:.3f}, "
            f"quartile {ordered[len(ordered) // 4]:.3f}, median {ordered[len(ordered) // 2]:.3f}; "
            "lowest " + ", ".join(f"{doc_id} {recall[doc_id]:.3f}" for doc_id in worst)
        )
    unmatched = errors["unmatched"]
    lines.append(
        f"  not extracted: {sum(unmatched.values())} gold mentions "
        f"({errors.get('uncovered_pairs', 0)} within-document gold pairs unscored), most often "
        + "; ".join(f"{text} x{count}" for text, count in unmatched.most_common(examples))
    )
    return lines
