"""Derive multi-word names made of common words from WordNet 3.0 for the casing phrase table
(``data/phrases.tsv.gz``, written by ``build_model``), each with its strength.

WordNet keeps the case of its lemmas ("Supreme_Court", "Continental_Army", "Red_Cross"), so its
capitalized multi-word noun lemmas are names of organisations, places, works, events and
people from a broad English source, not from any evaluation text. A lemma becomes a phrase when

* it reads as a name: two or more words, the first and last capitalized, the first no function
  word ("The Hague" would capitalize every "the hague"), a lower-case word inside only a
  function word or a short particle ("Bay of Plenty", "Rio de Janeiro"), letters and hyphens only;
* it holds at least one word the casing model does not already capitalize at least half the
  time mid-sentence (``MODEL_CAPITALIZES``): a name of name words ("John Tyler") adds nothing
  the word model does not say, only load time.

Its strength says whether the same words in lower case are often an ordinary phrase instead
("new year" / "New Year"): ``weak`` when WordNet also lists the lower-case sequence as a lemma
("supreme_court", "air_force") or when every pair of adjacent content words is common in lower
case in the ``truecase`` package's bigram counts (``often_lower_case``: "social security");
``strong`` otherwise. Only strong names join the phrase table (``build_model.
with_wordnet_names``): a phrase match capitalizes its words wherever they stand.

WordNet 3.0 Copyright 2006 by Princeton University (see ``data/phrases.LICENSE``); read at build
time from ``/usr/share/wordnet`` (Debian ``wordnet-base``); runtime needs no WordNet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise
from pathlib import Path

from etl.stages.extract.build_lexicon import WORDNET_DIR, data_file_lemmas

# A phrase all of whose content words the casing model capitalizes this often adds nothing.
MODEL_CAPITALIZES = 0.5
# Longest lower-case word allowed inside a name besides function words ("de", "van", "al").
MAX_PARTICLE_LETTERS = 3
STRONG, WEAK = "strong", "weak"
# A Title-Case bigram is a name when seen capitalized at least this many times as often as in
# lower case (``build_model.truecase_phrases``; a phrase's strength uses the same bar).
TITLE_CASE_RATIO = 3
WORDNET_POS_FILES = ("noun", "verb", "adj", "adv")


def wordnet_lemmas(directory: Path = WORDNET_DIR) -> tuple[set[str], set[str]]:
    """(cased noun lemmas with a capital, every lower-case lemma of any part of speech), words
    joined by underscores as WordNet writes them."""
    cased: set[str] = set()
    lower: set[str] = set()
    for suffix in WORDNET_POS_FILES:
        for lemmas in data_file_lemmas(directory, suffix):
            for lemma in lemmas:
                if lemma == lemma.lower():
                    lower.add(lemma)
                elif suffix == "noun":
                    cased.add(lemma)
    return cased, lower


def _plain_word(word: str) -> bool:
    return word.replace("-", "").isalpha() and not word.startswith("-")


def name_like(words: list[str], function_words: frozenset[str] | set[str]) -> bool:
    """Whether a cased word sequence reads as a name (see the module docstring)."""
    if len(words) < 2 or not all(_plain_word(word) for word in words):
        return False
    first, last = words[0], words[-1]
    if first.lower() in function_words or not first[0].isupper() or not last[0].isupper():
        return False
    return all(
        word[0].isupper() or word in function_words or len(word) <= MAX_PARTICLE_LETTERS
        for word in words[1:-1]
    )


def often_lower_case(words: list[str], bigrams: Mapping[str, int], function_words) -> bool:
    """True when the name is a run of content words and every adjacent pair of them is seen in
    lower case in the bigram counts, and cased as in the name less than ``TITLE_CASE_RATIO``
    times as often (the bar a Title-Case bigram of truecase must pass to be a phrase at all): a
    lower-case reading of the sequence is common ("new year"). A pair never seen in lower case
    says nothing (False); so does a function word inside: "Department of Homeland Security" is
    no ordinary phrase as a whole, however common "homeland security" is."""
    if any(word.lower() in function_words for word in words):
        return False
    for first, second in pairwise(words):
        cased = bigrams.get(f"{first}_{second}", 0)
        lower = bigrams.get(f"{first.lower()}_{second.lower()}", 0)
        if not lower or cased >= TITLE_CASE_RATIO * lower:
            return False
    return True


def name_phrases(
    names: Iterable[str],
    lower_lemmas: set[str],
    cap_probability: Mapping[str, float],
    bigrams: Mapping[str, int],
    function_words: frozenset[str] | set[str],
) -> dict[str, tuple[str, str]]:
    """{lower phrase: (cased phrase, strength)} of the names (words joined by underscores as in
    WordNet, or by spaces) that read as names made of common words."""
    phrases: dict[str, tuple[str, str]] = {}
    for name in sorted(names):
        words = name.replace("_", " ").split()
        lemma = "_".join(words)
        if not name_like(words, function_words):
            continue
        content = [word.lower() for word in words if word.lower() not in function_words]
        if all(cap_probability.get(word, 0.0) >= MODEL_CAPITALIZES for word in content):
            continue
        weak = lemma.lower() in lower_lemmas or often_lower_case(words, bigrams, function_words)
        key = " ".join(words).lower()
        strength = WEAK if weak else STRONG
        # Two lemmas spelled alike in lower case: the weaker reading wins.
        if key not in phrases or strength == WEAK:
            phrases[key] = (" ".join(words), strength)
    return phrases
