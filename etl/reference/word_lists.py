"""The packaged word lists of ``etl/reference/data`` (one entry per line, ``#`` comment lines),
read by one loader.

Two title lists live here and differ on purpose:

* ``office_words.txt``: single words of office, rank or standing that may stand before a
  person's name in a mention ("Kazakh *leader* Nursultan Nazarbaev", "*former* *deputy*");
  entity resolution strips them. It holds descriptors that are never capitalized ("former",
  "acting", "opposition"), so it cannot drive casing.
* ``capitalized_titles.txt``: titles, one or several words, that are capitalized when they
  stand directly before a name ("Prime Minister", "Rev."); casing restoration capitalizes them.
  Merging it with the first list would capitalize "Former" and "Acting" before names.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=16)
def read_word_list(name: str) -> tuple[str, ...]:
    """The stripped, non-empty, non-comment lines of ``etl/reference/data/<name>``, in order."""
    text = resources.files("etl.reference").joinpath("data", name).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def office_words() -> frozenset[str]:
    """Lowercased words of office that may precede a person's name (stripped in resolution)."""
    return frozenset(read_word_list("office_words.txt"))


def capitalized_titles() -> tuple[str, ...]:
    """Lower-case titles capitalized directly before a name (casing restoration), in file order."""
    return read_word_list("capitalized_titles.txt")
