"""Learn the casing decision's weights (``data/casing_weights.json``) from cased text degraded
the way wire copy is.

Training text: the GUM documents of ``gum_more_dev`` (interviews, biographies, travel guides,
academic and court texts: their gold files hold the cased and the degraded text) and the ECB+
news documents of ``ecb_dev/docs`` (cased only; degraded here with the shared
``tools/degrade.py``, the transformation that made every degraded gold text). The GUM news
developer documents stay out of training, so the figure measured on them stays held out.

Each degraded document is restored by the rules alone (``restore_text(..., model=None)``); every
word not cased by its position becomes one example: the features the restorer traced for it,
labelled by whether the cased original spells it with a capital. A document is read twice,
without corpus evidence and with evidence from the cased texts of its group's other documents
(an ECB+ topic, a GUM genre), as a pipeline run sees related well-formed articles. The weights
are an L2-regularized logistic regression fitted by full-batch gradient descent (numpy, Adam
steps); features seen fewer than ``MIN_FEATURE_COUNT`` times are dropped. The two margins a
score must pass to overturn the rules (``CasingModel.capital_margin`` / ``lower_margin``) are
learned from cross-fitted scores: each group of training documents scored by weights fitted
without it (``fit_casing``, ``learn_margins``).

Run: ``python -m etl.stages.normalize.train_casing [--shared ../shared]``; ``train_casing()`` is
the function a build command can call.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from etl.stages.normalize.casing_model import WEIGHTS_FILE, CasingModel
from etl.stages.normalize.evidence import build_case_evidence
from etl.stages.normalize.lexicon import load_lexicon
from etl.stages.normalize.offsets import clean_text
from etl.stages.normalize.restore import restore_text

REPO = Path(__file__).resolve().parents[3]
DEFAULT_SHARED = REPO.parent / "shared"
MIN_FEATURE_COUNT = 3
L2_PENALTY = 1e-5  # weight decay on the mean log-loss (chosen by held-out F1, see docs)
ITERATIONS = 200
# Folds of whole training groups whose cross-fitted scores the overturn margins are learned on,
# and the margins tried (log-odds; 0 is the plain sigmoid >= 0.5 decision).
MARGIN_FOLDS = 5
MARGIN_GRID = tuple(step / 4 for step in range(0, 25))
LEARNING_RATE = 0.1
_TOKEN_RE = re.compile(r"\S+")
_NON_WORD_RE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class CasedDocument:
    """A document in both forms: ``cased`` original and ``lower`` degraded text."""

    doc_id: str
    corpus: str  # "gum_news_dev", "gum_more_dev", "ecb_dev"
    group: str  # the unit left out together: a GUM document's genre, an ECB+ topic
    cased: str
    lower: str


def load_gum(gold_path: Path) -> list[CasedDocument]:
    """GUM documents of a gold file; the group is the genre (``GUM_<genre>_<name>``)."""
    corpus = Path(gold_path).parent.name
    documents = []
    for line in Path(gold_path).read_text("utf8").splitlines():
        if line.strip():
            record = json.loads(line)
            genre = record["doc_id"].split("_")[1]
            documents.append(
                CasedDocument(record["doc_id"], corpus, genre, record["text"], record["lower_text"])
            )
    return documents


def _degrade_module(shared: Path):
    spec = importlib.util.spec_from_file_location("degrade", shared / "tools" / "degrade.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_ecb(shared: Path = DEFAULT_SHARED) -> list[CasedDocument]:
    """ECB+ developer documents degraded with the shared tool; the group is the topic."""
    degrade = _degrade_module(shared).degrade
    documents = []
    for path in sorted((shared / "data" / "ecb_dev" / "docs").glob("*/*.txt")):
        cased = path.read_text("utf8")
        lower, _ = degrade(cased)
        documents.append(CasedDocument(path.stem, "ecb_dev", path.parent.name, cased, lower))
    return documents


def load_corpus(name: str, shared: Path = DEFAULT_SHARED) -> list[CasedDocument]:
    """``gum_news_dev``, ``gum_more_dev`` (or any GUM-format gold folder) or ``ecb_dev``."""
    if name == "ecb_dev":
        return load_ecb(shared)
    return load_gum(shared / "data" / name / "gold.jsonl")


def training_corpora(shared: Path = DEFAULT_SHARED) -> list[CasedDocument]:
    """The packaged model's training documents: GUM's other genres and ECB+ (never GUM news)."""
    return load_corpus("gum_more_dev", shared) + load_corpus("ecb_dev", shared)


def _letters(text: str) -> str:
    return _NON_WORD_RE.sub("", text)


def aligned_words(cased: str, lower: str) -> list[tuple[str, int, int]] | None:
    """Per whitespace token of ``lower`` holding letters: its gold letters from ``cased`` and its
    span in ``lower``. Word characters are aligned in order (degradation only lower-cases them
    and changes what lies between them); None when they do not correspond."""
    cased_chars = [index for index, char in enumerate(cased) if _letters(char)]
    lower_chars = [index for index, char in enumerate(lower) if _letters(char)]
    if len(cased_chars) != len(lower_chars):
        return None
    if any(cased[c].lower() != lower[w] for c, w in zip(cased_chars, lower_chars, strict=True)):
        return None
    gold_at = dict(zip(lower_chars, cased_chars, strict=True))
    words = []
    for match in _TOKEN_RE.finditer(lower):
        start, end = match.span()
        gold = "".join(cased[gold_at[i]] for i in range(start, end) if i in gold_at)
        if gold:
            words.append((gold, start, end))
    return words


def document_examples(
    document: CasedDocument, evidence=None
) -> list[tuple[dict[str, float], bool]]:
    """(features, gold has a capital) for every word the casing model decides."""
    cleaned, _ = clean_text(document.lower)
    words = aligned_words(document.cased, cleaned)
    if words is None:
        return []
    gold = {start: word for word, start, _ in words}
    traces: list[list] = []
    restore_text(cleaned, load_lexicon(), evidence, model=None, traces=traces)
    examples = []
    line_start = 0
    for line, trace in zip(cleaned.split("\n"), traces, strict=True):
        starts = [line_start + match.start() for match in _TOKEN_RE.finditer(line)]
        for index, _token, features, _ in trace:
            word = gold.get(starts[index], "")
            examples.append((features, word.lower() != word))
        line_start += len(line) + 1
    return examples


def group_evidence(documents: list[CasedDocument]) -> list:
    """Per document, case evidence from the cased texts of its group's other documents."""
    by_group: dict[str, list[int]] = defaultdict(list)
    for index, document in enumerate(documents):
        by_group[document.group].append(index)
    evidence = []
    for index, document in enumerate(documents):
        others = [documents[i].cased for i in by_group[document.group] if i != index]
        evidence.append(build_case_evidence(others))
    return evidence


def corpus_examples(documents: list[CasedDocument]) -> list[list[tuple[dict, bool]]]:
    """Examples per document: read without evidence and with its group's evidence."""
    return [
        document_examples(document) + document_examples(document, evidence)
        for document, evidence in zip(documents, group_evidence(documents), strict=True)
    ]


def fit(examples: Iterable[tuple[dict[str, float], bool]]) -> CasingModel:
    """L2-regularized logistic regression over the examples' features."""
    examples = list(examples)
    counts = Counter(name for features, _ in examples for name in features)
    names = sorted(name for name, count in counts.items() if count >= MIN_FEATURE_COUNT)
    column = {name: index for index, name in enumerate(names)}
    rows, cols, values = [], [], []
    for row, (features, _) in enumerate(examples):
        for name, value in features.items():
            index = column.get(name)
            if index is not None:
                rows.append(row)
                cols.append(index)
                values.append(value)
    rows_array = np.array(rows, dtype=np.int64)
    cols_array = np.array(cols, dtype=np.int64)
    values_array = np.array(values, dtype=np.float64)
    labels = np.array([label for _, label in examples], dtype=np.float64)
    size = len(examples)
    weights = np.zeros(len(names))
    first, second = np.zeros(len(names)), np.zeros(len(names))
    penalty = L2_PENALTY
    for step in range(1, ITERATIONS + 1):
        log_odds = np.bincount(rows_array, weights[cols_array] * values_array, size)
        error = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -30, 30))) - labels
        gradient = np.bincount(cols_array, error[rows_array] * values_array, len(names)) / size
        gradient += penalty * weights
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient**2
        corrected = first / (1 - 0.9**step)
        weights -= LEARNING_RATE * corrected / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
    return CasingModel(dict(zip(names, weights.tolist(), strict=True)))


def _ruled_capital(features: dict[str, float]) -> bool:
    return "rules=capital" in features


def _capital_f1(scored, capital_margin: float, lower_margin: float) -> float:
    """F1 of the capital decision over (log-odds, the rules capitalized, gold capital) words."""
    model = CasingModel({}, capital_margin, lower_margin)
    true = predicted = gold_capitals = 0
    for item in scored:
        score, ruled, gold = item[:3]
        capital = model.decides_capital(score, ruled)
        predicted += capital
        gold_capitals += gold
        true += capital and gold
    return 2 * true / (predicted + gold_capitals) if predicted + gold_capitals else 0.0


def _no_worse_than_best(scored, f1_of, grid) -> float:
    """The margin of ``grid`` to use: the best pooled F1 (``f1_of(words, margin)``), or, when
    ``scored`` holds each word's fold (a fourth element), the largest margin (fewest overturns
    of the rules) whose per-fold F1 falls short of the best margin's by no more than one
    standard error of that paired difference across folds: a margin chosen on a difference
    smaller than its noise is chosen by chance (the one-standard-error rule of model selection)."""
    best = max(grid, key=lambda margin: (f1_of(scored, margin), -margin))
    folds: dict = defaultdict(list)
    for item in scored:
        if len(item) > 3:
            folds[item[3]].append(item)
    if len(folds) < 2:
        return best
    per_fold = [(words, f1_of(words, best)) for words in folds.values()]
    chosen = best
    for margin in grid:
        if margin <= best:
            continue
        shortfalls = np.array([best_f1 - f1_of(words, margin) for words, best_f1 in per_fold])
        standard_error = shortfalls.std(ddof=1) / np.sqrt(len(shortfalls))
        if shortfalls.mean() <= standard_error:
            chosen = margin
    return chosen


def learn_margins(scored: Iterable[tuple]) -> tuple[float, float]:
    """(capital margin, lower margin) from (log-odds, the rules capitalized, gold capital[,
    fold]) of words scored by weights not fitted on them: each margin of ``MARGIN_GRID`` by
    the F1 of the capital decision over these words (``_no_worse_than_best``; the two margins
    act on disjoint words: those the rules left in lower case and those they capitalized)."""
    scored = list(scored)
    capital_margin = _no_worse_than_best(
        scored, lambda words, margin: _capital_f1(words, margin, 0.0), MARGIN_GRID
    )
    lower_margin = _no_worse_than_best(
        scored, lambda words, margin: _capital_f1(words, capital_margin, margin), MARGIN_GRID
    )
    return capital_margin, lower_margin


def fit_casing(
    document_examples: list[list[tuple[dict[str, float], bool]]], groups: list[str]
) -> CasingModel:
    """The weights fitted on every document's examples, with overturn margins learned from
    cross-fitted scores: the documents of each of ``MARGIN_FOLDS`` folds of whole groups
    (``groups[i]`` is document i's) scored by weights fitted on the other folds."""
    model = fit(example for document in document_examples for example in document)
    ordered = sorted(set(groups))
    fold_of = {group: position % MARGIN_FOLDS for position, group in enumerate(ordered)}
    scored = []
    for fold in range(min(MARGIN_FOLDS, len(ordered))):
        inside = [fold_of[group] == fold for group in groups]
        fold_model = fit(
            example
            for document, held in zip(document_examples, inside, strict=True)
            if not held
            for example in document
        )
        scored.extend(
            (fold_model.score(features), _ruled_capital(features), label, fold)
            for document, held in zip(document_examples, inside, strict=True)
            if held
            for features, label in document
        )
    capital_margin, lower_margin = learn_margins(scored)
    return CasingModel(model.weights, capital_margin, lower_margin)


def document_groups(documents: list[CasedDocument]) -> list[str]:
    """The unit each document is left out with when margins are learned: corpus and group."""
    return [f"{document.corpus}/{document.group}" for document in documents]


def train_casing(shared: Path = DEFAULT_SHARED, output: Path = WEIGHTS_FILE) -> CasingModel:
    """Fit the packaged model on the training corpora and write its weights to ``output``."""
    documents = training_corpora(shared)
    model = fit_casing(corpus_examples(documents), document_groups(documents))
    output.write_text(model.to_json() + "\n", encoding="utf8")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--output", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args()
    model = train_casing(args.shared, args.output)
    print(
        f"wrote {len(model.weights)} weights to {args.output} (margins: capital"
        f" {model.capital_margin}, lower {model.lower_margin})"
    )


if __name__ == "__main__":
    main()
