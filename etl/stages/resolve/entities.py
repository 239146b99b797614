"""Entity resolution: group name mentions of all documents into entities with stable ids.

Resolution runs in two passes, both deterministic given the *set* of mentions (rows are sorted
first, so input order never matters):

1. **Within a document** every mention gets a local group:

   * a country name, official name or demonym (``Kyrgyzstan``, ``the Kyrgyz Republic``,
     ``Kyrgyz``) goes to the country (ISO 3166-1 alpha-3 from the place index of
     ``etl.reference.places``); a demonym only when its sentence makes the country an actor
     (``demonym_use``, see ``demonyms``): one used as a language, a people or a cultural
     adjective (``in French``, ``the Germans``, ``American city``) is an entity of its own;
   * a capital used as a government goes to its country, otherwise it stays the city. *Used as a
     government* means: the next word is a reporting or action verb (``Bishkek said``), or a
     possessive followed by a word like ``statement`` / ``reaction`` (``Bishkek's reaction``), or
     it stands in ``between X and Y`` with another capital (``relations between Bishkek and
     Astana``); otherwise, and whenever a locative word stands right before it (``in``, ``at``,
     ``from`` ...) without such a possessive, it is the city (``in Almaty``). Word lists:
     ``data/government_cues.json``;
   * a city that spaCy also tagged ORG or PERSON in the same document is that city;
   * a city or state spaCy tagged neither a place nor a person is that place where the text
     names a place: right after a locative word (``a prison unit in Huntsville``, ``Raj Chohan,
     59, of Queens``; not in capitals, not an owner), so it links to the place across documents;
   * a person's name is compared without the role before it: courtesy titles, words of office,
     role nouns (``Producer Moffat``, ``Defendant Scott Peterson``: ``names.is_role_noun``)
     and a country that qualifies them (``Kazakh President Nursultan Nazarbayev``,
     ``Kazakhstan's Nursultan Nazarbayev`` and ``Mr. Nazarbayev`` name Nursultan Nazarbayev;
     abbreviated ranks too, ``Sgt. Fuhrman``; ``names.strip_titles``); a titled name spaCy did
     not tag PERSON (``Judge Ito`` as ORG) is read without its title when it refers to no
     person as written;
   * a name of two words or more that spaCy did not tag PERSON, opened by a given name (name
     dictionary), is a person's full name when the document tags its last word PERSON alone
     (``Professor Noam Chomsky`` as ORG beside ``Chomsky``) or it is a form of a full name the
     document tags PERSON (``Pierre L'Enfant`` as ORG beside ``Pierre Charles L'Enfant``);
     never two names joined by ``and`` / ``&`` (``_with_person_evidence``);
   * other mentions group by their folded name (case, accents, punctuation, possessive and
     leading article ignored), whatever spaCy's label; a LOC name ending in a geographic
     feature noun keys without it (``Mediterranean Sea`` / ``the Mediterranean``;
     ``data/org_words.json``) unless the rest is a known place; an organisation's country is
     spelled one way (``Kazakh Foreign Ministry``, ``Kazakhstan Foreign Ministry`` and
     ``Foreign Ministry`` after ``Kazakhstan's`` are one, another country's Foreign Ministry
     another);
   * in a headline line (title-cased, no sentence punctuation), words around a name the
     document uses alone that are never capitalized mid-sentence are dropped (``Microsoft
     Launches``, ``Negotiations for Hunger Games Sequel``; a hyphenated word by its parts:
     ``Queens Hit-Run``), but never a role noun (``Texas Inmate on The Loose`` describes a
     person, not Texas);
   * a person named in full (two or more words, label PERSON, shaped as a person's name:
     ``names.person_name_shaped``, so spaCy's "Catching Fire", "Purportedly Simpson", "RCMP Sgt"
     or "Bloomington Sam's Club" is no person) absorbs the shorter references to
     them in the same document: a group whose words are a run of the full name's words
     (``Babanov`` after ``Omurbek Babanov``, ``Ahmed`` after ``Ahmed Mohamed``). When several full
     names fit, the one mentioned most often wins, then the one mentioned first. A lone surname
     written before a full name bearing it in one (parser's) sentence is someone else ("Peterson was
     convicted of the death of Laci Peterson": news gives the full name first), so it joins
     neither that name here nor, across documents, its entity. The shorter reference holds the
     first given name or the surname: a lone middle name written before the full name is
     someone else's (``Chao`` beside ``Rulan Chao Pian``), after it the name the person goes by
     (``Lula``). A one-word place that spaCy tags a place in most of its mentions is no given
     name opening a full name (``York`` beside a ``York Minster`` tagged PERSON); as the surname
     it is the person's (``Washington``). A shorter full name of that kind joins the longer one
     too (``Pierre Charles`` / ``Pierre Charles L'Enfant``). A name counts as a person's full
     name when spaCy tags it PERSON in at least half its mentions in the document (or it has a
     person's shape, below): a nickname tagged PERSON once among WORK_OF_ART tags (``the 'Mets
     Poet'``) absorbs no ``Mets``;
   * an organisation named in full absorbs its short forms: a run of its words that keeps its
     head word (``Supreme Court`` in ``Italian Supreme Court of Cassation``), its ``of``
     complement when that is not a place (``Scientology`` in ``Church of Scientology``), the name
     without generic trailing words (``CBC`` for ``CBC News``; ``data/org_words.json``), and its
     acronym (``U.N.`` for ``United Nations``, ``M5S`` for ``Movimento 5 Stelle``), the initials
     of its leading words before its last words (``GW Bridge`` for ``George Washington
     Bridge``); a part of
     a hyphenated word is no short form (``Microsoft`` of ``Computerworld-Microsoft``);
   * a full person name written in both orders is one person (``Higuchi Ichiyō`` / ``Ichiyo
     Higuchi``, whatever spaCy's label of either); an acronym is compared with the folded
     initials, with or without the function words (``NPP`` / ``New People Party``, ``DoD`` /
     ``Department of Defense``), whatever spaCy's label of the acronym written in capitals
     (``FBI`` as PERSON, ``EU`` as NORP) or of the longer name (a GPE-tagged ``Federal Bureau of
     Investigation``); a name without its last word is a short form
     when that word is a common noun naming an institution or group by WordNet
     (``Harvard`` / ``Harvard University``; never a place, and a brand is not its product:
     ``Microsoft Update``); one capitalized word in brackets right after an organisation is
     its short form (``Unione ... Razionalisti (UAAR)``); a word in capitals spelling the
     initials of a place the document names is that place (``NJ`` / ``New Jersey``); a name
     run on into a phrase after ``in``/``on``/``at``/``to`` is the name the document uses
     alone (``Freewinds in Bonaire``);
   * a person description ("an Oklahoma man", "the Kazakh leader": a mention whose
     ``antecedent_mention_id`` names the name it refers to, ``etl.stages.extract.descriptions``)
     and a nickname the sentence gives a name (``Cleveland earned the nickname the "Comeback
     City"``, ``etl.stages.extract.mentions``) join the group of that name; neither is a name
     or alias of the entity.

2. **Across documents** the groups link by key: countries by ISO code, places by folded name,
   other names by the romanization-folded name (``names.translit_key``: ``zh``/``j``, ``kh``/
   ``h``, ``ye``/``e``, ``y``/``i``, doubled letters ...). Full person names are blocked by
   their consonant skeleton and linked when rapidfuzz finds them near-identical word by word
   (``Nazarbaev`` / ``Nazarbayev``, ``Gaddafi`` / ``Kadhafi``; thresholds learned,
   ``data/name_matching.json``); words shorter than five letters must match exactly, so ``Chan``
   and ``Chen`` stay apart, and a man's and a woman's given name never match (``Mario`` /
   ``Maria Rossi``: ``names.genders_differ``). Full names that differ by initials or a missing
   middle name link (``V. Putin`` / ``Vladimir Putin``, ``G. W. Bush`` / ``George Bush``) unless
   that would join two names that are not compatible with each other (``George Bush`` beside
   ``George W.`` and ``George H. W. Bush``), unless both are shorter forms of it (``Recep
   Erdogan`` and ``Tayyip Erdogan`` of ``Recep Tayyip Erdogan``); so do names of which one
   goes by the other's middle name (``Joseph Comeaux Jr`` / ``Arcade Joseph Comeaux Jr``). The
   corpus's full names are
   read as pass 1 groups them: a headline word before a surname (``Flips Bush``) makes no
   second person of that surname. A full person name or a surname with
   one owner that spaCy tagged ORG, NORP or a place label (a word the gazetteer does not know as
   a place) is still the person, and so is a name shaped as initials and a surname (``S.
   Japarov``, also written ``S.Japarov`` or ``Japarov S.``) or with a patronymic (``Omurbek
   Tekebayevich Babanov``) whatever its label; ``Japarov-led`` is Japarov.

**People sharing a surname are never merged on the surname alone.** Two full names link only
when their given names match too. A surname used alone in a document without its full name links
to a full name elsewhere only when exactly one person with that surname is known in the whole
corpus; when none is, it links to the same lone word in other documents whatever its label there
(``Putin``, ``Zeus``, ``SEACOM`` tagged PERSON once and ORG elsewhere);
when two or more are, it stays an entity of its own document, unless
``NameMatching.surname_dominance`` is set: then it links to the one of them named most often in
full when that one holds at least that share of their full-name mentions (``Bush`` for George W.
Bush beside a one-off "Flips Bush"; off as shipped, see ``data/name_matching.json``). A lone
given name that nobody bears as a surname links to the one known person with that first name
(``Laci`` -> ``Laci Peterson``).

The entity's canonical ``name`` is its fullest form (most words), preferring a cased form, then
the most frequent, then the alphabetically first; a country is named by pycountry. ``label`` is the
majority spaCy label of its mentions, except that countries are GPE and people are PERSON (a
person-name group wins over spaCy's ORG / NORP mislabels). The warehouse then gives every mention
its entity's label (``entity_mentions.label``; spaCy's stays in ``spacy_label``, which is what
resolution reads, so resolving again gives the same result).

**Memory.** Pass 2 needs only the corpus's full person names (a set of keys, read from the
PERSON mentions first). Pass 1 and everything after it work one document at a time, so
``resolve_in_chunks`` takes the documents a chunk at a time and keeps just one tally per entity
and the mention -> entity columns: memory grows with the number of entities, not of mentions.

**When an entity_id can change.** The id is ``stable_id`` of the entity's kind and an anchor: the
ISO code of a country, the folded name of a place, or the alphabetically smallest folded name
among the entity's full forms. It stays the same on every run and machine for the same mentions.
New documents change it only when they bring a spelling that sorts before the anchor, when they
merge two entities (the merged entity keeps the smaller anchor), or when they make a lone surname
ambiguous or unambiguous (see above).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from itertools import groupby, repeat
from operator import itemgetter
from sys import intern

import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz

from etl import schema
from etl.ids import stable_id
from etl.stages.normalize.lexicon import load_lexicon
from etl.stages.resolve import demonyms
from etl.stages.resolve.names import (
    NEVER_CAPITALIZED,
    Place,
    acronym,
    acronym_forms,
    country_names,
    exact_key,
    genders_differ,
    given_name_genders,
    government_cues,
    is_role_noun,
    lookup_place,
    org_words,
    person_name_shaped,
    skeleton,
    strip_honorifics,
    strip_possessive,
    strip_titles,
    title_words,
    translit_key,
    without_titles,
)

PERSON = "PERSON"
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_ORG_LABELS = frozenset({"ORG", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"})
_ORG_HEAD_BREAKS = frozenset({"of", "for", "on", "in", "at", "and", "&"})
# Labels spaCy gives a person's surname by mistake: with exactly one person of that surname in
# the corpus, such a lone surname is that person. A place label counts too: a word the gazetteer
# knows as a place never reaches this test (it is a place group), so a "GPE" here is a guess.
_PERSON_MISLABELS = frozenset(
    {PERSON, "ORG", "NORP", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART"}
)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_MIN_FUZZY_WORD = 5
# A headline: at least this many words of four letters or more, nearly all capitalized.
_MIN_HEADLINE_WORDS = 3
_HEADLINE_SHARE = 0.8
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")
_WORD_AFTER = re.compile(r"^\s*([\w’'-]+)")
_POSSESSIVE_AFTER = re.compile(r"^(?:['’]s|\s+s)\s+([\w-]+)", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([\w.’'-]+)\s*$")
_APOSTROPHE_IN_WORD = re.compile(r"(?<=[A-Za-z])['’`](?=[A-Za-z]{2})")
_INITIAL_RUN_IN = re.compile(r"\b([A-Z])\.(?=[A-Z][a-z])")
# "Babanov-led", "Saudi-backed", "Paris-based": the name is the part before the hyphen.
_HYPHEN_PARTICIPLE = re.compile(r"(?<=[A-Za-z])-(?:[a-z]+ed|born|run|made|style)$")
# A person's name by its shape, whatever spaCy's label: initials, then a capitalized surname;
# or a given name, an East Slavic or Central Asian patronymic and a surname.
_INITIAL = re.compile(r"^[A-Z]\.?$")
_SURNAME = re.compile(r"^[A-Z][a-z][\w'’-]+$")
_PATRONYMIC = re.compile(r"^[A-Z][a-z]+(?:ovich|evich|ovna|evna|ichna|uly|kyzy)$")
_TRAILING_INITIALS = re.compile(r"([A-Z][a-z][\w'’-]+)((?:\s*[A-Z]\.)+)")
# "between Bishkek and Astana", read from either capital (asked of every capital's mention)
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+$", re.IGNORECASE)
_AND_OTHER_AFTER = re.compile(r"^\s+and\s+([\w-]+)(\s(?-i:[A-Z])[\w-]+)?", re.IGNORECASE)
_BETWEEN_OTHER_AND_BEFORE = re.compile(r"\bbetween\s+([\w-]+)\s+and\s+$", re.IGNORECASE)
_OWNER_BEFORE = re.compile(r"([A-Za-z][\w-]*(?: [A-Z][\w-]*)?)(?:['’]s| s)\s+$")


@dataclass(frozen=True)
class EntityResolution:
    """Result of resolution: entities, their surface forms, and the mention -> entity map."""

    entities: pa.Table
    aliases: pa.Table
    mention_entities: pa.Table


@dataclass(frozen=True, slots=True)
class Mention:
    """One name mention, with the forms resolution compares."""

    mention_id: str
    doc_id: str
    start: int
    end: int
    text: str
    label: str
    surface: str
    tokens: tuple[str, ...]
    key: str
    antecedent: str | None = None  # a description's name mention (see extract.descriptions)
    demonym_use: str | None = None  # how the sentence uses a demonym (see demonyms)
    sentence_idx: int | None = None  # the parser's sentence (extract.sentences)


@dataclass
class Group:
    """Mentions of one document that name the same thing, and how the group links outward."""

    doc_id: str
    kind: str  # "country" | "place" | "person" | "name"
    key: str
    mentions: list[Mention] = field(default_factory=list)
    parent: Group | None = None
    iso3: str | None = None
    # for a lone surname: the document's full names it does not name (``_named_apart``)
    not_persons: frozenset[str] = frozenset()
    # (number of mentions, first start, majority label) when last worked out: grouping asks
    # each group's label and start many times, and mentions are only ever appended, so the
    # answers hold while the number of mentions is the same.
    _summary: tuple[int, int, str] | None = field(default=None, compare=False, repr=False)
    # the key's words: the key never changes once the group exists (set at creation: a
    # cached_property's first read takes a lock in Python 3.11)
    tokens: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.tokens = tuple(self.key.split())

    def _summarized(self) -> tuple[int, int, str]:
        summary = self._summary
        if summary is None or summary[0] != len(self.mentions):
            mentions = self.mentions
            labels = [m.label for m in mentions if m.antecedent is None] or [
                m.label for m in mentions
            ]
            label = labels[0]
            if labels.count(label) != len(labels):  # most groups have one label
                counts = Counter(labels)
                label = min(counts, key=lambda label: (-counts[label], label))
            start = min(mention.start for mention in mentions)
            summary = self._summary = (len(mentions), start, label)
        return summary

    @property
    def first_start(self) -> int:
        return self._summarized()[1]

    def majority_label(self) -> str:
        return self._summarized()[2]


# ----------------------------------------------------------------------------- mentions


def _surface(text: str) -> str:
    """The mention's name without possessive, leading article, trailing punctuation or a
    hyphenated participle (``Babanov-led``), and with a space after an initial run into the
    surname (``O.Babanov``, as Russian-language press writes it)."""
    surface = strip_possessive(text).strip(' \t\n,;:.!?"“”()[]')
    if text.rstrip().endswith(".") and re.search(r"\b\w\.\w\.$", text.rstrip()):
        surface = text.strip()  # keep the last dot of an abbreviation such as U.N.
    surface = _INITIAL_RUN_IN.sub(r"\1. ", _HYPHEN_PARTICIPLE.sub("", surface))
    words = surface.split()
    if words and words[0].lower() in org_words()["determiners"] and len(words) > 1:
        surface = " ".join(words[1:])
    return surface


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """``exact_key`` of a name with an apostrophe inside a word kept in the word (``Ka'Loni``,
    ``L'Enfant``, ``O'Brien`` are one word, not two)."""
    return exact_key(_APOSTROPHE_IN_WORD.sub("", text))


# A run's mentions repeat their names (a first run of 2,000 documents has 100,000 mentions of
# far fewer names): each name's forms are worked out once.
@lru_cache(maxsize=1 << 16)
def _name_forms(
    text: str | None, label: str, use: str | None
) -> tuple[str, str, str, tuple[str, ...], str] | None:
    """(text, label, surface, tokens, key) of a mention's name, interned, or None when it has
    no key."""
    text = text or ""
    trailing = _TRAILING_INITIALS.fullmatch(strip_possessive(text))
    # "Babanov O." (surname first, as official Russian writes it) is "O. Babanov"
    surface = (
        " ".join([*re.findall(r"[A-Z]\.", trailing.group(2)), trailing.group(1)])
        if trailing
        else _surface(text)
    )
    tokens = tuple(strip_honorifics(surface.split()))
    if label == PERSON:
        tokens = tuple(strip_titles(list(tokens)))
        surface = " ".join(tokens)
    key = name_key(surface)
    if not key:
        return None
    # A chunk holds thousands of mentions whose names, words, labels and document ids recur,
    # and the entity tallies keep the surfaces: one shared copy of each string.
    return (
        intern(text),
        intern(demonyms.resolution_label(label, use)),
        intern(surface),
        tuple(intern(token) for token in tokens),
        intern(demonyms.resolution_key(key, use)),
    )


def _make_mention(row: dict) -> Mention | None:
    use = row.get("demonym_use")
    forms = _name_forms(row["text"], row["label"], use)
    if forms is None:
        return None
    text, label, surface, tokens, key = forms
    return Mention(
        mention_id=row["mention_id"],
        doc_id=intern(row["doc_id"]),
        start=row["start_char"],
        end=row["end_char"],
        text=text,
        label=label,
        surface=surface,
        tokens=tokens,
        key=key,
        antecedent=row.get("antecedent_mention_id"),
        demonym_use=use,
        sentence_idx=row.get("sentence_idx"),
    )


# ----------------------------------------------------------------------------- context rules


def _word_before(text: str, start: int) -> str:
    match = _WORD_BEFORE.search(text[max(0, start - 40) : start])
    return match.group(1).lower() if match else ""


def _capital_means_government(mention: Mention, text: str) -> bool:
    """True for ``Bishkek said``, ``Bishkek's reaction``, ``between Bishkek and Astana``."""
    cues = government_cues()
    after = text[mention.end : mention.end + 60]
    if strip_possessive(mention.text) != mention.text.strip():
        word = _WORD_AFTER.match(after)
        return bool(word and word.group(1).lower() in cues["nouns_after_possessive"])
    possessive = _POSSESSIVE_AFTER.match(after)
    if possessive:
        return possessive.group(1).lower() in cues["nouns_after_possessive"]
    if _between_capitals(mention, text):  # before the locative check: "between" is locative
        return True
    if _word_before(text, mention.start) in cues["locative_before"]:
        return False
    word = _WORD_AFTER.match(after)
    return bool(word and word.group(1).lower() in cues["verbs_after"])


def _is_capital(phrase: str) -> bool:
    place = lookup_place(phrase)
    return place is not None and place.kind == "capital"


def _between_capitals(mention: Mention, text: str) -> bool:
    window_before = text[max(0, mention.start - 60) : mention.start]
    window_after = text[mention.end : mention.end + 60]
    first = _BETWEEN_BEFORE.search(window_before)
    other_after = _AND_OTHER_AFTER.match(window_after)
    if first and other_after:
        one_word, two_words = (
            other_after.group(1),
            other_after.group(1) + (other_after.group(2) or ""),
        )
        return _is_capital(two_words) or _is_capital(one_word)
    second = _BETWEEN_OTHER_AND_BEFORE.search(window_before)
    return bool(second and _is_capital(second.group(1)))


def _title_phrase(mention: Mention, text: str) -> tuple[str | None, str | None]:
    """``Kazakh leader`` before a person's name: (alias with the title, country of the title)."""
    position = mention.start
    phrase_start = None
    country = None
    has_title = False
    for _ in range(5):
        match = _WORD_BEFORE.search(text[max(0, position - 40) : position])
        if not match or "\n" in text[max(0, position - 40) : position][match.end() :]:
            break
        word = match.group(1)
        lowered = word.lower().rstrip(",")
        place = lookup_place(word)
        if lowered in title_words():
            has_title = True
        elif place is not None and place.kind in {"country", "demonym"}:
            country = country or place.iso3
        else:
            break
        position = max(0, position - 40) + match.start(1)
        phrase_start = position
    if phrase_start is None or not has_title:
        return None, None
    return text[phrase_start : mention.end], country


# ------------------------------------------------------------------------ country organisations


def _country_of_words(words: list[str]) -> tuple[int, str | None]:
    """(number of leading words, ISO3) when a name starts with a country or demonym."""
    for width in range(min(3, len(words) - 1), 0, -1):
        place = lookup_place(" ".join(words[:width]))
        if place is not None and place.kind in {"country", "demonym"}:
            return width, place.iso3
    return 0, None


def _possessive_owner(mention: Mention, text: str) -> str | None:
    """ISO3 of the country whose possessive stands right before the mention (``Kazakhstan's``
    ``Foreign Ministry``), if any."""
    window = text[max(0, mention.start - 60) : mention.start]
    # _OWNER_BEFORE ends in a possessive s and spaces: a window not ending so needs no search
    # (the search tries every start in the window).
    before_spaces = window.rstrip()
    if len(before_spaces) == len(window) or not before_spaces.endswith(("'s", "’s", " s")):
        return None
    match = _OWNER_BEFORE.search(window)
    if not match:
        return None
    place = lookup_place(match.group(1))
    if place is None or place.kind not in {"country", "demonym", "capital"}:
        return None
    return place.iso3


def _all_name_words(tokens: tuple[str, ...]) -> bool:
    """Whether every word is one that is capitalized mid-sentence more often than not (or is not
    a known common word at all): a brand, not generic words."""
    capitalized = load_lexicon().cap_probability
    return all(capitalized.get(token.lower(), 1.0) >= 0.5 for token in tokens)


def country_qualified_key(mention: Mention, text: str) -> tuple[str, str | None]:
    """(key, ISO3) of an organisation's name with its country spelled one way and no legal form.

    ``Kazakh Foreign Ministry``, ``Kazakhstan's Foreign Ministry`` and ``Kazakhstan Foreign
    Ministry`` all key as ``kazakhstan foreign ministry``, and another country's Foreign Ministry
    keys apart; a brand's national arm is the brand (``T-Mobile USA`` -> ``t mobile``); a name
    with no country keeps its own key.
    """
    tokens = mention.tokens
    legal_forms = org_words()["legal_forms"]
    while len(tokens) > 1 and tokens[-1].strip(".,").lower() in legal_forms:
        tokens = tokens[:-1]  # "Microsoft Corp." is Microsoft
    trailing = lookup_place(tokens[-1]) if len(tokens) > 1 else None
    if trailing is not None and trailing.kind == "country" and _all_name_words(tokens[:-1]):
        # A brand's national arm ("T-Mobile USA") is the brand; generic words before a country
        # ("Air France", "Team USA") make a name of their own.
        return translit_key(name_key(" ".join(tokens[:-1]))), trailing.iso3
    width, iso3 = _country_of_words(list(tokens))
    rest = tokens[width:]
    if iso3 is None:
        iso3 = _possessive_owner(mention, text)
        if iso3 is None:
            return translit_key(name_key(" ".join(tokens))), None
    country = country_names().get(iso3, iso3)
    return translit_key(name_key(" ".join((country, *rest)))), iso3


# ----------------------------------------------------------------------------- within a document


def _place_group_key(mention: Mention, place: Place, text: str) -> tuple[str, str, str] | None:
    """(kind, key, iso3) for a mention that names a country or a city, else None."""
    if place.kind in {"country", "demonym"}:
        return "country", place.iso3, place.iso3
    if place.kind == "capital" and _capital_means_government(mention, text):
        return "country", place.iso3, place.iso3
    return "place", exact_key(place.name), place.iso3


def _without_feature_word(mention: Mention) -> str | None:
    """Key of a LOC name without its trailing geographic feature noun (``Mediterranean Sea`` ->
    ``mediterranean``, as in "the Mediterranean"), unless the rest is itself a known place
    (``Mississippi River`` is not the state); None when the name has no such noun."""
    tokens = mention.tokens
    if mention.label != "LOC" or len(tokens) < 2:
        return None
    if tokens[-1].lower() not in org_words()["place_suffixes"]:
        return None
    rest = " ".join(tokens[:-1])
    if lookup_place(rest) is not None:
        return None
    return translit_key(name_key(rest)) or None


def _place_of(mention: Mention, text: str) -> Place | None:
    """Gazetteer entry of a mention: countries and capitals under any label, other cities and
    states under a place label (an ORG ``U.N.`` is not the Indian town of Un) or, under a label
    other than PERSON, where the text names a place: right after a locative word (``a prison
    unit in Huntsville``, ``Raj Chohan, 59, of Queens`` with Huntsville and Queens as ORG)."""
    place = lookup_place(mention.surface)
    if place is not None and place.kind == "demonym":
        return place if demonyms.stands_for_country(mention.demonym_use) else None
    if place is None or place.kind in {"country", "capital"}:
        return place
    if mention.label in _PLACE_LABELS or _written_as_place(mention, text):
        return place
    return None


def _written_as_place(mention: Mention, text: str) -> bool:
    """A name spaCy did not tag a place nor a person, written where a place stands: right after
    a locative word, neither in capitals (an acronym: ``at HCMC``) nor an owner (``of Bush's``)."""
    if mention.label == PERSON or mention.surface.isupper():
        return False
    if strip_possessive(mention.text) != mention.text.strip():
        return False
    if _POSSESSIVE_AFTER.match(text[mention.end : mention.end + 60]):
        return False
    return _word_before(text, mention.start) in government_cues()["locative_before"]


def _is_title_cased_line(text: str, offset: int) -> bool:
    """Whether the line holding ``offset`` is a headline: no sentence punctuation at its end and
    nearly every longer word capitalized, so that capitals there say nothing about names."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    if line.endswith((".", ":", ";", ",")):
        return False  # a sentence, not a headline
    words = [word for word in _WORDS.findall(line) if len(word) > 3]
    capitalized = sum(word[0].isupper() for word in words)
    return len(words) >= _MIN_HEADLINE_WORDS and capitalized >= _HEADLINE_SHARE * len(words)


def _without_headline_words(mentions: list[Mention], text: str) -> list[Mention]:
    """``Microsoft Launches`` in a headline is the ``Microsoft`` named elsewhere in the document:
    in a title-cased line, the words around a name the document uses on its own are dropped
    when they are words that are never capitalized mid-sentence (the casing lexicon's
    statistics): ``Negotiations for Hunger Games Sequel`` is ``Hunger Games``."""
    keys = {mention.key for mention in mentions}
    never_capitalized = load_lexicon().cap_probability

    def rest_never_capitalized(words: tuple[str, ...]) -> bool:
        # A hyphenated word counts by its parts ("Hit-Run", "Hit-And-Run"). A role noun is
        # never dropped: that would make a description of a person ("Texas Inmate on the
        # Loose") the place or name it qualifies.
        parts = [part for word in words for part in word.split("-") if part]
        return all(
            never_capitalized.get(part.lower(), 1.0) < NEVER_CAPITALIZED and not is_role_noun(part)
            for part in parts
        )

    trimmed = []
    for mention in mentions:
        tokens = mention.tokens
        runs = (
            (start, start + width)
            for width in range(len(tokens) - 1, 0, -1)
            for start in range(len(tokens) - width + 1)
        )
        for start, end in runs:
            key = name_key(" ".join(tokens[start:end]))
            if key in keys and rest_never_capitalized(tokens[:start] + tokens[end:]):
                if _is_title_cased_line(text, mention.start):
                    surface = " ".join(tokens[start:end])
                    mention = replace(mention, surface=surface, tokens=tokens[start:end], key=key)
                break
        trimmed.append(mention)
    return trimmed


# Prepositions that begin a phrase a tagger runs on into after a name ("Scientology on French
# television", "Freewinds in Bonaire", "Herrick at RecentChangesCamp"); "of" and "for" are left
# out: they join the words of many names ("Church of Scientology", "Council for ...").
_TRAILING_PHRASE_PREPOSITIONS = frozenset({"in", "on", "at", "to"})


def _without_trailing_phrase(mentions: list[Mention]) -> list[Mention]:
    """A name run on into a prepositional phrase is the name the document uses on its own:
    ``Scientology on French`` beside ``Scientology`` is ``Scientology``. Only the document's
    own evidence cuts: a name whose first words are no other mention's name keeps them all."""
    keys = {mention.key for mention in mentions}
    trimmed = []
    for mention in mentions:
        tokens = mention.tokens
        for index in range(1, len(tokens) - 1):
            if tokens[index].lower() not in _TRAILING_PHRASE_PREPOSITIONS:
                continue
            key = name_key(" ".join(tokens[:index]))
            if key in keys:
                surface = " ".join(tokens[:index])
                mention = replace(mention, surface=surface, tokens=tokens[:index], key=key)
            break
        trimmed.append(mention)
    return trimmed


def _with_person_evidence(mentions: list[Mention]) -> list[Mention]:
    """Names spaCy did not tag PERSON that the document shows to be a person's: a name of two
    words or more (its title dropped: ``Professor Noam Chomsky`` as ORG) whose first word is a
    given name by the name dictionary and that is either ended by a word the document tags
    PERSON on its own (``Nursultan Nazarbayev`` as ORG beside ``Nazarbayev`` as PERSON) or a
    form of a full name the document tags PERSON (``Pierre L'Enfant`` as ORG beside ``Pierre
    Charles L'Enfant``: ``compatible_names``) is read as a PERSON mention. Without such evidence
    a given name opening a name says nothing (``Morgan Stanley``, ``Jack Alter Fort``), nor
    does it in names joined by ``and`` / ``&``."""
    lone_persons = set()
    full_by_surname: dict[str, set[str]] = defaultdict(set)
    for mention in mentions:
        if mention.label == PERSON and mention.antecedent is None:
            if " " not in mention.key:
                lone_persons.add(mention.key)
            elif _is_full_person_name(mention):
                full = translit_key(mention.key)
                full_by_surname[name_parts(full)[1]].add(full)
    if not (lone_persons or full_by_surname):
        return mentions
    given_names = given_name_genders()
    read = []
    for mention in mentions:
        if mention.label != PERSON and mention.antecedent is None and len(mention.tokens) >= 2:
            forms = _name_forms(mention.text, PERSON, mention.demonym_use)
            if forms is not None and _shows_a_person(
                forms[3], forms[4], given_names, lone_persons, full_by_surname
            ):
                _, label, surface, tokens, key = forms
                mention = replace(mention, label=label, surface=surface, tokens=tokens, key=key)
        read.append(mention)
    return read


def _shows_a_person(
    tokens: tuple[str, ...],
    key: str,
    given_names: Mapping[str, str],
    lone_persons: set[str],
    full_by_surname: Mapping[str, set[str]],
) -> bool:
    words = key.split()
    if not (
        len(words) >= 2
        # two names joined: "Laci and Conner", "Stephen Fry & McFly"
        and _ORG_HEAD_BREAKS.isdisjoint(token.lower() for token in tokens)
        and words[0] in given_names
        and person_name_shaped(tokens)
        and lookup_place(" ".join(tokens)) is None
    ):
        return False
    if words[-1] in lone_persons:
        return True
    folded = translit_key(key)
    return any(
        compatible_names(folded, full)
        for full in full_by_surname.get(name_parts(folded)[1], ())
        if full != folded
    )


def _is_initials_and_surname(tokens: tuple[str, ...]) -> bool:
    """``S. Japarov``, ``G. W. Bush``: a person's name whatever spaCy's label of it."""
    return (
        len(tokens) >= 2
        and all(_INITIAL.match(token) for token in tokens[:-1])
        and bool(_SURNAME.match(tokens[-1]))
    )


def _has_patronymic(tokens: tuple[str, ...]) -> bool:
    """``Omurbek Tekebayevich Babanov``: a given name, a patronymic and a surname."""
    return len(tokens) == 3 and bool(_PATRONYMIC.match(tokens[1])) and tokens[2][:1].isupper()


def _is_full_person_name(mention: Mention) -> bool:
    """A full person name: two or more words, tagged PERSON or shaped as a person's name
    (initials + surname, or given name + patronymic + surname) whatever spaCy's label."""
    if len(mention.key.split()) < 2:
        return False
    return (
        (mention.label == PERSON and person_name_shaped(mention.tokens))
        or _is_initials_and_surname(mention.tokens)
        or _has_patronymic(mention.tokens)
    )


def _person_full_names(mentions: list[Mention]) -> dict[str, list[Mention]]:
    """translit key -> mentions, for the document's full person names (``_is_full_person_name``)
    that spaCy tags PERSON in at least half of the name's mentions, or that are shaped as a
    person's name: one PERSON tag among a name's WORK_OF_ART and ORG tags (``the 'Mets Poet'``,
    a nickname) makes no person whose first word (``Mets``) would be a given name."""
    persons: dict[str, list[Mention]] = defaultdict(list)
    tagged_person: Counter = Counter()
    for mention in mentions:
        key = translit_key(mention.key)
        tagged_person[key] += 1 if mention.label == PERSON else -1
        if _is_full_person_name(mention):
            persons[key].append(mention)
    return {
        key: found
        for key, found in persons.items()
        if tagged_person[key] >= 0 or any(mention.label != PERSON for mention in found)
    }


def _contains_run(longer: tuple[str, ...], shorter: tuple[str, ...]) -> int:
    """Index where ``shorter`` occurs as a contiguous run of ``longer``, or -1."""
    width = len(shorter)
    for index in range(len(longer) - width + 1):
        if longer[index : index + width] == shorter:
            return index
    return -1


def _named_apart(surname: Group, person: Group, text: str) -> bool:
    """Whether a lone surname comes before the full name of a person bearing it in one sentence
    (the parser's sentence, ``sentence_idx``: "Peterson was convicted of the death of Laci
    Peterson", "Simpson shot Flynn, said Flynn's father, Herbert Flynn"): news introduces a
    person by full name before the surname alone, so a surname before the full name is someone
    else (a relative sharing it)."""
    # Only mentions of one sentence are compared, through an index by sentence: comparing
    # every pair (and slicing the text between them) was cubic in a 50 MB document.
    full_by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for full in person.mentions:
        if full.sentence_idx is not None:
            full_by_sentence[full.sentence_idx].append(full)
    for short in surname.mentions:
        for full in full_by_sentence.get(short.sentence_idx, ()):
            if short.end <= full.start and len(text[short.end : full.start].strip(" ,")) > 2:
                return True
    return False


def _place_not_given_name(word: Group, person: Group) -> bool:
    """Whether a one-word name is a place rather than the given name opening a person's full
    name: the gazetteer knows it and spaCy tags it a place in most of its mentions (``York``
    beside a ``York Minster`` tagged PERSON, ``Paris`` beside ``Paris Hilton``). As the
    surname it stays the person's (``Washington`` of George Washington)."""
    return (
        person.tokens[0] == word.tokens[0] != person.tokens[-1]
        and word.majority_label() in _PLACE_LABELS
        and lookup_place(word.mentions[0].surface) is not None
    )


def _refers_to_person(short: Group, full: Group) -> bool:
    """Whether a shorter name can refer to the person named in full: a run of the full name's
    words that holds its first given name or its surname, or its middle names once the full name
    has been given. English refers to a person by surname, given name or both; a middle name
    written alone before the full name is someone else's (a mother's maiden name: ``Chao``
    throughout a biography whose last paragraph names his daughter ``Rulan Chao Pian``), after
    it the name the person goes by (``Luiz Inacio Lula da Silva`` ... ``Lula``)."""
    index = _contains_run(full.tokens, short.tokens)
    if index < 0:
        return False
    surname_index = len(name_parts(full.key)[0])
    holds_name = index == 0 or index <= surname_index < index + len(short.tokens)
    return holds_name or full.first_start < short.first_start


def _persons_referred_to(group: Group, persons_by_word: Mapping[str, list[Group]]) -> list[Group]:
    """The document's persons a name group can refer to (``_refers_to_person``). A name spaCy
    did not tag PERSON keeps the title before it (``Judge Ito`` as ORG, ``Professor Chomsky`` as
    FAC): when it refers to nobody as written, it is read without its title (``strip_titles``),
    so it joins the person only when the rest is part of that person's name."""
    candidates = [
        person
        for person in persons_by_word.get(group.tokens[0], ())
        if _refers_to_person(group, person)
    ]
    untitled = without_titles(group.tokens)
    if candidates or untitled == group.tokens:
        return candidates
    bare = Group(group.doc_id, group.kind, " ".join(untitled), list(group.mentions))
    return [
        person for person in persons_by_word.get(untitled[0], ()) if _refers_to_person(bare, person)
    ]


def _attach_shorter_full_names(persons: list[Group]) -> None:
    """A full person name that is a run of a longer one of the same document is that person
    named in part (``Pierre Charles`` beside ``Pierre Charles L'Enfant``): it joins the longer
    name (the one mentioned most, then first, when several hold it)."""
    for person in persons:
        candidates = [
            full
            for full in persons
            if len(full.tokens) > len(person.tokens) and _refers_to_person(person, full)
        ]
        person.parent = _choose(candidates)


def _choose(candidates: list[Group]) -> Group | None:
    if not candidates:
        return None
    return min(candidates, key=lambda group: (-len(group.mentions), group.first_start, group.key))


def _org_head_index(tokens: tuple[str, ...]) -> int:
    """Head word of an organisation name: the last word before ``of``/``for``..., else the last."""
    for index, token in enumerate(tokens):
        if index > 0 and token in _ORG_HEAD_BREAKS:
            return index - 1
    return len(tokens) - 1


def _word_edges(group: Group) -> frozenset[int] | None:
    """Indexes of the group's key words that start or end a written word: ``Computerworld-
    Microsoft`` is one word of two key words. None when the written form does not split into
    the key's words (then every index counts)."""
    surface = min(mention.surface for mention in group.mentions)
    edges, index = {0}, 0
    for word in surface.split():
        index += len(name_key(word).split())
        edges.add(index)
    return frozenset(edges) if index == len(group.tokens) else None


def _org_short_form_of(short: Group, full: Group) -> bool:
    """``Supreme Court`` / ``Scientology`` / ``CBC`` / ``UN`` as a short form of a longer name;
    never a part of a hyphenated word (``Microsoft`` is not ``Computerworld-Microsoft``)."""
    long_tokens, short_tokens = full.tokens, short.tokens
    if len(short_tokens) >= len(long_tokens):
        return False
    index = _contains_run(long_tokens, short_tokens)
    if index < 0:
        is_short_word = len(short_tokens) == 1 and 2 <= len(short_tokens[0]) <= 6
        return (
            is_short_word and short_tokens[0] in _folded_acronyms(long_tokens)
        ) or _initials_and_head(short_tokens, long_tokens)
    edges = _word_edges(full)
    if edges is not None and not {index, index + len(short_tokens)} <= edges:
        return False
    rest = set(long_tokens[index + len(short_tokens) :])
    if index == 0 and rest <= org_words()["generic_suffixes"]:
        return True
    if index == 0 and len(long_tokens) == len(short_tokens) + 1 and _drops_common_head(short, full):
        return True
    head = _org_head_index(long_tokens)
    if index <= head < index + len(short_tokens):
        return True
    of_index = long_tokens.index("of") if "of" in long_tokens else -1
    complement = long_tokens[of_index + 1 :] if of_index > 0 else ()
    return complement == short_tokens and lookup_place(" ".join(short_tokens)) is None


def _folded_acronyms(tokens: tuple[str, ...]) -> frozenset[str]:
    return frozenset(translit_key(form) for form in acronym_forms(tokens))


def _initials_and_head(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """``GW Bridge`` for ``George Washington Bridge``: the initials of the full name's leading
    words written as one word, then its remaining words as they are (the head kept)."""
    width = len(short) - 1
    if width < 1 or not 2 <= len(short[0]) <= 4 or full[-width:] != short[1:]:
        return False
    leading = full[:-width]
    return len(leading) >= 2 and translit_key(acronym(leading)) == short[0]


def _names_a_group(word: str) -> bool:
    """Whether a common noun names a group or institution by one of its most frequent WordNet
    senses (``university``, ``church``, ``airlines``), not a product or a thing (``update``,
    ``storm``, ``rifles``): the WordNet classes of ``demonyms.demonym_heads``."""
    lemma = word.lower()
    heads = demonyms.demonym_heads()
    if lemma not in heads and lemma.endswith("s"):
        lemma = lemma[:-1]
    return heads.get(lemma) == "actor"


def _drops_common_head(short: Group, full: Group) -> bool:
    """``Harvard`` for ``Harvard University``, ``Southwest`` for ``Southwest Airlines``: the full
    name without its last word, when that word is a common noun (lower-case more often than not
    mid-sentence) naming an institution or group, and the rest are name words that are no place
    (``Boston`` is the city, not ``Boston University``); a brand is not its product
    (``Microsoft Update``, ``BlackBerry Storm``)."""
    full_words = min(mention.surface for mention in full.mentions).split()
    short_words = min(mention.surface for mention in short.mentions).split()
    if len(full_words) != len(short_words) + 1 or _all_name_words((full_words[-1],)):
        return False
    if not _names_a_group(full_words[-1]):
        return False
    return _all_name_words(tuple(short_words)) and lookup_place(" ".join(short_words)) is None


def _by_word(groups: list[Group]) -> dict[str, list[Group]]:
    """Each word -> the groups whose name holds it (each group once per word)."""
    index: dict[str, list[Group]] = defaultdict(list)
    for group in groups:
        for word in dict.fromkeys(group.tokens):
            index[word].append(group)
    return index


def document_names(mentions: list[Mention], text: str | None) -> list[Mention]:
    """A document's name mentions (descriptions left out) with the headline words around them
    dropped (``_without_headline_words``; none without its ``text``): what pass 1 and
    ``document_full_person_names`` start from."""
    names = [mention for mention in mentions if mention.antecedent is None]
    return names if text is None else _without_headline_words(names, text)


def _group_document(
    doc_id: str, mentions: list[Mention], text: str, names: list[Mention] | None = None
) -> list[Group]:
    """Local groups of one document's mentions (see module docstring, pass 1); ``names``: its
    ``document_names``, when already read."""
    groups: dict[tuple[str, str], Group] = {}

    def group_for(kind: str, key: str, iso3: str | None = None) -> Group:
        group = groups.get((kind, key))
        if group is None:
            group = groups[(kind, key)] = Group(doc_id=doc_id, kind=kind, key=key, iso3=iso3)
        return group

    descriptions = [mention for mention in mentions if mention.antecedent is not None]
    if names is None:
        names = document_names(mentions, text)
    mentions = _with_person_evidence(_without_trailing_phrase(names))
    full_names = _person_full_names(mentions)
    person_words = {word for key in full_names for word in key.split()}
    in_name_order = _name_orders(full_names)
    for mention in mentions:
        tkey = translit_key(mention.key)
        tkey = in_name_order.get(tuple(sorted(tkey.split())), tkey)
        if tkey in full_names:
            group_for("person", tkey).mentions.append(mention)
            continue
        place = _place_of(mention, text)
        is_person_word = mention.label == PERSON or (
            place is not None and place.kind not in {"country", "demonym"}
        )
        if place is not None and not (is_person_word and tkey in person_words):
            kind, key, iso3 = _place_group_key(mention, place, text)
            group_for(kind, key, iso3).mentions.append(mention)
            continue
        if mention.label in _ORG_LABELS:
            key, iso3 = country_qualified_key(mention, text)
            group_for("name", key, iso3).mentions.append(mention)
            continue
        group_for("name", _without_feature_word(mention) or tkey).mentions.append(mention)

    persons = [group for group in groups.values() if group.kind == "person"]
    names = [group for group in groups.values() if group.kind == "name"]
    _attach_shorter_full_names(persons)
    # A city that spaCy also tagged ORG or PERSON in this document ("Huntsville" as ORG beside
    # "Huntsville" as GPE) is that city.
    for group in names:
        if group.majority_label() != PERSON or group.key not in person_words:
            places = (groups.get(("place", mention.key)) for mention in group.mentions)
            group.parent = next((place for place in places if place is not None), None)
    # A run of a longer name's words starts with one of its words: look only at the names that
    # hold the short form's first word (or, for an acronym, whose initials it is).
    persons_by_word = _by_word(persons)
    for group in names:
        if group.parent is not None:
            continue
        candidates = _persons_referred_to(group, persons_by_word)
        if len(group.tokens) == 1:
            group.not_persons = frozenset(
                person.key
                for person in candidates
                if _named_apart(group, person, text) or _place_not_given_name(group, person)
            )
            candidates = [person for person in candidates if person.key not in group.not_persons]
        if candidates and (len(group.tokens) < 3 or group.majority_label() == PERSON):
            group.parent = _choose(candidates)
    unattached = [
        group
        for group in names
        if group.parent is None
        and (
            group.majority_label() not in {PERSON, "NORP", "LANGUAGE"} or _written_as_acronym(group)
        )
    ]
    organisations = [group for group in unattached if group.majority_label() in _ORG_LABELS]
    organisation_ids = {id(group) for group in organisations}
    organisations_by_word = _by_word(organisations)
    # An acronym may spell a name spaCy tagged a place (``FBI`` beside a ``Federal Bureau of
    # Investigation`` tagged GPE): every longer name is indexed by its initials.
    organisations_by_acronym: dict[str, list[Group]] = defaultdict(list)
    for full in unattached:
        named_in_words = len(full.tokens) >= 2 and full.majority_label() != PERSON
        if id(full) in organisation_ids or named_in_words:
            for initials in _folded_acronyms(full.tokens):
                organisations_by_acronym[initials].append(full)
    for group in unattached:
        first_word = group.tokens[0]
        pool = {id(full): full for full in organisations_by_word.get(first_word, ())}
        if len(group.tokens) == 1:
            pool.update((id(full), full) for full in organisations_by_acronym.get(first_word, ()))
        else:  # initials and the head word (``GW Bridge``): the names holding its last word
            holding_head = organisations_by_word.get(group.tokens[-1], ())
            pool.update((id(full), full) for full in holding_head)
        candidates = [
            full
            for full in pool.values()
            if full is not group and full.parent is not group and _org_short_form_of(group, full)
        ]
        group.parent = _choose(candidates)
    _attach_bracketed_short_forms(unattached, text)
    places = [group for group in groups.values() if group.kind in {"country", "place"}]
    _attach_place_acronyms(unattached, places)
    for group in unattached:
        while group.parent is not None and group.parent.parent is not None:
            group.parent = group.parent.parent
    _attach_descriptions(descriptions, groups.values())
    return sorted(groups.values(), key=lambda group: (group.first_start, group.kind, group.key))


def _name_orders(full_names: dict[str, list[Mention]]) -> dict[tuple[str, ...], str]:
    """The words of each full person name, sorted -> the document's one key for that name.

    A name written in both orders is one person ("Higuchi Ichiyō" and "Ichiyo Higuchi": East
    Asian names appear family name first and, in English, given name first), whatever spaCy's
    label of the other order; of two orders of a full name the one written more often, then
    first, is the key."""
    orders: dict[tuple[str, ...], str] = {}
    ranked = sorted(full_names, key=lambda key: (-len(full_names[key]), full_names[key][0].start))
    for key in ranked:
        orders.setdefault(tuple(sorted(key.split())), key)
    return orders


_ACRONYM_SHAPE = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Za-z0-9&.-]+$")


def _written_as_acronym(group: Group) -> bool:
    """A one-word name written with two capitals or more in every mention (``FBI``, ``DoD``):
    an acronym, whatever spaCy's label (PERSON, NORP), so it may join the name it spells."""
    return len(group.tokens) == 1 and all(
        _ACRONYM_SHAPE.match(mention.surface) for mention in group.mentions
    )


def _end_before_spaces(text: str, index: int) -> int:
    """``len(text[:index].rstrip())`` without copying the text before ``index`` (a copy per
    mention was quadratic in a 50 MB document)."""
    while index > 0 and text[index - 1].isspace():
        index -= 1
    return index


def _attach_bracketed_short_forms(groups: list[Group], text: str) -> None:
    """``Union of Rationalist Atheists and Agnostics (UAAR)``: one word with two capitals or
    more in brackets right after an organisation's full name is that organisation's short
    form, whatever its letters (the acronym of a name in another language does not spell the
    English one; ``_org_short_form_of`` finds those that do)."""
    full_by_end = {
        mention.end: group
        for group in groups
        if len(group.tokens) >= 2 and group.majority_label() in _ORG_LABELS
        for mention in group.mentions
    }
    for group in groups:
        if group.parent is not None or len(group.tokens) != 1:
            continue
        for mention in group.mentions:
            if not (_ACRONYM_SHAPE.match(mention.surface) and text.startswith(")", mention.end)):
                continue
            bracket = _end_before_spaces(text, mention.start) - 1
            if bracket < 0 or text[bracket] != "(":
                continue
            full = full_by_end.get(_end_before_spaces(text, bracket))
            if full is not None and full is not group and full.parent is not group:
                group.parent = full
                break


def _attach_place_acronyms(groups: list[Group], places: list[Group]) -> None:
    """``NJ`` beside ``New Jersey``, ``UAE`` beside ``United Arab Emirates``: a word written in
    capitals that spells the initials of a country or place the document names in words is that
    country or place (a place group is keyed by its gazetteer entry, so the initials are read
    from its mentions' names)."""
    by_initials: dict[str, Group] = {}
    for place in sorted(places, key=lambda group: group.first_start):
        for mention in place.mentions:
            words = tuple(name_key(mention.surface).split())
            if len(words) >= 2:
                by_initials.setdefault(translit_key(acronym(words)), place)
    for group in groups:
        if group.parent is not None or len(group.tokens) != 1:
            continue
        if all(mention.surface.replace(".", "").isupper() for mention in group.mentions):
            group.parent = by_initials.get(group.tokens[0])


def _attach_descriptions(descriptions: list[Mention], groups: Iterable[Group]) -> None:
    """A description ("an Oklahoma man") joins the group of the name it refers to."""
    group_of = {mention.mention_id: group for group in groups for mention in group.mentions}
    for description in descriptions:
        group = group_of.get(description.antecedent)
        if group is not None:
            group.mentions.append(description)


# ----------------------------------------------------------------------------- across documents


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, first: int, second: int) -> None:
        root_first, root_second = self.find(first), self.find(second)
        if root_first != root_second:
            self.parent[max(root_first, root_second)] = min(root_first, root_second)


@dataclass(frozen=True)
class NameMatching:
    """How alike two spellings of a name must be (rapidfuzz ratio, 0-100), per word and for the
    whole name. Learned on the developer data (``newsetl eval entities --cv``; the values are in
    ``data/name_matching.json``)."""

    word_similarity: float
    name_similarity: float
    # A lone surname that several known people bear is the one of them named most, when that
    # one has at least this share of their full-name mentions (``Bush`` for George W. Bush beside
    # one "Flips Bush"); above 1, never.
    surname_dominance: float = 1.01

    @classmethod
    @lru_cache(maxsize=1)
    def learned(cls) -> NameMatching:
        raw = json.loads(
            resources.files("etl.stages.resolve")
            .joinpath("data", "name_matching.json")
            .read_text("utf-8")
        )
        return cls(
            float(raw["word_similarity"]),
            float(raw["name_similarity"]),
            float(raw.get("surname_dominance", 1.01)),
        )


def _same_name_word(first: str, second: str, matching: NameMatching) -> bool:
    """Two translit-folded words of a name spelled two ways (``nazarbaev`` / ``nazarbaiev``)."""
    if first == second:
        return True
    if min(len(first), len(second)) < _MIN_FUZZY_WORD or skeleton(first) != skeleton(second):
        return False
    return fuzz.ratio(first, second) >= matching.word_similarity


def same_person_name(first: str, second: str, matching: NameMatching | None = None) -> bool:
    """Whether two translit-folded full names are spellings of one name, word by word."""
    if first == second:
        return True
    matching = matching or NameMatching.learned()
    words_first, words_second = first.split(), second.split()
    if len(words_first) != len(words_second):
        return False
    if any(
        genders_differ(one, other)
        for one, other in zip(words_first[:-1], words_second[:-1], strict=True)
    ):
        return False
    if not all(
        _same_name_word(one, other, matching)
        for one, other in zip(words_first, words_second, strict=True)
    ):
        return False
    return fuzz.ratio(first, second) >= matching.name_similarity


def name_parts(key: str) -> tuple[tuple[str, ...], str]:
    """(given names, surname) of a full person-name key, generational suffixes dropped."""
    words = key.split()
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words.pop()
    return tuple(words[:-1]), words[-1]


def _same_given_name(first: str, second: str, matching: NameMatching) -> bool:
    """A given name and its initial (``v`` / ``vladimir``), or one given name spelled two ways
    (never a man's and a woman's name: ``Mario`` / ``Maria``)."""
    if len(first) == 1 or len(second) == 1:
        return first[0] == second[0]
    return not genders_differ(first, second) and _same_name_word(first, second, matching)


def _goes_by_middle_name(
    shorter: tuple[str, ...], longer: tuple[str, ...], matching: NameMatching
) -> bool:
    """``Joseph Comeaux`` for ``Arcade Joseph Comeaux``: the shorter name's given names, spelled
    out, are the last given names of the longer one."""
    return (
        len(shorter) < len(longer)
        and all(len(name) > 1 for name in shorter)
        and all(
            _same_name_word(one, other, matching)
            for one, other in zip(shorter, longer[-len(shorter) :], strict=True)
        )
    )


def compatible_names(first: str, second: str, matching: NameMatching | None = None) -> bool:
    """Whether two full names can name one person: one surname, the first given names agree
    (an initial matches a name), middle names agree where both have them (``G. W. Bush`` /
    ``George Bush`` / ``George W. Bush``, not ``George H. W. Bush``), or one name goes by the
    other's middle name (``Joseph Comeaux`` / ``Arcade Joseph Comeaux``)."""
    matching = matching or NameMatching.learned()
    given_first, surname_first = name_parts(first)
    given_second, surname_second = name_parts(second)
    if not (given_first and given_second):
        return False
    if not _same_name_word(surname_first, surname_second, matching):
        return False
    if _goes_by_middle_name(given_first, given_second, matching) or _goes_by_middle_name(
        given_second, given_first, matching
    ):
        return True
    if not _same_given_name(given_first[0], given_second[0], matching):
        return False
    middle_first, middle_second = given_first[1:], given_second[1:]
    if middle_first and middle_second:
        return len(middle_first) == len(middle_second) and all(
            _same_given_name(one, other, matching)
            for one, other in zip(middle_first, middle_second, strict=True)
        )
    return True


def person_name_blocks(key: str) -> tuple[str, str]:
    """The two blocks a full person-name key is compared in when names are linked: its own
    skeleton (spellings) and its surname's (initials, middle names). Linking a set of keys
    gives every key the anchor it has in any larger set, as long as the set holds every key
    sharing a block with one of its keys (``etl.run.incremental`` relinks only such sets)."""
    return skeleton(key), skeleton(name_parts(key)[1])


def _covers(key: str, one: str, other: str) -> bool:
    """Whether two names compatible with ``key`` but not with each other can both be short
    forms of it: each has fewer given names (``Recep Erdogan`` and ``Tayyip Erdogan`` of
    ``Recep Tayyip Erdogan``: one drops the middle name, the other goes by it)."""
    given = len(name_parts(key)[0])
    return len(name_parts(one)[0]) < given and len(name_parts(other)[0]) < given


def _link_person_names(keys: list[str], matching: NameMatching) -> dict[str, str]:
    """Full person-name key -> anchor (smallest key of its component).

    Spellings of one name link first (blocked by skeleton). Then names that differ by initials
    or a missing middle name link, blocked by the surname's skeleton, but only names whose
    compatible names are all compatible with each other or are both shorter forms of it:
    ``George Bush`` beside both ``George W. Bush`` and ``George H. W. Bush`` joins neither, and
    ``J. Smith`` beside ``John`` and ``Jane Smith`` neither; ``Recep Tayyip Erdogan`` beside
    ``Recep Erdogan`` and ``Tayyip Erdogan`` is both.
    """
    ordered = sorted(set(keys))
    position = {key: index for index, key in enumerate(ordered)}
    links = _UnionFind(len(ordered))
    blocks: dict[str, list[str]] = defaultdict(list)
    by_surname: dict[str, list[str]] = defaultdict(list)
    for key in ordered:
        name_block, surname_block = person_name_blocks(key)
        blocks[name_block].append(key)
        by_surname[surname_block].append(key)
    for block in blocks.values():
        for i, first in enumerate(block):
            for second in block[i + 1 :]:
                if same_person_name(first, second, matching):
                    links.union(position[first], position[second])
    for block in by_surname.values():
        compatible = {
            key: [
                other for other in block if other != key and compatible_names(key, other, matching)
            ]
            for key in block
        }
        closed = {
            key
            for key, others in compatible.items()
            if all(
                compatible_names(one, other, matching) or _covers(key, one, other)
                for index, one in enumerate(others)
                for other in others[index + 1 :]
            )
        }
        for key in sorted(closed):
            for other in compatible[key]:
                if other in closed:
                    links.union(position[key], position[other])
    return {key: ordered[links.find(position[key])] for key in ordered}


@dataclass(frozen=True)
class PersonNames:
    """The corpus-wide facts cross-document linking needs: every full person name's anchor, and
    which anchors each surname and each first given name belongs to."""

    anchors: dict[str, str]
    surname_owners: dict[str, frozenset[str]]
    given_name_owners: dict[str, frozenset[str]]
    # the dominant bearer of each surname several people bear (see NameMatching)
    surname_dominant: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_keys(
        cls, keys: Iterable[str] | Mapping[str, int], matching: NameMatching | None = None
    ) -> PersonNames:
        """``keys``: the full person-name keys, or each with its number of mentions."""
        matching = matching or NameMatching.learned()
        counts = Counter(keys)
        return cls.from_anchors(_link_person_names(list(counts), matching), counts, matching)

    @classmethod
    def from_anchors(
        cls,
        anchors: Mapping[str, str],
        counts: Mapping[str, int] | None = None,
        matching: NameMatching | None = None,
    ) -> PersonNames:
        """The person names whose keys were linked to ``anchors`` (``counts``: each key's number
        of mentions, 1 when not given)."""
        matching = matching or NameMatching.learned()
        counts = counts if counts is not None else dict.fromkeys(anchors, 1)
        anchors = dict(anchors)
        mentions_of: Counter = Counter()
        for key, anchor in anchors.items():
            mentions_of[anchor] += counts[key]
        surnames: dict[str, set[str]] = defaultdict(set)
        given_names: dict[str, set[str]] = defaultdict(set)
        for key, anchor in anchors.items():
            given, surname = name_parts(key)
            surnames[surname].add(anchor)
            if given and len(given[0]) > 1:
                given_names[given[0]].add(anchor)
        dominant = {}
        for surname, owners in surnames.items():
            if len(owners) < 2:
                continue
            first, second = sorted(owners, key=lambda anchor: (-mentions_of[anchor], anchor))[:2]
            total = sum(mentions_of[anchor] for anchor in owners)
            if mentions_of[first] > mentions_of[second] and (
                mentions_of[first] >= matching.surname_dominance * total
            ):
                dominant[surname] = first
        return cls(
            anchors,
            {name: frozenset(found) for name, found in surnames.items()},
            {name: frozenset(found) for name, found in given_names.items()},
            dominant,
        )

    def _lone_given_name_owner(self, key: str) -> str | None:
        """The one person a lone given name can be (``Laci`` for ``Laci Peterson``): no one has
        it as a surname and exactly one known person has it as a first name."""
        owners = self.given_name_owners.get(key, frozenset())
        if len(owners) == 1 and key not in self.surname_owners:
            return next(iter(owners))
        return None

    def entity_key(self, root: Group) -> tuple[str, str]:
        """(kind, anchor) that identifies a root group's entity across documents."""
        if root.kind == "person":
            return "person", self.anchors[root.key]
        if root.kind in {"country", "place"}:
            return root.kind, root.key
        if root.key in self.anchors:  # a full person name that spaCy tagged ORG or NORP here
            return "person", self.anchors[root.key]
        label = root.majority_label()
        if len(root.tokens) == 1 and label in _PERSON_MISLABELS:
            owners = self.surname_owners.get(root.key, frozenset()) - {
                self.anchors[key] for key in root.not_persons if key in self.anchors
            }
            if len(owners) == 1:
                return "person", next(iter(owners))
            if not owners:
                given_name_owner = self._lone_given_name_owner(root.key)
                if label == PERSON and given_name_owner:
                    return "person", given_name_owner
                # One key for the lone word whatever spaCy's label in each document
                # ("SEACOM" tagged PERSON in one report and ORG in the others).
                return "name", root.key
            if root.key in self.surname_dominant:
                return "person", self.surname_dominant[root.key]
            if label != PERSON:
                return "name", root.key
            return "person", f"{root.key}\x1f{root.doc_id}"
        return "name", root.key


def full_person_name_keys(rows: Iterable[dict], texts: Mapping[str, str] | None = None) -> Counter:
    """Keys of the full person names (``_is_full_person_name``: PERSON, two or more words, or
    initials and a surname) among mention rows, each with its number of mentions.

    They hold every person group of pass 1, so pass 2's anchors can be computed from a scan of
    the mentions alone, before any document is grouped. They may hold more: a full name spaCy
    tags PERSON in fewer than half its mentions is a name group in pass 1, and it resolves to a
    person only through ``entity_key``'s check of the anchors. ``texts`` (doc_id -> text):
    the documents' texts, so that a name in a headline is read as pass 1 reads it, without the
    headline words around it (``Flips Bush`` is ``Bush``, no second person named Bush); the
    rows then come a document at a time (``table_rows`` order).
    """
    keys: Counter = Counter()
    names = (row for row in rows if row.get("antecedent_mention_id") is None)
    for doc_id, doc_rows in groupby(names, key=itemgetter("doc_id")):
        mentions = [mention for mention in map(_make_mention, doc_rows) if mention is not None]
        text = None if texts is None else texts.get(doc_id) or ""
        keys.update(document_full_person_names(mentions, text))
    return keys


def document_full_person_names(
    mentions: list[Mention], text: str | None, names: list[Mention] | None = None
) -> Counter:
    """``full_person_name_keys`` of one document's mentions once made (``_make_mention``;
    descriptions are left out), read beside the document's ``text`` (None: no headline words
    dropped): a document's mentions grouped in pass 1 give its names without a second read
    (``names``: its ``document_names``, when pass 1 has read them)."""
    if names is None:
        names = document_names(mentions, text)
    names = _with_person_evidence(names)
    return Counter(translit_key(mention.key) for mention in names if _is_full_person_name(mention))


# ----------------------------------------------------------------------------- entity attributes


def _is_cased(text: str) -> bool:
    return any(char.isupper() for char in text)


def _display(text: str) -> str:
    return text if _is_cased(text) else " ".join(word.capitalize() for word in text.split())


def canonical_name(surfaces: Iterable[str] | Mapping[str, int]) -> str:
    """Fullest form, cased before lowercase, then most frequent, then alphabetically first.

    ``surfaces``: every surface form used, or a mapping of each form to its number of uses.
    """
    counts = Counter(surfaces)
    best = min(
        counts,
        key=lambda form: (-len(form.split()), not _is_cased(form), -counts[form], form),
    )
    return _display(best)


def _country_in_name(name: str) -> str | None:
    """ISO3 of a country or demonym that starts a name (``Kyrgyz Foreign Ministry`` -> KGZ)."""
    words = name.split()
    for width in range(min(3, len(words)), 0, -1):
        place = lookup_place(" ".join(words[:width]))
        if place is not None and place.kind in {"country", "demonym"}:
            return place.iso3
    return None


def _majority(counts: Mapping[str | None, int]) -> str | None:
    """The most counted value (ties: alphabetically first), never an empty one; else None."""
    candidates = [value for value, n in counts.items() if value and n > 0]
    if not candidates:
        return None
    return min(candidates, key=lambda value: (-counts[value], value))


# ----------------------------------------------------------------------------- entry point


_ROW_COLUMNS = [
    "mention_id",
    "doc_id",
    "start_char",
    "end_char",
    "text",
    "label",
    "antecedent_mention_id",
    "demonym_use",
    "sentence_idx",
]
_ROW_ORDER = [
    ("doc_id", "ascending"),
    ("start_char", "ascending"),
    ("end_char", "ascending"),
    ("mention_id", "ascending"),
]


def table_rows(mentions: pa.Table, block_rows: int = 65_536) -> Iterator[dict]:
    """Mention rows in document and text order, a block of row dicts at a time.

    Only the order (one integer per row) is computed whole: the rows are gathered a block at a
    time, never as a sorted copy of every mention (a 50 MB article has 900,000).
    """
    columns = mentions.select(_ROW_COLUMNS)
    order = pc.sort_indices(columns, sort_keys=_ROW_ORDER)
    for start in range(0, len(order), block_rows):
        yield from columns.take(order[start : start + block_rows]).to_pylist()


@dataclass(slots=True)
class _EntityTally:
    """What the entity's row and aliases are built from, counted as its mentions stream by."""

    entity_id: str
    surfaces: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)
    aliases: Counter = field(default_factory=Counter)
    title_countries: Counter = field(default_factory=Counter)
    group_isos: Counter = field(default_factory=Counter)
    n_mentions: int = 0
    n_documents: int = 0
    last_doc_id: str | None = None

    def add_group(self, group: Group, text: str, is_person: bool) -> None:
        self.group_isos[group.iso3] += 1
        if self.last_doc_id != group.doc_id:
            self.last_doc_id = group.doc_id
            self.n_documents += 1
        self.n_mentions += len(group.mentions)
        for mention in group.mentions:
            if mention.antecedent is not None:
                continue  # a description is no name or alias of the entity
            self.surfaces[mention.surface] += 1
            self.labels[mention.label] += 1
            self.aliases[_display_alias(mention.text)] += 1
            if is_person:
                alias, country = _title_phrase(mention, text)
                if alias:
                    self.aliases[alias] += 1
                self.title_countries[country] += 1


def document_texts(documents: pa.Table) -> dict[str, str]:
    """doc_id -> text of a documents table."""
    return dict(
        zip(
            documents.column("doc_id").to_pylist(),
            documents.column("text").to_pylist(),
            strict=True,
        )
    )


def _documents_of_chunk(mentions: pa.Table, documents: pa.Table) -> Iterator[tuple[str, str, list]]:
    """(doc_id, text, mentions in text order) of each document of one chunk with mentions."""
    texts = document_texts(documents)
    current_doc, current = None, []
    for row in table_rows(mentions):
        mention = _make_mention(row)
        if mention is None:
            continue
        if mention.doc_id != current_doc:
            if current:
                yield current_doc, texts.get(current_doc) or "", current
            current_doc, current = mention.doc_id, []
        current.append(mention)
    if current:
        yield current_doc, texts.get(current_doc) or "", current


def resolve_in_chunks(
    person_name_keys: Iterable[str] | Mapping[str, int],
    chunks: Iterable[tuple[pa.Table, pa.Table]],
    matching: NameMatching | None = None,
) -> EntityResolution:
    """Resolve mentions that arrive as (mentions, documents) chunks of whole documents.

    ``person_name_keys`` are ``full_person_name_keys`` of every mention in the corpus. Memory
    holds one chunk, one tally per entity and the mention -> entity columns, not every mention:
    the result equals ``resolve_entities`` over the chunks' union.
    """
    persons = PersonNames.from_keys(person_name_keys, matching)
    tallies: dict[tuple[str, str], _EntityTally] = {}
    mapped: list[pa.Table] = []
    for mentions, documents in chunks:
        mention_ids: list[str] = []
        entity_ids: list[str] = []
        for doc_id, text, doc_mentions in _documents_of_chunk(mentions, documents):
            for group in _group_document(doc_id, doc_mentions, text):
                root = group
                while root.parent is not None:
                    root = root.parent
                entity_key = persons.entity_key(root)
                tally = tallies.get(entity_key)
                if tally is None:
                    tally = tallies[entity_key] = _EntityTally(stable_id("entity", *entity_key))
                tally.add_group(group, text, is_person=entity_key[0] == "person")
                mention_ids.extend(mention.mention_id for mention in group.mentions)
                entity_ids.extend(repeat(tally.entity_id, len(group.mentions)))
        mapped.append(
            pa.table(
                {"mention_id": mention_ids, "entity_id": entity_ids},
                schema=schema.MENTION_ENTITIES,
            )
        )
    return _build_tables(tallies, mapped)


def resolve_entities(
    mentions: pa.Table, documents: pa.Table, matching: NameMatching | None = None
) -> EntityResolution:
    """Resolve every mention of every document to an entity (see the module docstring)."""
    texts = document_texts(documents)
    keys = full_person_name_keys(table_rows(mentions), texts)
    return resolve_in_chunks(keys, [(mentions, documents)], matching)


def _build_tables(
    tallies: dict[tuple[str, str], _EntityTally], mapped: list[pa.Table]
) -> EntityResolution:
    entity_rows, alias_rows = [], []
    for entity_key in sorted(tallies):
        kind, anchor = entity_key
        tally = tallies[entity_key]
        name, label, country_code = _describe(kind, anchor, tally)
        entity_rows.append(
            {
                "entity_id": tally.entity_id,
                "name": name,
                "label": label,
                "country_code": country_code,
                "n_mentions": tally.n_mentions,
                "n_documents": tally.n_documents,
            }
        )
        for alias in sorted(tally.aliases):
            alias_rows.append(
                {"entity_id": tally.entity_id, "alias": alias, "n_mentions": tally.aliases[alias]}
            )
    mention_entities = pa.concat_tables(
        [pa.table({"mention_id": [], "entity_id": []}, schema=schema.MENTION_ENTITIES), *mapped]
    ).sort_by("mention_id")
    return EntityResolution(
        entities=pa.Table.from_pylist(entity_rows, schema=schema.ENTITIES),
        aliases=pa.Table.from_pylist(alias_rows, schema=schema.ENTITY_ALIASES),
        mention_entities=mention_entities,
    )


def _display_alias(text: str) -> str:
    return strip_possessive(text).strip(' \t\n,;:!?"“”()[]')


def _describe(kind: str, anchor: str, tally: _EntityTally) -> tuple[str, str, str | None]:
    """(canonical name, label, country code) of an entity."""
    if kind == "country":
        return country_names().get(anchor, anchor), "GPE", anchor
    name = canonical_name(tally.surfaces)
    if kind == "place":
        place_labels = {label: n for label, n in tally.labels.items() if label in _PLACE_LABELS}
        return name, _majority(place_labels) or "GPE", _majority(tally.group_isos)
    if kind == "person":
        return name, PERSON, _majority(tally.title_countries)
    label = _majority(tally.labels) or "ORG"
    if label in {"NORP", "LANGUAGE"}:
        return name, label, None
    return name, label, _country_in_name(name) or _majority(tally.group_isos)
