"""Evaluate PLOVER event extraction on gold sentences, cased and degraded.

Each gold record (``plover_dev.jsonl``) is one sentence with one gold event type and gold actor
and recipient spans. The pipeline runs on the sentence twice: as written (``text``) and degraded
(``lower_text``, first restored by ``etl.stages.normalize.normalize`` when that module exists).

Metrics, per form:

* event type: for every sentence, the set of predicted event types is compared with the gold
  type. A sentence whose set holds the gold type is a true positive; every other predicted type
  is a false positive; a sentence whose set lacks the gold type is a false negative.
  precision = TP / (TP + FP), recall = TP / sentences, F1 their harmonic mean.
* actor / recipient match rate: among the sentences where an event of the gold type is
  predicted, the share where one such event's actor (recipient) text shares a content word
  with a gold actor (recipient) span. Sentences without a gold recipient are left out of the
  recipient rate.

Cross-validated mode (``newsetl eval events --folds K``): what is learned from these sentences
(the event scorer's weights and threshold, ``etl.stages.extract.event_scoring``) is fitted
``K`` times, each time without one fold of gold sentences (folds by a stable hash of the record
id; a sentence's cased and degraded forms stay together), and scores only that fold; the
report prints the fitted figures (scorer fitted on every sentence) and the held-out ones side
by side, with the gap. ``python -m etl.evaluate.fit_event_scorer`` writes the shipped scorer.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from etl.ids import stable_id
from etl.stages.document import extract_document
from etl.stages.extract.event_scoring import (
    ASIDE,
    KEEP_ALL,
    L2_GRID,
    OTHERS_GRID,
    THRESHOLD_GRID,
    EventScorer,
    fit_weights,
)
from etl.stages.extract.events import EventFinding, kept_findings

FORMS = ("cased", "degraded")
STOPWORDS = frozenset({"the", "a", "an", "of", "and", "in", "s", "to", "for", "on", "at", "by"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class GoldSentence:
    """One gold record: the sentence in both forms, its event type, actor and recipient texts."""

    record_id: str
    text: str
    lower_text: str
    event_type: str
    actors: tuple[str, ...]
    recipients: tuple[str, ...]


def read_gold(gold_path: Path) -> list[GoldSentence]:
    """Gold sentences from a PLOVER JSON-lines file."""
    records = []
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        spans = row.get("spans", [])
        records.append(
            GoldSentence(
                record_id=row["id"],
                text=row["text"].strip(),
                lower_text=row["lower_text"].strip(),
                event_type=row["event"],
                actors=tuple(s["text"] for s in spans if s["role"] == "actor")
                or tuple(a["text"] for a in row.get("actors", [])),
                recipients=tuple(s["text"] for s in spans if s["role"] == "recipient")
                or tuple(r["text"] for r in row.get("recipients", [])),
            )
        )
    return records


def degraded_restorer() -> Callable[[str], str]:
    """``etl.stages.normalize.normalize(raw).text`` when that module exists, else the raw text."""
    try:
        from etl.stages.normalize import normalize
    except ImportError:
        return lambda raw: raw
    return lambda raw: normalize(raw).text


def content_words(text: str | None) -> set[str]:
    """Lowercased words of a text without function words, for overlap tests."""
    if not text:
        return set()
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


def overlaps(predicted: str | None, gold: tuple[str, ...]) -> bool:
    """True when the predicted argument text shares a content word with a gold span."""
    words = content_words(predicted)
    return any(words & content_words(g) for g in gold)


def predict_events(
    nlp: Language, text: str, doc_id: str, scorer: EventScorer | None = None
) -> list[EventFinding]:
    """Run sentences, mentions and events on one text (``scorer``: which events to keep)."""
    return extract_document(nlp(text), doc_id, event_scorer=scorer).event_findings


def predict(nlp: Language, text: str, doc_id: str) -> list[tuple[dict, str]]:
    """Run sentences, mentions and events on one text; rows with their rule names."""
    return [(p.row, p.rule) for p in predict_events(nlp, text, doc_id)]


def predicted_forms(
    gold: list[GoldSentence], nlp: Language, scorer: EventScorer | None = None
) -> Iterator[tuple[str, GoldSentence, list[EventFinding]]]:
    """(form, gold sentence, predicted events) for every sentence in both forms."""
    restore = degraded_restorer()
    for record in gold:
        yield "cased", record, predict_events(nlp, record.text, record.record_id, scorer)
        degraded = restore(record.lower_text)
        yield "degraded", record, predict_events(nlp, degraded, record.record_id, scorer)


def predictions(
    gold: list[GoldSentence], nlp: Language
) -> Iterator[tuple[str, GoldSentence, list[tuple[dict, str]]]]:
    """(form, gold sentence, predicted rows with rules) for every sentence in both forms."""
    for form, record, predicted in predicted_forms(gold, nlp):
        yield form, record, [(p.row, p.rule) for p in predicted]


def _score(pairs: list[tuple[GoldSentence, list[dict]]]) -> dict:
    true_pos = false_pos = 0
    with_type = actor_hits = recipient_total = recipient_hits = 0
    for record, rows in pairs:
        types = {row["event_type"] for row in rows}
        false_pos += len(types - {record.event_type})
        if record.event_type not in types:
            continue
        true_pos += 1
        matching = [row for row in rows if row["event_type"] == record.event_type]
        with_type += 1
        actor_hits += any(overlaps(row["actor_text"], record.actors) for row in matching)
        if record.recipients:
            recipient_total += 1
            recipient_hits += any(
                overlaps(row["recipient_text"], record.recipients) for row in matching
            )
    n = len(pairs)
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
    recall = true_pos / n if n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "sentences": n,
        "true_positives": true_pos,
        "false_positives": false_pos,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "actor_match_rate": actor_hits / with_type if with_type else 0.0,
        "recipient_match_rate": recipient_hits / recipient_total if recipient_total else 0.0,
        "recipient_sentences": recipient_total,
    }


def evaluate_events(gold_path: Path, nlp: Language) -> dict:
    """Event-type precision/recall/F1 and actor/recipient match rates, cased and degraded."""
    gold = read_gold(gold_path)
    by_form: dict[str, list[tuple[GoldSentence, list[dict]]]] = {form: [] for form in FORMS}
    for form, record, rows in predictions(gold, nlp):
        by_form[form].append((record, [row for row, _ in rows]))
    return {form: _score(pairs) for form, pairs in by_form.items()}


def format_events_report(metrics: dict) -> str:
    """A plain-text table of the metrics returned by :func:`evaluate_events`."""
    header = f"{'form':<10}{'n':>5}{'P':>8}{'R':>8}{'F1':>8}{'actor':>8}{'recip.':>8}"
    lines = [header, "-" * len(header)]
    for form in FORMS:
        m = metrics[form]
        lines.append(
            f"{form:<10}{m['sentences']:>5}{m['precision']:>8.3f}{m['recall']:>8.3f}"
            f"{m['f1']:>8.3f}{m['actor_match_rate']:>8.3f}{m['recipient_match_rate']:>8.3f}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Cross-validation of what is learned (the event scorer)

DEFAULT_FOLDS = 5
DEFAULT_GOLD = Path(__file__).resolve().parents[3] / "shared" / "data" / "plover_dev.jsonl"


def folds_and_paths(argv: list[str]) -> tuple[int, list[str]]:
    """``--folds K`` (default DEFAULT_FOLDS) and the remaining positional arguments of a
    command line of the fitting scripts."""
    if "--folds" not in argv:
        return DEFAULT_FOLDS, argv
    at = argv.index("--folds")
    return int(argv[at + 1]), argv[:at] + argv[at + 2 :]


Scored = tuple[str, GoldSentence, list[EventFinding]]


def fold_of(record_id: str, folds: int, repeat: int = 0) -> int:
    """The fold of a gold sentence: a stable hash of its id, the same on every machine;
    ``repeat`` > 0 draws another partition (repeated cross-validation)."""
    salt = "calibration-fold" if repeat == 0 else f"calibration-fold-{repeat}"
    return int(stable_id(salt, record_id), 16) % folds


Pairs = list[tuple[GoldSentence, list[dict]]]


def _kept(scored: list[Scored], scorer: EventScorer) -> dict[str, Pairs]:
    by_form: dict[str, Pairs] = {form: [] for form in FORMS}
    for form, record, predicted in scored:
        by_form[form].append((record, [p.row for p in kept_findings(predicted, scorer)]))
    return by_form


INNER_FOLDS = 4


def _examples(scored: list[Scored]) -> list[tuple[tuple[str, ...], bool]]:
    """(features, type is right) of every candidate but asides (``ASIDE``): a sentence's gold
    event is its main one, so an aside of another type is not wrong, only uncoded."""
    return [
        (p.features, p.row["event_type"] == record.event_type)
        for _, record, predicted in scored
        for p in predicted
        if ASIDE not in p.features
    ]


def _inner_choice(scored: list[Scored], l2_penalty: float) -> tuple[float, tuple[float, float]]:
    """(pooled F1, (threshold, others threshold)) of ``l2_penalty`` by cross-validation within
    ``scored``: each inner fold is scored by weights fitted without it, and the thresholds are
    the pair whose F1 over these out-of-fold scores is best (ties go low), so that neither the
    prior strength nor the thresholds are chosen on scores of the sentences the weights were
    fitted on."""
    models = []
    for fold in range(INNER_FOLDS):
        train = [s for s in scored if fold_of("inner" + s[1].record_id, INNER_FOLDS) != fold]
        test = [s for s in scored if fold_of("inner" + s[1].record_id, INNER_FOLDS) == fold]
        models.append((test, fit_weights(_examples(train), l2_penalty)))

    def f1_at(thresholds: tuple[float, float]) -> float:
        pairs: Pairs = []
        for test, (weights, bias) in models:
            for form_pairs in _kept(test, EventScorer(weights, bias, *thresholds)).values():
                pairs += form_pairs
        return _score(pairs)["f1"]

    grid = [(t, o) for t in THRESHOLD_GRID for o in OTHERS_GRID if o >= t]
    thresholds = max(grid, key=lambda pair: (f1_at(pair), -pair[0], -pair[1]))
    return f1_at(thresholds), thresholds


def fit_scorer(scored: list[Scored]) -> EventScorer:
    """Scorer weights fitted on these predictions (an event is right when its type is the gold
    type), with the prior strength and the thresholds that cross-validate best within them
    (``_inner_choice``), both forms pooled."""
    choices = {l2: _inner_choice(scored, l2) for l2 in L2_GRID}
    l2_penalty = max(L2_GRID, key=lambda l2: (choices[l2][0], l2))
    weights, bias = fit_weights(_examples(scored), l2_penalty)
    return EventScorer(weights, bias, *choices[l2_penalty][1])


def cross_validate(scored: list[Scored], folds: int = DEFAULT_FOLDS, repeat: int = 0) -> dict:
    """Fitted and held-out metrics per form: fitted with a scorer learned on every sentence,
    held out with, for each fold, a scorer learned without that fold's sentences (``repeat``:
    which partition into folds, see ``fold_of``)."""
    fitted = fit_scorer(scored)
    held_out: dict[str, Pairs] = {form: [] for form in FORMS}
    thresholds = []
    per_fold = []
    causes: dict[str, Counter] = {form: Counter() for form in FORMS}
    for fold in range(folds):
        train = [s for s in scored if fold_of(s[1].record_id, folds, repeat) != fold]
        test = [s for s in scored if fold_of(s[1].record_id, folds, repeat) == fold]
        scorer = fit_scorer(train)
        thresholds.append(scorer)
        test_pairs = _kept(test, scorer)
        train_pairs = _kept(train, scorer)
        per_fold.append(
            {
                form: {"fitted": _score(train_pairs[form]), "held_out": _score(test_pairs[form])}
                for form in FORMS
            }
        )
        for form, pairs in test_pairs.items():
            held_out[form] += pairs
        for form, record, predicted in test:
            causes[form].update(error_causes(record, predicted, kept_findings(predicted, scorer)))
    return {
        "folds": folds,
        "scorer": fitted,
        "fold_thresholds": thresholds,
        "per_fold": per_fold,
        "unscored": {form: _score(pairs) for form, pairs in _kept(scored, KEEP_ALL).items()},
        "fitted": {form: _score(pairs) for form, pairs in _kept(scored, fitted).items()},
        "held_out": {form: _score(pairs) for form, pairs in held_out.items()},
        "error_causes": causes,
    }


# Why a held-out sentence is scored wrong, in the order the report lists them.
ERROR_CAUSES = (
    ("no candidate", "missed: no candidate of the gold type (lexicon / trigger detection)"),
    ("dropped", "missed: a candidate of the gold type, dropped by the scorer"),
    ("wrong type", "false positive in a missed sentence: another type kept instead"),
    ("extra", "false positive beside the right type: a second event kept"),
    ("aside", "false positive from an aside (kept unscored)"),
    ("actor", "right type, actor does not match the gold actor"),
    ("recipient", "right type, recipient does not match the gold recipient"),
)


def error_causes(
    record: GoldSentence, predicted: list[EventFinding], kept: list[EventFinding]
) -> Counter:
    """The errors of one sentence by cause (``ERROR_CAUSES``): ``predicted`` is every
    candidate, ``kept`` what the scorer kept of them."""
    causes: Counter = Counter()
    right = [p.row for p in kept if p.row["event_type"] == record.event_type]
    if not right:
        found = any(p.row["event_type"] == record.event_type for p in predicted)
        causes["dropped" if found else "no candidate"] += 1
    else:
        causes["actor"] += not any(overlaps(r["actor_text"], record.actors) for r in right)
        if record.recipients:
            causes["recipient"] += not any(
                overlaps(r["recipient_text"], record.recipients) for r in right
            )
    wrong: dict[str, bool] = {}
    for finding in kept:
        if finding.row["event_type"] != record.event_type:
            aside = ASIDE in finding.features
            wrong[finding.row["event_type"]] = wrong.get(finding.row["event_type"], True) and aside
    for is_aside in wrong.values():
        causes["aside" if is_aside else "extra" if right else "wrong type"] += 1
    return causes


def score_all(gold_path: Path, nlp: Language) -> list[Scored]:
    """Every candidate event on the gold sentences (nothing dropped), both forms."""
    return list(predicted_forms(read_gold(gold_path), nlp, KEEP_ALL))


def _thresholds(scorer: EventScorer) -> str:
    others = scorer.threshold if scorer.others_threshold is None else scorer.others_threshold
    return f"{scorer.threshold:.2f}/{others:.2f}"


def format_cross_validation(result: dict) -> str:
    """Fitted and held-out figures side by side, per form, with the fitted - held-out gap."""
    header = f"{'form':<10}{'figure':<10}{'P':>8}{'R':>8}{'F1':>8}{'actor':>8}{'recip.':>8}"
    lines = [
        f"{result['folds']}-fold cross-validation by gold sentence; learned: event scorer "
        f"(thresholds best / others {_thresholds(result['scorer'])} fitted on all, per fold "
        + ", ".join(_thresholds(scorer) for scorer in result["fold_thresholds"])
        + ")",
        header,
        "-" * len(header),
    ]
    keys = ("precision", "recall", "f1", "actor_match_rate", "recipient_match_rate")
    for form in FORMS:
        rows = [(name, result[name][form]) for name in ("unscored", "fitted", "held_out")]
        for name, m in rows:
            lines.append(f"{form:<10}{name:<10}" + "".join(f"{m[k]:>8.3f}" for k in keys))
        gap = [result["fitted"][form][k] - result["held_out"][form][k] for k in keys]
        lines.append(f"{form:<10}{'gap':<10}" + "".join(f"{g:>8.3f}" for g in gap))
    return "\n".join(lines + format_folds(result, keys) + format_error_causes(result))


def format_error_causes(result: dict) -> list[str]:
    """Held-out errors counted by cause, per form."""
    causes = result.get("error_causes")
    if not causes:
        return []
    lines = ["held-out errors by cause (sentences; false positives count event types)"]
    lines.append(f"{'cause':<12}" + "".join(f"{form:>10}" for form in FORMS) + "  meaning")
    for cause, meaning in ERROR_CAUSES:
        counts = "".join(f"{causes[form][cause]:>10}" for form in FORMS)
        lines.append(f"{cause:<12}{counts}  {meaning}")
    return lines


def format_folds(result: dict, keys: tuple[str, ...]) -> list[str]:
    """Per fold: the fold's scorer on its own training sentences (fitted) and on the fold
    (held out), and the mean over folds of each."""
    lines = [
        "per fold: the scorer fitted without fold k, on its training sentences (fit k) and on",
        "fold k (held k); the mean of each over folds",
    ]
    for form in FORMS:
        for name, label in (("fitted", "fit"), ("held_out", "held")):
            figures = [fold[form][name] for fold in result.get("per_fold", [])]
            for number, m in enumerate(figures):
                lines.append(
                    f"{form:<10}{f'{label} {number}':<10}" + "".join(f"{m[k]:>8.3f}" for k in keys)
                )
            if figures:
                means = [sum(m[k] for m in figures) / len(figures) for k in keys]
                lines.append(
                    f"{form:<10}{f'{label} mean':<10}" + "".join(f"{v:>8.3f}" for v in means)
                )
    return lines


def repeated_cross_validation(scored: list[Scored], folds: int, repeats: int) -> list[dict]:
    """``cross_validate`` over ``repeats`` partitions into folds: with a hundred sentences one
    partition's held-out F1 moves by a sentence or two; the mean over partitions does less."""
    return [cross_validate(scored, folds, repeat) for repeat in range(repeats)]


def format_repeats(results: list[dict]) -> str:
    """Event-type F1 fitted, held out and their gap per partition and form, and the means."""
    lines = [
        f"repeated cross-validation: {len(results)} partitions into {results[0]['folds']} folds"
    ]
    lines.append(f"{'form':<10}{'partition':<11}{'fitted':>8}{'held':>8}{'gap':>8}")
    for form in FORMS:
        rows = [(r["fitted"][form]["f1"], r["held_out"][form]["f1"]) for r in results]
        for number, (fitted, held) in enumerate(rows):
            lines.append(f"{form:<10}{number:<11}{fitted:>8.3f}{held:>8.3f}{fitted - held:>8.3f}")
        fitted = sum(f for f, _ in rows) / len(rows)
        held = sum(h for _, h in rows) / len(rows)
        lines.append(f"{form:<10}{'mean':<11}{fitted:>8.3f}{held:>8.3f}{fitted - held:>8.3f}")
    return "\n".join(lines)
