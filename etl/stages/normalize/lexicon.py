"""Loaders (cached per process) for the packaged casing model and the lexicons in ``data/``."""

from __future__ import annotations

import gzip
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from etl.reference.word_lists import capitalized_titles

DATA_DIR = Path(__file__).resolve().parent / "data"
# Pseudo-observations added to each side of a context pair's counts (``_smoothed_share``).
CONTEXT_PRIOR = 0.1
# Longest short word that takes its acronym form from context ("us", "un", "eu", "nato").
MAX_ACRONYM_BEFORE_TITLE = 4
# A short word takes its acronym form from context only if it is sometimes capitalized anyway.
ACRONYM_MIN_CAP = 0.01
# A name head's share of names is pulled towards one half by this many names each way.
HEAD_SHARE_PRIOR = 0.5
# Upper bounds of the name-head share bands (``name_head_band``), and their names.
HEAD_SHARE_BANDS = (0.25, 0.5, 0.75)
HEAD_BAND_NAMES = ("low", "mixed", "likely", "strong")


@dataclass(frozen=True)
class CasingLexicon:
    """Everything the restorer looks up, loaded once per process."""

    forms: dict[str, str]  # lower word -> preferred capitalized form (every known word)
    cap_probability: dict[str, float]  # lower word -> P(capitalized mid-sentence)
    phrases: dict[str, str]  # lower multi-word name -> cased name
    phrase_starts: frozenset[str]
    max_phrase_words: int
    # first word -> word counts of the phrases it opens, longest first
    phrase_sizes: dict[str, tuple[int, ...]]
    abbreviations: dict[str, str]  # lower abbreviation with period -> cased form
    lowercase_abbreviations: frozenset[str]
    titles: dict[str, tuple[str, ...]]  # first title word -> full lower titles starting with it
    all_titles: frozenset[str]  # every lower title ("prime minister")
    title_words: frozenset[str]  # every word of a title ("prime", "minister")
    clitics: dict[str, tuple[frozenset[str], str]]  # clitic -> (allowed previous words, spelling)
    elisions: dict[str, frozenset[str]]  # letter -> allowed next words ("*v": vowel-initial)
    agencies: dict[str, str]
    domain_suffixes: frozenset[str]  # "com", "org", "ca": endings of web addresses
    months: dict[str, str]  # ambiguous month word -> cased form
    month_cues: frozenset[str]
    organization_heads: frozenset[str]
    name_run_heads: frozenset[str]  # heads that pull name-like modifiers into the name
    place_heads: frozenset[str]  # landform heads: after a name only ("Gaza Strip")
    generic_modifiers: frozenset[str]  # modifiers that never join an organization name
    hyphen_prefixes: frozenset[str]  # "re-", "pro-": hyphenated words that are not given names
    title_blockers: frozenset[str]  # words after which a title stays lower case
    acronym_connectors: frozenset[str]  # words skipped in the name an acronym abbreviates
    generic_heads: frozenset[str]  # common nouns ending a name read after "<person> of"
    field_nouns: frozenset[str]  # fields a body works on ("Agency for Development")
    # suffix -> stem endings to restore ("ized" -> "", "e", "y"): derived common words
    derivational_suffixes: dict[str, tuple[str, ...]]
    given_names: frozenset[str]  # lower-case given names ("nathan", "gary")
    function_word_surnames: frozenset[str]  # "to", "or": surnames after a given name
    surnames: frozenset[str]  # lower-case surnames that are also common words ("hill")
    demonyms: frozenset[str]  # lower-case nationality adjectives ("israeli", "greek")
    # heads that stay lower case after a lone nationality adjective ("Israeli army")
    nationality_generic_heads: frozenset[str]
    # spaCy's stop words and irregular verb forms: never a surname by position ("Ahmed said").
    function_words: frozenset[str]
    # ("prev" or "next", context word, word) -> P(word capitalized beside that context word)
    context_capital: dict[tuple[str, str, str], float]
    # Short words whose capital form is an acronym and that are capitalized at least
    # ACRONYM_MIN_CAP of the time ("us", "un"): the words context may spell as acronyms.
    short_acronyms: frozenset[str]
    # common word -> band of how often it ends a name rather than an ordinary compound in broad
    # sources ("river" strong, "man" low; ``name_heads.tsv``, ``name_head_band``)
    name_head_bands: dict[str, str]
    # Restorer's cache: plain word -> its form, kind and score from the lexicon alone (filled
    # lazily by ``restore.LineRestorer.cached_word_form``; not part of equality).
    word_form_cache: dict = field(default_factory=dict, compare=False, repr=False)
    # Restorer's cache: word -> whether the learned decision may be asked about it, its
    # capitalization probability and how the rules' verdict settles it (filled lazily by
    # ``restore.LineRestorer._open_word``; not part of equality).
    open_word_cache: dict = field(default_factory=dict, compare=False, repr=False)


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _gz_columns(name: str, width: int) -> list[list[str]]:
    """The columns of a gzipped table of ``width`` tab-separated cells per line. The whole
    text is split at once and sliced into columns, so no Python code runs per row (the load is
    most of the parent process's normalization cost in a short run)."""
    with gzip.open(DATA_DIR / name, "rt", encoding="utf8") as handle:
        text = handle.read()
    if text.endswith("\n"):
        text = text[:-1]
    if set(map(str.count, text.split("\n"), repeat("\t"))) != {width - 1}:
        raise ValueError(f"{name}: every line must hold {width} tab-separated cells")
    cells = text.replace("\n", "\t").split("\t")
    return [cells[column::width] for column in range(width)]


def model_table() -> list[list[str]]:
    """The packaged casing model's columns (``build_model.MODEL_FILE``): lower-case words, their
    mid-sentence forms ("" when the lower case is kept) and capitalization probabilities."""
    return _gz_columns("casing_model.tsv.gz", 3)


def _titles() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for title in capitalized_titles():
        grouped.setdefault(title.split()[0], []).append(title)
    # Longest title first so "prime minister" wins over "prime".
    return {first: tuple(sorted(t, key=len, reverse=True)) for first, t in grouped.items()}


@lru_cache(maxsize=1)
def load_lexicon() -> CasingLexicon:
    """Read all packaged data files (about half a second); later calls return the cached lexicon."""
    lowers, cased, probabilities = model_table()
    # An empty form means the word has no capitalized form: its form is itself.
    filled = [form or lower for lower, form in zip(lowers, cased, strict=True)]
    forms = dict(zip(lowers, filled, strict=True))
    cap_probability = dict(zip(lowers, map(float, probabilities), strict=True))
    for name in _lines("online_names.txt"):
        forms[name.lower()] = name
        cap_probability[name.lower()] = 1.0
    phrases = dict(zip(*_gz_columns("phrases.tsv.gz", 2), strict=True))
    titles = _titles()
    name_run_heads = frozenset(_lines("name_run_heads.txt"))
    place_heads = frozenset(_lines("place_heads.txt"))
    clitics = {}
    for clitic, previous, spelling in (line.split("\t") for line in _lines("contractions.tsv")):
        clitics[clitic] = (frozenset(previous.split()), spelling)
    elisions = {
        letter: frozenset(following.split())
        for letter, following in (line.split("\t") for line in _lines("elisions.tsv"))
    }
    return CasingLexicon(
        forms=forms,
        cap_probability=cap_probability,
        phrases=phrases,
        phrase_starts=frozenset(phrase.split()[0] for phrase in phrases),
        max_phrase_words=max((len(p.split()) for p in phrases), default=1),
        phrase_sizes=phrase_sizes(phrases),
        abbreviations=dict(
            line.split("\t")
            for line in _lines("abbreviations.tsv") + _lines("rank_abbreviations.tsv")
        ),
        lowercase_abbreviations=frozenset(_lines("lowercase_abbreviations.txt")),
        titles=titles,
        all_titles=frozenset(title for group in titles.values() for title in group),
        title_words=frozenset(
            word for group in titles.values() for title in group for word in title.split()
        ),
        clitics=clitics,
        elisions=elisions,
        agencies=dict(line.split("\t") for line in _lines("agencies.tsv")),
        domain_suffixes=frozenset(_lines("domain_suffixes.txt")),
        months=dict(line.split("\t") for line in _lines("calendar.tsv")),
        month_cues=frozenset(_lines("month_cues.txt")),
        organization_heads=frozenset(_lines("org_heads.txt")) | name_run_heads | place_heads,
        place_heads=place_heads,
        name_run_heads=name_run_heads,
        generic_modifiers=frozenset(_lines("generic_modifiers.txt")),
        hyphen_prefixes=frozenset(_lines("hyphen_prefixes.txt")),
        title_blockers=frozenset(_lines("title_blockers.txt")),
        acronym_connectors=frozenset(_lines("acronym_connectors.txt")),
        generic_heads=frozenset(_lines("generic_heads.txt")),
        field_nouns=frozenset(_lines("field_nouns.txt")),
        derivational_suffixes={
            suffix: tuple("" if e == "-" else e for e in endings.split())
            for suffix, endings in (
                line.split("\t") for line in _lines("derivational_suffixes.tsv")
            )
        },
        given_names=frozenset(_lines("given_names.txt")),
        function_word_surnames=frozenset(_lines("function_word_surnames.txt")),
        surnames=frozenset(_lines("surnames.txt")),
        demonyms=frozenset(_lines("demonyms.txt")),
        nationality_generic_heads=frozenset(_lines("nationality_generic_heads.txt")),
        function_words=frozenset(STOP_WORDS) | frozenset(_lines("irregular_verbs.txt")),
        short_acronyms=frozenset(
            word
            for word, form in forms.items()
            if len(word) <= MAX_ACRONYM_BEFORE_TITLE
            and len(form) == len(word)
            and form.isupper()
            and cap_probability[word] >= ACRONYM_MIN_CAP
        ),
        context_capital=_context_capital(),
        name_head_bands=_name_head_bands(),
    )


def _context_capital() -> dict[tuple[str, str, str], float]:
    """("prev" or "next", context word, word) -> smoothed share of capitalized sightings."""
    sides, contexts, words, lowers, capitals = _gz_columns("context_casing.tsv.gz", 5)
    shares = map(_smoothed_share, map(int, lowers), map(int, capitals))
    return dict(zip(zip(sides, contexts, words, strict=True), shares, strict=True))


def name_head_band(named: int, common: int) -> str:
    """Band of a word's smoothed share of names among the multi-word lemmas and names it ends
    (``build_name_heads``): "low", "mixed", "likely" or "strong"."""
    share = (named + HEAD_SHARE_PRIOR) / (named + common + 2 * HEAD_SHARE_PRIOR)
    return HEAD_BAND_NAMES[bisect_right(HEAD_SHARE_BANDS, share)]


def _name_head_bands() -> dict[str, str]:
    rows = (line.split("\t") for line in _lines("name_heads.tsv"))
    return {word: name_head_band(int(named), int(common)) for word, named, common in rows}


def phrase_sizes(phrases: dict[str, str]) -> dict[str, tuple[int, ...]]:
    """First word -> the word counts of the phrases it opens (two or more words), longest
    first: a phrase match tries only those lengths instead of every length up to the longest."""
    sizes: dict[str, set[int]] = {}
    for phrase in phrases:
        words = phrase.split(" ")
        if len(words) > 1:
            sizes.setdefault(words[0], set()).add(len(words))
    return {start: tuple(sorted(counts, reverse=True)) for start, counts in sizes.items()}


def _smoothed_share(lower: int, capital: int) -> float:
    """Share of capitalized observations, pulled towards one half by a tenth of an observation
    each way so that two observations never read as certainty."""
    return (capital + CONTEXT_PRIOR) / (lower + capital + 2 * CONTEXT_PRIOR)
