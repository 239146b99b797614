"""Event participants named by a description resolved to the person the document names.

News refers to people by role as often as by name: "Kazakhstan's president", "the Kazakh
leader", "the opposition candidate". A *description* is a noun phrase whose head noun's most
frequent sense is a person (``data/person_nouns.txt``, built from WordNet by
``build_person_nouns.py``) and which is not itself part of a name.

Within a document it resolves to a PERSON mention the document names with a role:

* the name in apposition to the description itself ("the president, Nursultan Nazarbayev");
* otherwise a name the document introduces with a role: right after the role noun ("Kazakh
  President Nursultan Nazarbayev", "leader Nursultan Nazarbaev") or in apposition ("Nazarbayev,
  the Kazakh leader"). The same role noun is one piece of evidence, the same country modifying
  description and role ("Kazakhstan's", "Kazakh") another; a role of another country rules a
  name out. The names with the most evidence compete, and the nearest one before the
  description wins, else the first after it ("the Kazakh leader" -> "Kazakh President
  Nazarbayev").

A quantified description ("no particular candidate", "every minister") names no one.

A description that finds no person stays unresolved: it never resolves to the country or
organisation that modifies it ("Kazakhstan's president" is not Kazakhstan).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Token

from etl.reference.places import Purpose, lookup_place

_COUNTRY_KINDS = frozenset({"country", "demonym", "capital"})
_MODIFIER_DEPS = frozenset({"poss", "amod", "compound", "nmod", "npadvmod"})
# Determiners of a generic or quantified description, which names no one person.
_NOT_ONE_PERSON = frozenset({"no", "any", "every", "each", "some", "all", "another", "other"})
_ROLE_WINDOW = 4  # words between a role noun and the name it introduces ("Kazakh President X")


@lru_cache(maxsize=1)
def person_nouns() -> frozenset[str]:
    """Nouns whose most frequent sense is a person (WordNet 3.0, committed list)."""
    text = resources.files("etl.stages.extract").joinpath("data", "person_nouns.txt").read_text()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def is_person_noun(token: Token) -> bool:
    return token.pos_ in {"NOUN", "PROPN"} and token.lemma_.lower() in person_nouns()


def _country(token: Token) -> str | None:
    place = lookup_place(token.text, Purpose.ENTITY_RESOLUTION)
    return place.iso3 if place is not None and place.kind in _COUNTRY_KINDS else None


def _modifier_country(head: Token) -> str | None:
    """ISO3 of a country modifying a role noun: ``Kazakhstan's`` / ``Kazakh`` president."""
    for child in head.lefts:
        if child.dep_ in _MODIFIER_DEPS:
            iso3 = _country(child)
            if iso3:
                return iso3
    return None


@dataclass(frozen=True)
class Role:
    """A person mention the document introduces with a role noun (and maybe a country)."""

    mention: dict
    noun: str
    country: str | None


@dataclass(frozen=True)
class Description:
    """A participant described by role; ``mention`` is the person it resolves to, or None."""

    mention: dict | None


class DescriptionResolver:
    """Resolves person descriptions of one parsed document to its PERSON mentions."""

    def __init__(self, doc: Doc, mentions: list[dict]):
        self.doc = doc
        self.persons = [m for m in mentions if m["label"] == "PERSON"]
        self._roles: list[Role] | None = None

    def _person_at(self, token: Token) -> dict | None:
        for mention in self.persons:
            if mention["start_char"] <= token.idx < mention["end_char"]:
                return mention
        return None

    @property
    def roles(self) -> list[Role]:
        if self._roles is None:
            self._roles = [role for mention in self.persons for role in self._roles_of(mention)]
        return self._roles

    def _roles_of(self, mention: dict) -> list[Role]:
        span = self.doc.char_span(mention["start_char"], mention["end_char"], "expand")
        if span is None or len(span) == 0:
            return []
        roles = []
        country = None
        for index in range(span.start - 1, max(-1, span.start - 1 - _ROLE_WINDOW), -1):
            token = self.doc[index]
            if token.is_punct or token.is_space:
                break
            iso3 = _country(token)
            if iso3:
                country = country or iso3
            elif is_person_noun(token):
                roles.append(Role(mention, token.lemma_.lower(), _modifier_country(token)))
            elif token.pos_ not in {"ADJ", "PROPN", "NOUN"}:
                break
        roles = [Role(r.mention, r.noun, r.country or country) for r in roles]
        root = span.root
        appositions = [child for child in root.children if child.dep_ == "appos"]
        if root.dep_ == "appos":
            appositions.append(root.head)
        for token in appositions:
            if is_person_noun(token) and self._person_at(token) is None:
                roles.append(Role(mention, token.lemma_.lower(), _modifier_country(token)))
        return roles

    def resolve(self, head: Token) -> Description | None:
        """The person a description headed by ``head`` names; None if ``head`` is no description."""
        if not is_person_noun(head) or self._person_at(head) is not None:
            return None
        if any(child.dep_ == "det" and child.lower_ in _NOT_ONE_PERSON for child in head.children):
            return Description(None)  # "no particular candidate", "every minister"
        for child in head.children:
            if child.dep_ == "appos" and (named := self._person_at(child)) is not None:
                return Description(named)
        noun, country = head.lemma_.lower(), _modifier_country(head)
        scored: dict[int, list[Role]] = {}
        for role in self.roles:
            if country is not None and role.country not in {None, country}:
                continue  # another country's president
            score = (role.noun == noun) + (country is not None and role.country == country)
            if score:
                scored.setdefault(score, []).append(role)
        chosen = _nearest(scored[max(scored)], head.idx) if scored else None
        return Description(chosen.mention if chosen else None)


def _nearest(roles: list[Role], offset: int) -> Role | None:
    before = [role for role in roles if role.mention["start_char"] < offset]
    if before:
        return max(before, key=lambda role: role.mention["start_char"])
    after = [role for role in roles if role.mention["start_char"] >= offset]
    return min(after, key=lambda role: role.mention["start_char"]) if after else None
