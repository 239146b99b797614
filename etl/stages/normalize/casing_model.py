"""The learned casing decision: one logistic-regression score per word of a degraded line.

The restorer's evidence (the packaged cased-word statistics, phrases, gazetteers, titles and
heads, the corpus's own ``CaseEvidence``, and the context rules of ``restore.LineRestorer``)
becomes named features of each word and of its neighbours; the weights, learned from degraded
cased text by ``python -m etl.stages.normalize.train_casing``, decide whether the word carries a
capital. The decision is ``sigmoid(sum of weights) >= 0.5``; ``explain`` lists the features
behind it with their weights. The form of a capitalized word (title case, an acronym, a
hyphenated name) comes from the lexicon and the rules, as before. Words cased by their position
(sentence starts, datelines) and function words keep the rules' verdict.

Overturning the rules takes more than a score past 0.5: the model capitalizes a word the rules
left in lower case only when its log-odds reach ``capital_margin``, and lowers one the rules
capitalized only when they fall below ``-lower_margin``. Both margins are learned with the
weights (``train_casing.learn_margins``) from scores of training documents the weights were not
fitted on, since the weights' own training words overstate how often an overturn is right.

Features are cheap string names; the context-free part of a word's score (its probability band,
lists and shape) and of each neighbour's is summed once per distinct word and cached.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
WEIGHTS_FILE = DATA_DIR / "casing_weights.json"
# Distinct words (and neighbour keys) whose context-free score is kept per process.
MAX_CACHED_SCORES = 200_000
# Names the committed weights where a caller may pass its own model (or None: rules only).
PACKAGED_MODEL = "packaged"

# Upper bounds of the capitalization-probability bands of a word (the last band is 1.0).
PROBABILITY_BANDS = (0.001, 0.01, 0.05, 0.15, 0.3, 0.5, 0.7, 0.9, 0.99)
_BAND_NAMES = (*(f"<{upper}" for upper in PROBABILITY_BANDS), "high")
# Word lengths from this one on share one feature. Word endings and the identity of
# neighbouring words were tried as features and dropped: they widened the gap between fitted
# and held-out F1 (0.05 on ECB+ topics) without raising the held-out figure.
MAX_LENGTH_FEATURE = 6
# A word's decision is settled, and the model not asked, when no context rule and no corpus
# evidence touched it and the rules leave a word capitalized less often than this in lower case
# (with no capital beside it), or capitalize a word capitalized at least SETTLED_CAPITAL_AT of the
# time. On the developer texts (GUM, ECB+) the model overturned the rules on 70 of 34,545 such
# common words (any neighbours) and 0 of 7,643 such names.
SETTLED_LOWER_BELOW = PROBABILITY_BANDS[0]
SETTLED_CAPITAL_AT = 0.7
# Names of the two overturn margins in the weights file (never feature names).
CAPITAL_MARGIN_KEY = "margin:capital"
LOWER_MARGIN_KEY = "margin:lower"
# A logit this large in magnitude is already certain; clipping keeps the real-valued feature tame.
MAX_LOGIT = 7.0


def probability_band(probability: float | None) -> str:
    """Name of the band holding ``probability`` ("unknown" for a word the model lacks)."""
    if probability is None:
        return "unknown"
    return _BAND_NAMES[bisect_right(PROBABILITY_BANDS, probability)]


def settled(probability: float | None, ruled_capital: bool) -> bool:
    """Whether the rules' verdict on a word of this capitalization probability stands without
    the model (``SETTLED_LOWER_BELOW``, ``SETTLED_CAPITAL_AT``); unknown words are never settled."""
    if probability is None:
        return False
    if ruled_capital:
        return probability >= SETTLED_CAPITAL_AT
    return probability < SETTLED_LOWER_BELOW


def scaled_logit(probability: float | None) -> float:
    """The probability's log-odds, clipped and scaled into [-1, 1] (0 for unknown words)."""
    if probability is None:
        return 0.0
    clipped = min(max(probability, 1e-4), 1 - 1e-4)
    return max(-MAX_LOGIT, min(MAX_LOGIT, math.log(clipped / (1 - clipped)))) / MAX_LOGIT


def pair_features(side: str, probability: float | None) -> dict[str, float]:
    """Features of how a word is cased beside its neighbour on ``side`` ("prev" or "next") in
    the packaged bigram statistics, ``probability`` being its capitalized share there; nothing
    for a pair they lack."""
    if probability is None:
        return {}
    return {
        f"{side}_pair.band={probability_band(probability)}": 1.0,
        f"{side}_pair.logit": scaled_logit(probability),
    }


@dataclass(frozen=True)
class CasingModel:
    """Feature weights of the casing decision (``weights`` maps feature name -> weight)."""

    weights: dict[str, float]
    # Log-odds needed to overturn the rules' verdict (see the module docstring).
    capital_margin: float = 0.0
    lower_margin: float = 0.0
    # Cache of the context-free score part per word or key (filled lazily by ``word_score``;
    # not part of equality). Callers scoring many keys may read it directly before calling.
    cached_scores: dict = field(default_factory=dict, compare=False, repr=False)
    # Per side: the weights of the pair bands (in band order) and of the pair logit.
    _pair_weights: dict = field(default_factory=dict, compare=False, repr=False)

    def score(self, features: dict[str, float]) -> float:
        """Log-odds that the word is capitalized."""
        weights = self.weights
        total = 0.0
        for name, value in features.items():
            weight = weights.get(name)
            if weight is not None:
                total += weight * value
        return total

    def word_score(self, word, features) -> float:
        """Cached score of a word's (or a neighbour key's) context-free features
        (``features(word)`` computes them)."""
        cached = self.cached_scores.get(word)
        if cached is None:
            if len(self.cached_scores) >= MAX_CACHED_SCORES:
                self.cached_scores.clear()  # a long backfill must not grow the cache forever
            cached = self.score(features(word))
            self.cached_scores[word] = cached
        return cached

    def pair_score(self, side: str, probability: float | None) -> float:
        """``score(pair_features(side, probability))`` without building the features: pairs
        are too many to cache and a fresh one is scored for nearly every decided word."""
        if probability is None:
            return 0.0
        table = self._pair_weights.get(side)
        if table is None:
            bands = tuple(self.weights.get(f"{side}_pair.band={band}") for band in _BAND_NAMES)
            table = self._pair_weights[side] = (bands, self.weights.get(f"{side}_pair.logit"))
        band_weights, logit_weight = table
        # The same additions, in the same order, as ``score`` over the two features.
        total = 0.0
        band_weight = band_weights[bisect_right(PROBABILITY_BANDS, probability)]
        if band_weight is not None:
            total += band_weight
        if logit_weight is not None:
            total += logit_weight * scaled_logit(probability)
        return total

    def decides_capital(self, log_odds: float, ruled_capital: bool) -> bool:
        """The decision on a word scored ``log_odds`` that the rules did (not) capitalize."""
        if ruled_capital:
            return log_odds >= -self.lower_margin
        return log_odds >= self.capital_margin

    def explain(self, features: dict[str, float]) -> list[tuple[str, float]]:
        """(feature, contribution) pairs with a non-zero contribution, largest magnitude first."""
        contributions = [
            (name, self.weights.get(name, 0.0) * value) for name, value in features.items()
        ]
        return sorted((pair for pair in contributions if pair[1]), key=lambda pair: -abs(pair[1]))

    def to_json(self) -> str:
        weights = {name: round(value, 5) for name, value in sorted(self.weights.items()) if value}
        margins = {CAPITAL_MARGIN_KEY: self.capital_margin, LOWER_MARGIN_KEY: self.lower_margin}
        return json.dumps({**margins, **weights}, indent=0, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CasingModel:
        weights = json.loads(text)
        capital_margin = weights.pop(CAPITAL_MARGIN_KEY, 0.0)
        lower_margin = weights.pop(LOWER_MARGIN_KEY, 0.0)
        return cls(weights, capital_margin, lower_margin)


def probability(log_odds: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, log_odds))))


@lru_cache(maxsize=1)
def load_casing_model() -> CasingModel | None:
    """The committed weights, or None before the first training (the rules then decide)."""
    if not WEIGHTS_FILE.is_file():
        return None
    return CasingModel.from_json(WEIGHTS_FILE.read_text("utf8"))
