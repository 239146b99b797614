"""Name folding and the offline gazetteer (countries, demonyms, capitals, cities) for resolution.

Folding turns a surface form into comparison keys:

* ``exact_key``: unidecode, lowercase, punctuation dropped, possessive and leading article
  removed (``"the Kyrgyz Foreign Ministry's"`` -> ``"kyrgyz foreign ministry"``,
  ``"U.N."`` -> ``"un"``);
* ``translit_key``: ``exact_key`` with the spellings that romanization systems (and French,
  German or English habits) give one Cyrillic or Arabic sound folded together: ``dzh``/``dj``/
  ``zh``/``j``, ``kh``/``h``, ``shch``/``sch``/``sh`` (``Khrushchev``/``Khruschev``), ``x``/``ks``
  (``Alexander``/``Aleksandr``), ``tch``/``ch``, ``q``/``ck``/``k``, ``ph``/``f``, ``dh``/``d``,
  ``ou``/``u``, ``ye``/``e`` at a word start or after a vowel (``Yeltsin``/``Eltsin``,
  ``Nazarbayev``/``Nazarbaev``), ``y``/``i`` (and ``aie``/``ae``: ``Nazarbaiev``), ``ow``
  before a consonant / ``u`` (``Rowhani``/``Rouhani``), a final ``ow`` / ``ov``
  (``Berdimuhamedow``), the Arabic article inside a name (``el-Sisi``/``al-Sisi``/``Sisi``),
  doubled letters (``Gaddafi``/``Qaddafi``/``Kadhafi`` -> ``gadafi``/``kadafi``/``kadafi``);
* ``skeleton``: consonants only (after ``translit_key``) with voiced and voiceless pairs folded
  (``g``/``k``, ``d``/``t``, ``b``/``p``, ``z``/``s``, ``v``/``f``), used as the blocking key: two
  spellings of one name that differ only in vowels or voicing share a skeleton, and a string
  similarity then decides.

Places (countries, demonyms such as ``Kyrgyz``, capitals, cities) are looked up in the one place
index of ``etl.reference.places``, with the entity-resolution city cutoff; ``exact_key`` is that
module's key function.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from etl.reference import places

# Re-exported: resolution reads names and places through this module.
from etl.reference.places import Place as Place
from etl.reference.places import country_names as country_names
from etl.reference.places import exact_key as exact_key
from etl.reference.places import strip_possessive as strip_possessive
from etl.reference.word_lists import (
    capitalized_titles,
    given_name_genders,
    office_words,
    person_nouns,
)
from etl.stages.normalize.lexicon import load_lexicon

# P(capitalized mid-sentence) below which a word is never part of a name (casing lexicon).
NEVER_CAPITALIZED = 0.05
_VOWELS = re.compile(r"[aeiouy]+")
_DOUBLED = re.compile(r"(.)\1+")
# One sound, several romanizations: applied in this order (longest spellings first).
_TRANSLIT_FOLDS = (
    (re.compile(r"shch|sch"), "sh"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"dzh|dj|zh"), "j"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"tch"), "ch"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"dh"), "d"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"(?:(?<=\b)|(?<=[aeiou]))ye"), "e"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(?<=[aeou])ie"), "e"),
    (re.compile(r"ow(?=[^aeiouy\s])"), "u"),  # Persian ow / ou: Rowhani / Rouhani
    (re.compile(r"ow\b"), "ov"),  # German-style w for v: Berdimuhamedow / Berdymukhammedov
    # Arabic's article inside a name, written al-, el- or left out: el-Sisi / al-Sisi / Sisi
    (re.compile(r"(?<=\S) (?:al|el) (?=\S)"), " "),
)
_VOICING = str.maketrans("gdbzv", "ktpsf")


def _read_lines(name: str) -> list[str]:
    text = resources.files("etl.stages.resolve").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def title_words() -> frozenset[str]:
    """Lowercased words of office that may precede a person's name."""
    return office_words()


@lru_cache(maxsize=1)
def honorifics() -> frozenset[str]:
    """Lowercased courtesy titles stripped from the front of a person's name."""
    return frozenset(_read_lines("honorifics.txt"))


@lru_cache(maxsize=1)
def government_cues() -> dict[str, frozenset[str]]:
    """Words around a capital's name that show it stands for the government."""
    raw = json.loads(
        resources.files("etl.stages.resolve")
        .joinpath("data", "government_cues.json")
        .read_text("utf-8")
    )
    return {key: frozenset(value) for key, value in raw.items() if not key.startswith("_")}


@lru_cache(maxsize=1)
def org_words() -> dict[str, frozenset[str]]:
    """Function words skipped in acronyms, and determiners."""
    raw = json.loads(
        resources.files("etl.stages.resolve").joinpath("data", "org_words.json").read_text("utf-8")
    )
    return {key: frozenset(value) for key, value in raw.items() if not key.startswith("_")}


@lru_cache(maxsize=262_144)
def translit_key(key: str) -> str:
    """Fold romanization variants of an ``exact_key`` (see the module docstring)."""
    folded = key
    for pattern, replacement in _TRANSLIT_FOLDS:
        folded = pattern.sub(replacement, folded)
    return _DOUBLED.sub(r"\1", folded)


def skeleton(key: str) -> str:
    """Consonant skeleton of a ``translit_key``, voicing folded (the fuzzy-matching block)."""
    consonants = _VOWELS.sub("", key.replace(" ", "")).translate(_VOICING)
    return _DOUBLED.sub(r"\1", consonants)


def strip_honorifics(tokens: list[str]) -> list[str]:
    """Drop leading courtesy titles (``Mr.``, ``President``) from a person's name tokens."""
    words = honorifics()
    index = 0
    while index < len(tokens) - 1 and tokens[index].lower() in words:
        index += 1
    return tokens[index:]


@lru_cache(maxsize=65_536)
def is_role_noun(word: str) -> bool:
    """A common noun naming what a person is or does (``Producer``, ``Defendant``,
    ``Polygamist``, ``Receptionist``): its most frequent WordNet sense is a person, it is written
    in lower case mid-sentence more often than not (casing lexicon), and it is no given name
    (``Will``, ``Hope``, ``Pastor`` stay names). Written in capitals it is an acronym."""
    lowered = word.lower()
    if word.isupper() or lowered not in person_nouns() or lowered in given_name_genders():
        return False
    return load_lexicon().cap_probability.get(lowered, 1.0) < 0.5


def _is_name_word(word: str) -> bool:
    """A word capitalized mid-sentence more often than not, unknown to the casing lexicon, or a
    given name: what may follow a role noun in a name (not ``Who`` of ``Doctor Who``)."""
    lowered = strip_possessive(word).lower()
    if lowered in given_name_genders():
        return True
    return load_lexicon().cap_probability.get(lowered, 1.0) >= 0.5


def strip_titles(tokens: list[str]) -> list[str]:
    """Drop the role before a person's name: courtesy titles, words of office, role nouns before
    a name word (``Producer Moffat``, ``Defendant Scott Peterson``: ``is_role_noun``; not
    ``Doctor Who``) and a country that qualifies them (``Kazakh President Nursultan
    Nazarbayev``, ``Kazakhstan's Nursultan Nazarbayev``, ``Kazakh leader Nazarbayev``); a country
    is dropped only when possessive or followed by such a word, so ``Jordan Henderson`` keeps
    his given name. An abbreviated title or rank (``Sgt.``, ``Lt``, ``Capt.``) is dropped too,
    unless the whole name is a place (``St. Louis``)."""
    roles = honorifics() | title_words()
    abbreviations = title_abbreviations()
    index = 0
    while index < len(tokens) - 1:
        word = strip_possessive(tokens[index])
        lowered = word.lower().rstrip(",")
        if (
            lowered in roles
            # the gazetteer is asked only once an abbreviation is met (not "St. Louis")
            or (lowered.rstrip(".") in abbreviations and lookup_place(" ".join(tokens)) is None)
            or (is_role_noun(word.rstrip(",")) and _is_name_word(tokens[index + 1]))
        ):
            index += 1
            continue
        place = lookup_place(word)
        qualifies = word != tokens[index] or (
            tokens[index + 1].lower() in roles or is_role_noun(tokens[index + 1])
        )
        if place is not None and place.kind in {"country", "demonym"} and qualifies:
            index += 1
            continue
        break
    return tokens[index:]


# A group's words are read without their title once per document that holds the group.
@lru_cache(maxsize=1 << 16)
def without_titles(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """``strip_titles`` of a name's words, as a tuple."""
    return tuple(strip_titles(list(tokens)))


@lru_cache(maxsize=1)
def title_abbreviations() -> frozenset[str]:
    """Lowercased abbreviated titles and ranks without their dot (``sgt``, ``capt``, ``gen``,
    ``mr``): never a surname, unlike the words they abbreviate (``John Major``, ``Larry King``)."""
    titles = (title for title in capitalized_titles() if " " not in title)
    return frozenset(word[:-1] for word in (*titles, *honorifics()) if word.endswith("."))


def genders_differ(first: str, second: str) -> bool:
    """Whether two given names (``translit_key`` words) are a man's and a woman's name by the
    name dictionary (``Mario`` / ``Maria``, ``Julian`` / ``Juliana``): near-identical spellings of
    two people, not two spellings of one name. A name the dictionary does not know differs from
    none."""
    genders = given_name_genders()
    first_gender, second_gender = genders.get(first), genders.get(second)
    return first_gender is not None and second_gender is not None and first_gender != second_gender


def _is_common_word(word: str) -> bool:
    """A word never capitalized mid-sentence (casing lexicon) that is no given name: the
    headline or sentence-start word spaCy ran into a name (``Catching Fire``, ``Purportedly
    Simpson``); written in capitals it is an acronym."""
    lowered = word.lower()
    if word.isupper() or lowered in given_name_genders():
        return False
    return load_lexicon().cap_probability.get(lowered, 1.0) < NEVER_CAPITALIZED


def person_name_shaped(tokens: tuple[str, ...]) -> bool:
    """Whether the words of a PERSON mention (titles stripped) can be a person's full name:
    the first is no common word (``Catching Fire``) and no place that is not also a given
    name (``Bloomington Sam's Club``, ``Texas Ranger``; ``Paris Hilton`` and ``Warren Jeffs`` are
    names), and the last, the surname, is no abbreviated rank (``RCMP Sgt``) and is not written in
    capitals unless the first is too (``Creston RCMP``; a headline's ``WARREN JEFFS`` is a name)."""
    first, last = tokens[0], strip_possessive(tokens[-1])
    if _is_common_word(first):
        return False
    place = lookup_place(first)
    if place is not None and place.kind != "demonym" and first.lower() not in given_name_genders():
        return False
    if last.lower().rstrip(".") in title_abbreviations():
        return False
    return not (len(last) > 1 and last.isupper() and not first.isupper())


@lru_cache(maxsize=65_536)
def acronym(tokens: tuple[str, ...]) -> str:
    """Initials of a multi-word name, skipping function words; digits kept (``M5S``)."""
    skip = org_words()["acronym_skip"]
    letters = []
    for token in tokens:
        if token.lower() in skip:
            continue
        letters.append(token if token.isdigit() else token[0])
    return "".join(letters).lower()


def acronym_forms(tokens: tuple[str, ...]) -> frozenset[str]:
    """The initials a multi-word name's acronym may spell: without its function words
    (``NATO``, ``UN``) or with them (``DoD`` for Department of Defense, ``BoE``)."""
    every_word = "".join(token if token.isdigit() else token[0] for token in tokens).lower()
    return frozenset({acronym(tokens), every_word})


# Asked for every mention, often several times (a one-argument cache is cheaper to ask than
# the gazetteer's, keyed by text and purpose).
@lru_cache(maxsize=1 << 16)
def lookup_place(text: str) -> Place | None:
    """The place a mention's text names, if any (``Taipei City`` -> ``Taipei``)."""
    return places.lookup_place(text, places.Purpose.ENTITY_RESOLUTION)
