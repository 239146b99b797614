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

Person words, read by description extraction and by entity resolution alike:
``person_nouns.txt`` and ``person_noun_genders.tsv`` (WordNet 3.0, ``build_person_nouns``) and
``given_name_genders.tsv`` (gender-guesser's name dictionary, ``build_name_genders``).
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


@lru_cache(maxsize=1)
def office_words() -> frozenset[str]:
    """Lowercased words of office that may precede a person's name (stripped in resolution)."""
    return frozenset(read_word_list("office_words.txt"))


def capitalized_titles() -> tuple[str, ...]:
    """Lower-case titles capitalized directly before a name (casing restoration), in file order."""
    return read_word_list("capitalized_titles.txt")


@lru_cache(maxsize=1)
def person_nouns() -> frozenset[str]:
    """Nouns whose most frequent sense is a person (WordNet 3.0, committed list)."""
    return frozenset(read_word_list("person_nouns.txt"))


@lru_cache(maxsize=1)
def noun_genders() -> dict[str, str]:
    """Person noun -> ``female`` / ``male`` (WordNet 3.0, committed list)."""
    return dict(line.split("\t") for line in read_word_list("person_noun_genders.tsv"))


@lru_cache(maxsize=1)
def given_name_genders() -> dict[str, str]:
    """Lower-cased given name -> ``female`` / ``male`` (gender-guesser's name dictionary,
    committed list built by ``build_name_genders.py``)."""
    return dict(line.split("\t") for line in read_word_list("given_name_genders.tsv"))
