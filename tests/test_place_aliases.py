"""Derived place aliases: other names of countries, states and cities as real text writes them
("the States", "Bombay", "New York" for the city), none of them ambiguous."""

from pathlib import Path

import pytest

from etl.reference import build_place_aliases, gazetteers, places
from etl.reference.places import Place, Purpose, exact_key


def _place(name: str) -> Place | None:
    return places.lookup_place(name, Purpose.ENTITY_RESOLUTION)


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("the States", "United States"),
        ("Bombay", "Mumbai"),
        ("Peking", "Beijing"),
        ("Alma-Ata", "Almaty"),
        ("Persia", "Iran"),
        ("New York", "New York City"),
        ("NYC", "New York City"),
    ],
)
def test_an_alias_is_the_same_place_as_the_name(alias, name):
    assert _place(alias) is not None and _place(alias) == _place(name)


def test_names_of_two_places_keep_their_base_reading():
    # A country and a US state share "Georgia": no tag count decides across countries.
    assert _place("Georgia").iso3 == "GEO"
    assert _place("Holland").iso3 == "NLD"
    assert _place("Washington").kind == "capital"
    assert _place("New York State") == Place("admin", "USA", "New York")


def test_the_table_has_one_place_per_key_and_no_short_codes():
    aliases = gazetteers.derived_aliases()
    keys = [exact_key(alias.alias) for alias in aliases]
    assert len(keys) == len(set(keys)) and len(keys) > 300
    assert all(len(key) >= build_place_aliases.MIN_ALIAS_LENGTH for key in keys)
    assert {alias.source for alias in aliases} == {"wordnet", "geonames"}


def test_only_a_city_overrides_a_base_name_and_only_its_own_state():
    base = places.base_place_index()
    for alias in gazetteers.derived_aliases():
        existing = base.get(exact_key(alias.alias))
        if existing is None or existing.kind == "city":
            continue
        assert alias.kind == "city" and existing.kind == "admin", alias
        assert existing.iso3 == alias.iso3


NYC = Place("city", "USA", "New York City", 8_804_190)
NY_STATE = Place("admin", "USA", "New York")
LEXEME_FORMS = {"turkey": {"turkey": 1e-4, "Turkey": 1e-5}, "bombay": {"Bombay": 1e-6}}


def _choose(candidates, base=None):
    return build_place_aliases.choose_aliases(candidates, base or {}, LEXEME_FORMS, {"capital"})


def test_the_city_wins_a_name_it_shares_with_its_state_when_tagged_more_often():
    chosen = _choose(
        [("New York", NYC, "wordnet", 46), ("New York", NY_STATE, "wordnet", 16)],
        base={"new york": NY_STATE},
    )
    assert chosen == [("New York", NYC, "wordnet")]
    untagged = [("New York", NYC, "wordnet", 0), ("New York", NY_STATE, "wordnet", 0)]
    assert _choose(untagged, base={"new york": NY_STATE}) == []


def test_ambiguous_common_and_descriptive_aliases_are_dropped():
    georgia_state = Place("admin", "USA", "Georgia")
    georgia = Place("country", "GEO", "Georgia")
    mumbai = Place("city", "IND", "Mumbai", 12_691_836)
    chosen = _choose(
        [
            ("Georgia", georgia_state, "wordnet", 17),
            ("Georgia", georgia, "wordnet", 0),
            ("Turkey", Place("country", "TUR", "Türkiye"), "wordnet", 0),
            ("Indian capital", Place("capital", "IND", "New Delhi"), "wordnet", 0),
            ("AZ", Place("admin", "USA", "Arizona"), "wordnet", 0),
            ("Bombay", mumbai, "wordnet", 0),
        ]
    )
    assert chosen == [("Bombay", mumbai, "wordnet")]


@pytest.mark.skipif(
    not (build_place_aliases.WORDNET_DIR / "data.noun").exists(), reason="no WordNet 3.0"
)
def test_wordnet_gives_the_synset_of_a_country_with_its_other_names():
    senses = build_place_aliases.WordNetPlaces(Path(build_place_aliases.WORDNET_DIR))
    usa = {alias for alias, place, _, _ in senses.aliases() if place.iso3 == "USA"}
    assert {"the States", "America", "United States of America"} <= usa
    assert senses.names_a_person("Pompey") and not senses.names_a_person("Bombay")
