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
  name out. A description qualified by a possessor that is no country or pronoun ("the ruling
  party's candidate") is relative to it: only a name introduced with the same possessor fits
  ("the candidate, Omurbek Babanov" does not). The names with the most evidence compete, and
  the nearest one before the description wins, else the first after it ("the Kazakh leader" ->
  "Kazakh President Nazarbayev").

A quantified description ("no particular candidate", "every minister") names no one.

A description that finds no person stays unresolved: it never resolves to the country or
organisation that modifies it ("Kazakhstan's president" is not Kazakhstan).

**Descriptions as entity mentions** (``description_mentions``): a singular description (a
common noun outside any name) that resolves to a person by its own role noun ("the Kazakh
leader" -> "Kazakh leader Nursultan Nazarbayev"; a shared country alone is not enough for a
mention: "the Kazakh ambassador" is not the Kazakh president) or by apposition becomes a mention
of that person (``entity_mentions.antecedent_mention_id`` names the mention it refers to). A
description with no role evidence but a name among its modifiers ("an Oklahoma man", "the
Brooklyn mother") refers to the person the story is about: the person named most often in the
document (a lone surname counts for its full name whatever spaCy's label of it), when that
person holds at least a learned share of the document's person mentions
(``data/description_fallback.json``, fitted by leave-one-topic-out cross-validation on ECB+,
``etl.evaluate.fit_entities``).
A description without such evidence ("the judge", "a witness") names someone else as often as
the protagonist and is left out. A gendered description ("woman", "mother": WordNet,
``data/person_noun_genders.tsv``) skips people of the other gender: told by pronouns (he/she in
the sentences naming only them), else by their given names (a committed list derived from a
broad name dictionary, ``data/given_name_genders.tsv``), or by a gendered description already
given to them, so "an Arkansas woman" after "an Oklahoma man" (Simpson) refers to the person
named most often after him. A sentence gives at most one description per gender ("an Oklahoma
man ... killing an Arkansas man": two people, only the first is the protagonist). A sentence
that describes an unnamed man and an unnamed woman ("Oklahoma man pleads not guilty in deaths
of Arkansas woman")
gives the first of them to the protagonist only when pronouns told the protagonist's gender, or
the description is the sentence's subject (or heads a verbless headline) and the protagonist is
the person the document makes a clause's subject most often (the agent of the story: "Simpson
shot Flynn"); the other then goes to the person named most often of the other gender.
A name written right before the head noun modifies it even when the parse left it apart ("Okla.
man", "Okla." parsed as a sentence of its own).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy
from spacy.attrs import ENT_TYPE, POS, TAG
from spacy.strings import get_string_id
from spacy.symbols import NOUN
from spacy.tokens import Doc, Span, Token

from etl.reference.places import Purpose, lookup_place
from etl.reference.word_lists import given_name_genders, noun_genders, person_nouns

_COUNTRY_KINDS = frozenset({"country", "demonym", "capital"})
_MODIFIER_DEPS = frozenset({"poss", "amod", "compound", "nmod", "npadvmod"})
# Determiners of a generic or quantified description, which names no one person.
_NOT_ONE_PERSON = frozenset({"no", "any", "every", "each", "some", "all", "another", "other"})
_ROLE_WINDOW = 4  # words between a role noun and the name it introduces ("Kazakh President X")
_PLURAL_TAGS = frozenset({"NNS", "NNPS"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Modifiers that belong to a description's span ("the 55-year-old Brooklyn mother").
_DESCRIPTION_MODIFIERS = _MODIFIER_DEPS | {"nummod", "quantmod"}


def is_person_noun(token: Token) -> bool:
    return token.pos_ in {"NOUN", "PROPN"} and token.lemma_.lower() in person_nouns()


def _country(token: Token) -> str | None:
    place = lookup_place(token.text, Purpose.ENTITY_RESOLUTION)
    return place.iso3 if place is not None and place.kind in _COUNTRY_KINDS else None


def _possessor(head: Token) -> str | None:
    """Lemma of the possessor that qualifies a role noun when it is neither a country nor a
    pronoun (``party`` in "the ruling party's candidate"), else None."""
    for child in head.children:
        if child.dep_ == "poss" and child.pos_ != "PRON" and _country(child) is None:
            return child.lemma_.lower()
    return None


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
    possessor: str | None = None  # "the party's candidate X": the role holds for the party


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
                roles.append(
                    Role(mention, token.lemma_.lower(), _modifier_country(token), _possessor(token))
                )
            elif token.pos_ not in {"ADJ", "PROPN", "NOUN"}:
                break
        roles = [Role(r.mention, r.noun, r.country or country, r.possessor) for r in roles]
        root = span.root
        appositions = [child for child in root.children if child.dep_ == "appos"]
        if root.dep_ == "appos":
            appositions.append(root.head)
        for token in appositions:
            if is_person_noun(token) and self._person_at(token) is None:
                roles.append(
                    Role(mention, token.lemma_.lower(), _modifier_country(token), _possessor(token))
                )
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
        noun, country, possessor = head.lemma_.lower(), _modifier_country(head), _possessor(head)
        scored: dict[int, list[Role]] = {}
        for role in self.roles:
            if country is not None and role.country not in {None, country}:
                continue  # another country's president
            if possessor is not None and role.possessor != possessor:
                continue  # "the ruling party's candidate" is not any candidate the text named
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


@lru_cache(maxsize=1)
def protagonist_share() -> float:
    """Least share of a document's person mentions its most named person must hold for an
    unmatched description to refer to them (learned; ``data/description_fallback.json``)."""
    raw = json.loads(
        resources.files("etl.stages.extract")
        .joinpath("data", "description_fallback.json")
        .read_text("utf-8")
    )
    return float(raw["protagonist_share"])


# Subject pronouns only: a possessive ("her fetus") often belongs to someone unnamed.
_PRONOUN_GENDERS = {"he": "male", "she": "female"}


def person_genders(doc: Doc, persons: list[dict], mentions: list[dict]) -> dict[str, str]:
    """Surname -> gender of the people of a document, from the subject pronouns he / she after
    the name in a sentence that names one person only, or in the next sentence when it names
    no one ("Simpson faces life in prison. He will be sentenced ..."), when one gender has at
    least two thirds of them. A person's surname counts whatever spaCy's label of it there."""
    surnames = {_surname(mention) for mention in persons}
    by_given_name = _genders_by_given_name(persons)
    persons = [mention for mention in mentions if _surname(mention) in surnames]
    votes: dict[str, Counter] = defaultdict(Counter)
    previous: tuple[str, int] | None = None  # the one person named by the previous sentence
    for sentence in doc.sents:
        named = {
            (_surname(mention), mention["start_char"])
            for mention in persons
            if sentence.start_char <= mention["start_char"] < sentence.end_char
        }
        names = {surname for surname, _ in named}
        if len(names) == 1:
            current = (names.pop(), min(start for _, start in named))
        elif not names and previous is not None:
            current = previous
        else:
            previous = None
            continue
        for token in sentence:
            if token.lower_ in _PRONOUN_GENDERS and token.idx > current[1]:
                votes[current[0]][_PRONOUN_GENDERS[token.lower_]] += 1
        previous = current if named else None
    genders = {}
    for surname, counts in votes.items():
        gender, count = counts.most_common(1)[0]
        if 3 * count >= 2 * sum(counts.values()):
            genders[surname] = gender
    # Where no pronoun told, a given name that is a man's or a woman's does.
    return {**by_given_name, **genders}


def _genders_by_given_name(persons: list[dict]) -> dict[str, str]:
    """Surname -> gender told by the given names of the document's full names with that
    surname (the first given name the dictionary knows: "Ka'Loni Marie Flynn" by "Marie"),
    when they agree ("Herbert Flynn" beside "Ka'Loni Flynn" tells nothing)."""
    told: dict[str, set[str | None]] = defaultdict(set)
    for mention in persons:
        words = mention["text"].replace("’", "'").removesuffix("'s").split()
        if len(words) < 2:
            continue
        known = [given_name_genders().get(word.lower()) for word in words[:-1]]
        told[_surname(mention)].add(next((gender for gender in known if gender), None))
    return {
        surname: genders.pop()
        for surname, genders in told.items()
        if len(genders) == 1 and None not in genders
    }


def _surname(mention: dict) -> str:
    words = mention["text"].replace("’", "'").removesuffix("'s").split()
    return words[-1].lower() if words else ""


def _person_of(mention: dict, full_names: dict[str, list[str]]) -> str | None:
    """The person a PERSON mention names: its own full name, or the one full name of the
    document with its surname (``Horton`` -> ``Zurana Horton``); None when the surname is
    ambiguous (``Flynn`` beside ``Ka'Loni Flynn`` and ``Herbert Flynn``) or no full name has it."""
    words = mention["text"].replace("’", "'").removesuffix("'s").split()
    if len(words) >= 2:
        return " ".join(words)
    owners = full_names.get(_surname(mention), [])
    return owners[0] if len(owners) == 1 else None


def protagonist(
    persons: list[dict], excluded: frozenset[str] = frozenset()
) -> tuple[dict | None, float]:
    """(first mention of the person named most often, their share of the person mentions).

    A lone surname counts for the one full name of the document with that surname (``Horton``
    for ``Zurana Horton``), or for the surname itself when no full name has it. People whose
    surname is in ``excluded`` never are the protagonist but count in the share.
    """
    full_names: dict[str, list[str]] = defaultdict(list)
    for mention in persons:
        words = mention["text"].replace("’", "'").removesuffix("'s").split()
        name = " ".join(words)
        if len(words) >= 2 and name not in full_names[_surname(mention)]:
            full_names[_surname(mention)].append(name)
    person_of = {
        mention["mention_id"]: _person_of(mention, full_names)
        if _surname(mention) in full_names
        else _surname(mention)
        for mention in persons
    }
    all_counts = Counter(person for person in person_of.values() if person)
    counts = Counter(
        {
            person: n
            for person, n in all_counts.items()
            if person.split()[-1].lower() not in excluded
        }
    )
    if not counts:
        return None, 0.0
    person, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    if list(counts.values()).count(count) > 1:
        return None, 0.0  # two people named equally often: no one protagonist
    first = next(m for m in persons if person_of[m["mention_id"]] == person)
    return first, count / sum(all_counts.values())


def _names_someone(head: Token, span: Span, named_chars: set[int]) -> bool:
    """Whether a modifier of the description is a name ("Oklahoma man", "Brooklyn mother"):
    the evidence that it introduces a particular person."""
    return any(
        token.idx in named_chars or (token.is_title and not token.is_sent_start)
        for token in span
        if token.i != head.i
    )


def _without_unnamed_names(span: Span, head: Token, named_chars: set[int]) -> Span:
    """The description without the words up to a capitalized word that no mention covers
    ("Facebook creator" -> "creator" when "Facebook" was not recognized): such a name is
    something else than the person and must stay free for a mention of its own."""
    start = span.start
    for token in span[: head.i - span.start]:
        unnamed = (token.is_title or token.is_upper) and token.idx not in named_chars
        if unnamed and not (token.i == span.start and token.is_sent_start):
            start = token.i + 1
    return span.doc[start : head.i + 1]


def _named_by_role(resolver: DescriptionResolver, head: Token, target: dict) -> bool:
    """Whether the person a description resolved to bears its role noun or stands in apposition
    to it (not only a shared country), and no name other than a country's qualifies the
    description ("the Mets poet" is not the poet the document named before)."""
    if any(
        child.dep_ == "appos" and resolver._person_at(child) is target for child in head.children
    ):
        return True
    if _qualified_by_name(head):
        return False
    noun = head.lemma_.lower()
    return any(role.mention is target and role.noun == noun for role in resolver.roles)


def _qualified_by_name(head: Token) -> bool:
    """Whether a name other than a country's modifies the description ("the Brooklyn mother",
    "the Mets poet"): it tells which one is meant, so a role the document gave someone else
    ("Armstead, the mother of ...") does not fit it."""
    return any(
        child.dep_ in _MODIFIER_DEPS and child.pos_ == "PROPN" and _country(child) is None
        for child in head.lefts
    )


def _role_target(
    resolver: DescriptionResolver, head: Token, description: Description, place_chars: set[int]
) -> tuple[bool, dict | None]:
    """(whether the description may be a mention, the person its role names or None when
    only the protagonist fallback can tell)."""
    target = description.mention
    if target is None or _named_by_role(resolver, head, target):
        return True, target
    # A description qualified by a place ("a Brooklyn mother") whose role noun matched someone
    # else is still a person described by the place: the protagonist fallback decides. Another
    # name ("the Mets poet") may qualify the role by an organisation the story is not about.
    by_place = any(
        child.dep_ in _MODIFIER_DEPS and child.idx in place_chars and _country(child) is None
        for child in head.lefts
    )
    return by_place, None


def description_span(head: Token) -> Span:
    """The description's words: the head noun and its modifiers before it, on one line,
    without a leading determiner."""
    start = head.i
    for child in head.lefts:
        if child.dep_ in _DESCRIPTION_MODIFIERS:
            start = min(start, child.left_edge.i)
    doc = head.doc
    while start < head.i and (
        doc[start].pos_ == "DET" or doc[start].is_punct or "\n" in doc[start].whitespace_
    ):
        start += 1
    for index in range(head.i - 1, start - 1, -1):
        if "\n" in doc[index].whitespace_ or "\n" in doc[index].text:
            start = index + 1
            break
    return doc[start : head.i + 1]


_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


def _is_subject(token: Token) -> bool:
    """A clause's subject, or the head of a verbless headline ("Okla. man guilty of ...")."""
    return token.dep_ in _SUBJECT_DEPS or (token.dep_ == "ROOT" and token.pos_ in {"NOUN", "PROPN"})


def _most_often_subject(doc: Doc, persons: list[dict]) -> str | None:
    """Surname of the person the document names as a clause's subject most often (strictly
    more often than anyone else), or None."""
    counts: Counter = Counter()
    for mention in persons:
        span = doc.char_span(mention["start_char"], mention["end_char"], "expand")
        if span is not None and len(span) and span.root.dep_ in _SUBJECT_DEPS:
            counts[_surname(mention)] += 1
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def _with_name_before(span: Span, names_by_end: dict[int, dict]) -> Span:
    """The description with a name (not a person's or a nationality) written right before it
    on the same line ("Okla. man" when the parse left "Okla." unattached): in English a name
    directly before a noun modifies it."""
    doc = span.doc
    if span.start == 0 or span.root.i != span.start or span.root.dep_ in _MODIFIER_DEPS:
        # the parse found the description's modifiers itself, or the noun modifies another
        # ("Mobinil customer service representative")
        return span
    before = doc[span.start - 1]
    name = names_by_end.get(before.idx + len(before))
    if name is None or name["label"] in {"PERSON", "NORP"} or "\n" in before.whitespace_:
        return span  # a nationality is an adjective the parse attaches when it modifies
    named = doc.char_span(name["start_char"], name["end_char"], "expand")
    if named is None or any("\n" in token.whitespace_ for token in named[:-1]):
        return span
    return doc[named.start : span.end]


def _may_describe(head: Token, named_chars: set[int], person_starts: set[int]) -> bool:
    """Whether a token can head a singular person description: a common noun whose first
    sense is a person, outside any name, and not a title right before a name ("spokeswoman
    Sujata Raisinghani")."""
    doc = head.doc
    return not (
        head.pos_ != "NOUN"  # a proper noun is a name ("Doctor Who", "Internet Explorer")
        or head.tag_ in _PLURAL_TAGS
        or head.ent_type_
        or head.idx in named_chars
        or not is_person_noun(head)
        or (head.i + 1 < len(doc) and doc[head.i + 1].idx in person_starts)
    )


_PLURAL_TAG_IDS = numpy.array(sorted(get_string_id(tag) for tag in _PLURAL_TAGS), dtype="uint64")


def _singular_common_nouns(doc: Doc) -> list[Token]:
    """The tokens that pass ``_may_describe``'s first tests (a singular common noun outside any
    entity), found on the Doc's arrays: a Python ``Token`` for every token cost more."""
    if not len(doc):
        return []
    values = doc.to_array([POS, TAG, ENT_TYPE]).reshape(-1, 3)
    kept = (values[:, 0] == NOUN) & ~numpy.isin(values[:, 1], _PLURAL_TAG_IDS) & (values[:, 2] == 0)
    return [doc[i] for i in numpy.flatnonzero(kept).tolist()]


def _is_someone_else(head: Token) -> bool:
    """A quantified or possessed description ("no particular candidate", "his brother",
    "Simpson's cousin"): someone else than the protagonist."""
    return any(
        (child.dep_ == "det" and child.lower_ in _NOT_ONE_PERSON) or child.dep_ == "poss"
        for child in head.children
    )


def description_mentions(
    doc: Doc, mentions: list[dict], share: float | None = None
) -> list[tuple[Span, dict]]:
    """(span, referred name mention) of each singular person description of a document that
    resolves to a person (see the module docstring); ``share`` overrides the learned one."""
    share = protagonist_share() if share is None else share
    resolver = DescriptionResolver(doc, mentions)
    genders = person_genders(doc, resolver.persons, mentions)
    # A person's lone surname counts for them whatever spaCy's label of it ("Simpson" tagged
    # ORG beside "Christopher Kenyon Simpson"), as it does in resolution: else a person spaCy
    # mislabels often loses the protagonist to one named less.
    full_name_surnames = {_surname(m) for m in resolver.persons if len(m["text"].split()) >= 2}
    counted = resolver.persons + [
        mention
        for mention in mentions
        if mention["label"] != "PERSON"
        and len(mention["text"].split()) == 1
        and _surname(mention) in full_name_surnames
    ]
    named_chars = {
        index for mention in mentions for index in range(mention["start_char"], mention["end_char"])
    }
    person_starts = {mention["start_char"] for mention in resolver.persons}
    place_chars = {
        index
        for mention in mentions
        if mention["label"] in _PLACE_LABELS
        for index in range(mention["start_char"], mention["end_char"])
    }
    found = []
    # What the fallback has learned so far: people's genders (from pronouns, then from the
    # gendered descriptions given to them), and per sentence the genders already given there.
    known_genders = dict(genders)
    sentence_genders: dict[int, set[str | None]] = defaultdict(set)
    candidates = [
        (head, target)
        for head in _singular_common_nouns(doc)
        if _may_describe(head, named_chars, person_starts)
        and (description := resolver.resolve(head)) is not None
        for fits, target in [_role_target(resolver, head, description, place_chars)]
        if fits
    ]
    # Sentences describing an unnamed man and an unnamed woman ("Oklahoma man pleads not guilty
    # in deaths of Arkansas woman"): two people, and only pronouns tell which is the protagonist.
    described_genders: dict[int, set[str]] = defaultdict(set)
    for head, target in candidates:
        gender = noun_genders().get(head.lemma_.lower())
        if target is None and gender and not _is_someone_else(head):
            described_genders[head.sent.start].add(gender)
    names_by_end = {mention["end_char"]: mention for mention in mentions}
    agent = _most_often_subject(doc, counted)
    for head, target in candidates:
        span = _with_name_before(description_span(head), names_by_end)
        if target is None:
            gender = noun_genders().get(head.lemma_.lower())
            other_gender = frozenset(
                name for name, known in known_genders.items() if gender and known != gender
            )
            main, main_share = protagonist(counted, other_gender)
            if _is_someone_else(head) or main is None or main_share < share:
                continue
            if not _names_someone(head, span, named_chars):
                continue
            given = sentence_genders[head.sent.start]
            if given and (gender is None or gender in given or None in given):
                continue  # "an Oklahoma man ... killing an Arkansas man": two people
            # A man and a woman described in one sentence are two people: a pronoun, an earlier
            # description or the other one's description in this sentence tells which is the
            # protagonist; else the sentence's subject is, when the document makes them its
            # subject more than anyone else.
            told = (
                _surname(main) in known_genders
                or bool(given)
                or (_is_subject(head) and _surname(main) == agent)
            )
            if len(described_genders[head.sent.start]) > 1 and not told:
                continue
            if gender:
                known_genders.setdefault(_surname(main), gender)
            given.add(gender)
            target = main
        found.append((_without_unnamed_names(span, head, named_chars), target))
    return found
