"""What a demonym mention stands for, decided from the sentence's structure.

A demonym (``Kyrgyz``, ``French``, ``Germans``: a gazetteer entry of kind ``demonym``) names
its country only when the country acts or takes part; otherwise it names a language, a people
or is a cultural adjective, and resolving it to the country merges, say, the French language
with France. ``demonym_use`` reads the parse of the mention's word:

* **a modifier of a noun** (``amod`` / ``compound`` / ``nmod``; in a coordination, the first
  conjunct's role): what the noun names decides (``etl/reference/data/demonym_heads.tsv``,
  derived from WordNet by ``etl.reference.build_demonym_cues``, by the noun's most frequent
  sense first): a language, unit of language or its study (``American English``, ``French
  word``, ``English syntax``) -> ``language``; a person acting for a state or a
  group of persons (``Kyrgyz officials``, ``the Kazakh side``, ``Indian army``) or a person's
  name (``Kazakh Nazarbayev``) -> ``country``, and so is any noun that is the subject or object
  of a PLOVER trigger verb (``an Indian warship foiled the attack``, ``pirates seized a Saudi
  supertanker``: the country takes part in the event);
  anything else (``French cuisine``, ``American city``, ``Danish linguist``, ``the Canadian
  press say``) -> ``attribute``. Neither a place noun (GUM names ``the new American city`` for
  the city) nor the subject of a reporting verb is a cue for the country: both cost precision
  on GUM;
* **a possessive** (``Kyrgyz's``) -> ``country``;
* **the first part of a hyphenated word** (``Ethiopian-flagged``, ``French-born``) or **a
  predicate after a copula** (``the pirates were Somali``) -> ``attribute``;
* **a noun of its own**: the active subject of an actor verb (``the Indians say``, ``Kyrgyz
  protested``) -> ``country``; else plural (``80,000 Germans left``) or with a determiner
  (``the French``, ``a Kyrgyz``) -> ``people``; else, singular and bare, a language (``in
  French``, ``spoke German``, ``Spanish is spoken``, ``French: [pjɛʁ]``) -> ``language``.

*Actor verbs* are the verbs states do things with: the reporting verbs and the verbs of the
PLOVER trigger lexicon (``etl.stages.extract.events.load_event_lexicon``).

The use travels with the mention (``entity_mentions.demonym_use``; NULL for other mentions,
which resolution treats as before: a demonym without a recorded use is its country).
Resolution sends ``country`` to the country and keys every other use apart from the country
and from each other (``resolution_key``), labelled ``LANGUAGE`` or ``NORP``
(``resolution_label``).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from spacy.tokens import Span, Token

from etl.reference.places import Purpose, lookup_place
from etl.stages.extract.events import load_event_lexicon

COUNTRY = "country"
LANGUAGE = "language"
PEOPLE = "people"
ATTRIBUTE = "attribute"
USES = (COUNTRY, LANGUAGE, PEOPLE, ATTRIBUTE)

_MODIFIER_DEPS = frozenset({"amod", "compound", "nmod"})
_NOUNS = frozenset({"NOUN", "PROPN"})
_SUBJECT_DEPS = frozenset({"nsubj"})
_COPULAS = frozenset({"be", "become", "remain", "seem"})
# An event's participants: its subject, passive subject or object.
_PARTICIPANT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj"})
# Determiners that make a demonym a noun for persons ("the French", "a Kyrgyz", "those Swiss");
# a language takes none or a quantity ("some Japanese").
_PERSON_DETERMINERS = frozenset({"the", "a", "an", "these", "those", "both", "many", "most"})


@lru_cache(maxsize=1)
def demonym_heads() -> dict[str, str]:
    """lemma -> ``language`` | ``actor`` (``etl/reference/data/demonym_heads.tsv``)."""
    text = resources.files("etl.reference").joinpath("data", "demonym_heads.tsv").read_text("utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {lemma: kind for lemma, kind in rows if lemma != "lemma"}


def is_demonym(text: str) -> bool:
    place = lookup_place(text, Purpose.ENTITY_RESOLUTION)
    return place is not None and place.kind == "demonym"


def demonym_use(span: Span, label: str | None = None) -> str | None:
    """``country``, ``language``, ``people`` or ``attribute`` for a mention that is a demonym,
    None for any other mention (see the module docstring). ``label``: the recognizer's label of
    the mention; one it tagged LANGUAGE is the language, whatever the syntax."""
    if not is_demonym(span.text):
        return None
    if label == "LANGUAGE":
        return LANGUAGE  # the recognizer read the word as a language ("English", "in Latin")
    word = span.root
    role = word
    while role.dep_ == "conj" and role.head.i != role.i:
        role = role.head
    if _is_possessive(word):
        return COUNTRY
    if _opens_hyphenated_word(word) or _is_predicate(role):
        return ATTRIBUTE
    head = role.head
    if role.dep_ in _MODIFIER_DEPS and head.pos_ in _NOUNS and not span.start <= head.i < span.end:
        return _use_by_head(head)
    if _is_actor_subject(role):
        return COUNTRY
    if _is_plural(word) or any(
        child.dep_ in {"det", "predet", "nummod"}
        and (child.dep_ == "nummod" or child.lower_ in _PERSON_DETERMINERS)
        for child in word.children
    ):
        return PEOPLE
    return LANGUAGE


def _use_by_head(head: Token) -> str:
    kind = demonym_heads().get(head.lemma_.lower()) or demonym_heads().get(head.lower_)
    if kind == "language":
        return LANGUAGE
    if head.ent_type_ == "PERSON" or kind == "actor":
        return COUNTRY
    if _is_event_argument(head, _PARTICIPANT_DEPS):
        return COUNTRY  # a participant of an event: "an Indian warship foiled the attack"
    return ATTRIBUTE


def _is_actor_subject(word: Token) -> bool:
    """Whether ``word`` heads the active subject of a reporting or PLOVER trigger verb."""
    return _is_event_argument(word, _SUBJECT_DEPS, reporting=True)


def _is_event_argument(word: Token, deps: frozenset[str], reporting: bool = False) -> bool:
    """Whether ``word`` heads an argument (of the dependency relations ``deps``) of a PLOVER
    trigger verb or, with ``reporting``, of a reporting verb."""
    while word.dep_ == "conj" and word.head.i != word.i:
        word = word.head
    verb = word.head
    if word.dep_ not in deps or verb.pos_ != "VERB":
        return False
    lexicon = load_event_lexicon()
    lemma = verb.lemma_.lower()
    return (reporting and lemma in lexicon.reporting_verbs) or (lemma, "VERB") in lexicon.words


def _opens_hyphenated_word(word: Token) -> bool:
    """``Ethiopian-flagged``, ``French-born``: the demonym modifies the rest of the word."""
    following = word.nbor() if word.i + 1 < len(word.doc) else None
    return following is not None and not word.whitespace_ and following.text == "-"


def _is_predicate(word: Token) -> bool:
    """``the pirates were Somali``: a nationality said of the subject through a copula."""
    return word.dep_ in {"acomp", "attr"} and word.head.lemma_.lower() in _COPULAS


def _is_possessive(word: Token) -> bool:
    following = word.nbor() if word.i + 1 < len(word.doc) else None
    return following is not None and following.tag_ == "POS"


def _is_plural(word: Token) -> bool:
    """``Germans``, ``Americans``: the word without its final s is a demonym too (``Swiss`` is
    not a plural)."""
    text = word.text
    return len(text) > 3 and text[-1] in "sS" and is_demonym(text[:-1])


def stands_for_country(use: str | None) -> bool:
    """Whether a demonym mention resolves to its country (no recorded use: as before, yes)."""
    return use is None or use == COUNTRY


def resolution_key(key: str, use: str | None) -> str:
    """The resolution key of a mention: a demonym that is not its country keys by its use too,
    so the French language, the French people and a French dish stay three entities."""
    return key if stands_for_country(use) else f"{key} {use}"


def resolution_label(label: str, use: str | None) -> str:
    """The label resolution reads: LANGUAGE for a demonym used as a language, NORP for a people
    or cultural adjective, spaCy's label otherwise."""
    if stands_for_country(use):
        return label
    return "LANGUAGE" if use == LANGUAGE else "NORP"
