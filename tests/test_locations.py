"""Place names map to ISO 3166-1 alpha-3 codes from the offline gazetteers."""

import pytest

from etl.stages.extract.locations import country_code


@pytest.mark.parametrize(
    ("place", "code"),
    [
        ("Almaty", "KAZ"),
        ("almaty", "KAZ"),
        ("Kazakhstan", "KAZ"),
        ("Kazakhstan’s", "KAZ"),
        ("Bishkek", "KGZ"),
        ("the United States", "USA"),
        ("Iran", "IRN"),
        ("Moscow", "RUS"),
        ("Texas", "USA"),
    ],
)
def test_known_places(place, code):
    assert country_code(place) == code


@pytest.mark.parametrize("place", ["", "Nowhereville Upon Mars", "the ministry"])
def test_unknown_places(place):
    assert country_code(place) is None
