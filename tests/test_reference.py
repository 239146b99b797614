"""One home for reference data: one place index and key for event locations and entity
resolution, one city cutoff per purpose, one word-list loader, the model name in settings."""

import pytest

from etl.reference import gazetteers, places
from etl.reference.places import Purpose
from etl.reference.word_lists import capitalized_titles, office_words, read_word_list
from etl.settings import Settings
from etl.stages.extract.locations import country_code
from etl.stages.nlp import DEFAULT_MODEL
from etl.stages.resolve.names import lookup_place


@pytest.mark.parametrize(
    ("place", "code"),
    # Event locations used to pick the most populous *city* of these names (a Honduran town
    # "Arizona", a Cuban "Florida") while resolution picked the state or country.
    [("Arizona", "USA"), ("Florida", "USA"), ("Holland", "NLD"), ("Palestine", "PSE")],
)
def test_event_location_and_entity_agree_on_places_that_used_to_differ(place, code):
    assert country_code(place) == lookup_place(place).iso3 == code


def test_no_place_name_gets_two_country_codes():
    names = {city.name for city in gazetteers.cities()} | set(gazetteers.us_states())
    names |= {country.capital for country in gazetteers.countries()} - {""}
    names |= {f"{name} City" for name in list(names)}
    coded_by_both = 0
    for name in names:
        event_code, entity_place = country_code(name), lookup_place(name)
        if event_code and entity_place:
            coded_by_both += 1
            assert event_code == entity_place.iso3, name
    assert coded_by_both > 10_000


def _town_between(low: int, high: int) -> places.Place:
    index = places.place_index()
    return next(
        place
        for place in index.values()
        if place.kind == "city"
        and low <= place.population < high
        and index.get(places.exact_key(place.name)) == place
    )


def test_city_cutoff_hides_a_small_town_from_resolution_only():
    town = _town_between(
        places.min_city_population(Purpose.EVENT_LOCATION),
        places.min_city_population(Purpose.ENTITY_RESOLUTION),
    )
    assert country_code(town.name) == town.iso3
    assert lookup_place(town.name) is None


def test_a_known_small_town_is_not_read_as_the_shorter_name():
    # "Texas City" is a town below resolution's cutoff: unknown there, never the state Texas.
    assert lookup_place("Texas City") is None
    assert country_code("Texas City") == "USA"
    assert lookup_place("Taipei City").name == "Taipei"


def test_one_cutoff_per_purpose_with_a_reason():
    assert sorted(cutoff.purpose for cutoff in places.CITY_CUTOFFS) == sorted(Purpose)
    assert all(cutoff.reason for cutoff in places.CITY_CUTOFFS)
    assert places.min_city_population(Purpose.CASING_PHRASES) == 100_000


def test_casing_phrases_take_cities_above_their_cutoff_only():
    names = set(places.place_names(Purpose.CASING_PHRASES))
    cutoff = places.min_city_population(Purpose.CASING_PHRASES)
    big = next(city for city in gazetteers.cities() if city.population >= cutoff)
    assert big.name in names
    assert "Texas City" not in names


def test_word_lists_share_one_loader_and_differ_on_purpose():
    assert "former" in office_words() and "former" not in capitalized_titles()
    assert "prime minister" in capitalized_titles()
    assert not any(line.startswith("#") for line in read_word_list("office_words.txt"))


def test_spacy_model_name_comes_from_settings(monkeypatch):
    monkeypatch.delenv("NEWSETL_SPACY_MODEL", raising=False)
    assert Settings().spacy_model == DEFAULT_MODEL
