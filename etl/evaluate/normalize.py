"""Evaluate the text normalizer: restore degraded (``lower``) texts and compare casing,
apostrophes and spaCy NER against the original cased texts.

Gold: a GUM gold file (``gum_news_dev``, ``gum_more_dev``) or the ECB+ documents
(``ecb_dev``, casing only: the cased texts degraded with the shared ``tools/degrade.py``).
The cross-validated mode (``evaluate_casing_cross_validated``) trains the casing model without
each left-out document or topic and scores it there (held out), beside the model trained on
everything (fitted); ``explain_document`` prints the features behind each changed word.

Metrics (all over the documents of the gold file):

* ``casing_accuracy``: share of gold words (GUM non-punctuation tokens present in the degraded
  text) whose restored spelling equals the gold spelling, letters compared case-sensitively
  (apostrophes and other non-word characters ignored).
* ``casing_precision`` / ``casing_recall`` / ``casing_f1``: over words with a capital letter. A
  restored word with a capital is a true positive when it equals the gold word exactly;
  precision divides by restored words with a capital, recall by gold words with a capital.
* ``apostrophe_precision`` / ``apostrophe_recall``: gold apostrophes are those of the cased text
  standing between two word characters (``Kazakhstan's``, ``don't``), which degradation turned
  into a space; a restored apostrophe is correct when it sits at that same raw position.
* PLOVER check (``evaluate_plover_casing``): the same casing precision / recall / F1 on the
  PLOVER gold sentences (``lower_text`` restored, ``text`` as gold), words aligned by their
  letters; an independent check that casing changes are not fitted to the GUM documents.
* ``ner_f1_cased`` / ``ner_f1_degraded`` / ``ner_f1_restored`` and ``ner_ratio``
  (restored / cased): overlap F1 of spaCy entities against gold names. Predictions are spaCy
  PERSON, GPE, LOC, ORG, NORP and FAC entities; gold spans are the ``name_start``/``name_end``
  spans of gold person, place and organization mentions (``lower_name_*`` for degraded and
  restored text; restored predictions are mapped back to raw offsets with ``raw_span``). A
  prediction is a true positive when it overlaps any gold span (precision); a gold span is found
  when any prediction overlaps it (recall); F1 is their harmonic mean.
"""

from __future__ import annotations

import argparse
import json
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from pathlib import Path

from etl.stages.normalize import CaseEvidence, build_case_evidence, normalize
from etl.stages.normalize.casing_model import PACKAGED_MODEL, load_casing_model, probability
from etl.stages.normalize.lexicon import load_lexicon
from etl.stages.normalize.offsets import clean_text
from etl.stages.normalize.restore import restore_text
from etl.stages.normalize.train_casing import aligned_words

PREDICTED_LABELS = frozenset({"PERSON", "GPE", "LOC", "ORG", "NORP", "FAC"})
GOLD_TYPES = frozenset({"person", "place", "organization"})
_NON_WORD_RE = re.compile(r"[\W_]+")
_APOSTROPHE_RE = re.compile(r"(?<=\w)['’`](?=\w)")
# Folds of the cross-validated mode: each holds whole topics (ECB+), genres or documents.
CV_FOLDS = 5
# What a fold of the cross-validated mode holds whole (``_folds``).
FOLD_SCHEMES = ("group", "document")
# Groups of the word statistics' mid-sentence capitalization probability in the error analysis.
ERROR_BANDS = ((0.05, "common word"), (0.5, "ambiguous"), (float("inf"), "name-like"))
# Features shown per explained word.
EXPLAIN_TOP = 8


def _letters(text: str) -> str:
    return _NON_WORD_RE.sub("", text)


def _has_capital(text: str) -> bool:
    return text.lower() != text


def raw_to_normalized(offsets: list[int] | tuple[int, ...], raw_index: int) -> int:
    """First normalized index whose raw index is at least ``raw_index``."""
    return bisect_left(offsets, raw_index)


def _overlap_counts(predicted: list[tuple[int, int]], gold: list[tuple[int, int]]) -> tuple:
    def overlaps(span, others):
        return any(span[0] < other[1] and other[0] < span[1] for other in others)

    true_predictions = sum(1 for span in predicted if overlaps(span, gold))
    found_gold = sum(1 for span in gold if overlaps(span, predicted))
    return true_predictions, len(predicted), found_gold, len(gold)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _entity_spans(doc) -> list[tuple[int, int]]:
    return [(ent.start_char, ent.end_char) for ent in doc.ents if ent.label_ in PREDICTED_LABELS]


def _gold_apostrophes(record: dict) -> set[int]:
    """Raw (degraded) positions of the spaces that replaced apostrophes between word chars."""
    text, lower = record["text"], record["lower_text"]
    tokens = record["tokens"]
    starts = [token[0] for token in tokens]
    positions = set()
    for match in _APOSTROPHE_RE.finditer(text):
        apostrophe = match.start()
        index = bisect_left(starts, apostrophe + 1) - 1
        if index < 0:
            continue
        start, end, lower_start, _ = tokens[index]
        if lower_start is None or not start <= apostrophe < end:
            continue
        # "'s" lost its apostrophe before the token; inside a token ("n't", "d'affaires")
        # the apostrophe became a space in place.
        space = lower_start - 1 if apostrophe == start else lower_start + apostrophe - start
        if 0 <= space < len(lower) and lower[space] == " ":
            positions.add(space)
    return positions


def _score_casing(record: dict, result, totals: dict) -> None:
    text = record["text"]
    for start, end, lower_start, lower_end in record["tokens"]:
        gold = _letters(text[start:end])
        if lower_start is None or not gold:
            continue
        begin = raw_to_normalized(result.offsets, lower_start)
        finish = raw_to_normalized(result.offsets, lower_end)
        predicted = _letters(result.text[begin:finish])
        totals["words"] += 1
        totals["correct"] += predicted == gold
        if _has_capital(predicted):
            totals["predicted_caps"] += 1
            totals["true_caps"] += predicted == gold and _has_capital(gold)
        if _has_capital(gold):
            totals["gold_caps"] += 1


def _score_apostrophes(record: dict, result, totals: dict) -> None:
    gold = _gold_apostrophes(record)
    lower = record["lower_text"]
    predicted = {
        result.offsets[index]
        for index, char in enumerate(result.text)
        if char in "'’" and lower[result.offsets[index] : result.offsets[index] + 1] == " "
    }
    totals["apostrophe_gold"] += len(gold)
    totals["apostrophe_predicted"] += len(predicted)
    totals["apostrophe_true"] += len(gold & predicted)


def _add_ner(totals: dict, key: str, counts: tuple) -> None:
    for name, value in zip(("tp", "pred", "found", "gold"), counts, strict=True):
        totals[f"{key}_{name}"] += value


def _ner_f1(totals: dict, key: str) -> float:
    precision = _ratio(totals[f"{key}_tp"], totals[f"{key}_pred"])
    recall = _ratio(totals[f"{key}_found"], totals[f"{key}_gold"])
    return _f1(precision, recall)


def _leave_one_out_evidence(records: list[dict]) -> list[CaseEvidence]:
    """Per document, case evidence from the cased texts of all OTHER documents (never its own)."""
    texts = [record["text"] for record in records]
    return [build_case_evidence(texts[:index] + texts[index + 1 :]) for index in range(len(texts))]


def _restored_metrics(records: list[dict], results: list, nlp) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    restored_docs = nlp.pipe(result.text for result in results)
    for record, result, restored in zip(records, results, restored_docs, strict=True):
        _score_casing(record, result, totals)
        _score_apostrophes(record, result, totals)
        restored_spans = [result.raw_span(s, e) for s, e in _entity_spans(restored)]
        _add_ner(totals, "restored", _overlap_counts(restored_spans, _gold_spans(record, True)))
    precision = _ratio(totals["true_caps"], totals["predicted_caps"])
    recall = _ratio(totals["true_caps"], totals["gold_caps"])
    return {
        "words": totals["words"],
        "casing_accuracy": _ratio(totals["correct"], totals["words"]),
        "casing_precision": precision,
        "casing_recall": recall,
        "casing_f1": _f1(precision, recall),
        "apostrophe_precision": _ratio(totals["apostrophe_true"], totals["apostrophe_predicted"]),
        "apostrophe_recall": _ratio(totals["apostrophe_true"], totals["apostrophe_gold"]),
        "ner_f1_restored": _ner_f1(totals, "restored"),
    }


def _gold_spans(record: dict, degraded: bool) -> list[tuple[int, int]]:
    names = [e for e in record["entities"] if e["type"] in GOLD_TYPES]
    if not degraded:
        return [(e["name_start"], e["name_end"]) for e in names]
    return [
        (e["lower_name_start"], e["lower_name_end"])
        for e in names
        if e["lower_name_start"] is not None
    ]


def evaluate_normalization(gold_path: Path, nlp) -> dict[str, float]:
    """Run the normalizer on every degraded gold text and return the metrics described above.

    The headline metrics restore each text without corpus evidence; the ``loo_`` metrics
    restore it with leave-one-out evidence (``build_case_evidence`` over the other documents'
    cased texts), the setting of a pipeline run that also sees well-formed articles.
    """
    records = [json.loads(line) for line in Path(gold_path).read_text("utf8").splitlines() if line]
    totals: dict[str, float] = defaultdict(float)
    cased_docs = nlp.pipe(record["text"] for record in records)
    degraded_docs = nlp.pipe(record["lower_text"] for record in records)
    for record, cased, degraded in zip(records, cased_docs, degraded_docs, strict=True):
        _add_ner(totals, "cased", _overlap_counts(_entity_spans(cased), _gold_spans(record, False)))
        _add_ner(
            totals, "degraded", _overlap_counts(_entity_spans(degraded), _gold_spans(record, True))
        )
    plain = [normalize(record["lower_text"]) for record in records]
    with_evidence = [
        normalize(record["lower_text"], evidence)
        for record, evidence in zip(records, _leave_one_out_evidence(records), strict=True)
    ]
    metrics = {"documents": float(len(records))}
    metrics["ner_f1_cased"] = _ner_f1(totals, "cased")
    metrics["ner_f1_degraded"] = _ner_f1(totals, "degraded")
    metrics.update(_restored_metrics(records, plain, nlp))
    metrics["ner_ratio"] = _ratio(metrics["ner_f1_restored"], metrics["ner_f1_cased"])
    loo = _restored_metrics(records, with_evidence, nlp)
    loo["ner_ratio"] = _ratio(loo["ner_f1_restored"], metrics["ner_f1_cased"])
    metrics.update({f"loo_{key}": value for key, value in loo.items() if key != "words"})
    return metrics


def format_normalization_report(metrics: dict[str, float]) -> str:
    """Human-readable table of ``evaluate_normalization`` metrics: no evidence (headline) and
    leave-one-out corpus evidence side by side."""

    def row(label: str, key: str) -> str:
        loo = metrics.get(f"loo_{key}")
        extra = f"   {loo:.3f}" if loo is not None else ""
        return f"{label:<30}{metrics[key]:.3f}{extra}"

    lines = [
        f"documents: {int(metrics['documents'])}, words: {int(metrics['words'])}",
        f"{'':<30}no evidence / leave-one-out evidence",
        row("word casing accuracy:", "casing_accuracy"),
        row("casing precision (capitals):", "casing_precision"),
        row("casing recall (capitals):", "casing_recall"),
        row("casing F1 (capitals):", "casing_f1"),
        row("apostrophe precision:", "apostrophe_precision"),
        row("apostrophe recall:", "apostrophe_recall"),
        f"{'NER overlap F1 cased:':<30}{metrics['ner_f1_cased']:.3f}",
        f"{'NER overlap F1 degraded:':<30}{metrics['ner_f1_degraded']:.3f}",
        row("NER overlap F1 restored:", "ner_f1_restored"),
        row("NER restored / cased:", "ner_ratio"),
    ]
    return "\n".join(lines)


def _score_aligned(cased: str, lower: str, result, totals: dict, errors: list) -> bool:
    words = aligned_words(cased, lower)
    if words is None:
        return False
    for gold, start, end in words:
        begin = raw_to_normalized(result.offsets, start)
        finish = raw_to_normalized(result.offsets, end)
        predicted = _letters(result.text[begin:finish])
        totals["words"] += 1
        if _has_capital(predicted):
            totals["predicted_caps"] += 1
            totals["true_caps"] += predicted == gold and _has_capital(gold)
        if _has_capital(gold):
            totals["gold_caps"] += 1
        if predicted != gold and (_has_capital(gold) or _has_capital(predicted)):
            context = result.text[max(0, begin - 40) : finish + 40].replace("\n", " ")
            errors.append((gold, predicted, context))
    return True


def _casing_scores(totals: dict) -> dict[str, float]:
    precision = _ratio(totals["true_caps"], totals["predicted_caps"])
    recall = _ratio(totals["true_caps"], totals["gold_caps"])
    return {
        "casing_precision": precision,
        "casing_recall": recall,
        "casing_f1": _f1(precision, recall),
    }


def evaluate_plover_casing(
    plover_path: Path, model: str | None = None
) -> tuple[dict[str, float], list[tuple]]:
    """Casing precision / recall / F1 (capitals) of ``normalize`` on the PLOVER sentences'
    ``lower_text`` against their ``text``, plus the list of (gold, predicted, context) errors.
    Sentences whose words cannot be aligned by letters are skipped (counted in ``skipped``).
    ``model``: the casing decision (None: the rules; ``PACKAGED_MODEL``: the learned one)."""
    records = [json.loads(line) for line in Path(plover_path).read_text("utf8").splitlines()]
    totals: dict[str, float] = defaultdict(float)
    errors: list[tuple] = []
    for record in records:
        result = normalize(record["lower_text"], None, model)
        if not _score_aligned(record["text"], record["lower_text"], result, totals, errors):
            totals["skipped"] += 1
    metrics = {"sentences": float(len(records)), "skipped": totals["skipped"]}
    metrics.update({"words": totals["words"], **_casing_scores(totals)})
    return metrics, errors


def gum_casing_errors(gold_path: Path, with_evidence: bool = False) -> list[tuple]:
    """(gold, predicted, context) for every GUM word whose restored casing is wrong and either
    side has a capital: the error list behind the casing precision / recall figures."""
    records = [json.loads(line) for line in Path(gold_path).read_text("utf8").splitlines() if line]
    evidence = _leave_one_out_evidence(records) if with_evidence else [None] * len(records)
    errors: list[tuple] = []
    totals: dict[str, float] = defaultdict(float)
    for record, document_evidence in zip(records, evidence, strict=True):
        result = normalize(record["lower_text"], document_evidence)
        _score_aligned(record["text"], record["lower_text"], result, totals, errors)
    return errors


def _error_kind(gold: str, predicted: str) -> str:
    """FN (a capital missed), FP (a capital added) or WRONG (both capitalized, spelled apart)."""
    if _has_capital(predicted) and _has_capital(gold):
        return "WRONG"
    return "FN" if _has_capital(gold) else "FP"


def _print_errors(errors: list[tuple]) -> None:
    for gold, predicted, context in errors:
        print(f"{_error_kind(gold, predicted):<6}{gold:<18}{predicted:<18}{context}")


def error_classes(errors: list[tuple]) -> Counter:
    """Casing errors counted by kind (``_error_kind``) and by how often the packaged word
    statistics capitalize the word mid-sentence (``ERROR_BANDS``; "unknown" when they lack it):
    the error analysis behind the held-out figures."""
    cap_probability = load_lexicon().cap_probability
    classes: Counter = Counter()
    for gold, predicted, _ in errors:
        probability = cap_probability.get(gold.lower())
        band = "unknown"
        if probability is not None:
            band = next(name for upper, name in ERROR_BANDS if probability < upper)
        classes[(_error_kind(gold, predicted), band)] += 1
    return classes


def _casing_totals(documents, model) -> dict[str, float]:
    """Casing precision / recall / F1 of ``model`` restoring each document alone."""
    totals: dict[str, float] = defaultdict(float)
    for document in documents:
        result = normalize(document.lower, None, model)
        if not _score_aligned(document.cased, document.lower, result, totals, []):
            totals["skipped"] += 1
    return {"documents": float(len(documents)), "words": totals["words"], **_casing_scores(totals)}


def _folds(documents, by: str = "group") -> list[list[int]]:
    """Indexes of the documents left out together, in at most ``CV_FOLDS`` folds: by
    ``group``, whole topics or genres (one document each when the corpus has a single group,
    as GUM news); by ``document``, single documents in name order, so a fold mixes genres (as
    hidden text of known genres: new documents, not new genres)."""
    if by not in FOLD_SCHEMES:
        raise ValueError(f"folds by {by!r}: expected one of {FOLD_SCHEMES}")
    keys = [document.group for document in documents]
    if by == "document" or len(set(keys)) == 1:
        keys = [document.doc_id for document in documents]
    ordered = sorted(set(keys))
    fold_of = {key: position % CV_FOLDS for position, key in enumerate(ordered)}
    folds: list[list[int]] = [[] for _ in range(min(CV_FOLDS, len(ordered)))]
    for index, key in enumerate(keys):
        folds[fold_of[key]].append(index)
    return folds


def evaluate_casing_corpus(gold_path: Path) -> dict[str, float]:
    """Casing figures of the pipeline's normalizer (the rules; ``normalize``'s default) on the
    documents of a gold folder (any corpus ``train_casing.load_corpus`` reads: ECB+ is degraded
    with the shared tool)."""
    from etl.stages.normalize.train_casing import load_corpus

    gold_path = Path(gold_path)
    return _casing_totals(load_corpus(gold_path.parent.name, gold_path.parents[2]), None)


def without_features(examples, left_out: tuple[str, ...]):
    """``examples`` (per document, lists of (features, label)) with every feature whose name
    contains one of ``left_out`` removed: a model fitted on them has no weight for those
    features, so it decides as if they did not exist (a feature ablation)."""
    if not left_out:
        return examples
    return [
        [
            (
                {
                    name: value
                    for name, value in features.items()
                    if not any(part in name for part in left_out)
                },
                label,
            )
            for features, label in document
        ]
        for document in examples
    ]


def evaluate_casing_cross_validated(
    corpus: str, shared: Path, left_out: tuple[str, ...] = (), folds_by: str = "group"
) -> dict[str, dict[str, float]]:
    """Casing figures on ``corpus`` with the model trained on everything (``fitted``: the
    training corpora plus this corpus) and with a model trained without each fold's documents
    (``held_out``), the rest of training unchanged; ``packaged`` is the committed model.
    ``left_out``: parts of feature names the fitted and held-out models are trained without
    (``without_features``), to measure what a group of features adds. ``folds_by``: what a
    fold holds whole (``_folds``)."""
    from etl.stages.normalize.train_casing import (
        corpus_examples,
        document_groups,
        fit_casing,
        load_corpus,
        training_corpora,
    )

    documents = load_corpus(corpus, shared)
    pool = [document for document in training_corpora(shared) if document.corpus != corpus]
    pool_examples = without_features(corpus_examples(pool), left_out)
    own_examples = without_features(corpus_examples(documents), left_out)
    pool_groups, own_groups = document_groups(pool), document_groups(documents)
    fitted = fit_casing(pool_examples + own_examples, pool_groups + own_groups)
    held_totals: dict[str, float] = defaultdict(float)
    held_errors: list[tuple] = []
    for fold in _folds(documents, folds_by):
        kept = [index for index in range(len(documents)) if index not in set(fold)]
        model = fit_casing(
            pool_examples + [own_examples[index] for index in kept],
            pool_groups + [own_groups[index] for index in kept],
        )
        for index in fold:
            document = documents[index]
            result = normalize(document.lower, None, model)
            _score_aligned(document.cased, document.lower, result, held_totals, held_errors)
    held_out = {"words": held_totals["words"], **_casing_scores(held_totals)}
    return {
        "packaged": _casing_totals(documents, PACKAGED_MODEL),
        "fitted": _casing_totals(documents, fitted),
        "held_out": {**held_out, "error_classes": error_classes(held_errors)},
        "rules_only": _casing_totals(documents, None),
    }


def format_casing_figures(corpus: str, figures: dict[str, dict[str, float]]) -> str:
    """One line of casing precision / recall / F1 per model."""
    words = int(next(iter(figures.values()))["words"])
    lines = [f"casing on {corpus} ({words} words), capitals:"]
    for name, scores in figures.items():
        lines.append(
            f"  {name:<10} precision {scores['casing_precision']:.3f}  "
            f"recall {scores['casing_recall']:.3f}  F1 {scores['casing_f1']:.3f}"
        )
    return "\n".join(lines)


def format_cross_validated_report(corpus: str, figures: dict[str, dict[str, float]]) -> str:
    """``format_casing_figures`` of ``evaluate_casing_cross_validated`` plus the F1 gap."""
    lines = [format_casing_figures(corpus, figures)]
    gap = figures["fitted"]["casing_f1"] - figures["held_out"]["casing_f1"]
    lines.append(f"  fitted - held out F1 gap: {gap:+.3f}")
    classes = figures["held_out"].get("error_classes")
    if classes:
        lines.append("  held-out errors by kind and word statistics (FN missed, FP added capital):")
        for (kind, band), count in sorted(classes.items(), key=lambda item: -item[1]):
            lines.append(f"    {kind:<6}{band:<14}{count}")
    return "\n".join(lines)


def explain_document(lower: str, evidence: CaseEvidence | None = None) -> list[str]:
    """One line per word the casing model capitalized or the rules and the model disagree
    on: the word, its restored form, the model's probability and the features behind it
    (largest contributions first)."""
    model = load_casing_model()
    cleaned, _ = clean_text(lower)
    traces: list[list] = []
    restore_text(cleaned, load_lexicon(), evidence, model, traces)
    lines = []
    for line_number, trace in enumerate(traces, start=1):
        for _index, token, features, log_odds in trace:
            capitalized = log_odds >= 0
            if not capitalized and "rules=capital" not in features:
                continue
            verdict = "capital" if capitalized else "lower"
            shown = ", ".join(
                f"{name} {weight:+.2f}" for name, weight in model.explain(features)[:EXPLAIN_TOP]
            )
            lines.append(
                f"line {line_number}: {token} -> {verdict} (p={probability(log_odds):.2f}): {shown}"
            )
    return lines


def main() -> None:
    """``python -m etl.evaluate.normalize [--gum GOLD] [--plover FILE] [--errors] [--loo]``:
    casing check on PLOVER sentences and casing error lists (no spaCy needed)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--gum", type=Path, help="GUM gold.jsonl: list its casing errors")
    parser.add_argument("--plover", type=Path, help="plover_dev.jsonl: casing F1 there")
    parser.add_argument("--errors", action="store_true", help="print PLOVER errors too")
    parser.add_argument("--loo", action="store_true", help="GUM with leave-one-out evidence")
    args = parser.parse_args()
    if args.gum:
        _print_errors(gum_casing_errors(args.gum, args.loo))
    for label, model in (("rules", None), ("learned", PACKAGED_MODEL)) if args.plover else ():
        metrics, errors = evaluate_plover_casing(args.plover, model)
        if args.errors:
            _print_errors(errors)
        print(
            f"PLOVER casing ({label}): sentences {int(metrics['sentences'])} "
            f"(skipped {int(metrics['skipped'])}), words {int(metrics['words'])}, "
            f"precision {metrics['casing_precision']:.3f}, recall {metrics['casing_recall']:.3f}, "
            f"F1 {metrics['casing_f1']:.3f}"
        )


if __name__ == "__main__":
    main()
