"""Event clustering as event coreference: event mentions reporting one real-world event share a
``cluster_id``.

Two event mentions are compared only when they are *candidates*: their PLOVER types share a family
(``data/event_families.json``: types different reports may give one act, from the PLOVER
definitions) and they share an entity, either a resolved participant (actor or recipient) or one
of their documents' most mentioned entities; within a large block only events dated close together
are compared, so the work grows with the blocks, never with all pairs of the warehouse.

Each candidate pair gets a probability of being one event from a logistic model over pair features
(``FEATURES``): same type, participant overlap and conflict, overlap on the same day (the same
people on the same day are one event; the same people alone may be a yearly one), the documents'
salient-entity similarity and their text similarity (tf-idf cosine of the most distinctive words of
each document's opening: reports of one incident share its particular vocabulary, reports of a
similar incident elsewhere only the general one), same trigger predicate (the trigger's last word
lemmatized by the committed table ``data/trigger_lemmas.tsv``, built by ``build_trigger_lemmas``,
then stemmed: "shot" and "shooting" meet) or, failing that, the same PLOVER mode (the sub-category
the trigger lexicon, derived from the PLOVER seeds through WordNet, gives the trigger: "opened fire"
and "shot" are both ASSAULT firearms, "nabbed" and "arrested" both COERCE arrest), the text
similarity once more where the predicate repeats (``same_trigger_text_similarity``: a prisoner
"released" this year and another "released" years ago share the word, only one of them the
story's vocabulary), date agreement with its certainty (an ``event_date`` taken from the
publication day is only known to within a day: reports of yesterday's event are dated today),
place agreement and conflict. The weights, the merge threshold and the widest date spread of
one event are fitted on ECB+ developer topics by
``etl.evaluate.fit_coref`` and committed in ``data/event_coref_model.json``.

Two reports of the same act by the same actor toward the same recipient, each dated to the same
day by its own text, are one event by definition (``one_act_one_day``): such a pair scores 1.
Two events of a directed family (``"directed"`` in the families file: a protest, an accusation, a
rejection) whose parties are each other's actor and recipient, by entity or by the parties'
countries, are two acts by definition (``reversed_roles``: a protest and the reply to it): such a
pair scores 0.

Clusters are formed by average-link agglomeration over the scored pairs (pairs never compared
count as probability 0): the two clusters with the highest mean pair probability merge while it is
at least the threshold and the days their members' dates allow still meet within the learned
spread: a date read from the text is that day, a date that is only a publication day allows the
learned slack of days before it, per type family (reports of a meeting appear on its day or soon
after; a killing is reported again at a trial months later, so that family may stay unbounded).
So two meetings of the same people weeks apart stay two events, even when no report dates them in
its text. The ``cluster_id`` is ``stable_id`` of the cluster's earliest
event (by date, then id; undated events last): deterministic, independent of row order.
"""

from __future__ import annotations

import heapq
import json
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from itertools import chain, pairwise, repeat
from operator import mul
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
from spacy.lang.en.stop_words import STOP_WORDS

from etl import schema
from etl.ids import stable_id

DATA_DIR = Path(__file__).parent / "data"
FAMILIES_PATH = DATA_DIR / "event_families.json"
MODEL_PATH = DATA_DIR / "event_coref_model.json"
TRIGGER_LEMMAS_PATH = DATA_DIR / "trigger_lemmas.tsv"
WINDOW_PATH = DATA_DIR / "candidate_window.json"

# Documents' most mentioned entities kept as their profile (and as blocking keys).
MAX_SALIENT_ENTITIES = 8
# Blocks larger than this compare no undated event (dated ones only within the date window).
MAX_FULL_BLOCK = 200
# The date that only says when the report was published: the event may be a day or more earlier.
UNCERTAIN_DATE_SOURCE = "publication"
# Stems sharing this many first letters are one predicate ("accusation", "accused").
SHARED_PREFIX = 5
_TRIGGER_SUFFIXES = ("ings", "ing", "ions", "ion", "ed", "es", "s", "e")

FEATURES = (
    "same_type",
    "same_document",
    "participant_overlap",
    "participant_conflict",
    "document_similarity",
    "same_trigger",
    "dates_known",
    "date_gap",
    "certain_dates_agree",
    "same_place",
    "place_conflict",
    "text_similarity",
    "same_mode_other_trigger",
    "participant_overlap_same_day",
    "same_trigger_text_similarity",
)

_EVENT_COLUMNS = [
    "event_id",
    "doc_id",
    "event_type",
    "actor_entity_id",
    "recipient_entity_id",
    "event_date",
    "date_source",
    "location_text",
    "location_country_code",
    "trigger_text",
    "mode",
    "actor_country_code",
    "recipient_country_code",
]


class Event(NamedTuple):
    """What coreference compares of one event mention (a tuple: the warehouse holds many)."""

    event_id: str
    doc_id: str
    event_type: str
    actor_entity_id: str | None
    recipient_entity_id: str | None
    event_date: date | None
    date_source: str | None = None
    location_text: str | None = None
    location_country_code: str | None = None
    trigger_text: str | None = None
    mode: str | None = None
    actor_country_code: str | None = None
    recipient_country_code: str | None = None


@dataclass(frozen=True)
class DocumentProfile:
    """What clustering knows of a document: publisher, publication day, salient entities."""

    publisher: str | None
    published_at: date | None
    salient: dict[str, float]  # entity id -> tf-idf weight, unit length
    terms: dict[str, float] = field(default_factory=dict)  # word -> tf-idf weight, unit length

    def similarity(self, other: DocumentProfile) -> float:
        return _cosine(self.salient, other.salient)

    def text_similarity(self, other: DocumentProfile) -> float:
        return _cosine(self.terms, other.terms)


def _cosine(first: dict[str, float], second: dict[str, float]) -> float:
    """Dot product of two unit-length sparse vectors."""
    # The first when both are as long (as a stable sort of the two by length would give).
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    # Only shared keys add to the sum: most pairs share few words, so find them in C first
    # (summed in the smaller vector's order, so the sum is the full dot product's to the bit).
    shared = small.keys() & large.keys()
    if not shared:
        return 0
    if len(shared) > 1:
        shared = [key for key in small if key in shared]
    return sum(map(mul, map(small.__getitem__, shared), map(large.__getitem__, shared)))


class UnitVectors(NamedTuple):
    """Sparse unit vectors (a document's salient entities or words) as flat arrays, to take
    many cosines at once (``cosines``): vector v's keys (numbered) and weights, in its dict's
    order, at ``offsets[v]:offsets[v + 1]``; and a hash table of every (vector, key), as the
    code ``v * n_keys + key``, with its weight (open addressing, linear probing, at most a
    quarter full): most keys looked up in another vector are not in it, and a probe or two
    tells, where a bisection of every code took twenty steps."""

    lengths: np.ndarray
    offsets: np.ndarray
    keys: np.ndarray
    weights: np.ndarray
    n_keys: int
    slot_codes: np.ndarray  # -1: an empty slot
    slot_weights: np.ndarray
    hash_shift: int
    # Where one order of the keys is every vector's own order (stored profiles list their keys
    # sorted): each entry's key's place in it, and the entries ordered by it, then by vector
    # (``_cosines_by_shared_keys``); None where the vectors follow no common order.
    entry_ranks: np.ndarray | None = None
    by_key: np.ndarray | None = None


_EMPTY_SLOT = -1
# Fibonacci hashing: the code times 2**64 / golden ratio, its top bits the slot.
_HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def _slots_of(codes: np.ndarray, shift: int) -> np.ndarray:
    # The codes are never negative: their bits read as unsigned are the same numbers.
    return ((codes.view(np.uint64) * _HASH_MULTIPLIER) >> np.uint64(shift)).view(np.int64)


def unit_vectors(vectors: Sequence[dict[str, float]]) -> UnitVectors:
    """``UnitVectors`` of dicts key -> weight."""
    numbers: dict[str, int] = {}
    lengths = np.fromiter(map(len, vectors), np.int64, len(vectors))
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    n_entries = int(offsets[-1])
    keys = np.fromiter(
        (numbers.setdefault(key, len(numbers)) for vector in vectors for key in vector),
        np.int64,
        n_entries,
    )
    weights = np.fromiter(
        (weight for vector in vectors for weight in vector.values()), np.float64, n_entries
    )
    n_keys = max(len(numbers), 1)
    codes = np.repeat(np.arange(len(vectors), dtype=np.int64), lengths) * n_keys + keys
    bits = max(4, (4 * n_entries - 1).bit_length())
    slot_codes = np.full(1 << bits, _EMPTY_SLOT, np.int64)
    slot_weights = np.zeros(1 << bits, np.float64)
    # Inserted a round at a time: each entry whose slot is free may take it (one per slot),
    # the others try the next slot, so every slot before an entry's is taken, as probing reads.
    pending = np.arange(n_entries)
    slots = _slots_of(codes, 64 - bits)
    while len(pending):
        free = slot_codes[slots] == _EMPTY_SLOT
        taken, first = np.unique(slots[free], return_index=True)
        placed = np.flatnonzero(free)[first]
        slot_codes[taken] = codes[pending[placed]]
        slot_weights[taken] = weights[pending[placed]]
        left = np.ones(len(pending), bool)
        left[placed] = False
        pending, slots = pending[left], (slots[left] + 1) & ((1 << bits) - 1)
    entry_ranks = _common_key_ranks(numbers, keys, offsets)
    by_key = None
    if entry_ranks is not None:
        by_key = np.lexsort((np.repeat(np.arange(len(vectors)), lengths), entry_ranks))
    return UnitVectors(
        lengths,
        offsets,
        keys,
        weights,
        n_keys,
        slot_codes,
        slot_weights,
        64 - bits,
        entry_ranks,
        by_key,
    )


def _common_key_ranks(numbers: dict, keys: np.ndarray, offsets: np.ndarray) -> np.ndarray | None:
    """Each entry's key's place in the sorted keys, when every vector lists its keys in that
    order (rising within each vector); else None."""
    try:
        ordered = sorted(numbers)
    except TypeError:  # keys of kinds that do not compare
        return None
    rank = np.empty(len(numbers), np.int64)
    rank[np.fromiter(map(numbers.__getitem__, ordered), np.int64, len(ordered))] = np.arange(
        len(ordered)
    )
    ranks = rank[keys]
    starts_vector = np.zeros(len(keys), bool)
    starts_vector[offsets[:-1][offsets[:-1] < len(keys)]] = True
    if not np.all((ranks[1:] > ranks[:-1]) | starts_vector[1:]):
        return None
    return ranks


def _looked_up(vectors: UnitVectors, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the ``codes`` found in the hash table, in order; their weights)."""
    mask = len(vectors.slot_codes) - 1
    weights = np.zeros(len(codes))
    found = np.zeros(len(codes), bool)
    at = np.arange(len(codes))
    slots = _slots_of(codes, vectors.hash_shift)
    while len(at):
        held = vectors.slot_codes[slots]
        hit = held == codes[at]
        found[at[hit]] = True
        weights[at[hit]] = vectors.slot_weights[slots[hit]]
        going_on = ~hit & (held != _EMPTY_SLOT)
        at, slots = at[going_on], (slots[going_on] + 1) & mask
    shared = np.flatnonzero(found)
    return shared, weights[shared]


# Keys of the smaller vectors of pairs looked up at once by ``cosines`` (bounds its arrays).
COSINE_RUN = 1 << 18


def cosines(vectors: UnitVectors, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``_cosine`` of the vectors ``first[k]`` and ``second[k]`` for each k, the same to the
    bit: the products of their shared keys added one at a time, in the smaller vector's order
    (the first when both are as long), to a sum that starts at 0."""
    if vectors.by_key is not None:
        found = _cosines_by_shared_keys(vectors, first, second)
        if found is not None:
            return found
    first_smaller = vectors.lengths[first] <= vectors.lengths[second]
    small = np.where(first_smaller, first, second)
    large = np.where(first_smaller, second, first)
    total = np.zeros(len(first))
    counts = vectors.lengths[small]
    for low, high in _runs_of_pairs(counts, COSINE_RUN):
        total[low:high] = _cosines_of_run(vectors, small[low:high], large[low:high])
    return total


# What one (pair, key) combination of ``_cosines_by_shared_keys`` costs, in lookups of a key in
# the hash table (``_looked_up``): measured on bench_commit's 2,000 documents, 54 to 70 ns a
# combination, 38 to 43 ns a lookup.
SHARED_KEY_COST = 2


def _cosines_by_shared_keys(
    vectors: UnitVectors, first: np.ndarray, second: np.ndarray
) -> np.ndarray | None:
    """``cosines`` where every vector follows one order of the keys (``entry_ranks``), from
    each key's vectors instead of a lookup of every key of every pair's smaller vector: a key
    found in both vectors of a pair adds its product to the pair's sum in that order, which
    is each vector's own, so the sums are ``_cosine``'s to the bit (a product reads the same
    either way round). None when that meets more (pair, key) combinations than the lookups
    would cost (``SHARED_KEY_COST``): a key in many of the vectors (a common entity) meets
    them all."""
    n_vectors = len(vectors.lengths)
    low, high = np.minimum(first, second), np.maximum(first, second)
    vector_of = np.repeat(np.arange(n_vectors), vectors.lengths)
    ordered = vectors.by_key
    is_low = np.zeros(n_vectors, bool)
    is_low[low] = True
    is_high = np.zeros(n_vectors, bool)
    is_high[high] = True
    low_entries = ordered[is_low[vector_of[ordered]]]
    high_entries = ordered[is_high[vector_of[ordered]]]
    high_ranks = vectors.entry_ranks[high_entries]
    low_ranks = vectors.entry_ranks[low_entries]
    starts = np.searchsorted(high_ranks, low_ranks, "left")
    counts = np.searchsorted(high_ranks, low_ranks, "right") - starts
    lookups = int(np.minimum(vectors.lengths[first], vectors.lengths[second]).sum())
    if SHARED_KEY_COST * int(counts.sum()) > lookups:
        return None
    wanted, wanted_at = np.unique(low * n_vectors + high, return_inverse=True)
    total = np.zeros(len(wanted))
    # Low entries by key: each pair's shared keys come in key order, run after run.
    for start, stop in _runs_of_pairs(counts, COSINE_RUN):
        part = counts[start:stop]
        low_at = np.repeat(low_entries[start:stop], part)
        high_at = np.repeat(starts[start:stop] - np.cumsum(part) + part, part)
        high_at = high_entries[high_at + np.arange(len(high_at))]
        codes = vector_of[low_at] * n_vectors + vector_of[high_at]
        pair = np.minimum(np.searchsorted(wanted, codes), len(wanted) - 1)
        hit = wanted[pair] == codes
        # ufunc.at adds in the order given: each pair's products one at a time, from 0.
        np.add.at(total, pair[hit], vectors.weights[low_at[hit]] * vectors.weights[high_at[hit]])
    return total[wanted_at]


def _cosines_of_run(vectors: UnitVectors, small: np.ndarray, large: np.ndarray) -> np.ndarray:
    # Every key of each pair's smaller vector, in its order, looked up in the larger one.
    counts = vectors.lengths[small]
    pair = np.repeat(np.arange(len(small)), counts)
    before = np.cumsum(counts) - counts  # entries of the pairs before each pair
    entry = np.arange(int(counts.sum())) + np.repeat(vectors.offsets[small] - before, counts)
    shared, large_weights = _looked_up(vectors, large[pair] * vectors.n_keys + vectors.keys[entry])
    pair, entry = pair[shared], entry[shared]
    products = vectors.weights[entry] * large_weights
    # Each pair's products in order: the k-th of every pair added in the k-th step.
    run_starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else pair
    rank = np.arange(len(pair)) - np.repeat(run_starts, np.diff(np.r_[run_starts, len(pair)]))
    order = np.argsort(rank, kind="stable")
    steps = np.searchsorted(rank[order], np.arange(int(rank.max(initial=-1)) + 2))
    total = np.zeros(len(small))
    for start, stop in pairwise(steps.tolist()):
        at = order[start:stop]
        total[pair[at]] += products[at]
    return total


def _unit_tf_idf(items: Iterable[tuple[str, int, int]], n_corpus: int) -> dict[str, float]:
    """key -> (1 + log count) * smoothed idf, scaled to unit length, from (key, count, df)."""
    weights = {
        key: (1.0 + math.log(count)) * (math.log((1 + n_corpus) / (1 + n_documents)) + 1.0)
        for key, count, n_documents in items
    }
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {key: w / norm for key, w in weights.items()}


@dataclass(frozen=True)
class CorefModel:
    """Logistic weights over ``FEATURES`` (intercept first), merge threshold, widest date spread,
    and how many days before its publication day an event dated only by it may have happened
    (None: a publication day bounds nothing), overall and per type family: a killing is
    reported at a trial years later, a meeting is reported on its day or the next."""

    weights: tuple[float, ...]
    threshold: float
    max_date_spread_days: int
    publication_slack_days: int | None = None
    family_publication_slack: dict[str, int | None] = field(default_factory=dict)

    def publication_slack(self, event_type: str) -> int | None:
        """Days before its publication day an event of this type may have happened."""
        return self.family_publication_slack.get(family_of(event_type), self.publication_slack_days)

    def probability(self, features: Sequence[float]) -> float:
        score = self.weights[0] + sum(
            w * x for w, x in zip(self.weights[1:], features, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-score))

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """``probability`` of each row of features, the same to the bit."""
        if not rows:
            return []
        return self.column_probabilities(np.array(rows, np.float64).T)

    def column_probabilities(self, columns: Sequence[np.ndarray]) -> list[float]:
        """``probability`` of each row of the feature ``columns``, the same to the bit: each
        weight times its column, summed in ``probability``'s order (the exponential is
        math's: numpy's may differ in the last bit)."""
        if not len(columns[0]):
            return []
        total = columns[0] * self.weights[1]
        for weight, column in zip(self.weights[2:], columns[1:], strict=True):
            total = total + weight * column
        return [1.0 / (1.0 + math.exp(-score)) for score in (self.weights[0] + total).tolist()]

    @classmethod
    def from_json(cls, data: dict) -> CorefModel:
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"event coreference model features {data['features']} != {FEATURES}")
        return cls(
            tuple(data["weights"]),
            data["threshold"],
            data["max_date_spread_days"],
            data.get("publication_slack_days"),
            data.get("family_publication_slack_days") or {},
        )


@cache
def default_model() -> CorefModel:
    """The committed model (``data/event_coref_model.json``)."""
    return CorefModel.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


@cache
def type_families() -> dict[str, str]:
    """PLOVER type -> family of types that may report one act."""
    families = json.loads(FAMILIES_PATH.read_text(encoding="utf-8"))["families"]
    return {kind: name for name, family in families.items() for kind in family["types"]}


def family_of(event_type: str) -> str:
    return type_families().get(event_type, event_type)


@cache
def directed_families() -> frozenset[str]:
    """Families whose acts go from one party to another (``"directed"`` in the families file)."""
    families = json.loads(FAMILIES_PATH.read_text(encoding="utf-8"))["families"]
    return frozenset(name for name, family in families.items() if family.get("directed"))


@cache
def trigger_lemmas() -> dict[str, str]:
    """Inflected form -> lemma for trigger words (``data/trigger_lemmas.tsv``)."""
    lines = TRIGGER_LEMMAS_PATH.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("#"))


# A warehouse holds few distinct triggers, and every candidate pair asks for two stems.
@lru_cache(maxsize=1 << 16)
def trigger_stem(trigger: str | None) -> str | None:
    """A crude stem of the lemma of the trigger's last word ("shooting" and "shot" both give
    "shoot"; "killed", "killing", "kills" meet), enough to tell a repeated predicate."""
    if not trigger:
        return None
    word = trigger.lower().split()[-1]
    word = trigger_lemmas().get(word, word)
    for suffix in _TRIGGER_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def same_predicate(first_stem: str | None, second_stem: str | None) -> bool:
    """Stems equal, or sharing their first SHARED_PREFIX letters ("accusat-", "accus-")."""
    if not first_stem or not second_stem:
        return False
    if first_stem == second_stem:
        return True
    return min(len(first_stem), len(second_stem)) >= SHARED_PREFIX and (
        first_stem[:SHARED_PREFIX] == second_stem[:SHARED_PREFIX]
    )


def document_profiles(documents: pa.Table) -> dict[str, DocumentProfile]:
    """doc_id -> profile, from the rows of ``sql/load/documents_for_clustering.sql``."""
    profiles = {}
    names = set(documents.column_names)
    for row in documents.to_pylist():
        n_corpus = max(row.get("n_corpus_documents") or 1, 1)
        entities = (row.get("salient_entities") or [])[:MAX_SALIENT_ENTITIES]
        # A tiny warehouse gives every word a low document frequency: stop words never count.
        terms = [t for t in row.get("distinctive_terms") or [] if t["term"] not in STOP_WORDS]
        profiles[row["doc_id"]] = DocumentProfile(
            row.get("publisher"),
            row.get("published_at") if "published_at" in names else None,
            _unit_tf_idf(
                ((e["entity_id"], e["n_mentions"], e["n_documents"]) for e in entities), n_corpus
            ),
            _unit_tf_idf(((t["term"], t["n"], t["n_documents"]) for t in terms), n_corpus),
        )
    return profiles


_EMPTY_PROFILE = DocumentProfile(None, None, {})


def participants(event: Event) -> set[str]:
    return {e for e in (event.actor_entity_id, event.recipient_entity_id) if e}


class _Compared(NamedTuple):
    """What pair scoring reads of one event, worked out once per event: a first run scores
    millions of candidate pairs of a few thousand events."""

    doc_id: str
    event_type: str
    family: str
    parts: frozenset[str]
    actor: str | None
    recipient: str | None
    day: int | None  # the event date's ordinal
    uncertain: bool  # the date is only a publication day
    place: str | None
    stem: str | None
    mode: str | None
    directed_sides: tuple[str, str] | None  # ``_sides`` in a directed family, else None


def _compared(event: Event) -> _Compared:
    family = family_of(event.event_type)
    return _Compared(
        event.doc_id,
        event.event_type,
        family,
        frozenset(participants(event)),
        event.actor_entity_id,
        event.recipient_entity_id,
        event.event_date.toordinal() if event.event_date is not None else None,
        event.date_source == UNCERTAIN_DATE_SOURCE,
        _place(event),
        trigger_stem(event.trigger_text),
        event.mode,
        _sides(event) if family in directed_families() else None,
    )


def one_act_one_day(first: Event, second: Event) -> bool:
    """Whether two reports give the same act by the same actor toward the same recipient on the
    same day, each dated by its own text (within a day: reports written in other time zones):
    one event by what an event is, whatever words the reports use ("met", "held talks",
    "received"). Pairs like this are scored 1 rather than by the model, which cannot learn them:
    ECB+ news dates few events in the text (in the developer topics this holds for one labelled
    pair, which corefers; in the story rewrites of ``tests/data/story`` for 18, all coreferent).
    """
    return _one_act_one_day(_compared(first), _compared(second))


def _one_act_one_day(first: _Compared, second: _Compared) -> bool:
    if first.doc_id == second.doc_id or first.event_type != second.event_type:
        return False
    actor, recipient = first.actor, first.recipient
    if not actor or not recipient or actor == recipient:
        return False
    if (actor, recipient) != (second.actor, second.recipient):
        return False
    if first.day is None or second.day is None or first.uncertain or second.uncertain:
        return False
    return abs(first.day - second.day) <= 1


def _sides(event: Event) -> tuple[str, str] | None:
    """(actor, recipient) as the countries they belong to where known, else the entities; None
    when either is missing or both are one side (a country's police and its suspect)."""
    actor = event.actor_country_code or event.actor_entity_id
    recipient = event.recipient_country_code or event.recipient_entity_id
    if not actor or not recipient or actor == recipient:
        return None
    return actor, recipient


def reversed_roles(first: Event, second: Event) -> bool:
    """Whether two events of a directed family (``directed_families``: a protest, a rejection)
    go in opposite directions, each one's actor the other's recipient, by entity or by the
    parties' countries ("Kyrgyzstan protested to Kazakhstan", "the Kazakh Foreign Ministry
    expressed surprise at Bishkek's note"): a complaint and its reply are two acts by what a
    directed act is, however alike their words and dates, so such a pair scores 0."""
    return _reversed_roles(_compared(first), _compared(second))


def _reversed_roles(first: _Compared, second: _Compared) -> bool:
    return (
        first.directed_sides is not None
        and second.directed_sides is not None
        and first.family == second.family
        and first.directed_sides == second.directed_sides[::-1]
    )


def _place(event: Event) -> str | None:
    if event.location_country_code:
        return event.location_country_code
    return event.location_text.lower() if event.location_text else None


def pair_features(
    first: Event, second: Event, first_doc: DocumentProfile, second_doc: DocumentProfile
) -> tuple[float, ...]:
    """The values of ``FEATURES`` for one candidate pair."""
    if first.doc_id == second.doc_id:
        return _pair_values(_compared(first), _compared(second), 0.0, 0.0)
    return _pair_values(
        _compared(first),
        _compared(second),
        first_doc.similarity(second_doc),
        first_doc.text_similarity(second_doc),
    )


def _pair_values(
    first: _Compared, second: _Compared, similarity: float, text_similarity: float
) -> tuple[float, ...]:
    """``pair_features`` of two events' keys and their documents' similarities (read only
    across documents)."""
    same_document = first.doc_id == second.doc_id
    first_parts, second_parts = first.parts, second.parts
    shared = first_parts & second_parts
    union = first_parts | second_parts
    overlap = len(shared) / len(union) if union else 0.0
    conflict = float(bool(first_parts) and bool(second_parts) and not shared)
    if first.day is None or second.day is None:
        gap = None
    else:
        # Days apart, less a day for each date that is only a publication day.
        gap = max(0, abs(first.day - second.day) - (first.uncertain + second.uncertain))
    certain = gap is not None and not first.uncertain and not second.uncertain
    first_place, second_place = first.place, second.place
    same_trigger = same_predicate(first.stem, second.stem)
    return (
        float(first.event_type == second.event_type),
        float(same_document),
        # Participants mean more across documents: inside one, a story's steps share its people.
        0.0 if same_document else overlap,
        0.0 if same_document else conflict,
        0.0 if same_document else similarity,
        float(same_trigger),
        float(gap is not None),
        math.log1p(gap) if gap is not None else 0.0,
        float(certain and gap <= 1),
        float(first_place is not None and first_place == second_place),
        float(first_place is not None and second_place is not None and first_place != second_place),
        0.0 if same_document else text_similarity,
        # Another word for the same kind of act ("nabbed", "arrested": both COERCE arrest).
        float(not same_trigger and bool(first.mode) and first.mode == second.mode),
        # The same participants on the same day: what tells one event from another of the same
        # people and kind (a product launch every year), which participants alone cannot.
        0.0 if same_document or gap is None or gap > 1 else overlap,
        # A repeated predicate ("released", "nabbed") is one event's only when the two reports
        # tell the same story: the same act of another instance shares the word, not the text.
        text_similarity if same_trigger and not same_document else 0.0,
    )


def _blocking_keys(event: Event, profile: DocumentProfile) -> set[tuple[str, str]]:
    family = family_of(event.event_type)
    keys = {(family, f"doc:{event.doc_id}")}
    keys.update((family, entity) for entity in participants(event) | profile.salient.keys())
    return keys


class DateWindow(NamedTuple):
    """Most days apart the dates of two events of one block may be for them to be compared:
    ``certain`` when both were read from the text, ``publication`` when either is only a
    publication day (the report's day: a follow-up may come weeks later)."""

    certain: int
    publication: int

    @property
    def widest(self) -> int:
        return max(self.certain, self.publication)

    def allows(self, first: tuple[date, str | None], second: tuple[date, str | None]) -> bool:
        """Whether two events of one block dated (date, date source) are close enough in time
        to compare."""
        uncertain = UNCERTAIN_DATE_SOURCE in (first[1], second[1])
        limit = self.publication if uncertain else self.certain
        return abs((first[0] - second[0]).days) <= limit


def _as_window(window: DateWindow | int) -> DateWindow:
    return window if isinstance(window, DateWindow) else DateWindow(window, window)


def candidate_window(model: CorefModel) -> DateWindow:
    """The window pipeline clustering compares in (in a block small enough to compare fully; a
    larger block compares dated events within ``widest_gap`` whatever their dates' source): two
    dates read from the text within ``widest_gap`` (further apart they never share a cluster), a
    publication day within the days that cover the date gaps of most coreferent ECB+ reports
    (``data/candidate_window.json``, written by ``etl.evaluate.fit_candidate_window``): a late
    report, a trial months later, still meets its event; the archive's other years do not."""
    return DateWindow(widest_gap(model), _learned_window()["publication_days"])


@cache
def _learned_window() -> dict:
    return json.loads(WINDOW_PATH.read_text(encoding="utf-8"))


def candidate_pairs(
    events: Sequence[Event], profiles: dict[str, DocumentProfile], window: DateWindow | int
) -> list[tuple[int, int]]:
    """``candidate_pair_array`` as a list of tuples (i, j)."""
    found = candidate_pair_array(events, profiles, window)
    return list(zip(found[:, 0].tolist(), found[:, 1].tolist(), strict=True))


def event_blocks(
    events: Sequence[Event], profiles: dict[str, DocumentProfile]
) -> dict[tuple[str, str], list[int]]:
    """Each blocking key's events (``_blocking_keys``), as their rising indices in ``events``."""
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, event in enumerate(events):
        for key in _blocking_keys(event, profiles.get(event.doc_id, _EMPTY_PROFILE)):
            blocks[key].append(index)
    return blocks


def candidate_pair_array(
    events: Sequence[Event],
    profiles: dict[str, DocumentProfile],
    window: DateWindow | int,
    blocks: dict[tuple[str, str], list[int]] | None = None,
) -> np.ndarray:
    """Index pairs (i < j), sorted, as an (n, 2) array, of events worth comparing: same type
    family and a shared entity or document, and, when both are dated, dates within ``window``
    (a number: that many days for every pair) in a block small enough to compare fully, within
    ``window.certain`` in a larger one, so a night's events meet only the archive's events of
    their days and a late report's; an undated event only in a small block. ``blocks``: their
    ``event_blocks``, when the caller has them."""
    window = _as_window(window)
    blocks = event_blocks(events, profiles) if blocks is None else blocks
    # Each pair (i, j) as the number i * n + j, every block's pairs found at once by array: a
    # first run has millions of pairs, found again in several of its thousands of blocks.
    n = len(events)
    members = [indices for indices in blocks.values() if len(indices) > 1]
    sizes = np.fromiter(map(len, members), np.int64, len(members))
    block = np.repeat(np.arange(len(members)), sizes)
    event = np.fromiter(chain.from_iterable(members), np.int64, int(sizes.sum()))
    small = sizes[block] <= MAX_FULL_BLOCK
    dated = np.array([e.event_date is not None for e in events], bool).reshape(-1)
    day = np.array([e.event_date.toordinal() if e.event_date else 0 for e in events], np.int64)
    certain = np.array([e.date_source != UNCERTAIN_DATE_SOURCE for e in events], bool)
    codes = [
        _dated_pair_codes(
            block[dated[event]], event[dated[event]], small[dated[event]], day, certain, window, n
        ),
        _undated_pair_codes(block, event, small, dated, sizes, n),
    ]
    found = np.sort(np.concatenate(codes))
    unique = found[np.concatenate(([True], found[1:] != found[:-1]))] if len(found) else found
    return np.stack((unique // max(n, 1), unique % max(n, 1)), axis=1)


def index_pair_array(pairs: Sequence[tuple[int, int]] | np.ndarray) -> np.ndarray:
    """Index pairs as an (n, 2) array (as they are when they are one already): a first run has
    millions, which cost seconds as tuples."""
    if isinstance(pairs, np.ndarray):
        return pairs.reshape(-1, 2)
    return np.fromiter(chain.from_iterable(pairs), np.int64, 2 * len(pairs)).reshape(-1, 2)


def probability_array(probabilities: Sequence[float] | np.ndarray) -> np.ndarray:
    """Probabilities as an array of float64 (a view of an ``array('d')`` or an array)."""
    if isinstance(probabilities, np.ndarray):
        return probabilities
    if isinstance(probabilities, array):
        return np.frombuffer(probabilities, np.float64)
    return np.array(probabilities, np.float64)


def _dated_pair_codes(
    block: np.ndarray,
    event: np.ndarray,
    small: np.ndarray,
    day: np.ndarray,
    certain: np.ndarray,
    window: DateWindow,
    n: int,
) -> np.ndarray:
    """Codes (i * n + j) of the pairs of dated members (``block``, ``event``: one row a member;
    ``small``: its block is small) of every block within the window (``window.certain`` for
    every pair in a large block): each member with the members of its block dated at most the
    block's widest window before it (by day, then event), then each pair's own limit."""
    order = np.lexsort((event, day[event], block))
    block, event, small = block[order], event[order], small[order]
    days = day[event]
    # A block's members sorted by day: the earlier ones within reach form a run before each.
    spread = int(days.max(initial=0)) + max(window.widest, 0) + 1
    keys = block * spread + days
    reach = np.where(small, window.widest, window.certain)
    starts = np.searchsorted(keys, keys - reach, "left")
    counts = np.arange(len(keys)) - starts
    codes = []
    for low, high in _runs_of_pairs(counts):
        part = counts[low:high]
        later_at = np.repeat(np.arange(low, high), part)
        earlier_at = np.repeat(starts[low:high] - np.cumsum(part) + part, part)
        earlier_at += np.arange(len(earlier_at))
        later, earlier = event[later_at], event[earlier_at]
        both_certain = certain[later] & certain[earlier]
        limit = np.where(
            small[later_at],
            np.where(both_certain, window.certain, window.publication),
            window.certain,
        )
        kept = days[later_at] - days[earlier_at] <= limit
        later, earlier = later[kept], earlier[kept]
        codes.append(np.minimum(earlier, later) * n + np.maximum(earlier, later))
    return np.concatenate(codes) if codes else np.empty(0, np.int64)


# Candidate pairs whose working arrays are held at once (a 50 MB document has millions).
PAIR_RUN = 1 << 21


def _runs_of_pairs(counts: np.ndarray, run: int | None = None) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of members (low, high) holding at most ``run`` (default
    ``PAIR_RUN``) pairs each (a member with more alone), ``counts``: each member's pairs."""
    run = PAIR_RUN if run is None else run
    ends = np.cumsum(counts)
    low = 0
    while low < len(counts):
        base = int(ends[low - 1]) if low else 0
        high = max(low + 1, int(np.searchsorted(ends, base + run, "right")))
        yield low, high
        low = high


def _undated_pair_codes(
    block: np.ndarray,
    event: np.ndarray,
    small: np.ndarray,
    dated: np.ndarray,
    sizes: np.ndarray,
    n: int,
) -> np.ndarray:
    """Codes (i * n + j) of the pairs of each undated member of a small block with every other
    member of it (``block``, ``event``: one row a member, blocks in order)."""
    block_start = np.cumsum(sizes) - sizes
    undated = np.flatnonzero(small & ~dated[event])
    counts = sizes[block[undated]]
    codes = []
    for low, high in _runs_of_pairs(counts):
        members, part = undated[low:high], counts[low:high]
        own = np.repeat(event[members], part)
        before = np.cumsum(part) - part
        at = np.arange(len(own)) + np.repeat(block_start[block[members]] - before, part)
        other = event[at]
        kept = other != own
        own, other = own[kept], other[kept]
        codes.append(np.minimum(own, other) * n + np.maximum(own, other))
    return np.concatenate(codes) if codes else np.empty(0, np.int64)


def scored_pairs(
    events: Sequence[Event], profiles: dict[str, DocumentProfile], model: CorefModel
) -> dict[tuple[int, int], float]:
    """(i, j) -> probability that events i and j are one event, for every candidate pair."""
    pairs = candidate_pairs(events, profiles, candidate_window(model))
    return dict(zip(pairs, pair_probabilities(events, pairs, profiles, model), strict=True))


class _EventCodes(NamedTuple):
    """``_compared`` of every event as arrays: each value a number (one numbering for every
    column, so an actor meets a recipient), -1 for none, so that a block of pairs is compared
    by array (``_pair_columns``), as ``_pair_values`` compares one pair."""

    document: np.ndarray
    event_type: np.ndarray
    family: np.ndarray
    parts: np.ndarray  # (n, 2): the participants, -1 filling
    actor: np.ndarray
    recipient: np.ndarray
    dated: np.ndarray
    day: np.ndarray  # 0 where undated
    uncertain: np.ndarray
    place: np.ndarray
    stem: np.ndarray
    prefix: np.ndarray  # the stem's first SHARED_PREFIX letters where it has as many
    mode: np.ndarray
    directed_actor: np.ndarray  # ``directed_sides``, -1 outside a directed family
    directed_recipient: np.ndarray


def _event_codes(keys: Sequence[_Compared]) -> _EventCodes:
    numbers: dict = {}

    def code(value) -> int:
        # Falsy values count as none, as ``participants``, ``same_predicate`` and the modes read.
        return numbers.setdefault(value, len(numbers)) if value else -1

    def column(values: Iterable) -> np.ndarray:
        return np.fromiter(map(code, values), np.int64, len(keys))

    parts = [sorted(key.parts) + [None] * (2 - len(key.parts)) for key in keys]
    sides = [key.directed_sides or (None, None) for key in keys]
    return _EventCodes(
        # Every document a number of its own (an empty id too): pairs are ordered by them.
        np.fromiter(
            (numbers.setdefault(key.doc_id, len(numbers)) for key in keys), np.int64, len(keys)
        ),
        column(key.event_type for key in keys),
        column(key.family for key in keys),
        np.array([[code(a), code(b)] for a, b in parts], np.int64).reshape(-1, 2),
        column(key.actor for key in keys),
        column(key.recipient for key in keys),
        np.array([key.day is not None for key in keys], bool),
        np.array([key.day or 0 for key in keys], np.int64),
        np.array([key.uncertain for key in keys], bool),
        column(key.place for key in keys),
        column(key.stem for key in keys),
        column(
            ("prefix", key.stem[:SHARED_PREFIX])
            if key.stem and len(key.stem) >= SHARED_PREFIX
            else None
            for key in keys
        ),
        column(key.mode for key in keys),
        column(actor for actor, _ in sides),
        column(recipient for _, recipient in sides),
    )


def _pair_columns(
    codes: _EventCodes,
    first: np.ndarray,
    second: np.ndarray,
    similarity: np.ndarray,
    text_similarity: np.ndarray,
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """(the columns of ``FEATURES``, pairs one event by definition, pairs two events by
    definition) for the pairs (first[k], second[k]): ``_pair_values``, ``_one_act_one_day`` and
    ``_reversed_roles`` by array, value for value."""
    same_document = codes.document[first] == codes.document[second]
    across = ~same_document
    first_parts, second_parts = codes.parts[first], codes.parts[second]
    first_n = (first_parts >= 0).sum(axis=1)
    second_n = (second_parts >= 0).sum(axis=1)
    shared = sum(
        (first_parts[:, side] >= 0)
        & (
            (first_parts[:, side] == second_parts[:, 0])
            | (first_parts[:, side] == second_parts[:, 1])
        )
        for side in (0, 1)
    )
    union = first_n + second_n - shared
    overlap = np.divide(shared, union, out=np.zeros(len(first)), where=union > 0)
    conflict = (first_n > 0) & (second_n > 0) & (shared == 0)
    dated = codes.dated[first] & codes.dated[second]
    first_uncertain, second_uncertain = codes.uncertain[first], codes.uncertain[second]
    apart = np.abs(codes.day[first] - codes.day[second])
    slack = first_uncertain.astype(np.int64) + second_uncertain
    gap = np.where(dated, np.maximum(0, apart - slack), 0)
    # math's log1p of each distinct gap (numpy's may differ in the last bit).
    distinct, at = np.unique(gap, return_inverse=True)
    log_gap = np.array([math.log1p(g) for g in distinct.tolist()], np.float64)[at]
    near = dated & (gap <= 1)
    first_place, second_place = codes.place[first], codes.place[second]
    first_stem, second_stem = codes.stem[first], codes.stem[second]
    first_prefix = codes.prefix[first]
    same_trigger = (
        (first_stem >= 0)
        & (second_stem >= 0)
        & (
            (first_stem == second_stem)
            | (first_prefix >= 0) & (first_prefix == codes.prefix[second])
        )
    )
    first_mode = codes.mode[first]
    same_type = codes.event_type[first] == codes.event_type[second]
    columns = [
        same_type,
        same_document,
        np.where(across, overlap, 0.0),
        across & conflict,
        np.where(across, similarity, 0.0),
        same_trigger,
        dated,
        np.where(dated, log_gap, 0.0),
        near & ~first_uncertain & ~second_uncertain,
        (first_place >= 0) & (first_place == second_place),
        (first_place >= 0) & (second_place >= 0) & (first_place != second_place),
        np.where(across, text_similarity, 0.0),
        ~same_trigger & (first_mode >= 0) & (first_mode == codes.mode[second]),
        np.where(across & near, overlap, 0.0),
        np.where(across & same_trigger, text_similarity, 0.0),
    ]
    first_actor, first_recipient = codes.actor[first], codes.recipient[first]
    one_act = (
        across
        & same_type
        & (first_actor >= 0)
        & (first_recipient >= 0)
        & (first_actor != first_recipient)
        & (first_actor == codes.actor[second])
        & (first_recipient == codes.recipient[second])
        & dated
        & ~first_uncertain
        & ~second_uncertain
        & (apart <= 1)
    )
    first_to, second_to = codes.directed_actor[first], codes.directed_actor[second]
    reversed_roles = (
        (first_to >= 0)
        & (second_to >= 0)
        & (codes.family[first] == codes.family[second])
        & (first_to == codes.directed_recipient[second])
        & (codes.directed_recipient[first] == second_to)
    )
    return [column.astype(np.float64) for column in columns], one_act, reversed_roles


def pair_probabilities(
    events: Sequence[Event],
    pairs: Sequence[tuple[int, int]],
    profiles: dict[str, DocumentProfile],
    model: CorefModel,
) -> array:
    """The probability of each pair (i, j) of ``events`` that they are one event, in the order
    of ``pairs`` (8 bytes a pair: a long document has millions), from ``_compared_blocks``."""
    probabilities = np.empty(len(pairs), np.float64)
    for block, columns, one_act, reversed_roles in _compared_blocks(events, pairs, profiles):
        scored = np.array(model.column_probabilities(columns), np.float64)
        probabilities[block] = np.where(one_act, 1.0, np.where(reversed_roles, 0.0, scored))
    return array("d", probabilities.tobytes())


def pair_feature_rows(
    events: Sequence[Event], pairs: Sequence[tuple[int, int]], profiles: dict[str, DocumentProfile]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(``pair_features`` of each pair (i, j) of ``events`` as the rows of one array, the pairs
    one event by definition (``one_act_one_day``), the pairs two events by definition
    (``reversed_roles``)), in the order of ``pairs``, from ``_compared_blocks``: what fitting
    the model reads, computed as the pipeline computes it."""
    features = np.empty((len(pairs), len(FEATURES)), np.float64)
    one_event = np.zeros(len(pairs), bool)
    two_events = np.zeros(len(pairs), bool)
    for block, columns, one_act, reversed_roles in _compared_blocks(events, pairs, profiles):
        features[block] = np.stack(columns, axis=1)
        one_event[block], two_events[block] = one_act, reversed_roles
    return features, one_event, two_events


def _compared_blocks(
    events: Sequence[Event], pairs: Sequence[tuple[int, int]], profiles: dict[str, DocumentProfile]
) -> Iterator[tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]]:
    """The pairs compared a block at a time by array (``_pair_columns``), in document-pair
    order, so each document pair's similarities are computed once (``cosines``): (the block's
    positions in ``pairs``, its feature columns, pairs one event and two events by definition).
    What a pair reads of an event is worked out once per event (``_compared``)."""
    codes = _event_codes([_compared(event) for event in events])
    index_pairs = index_pair_array(pairs)
    span = int(codes.document.max()) + 1 if len(events) else 1
    document_pairs = codes.document[index_pairs[:, 0]] * span + codes.document[index_pairs[:, 1]]
    # Each document's profile vectors, by its number (``codes.document``).
    documents = [_EMPTY_PROFILE] * span
    for number, event in zip(codes.document.tolist(), events, strict=True):
        documents[number] = profiles.get(event.doc_id, _EMPTY_PROFILE)
    salient = unit_vectors([document.salient for document in documents])
    terms = unit_vectors([document.terms for document in documents])
    ordered = np.argsort(document_pairs, kind="stable")
    # The similarities of every document pair (across documents: within one, none is read),
    # taken at once (a block's pairs meet most documents: ``_cosines_by_shared_keys`` pays
    # for each); a document pair's run of pairs in ``ordered`` starts at ``starts``.
    sorted_documents = document_pairs[ordered]
    starts = np.flatnonzero(np.r_[True, sorted_documents[1:] != sorted_documents[:-1]])
    starts = starts[: len(ordered)]  # none without pairs
    del sorted_documents
    first_document = codes.document[index_pairs[ordered[starts], 0]]
    second_document = codes.document[index_pairs[ordered[starts], 1]]
    across = np.flatnonzero(first_document != second_document)
    similarity = np.zeros(len(starts))
    text_similarity = np.zeros(len(starts))
    similarity[across] = cosines(salient, first_document[across], second_document[across])
    text_similarity[across] = cosines(terms, first_document[across], second_document[across])
    del first_document, second_document, across
    for start in range(0, len(ordered), PAIR_BLOCK):
        block = ordered[start : start + PAIR_BLOCK]
        first, second = index_pairs[block, 0], index_pairs[block, 1]
        block_runs = np.searchsorted(starts, np.arange(start, start + len(block)), "right") - 1
        columns, one_act, reversed_roles = _pair_columns(
            codes, first, second, similarity[block_runs], text_similarity[block_runs]
        )
        yield block, columns, one_act, reversed_roles


# Pairs whose features are held at once while they are scored.
PAIR_BLOCK = 65_536


def widest_gap(model: CorefModel) -> int:
    """Most days between the dates of two events that may still be one event."""
    # Family slacks only forbid merges, so they widen no comparison (incremental clustering,
    # etl/run/incremental_coref.py, compares the same window).
    return model.max_date_spread_days + (model.publication_slack_days or 2)


@dataclass
class _Cluster:
    """Members, and the days the event may have happened on: no earlier than ``latest_start``
    and no later than ``earliest_end`` of its dated members (each a day read from the text, or
    the days up to a publication day)."""

    members: list[int]
    latest_start: date | None
    earliest_end: date | None
    confidence: float


def _bounds(event: Event, model: CorefModel) -> tuple[date | None, date | None]:
    """The days an event may have happened on, as far as its date says."""
    if event.event_date is None:
        return None, None
    if event.date_source != UNCERTAIN_DATE_SOURCE:
        return event.event_date, event.event_date
    # A publication day is when the report appeared: the event was then or shortly before (a
    # report weeks later would date it in the text). Without a learned slack it bounds nothing:
    # later reports of an event (a trial, an anniversary) appear weeks after it.
    slack = model.publication_slack(event.event_type)
    if slack is None:
        return None, None
    return event.event_date - timedelta(days=slack), event.event_date


def _joined_bounds(first: _Cluster, second: _Cluster) -> tuple[date | None, date | None]:
    starts = [d for d in (first.latest_start, second.latest_start) if d]
    ends = [d for d in (first.earliest_end, second.earliest_end) if d]
    return (max(starts) if starts else None), (min(ends) if ends else None)


def _spread_ok(first: _Cluster, second: _Cluster, max_spread_days: int) -> bool:
    """The members' days overlap, or miss each other by at most the spread."""
    start, end = _joined_bounds(first, second)
    return start is None or end is None or (start - end).days <= max_spread_days


def pair_floor(model: CorefModel) -> float:
    """The probability below which a pair counts as never compared (0): that of a pair none of
    whose features speaks for it (the model's intercept alone), and never above the merge
    threshold (a pair that can join two clusters always counts). Such pairs, most of a large
    warehouse's, are not kept (``event_pairs``), so clustering must ignore them everywhere."""
    return min(1.0 / (1.0 + math.exp(-model.weights[0])), model.threshold)


def average_link(
    events: Sequence[Event],
    scores: dict[tuple[int, int], float],
    model: CorefModel,
    singleton_confidence: bool = True,
) -> list[_Cluster]:
    """Agglomerate events: merge the pair of clusters with the highest mean pair probability
    (unscored pairs, and pairs below ``pair_floor``, count 0) while it reaches the threshold and
    the dates stay within spread. A singleton's confidence is 1 minus its best pair's
    probability; 1.0 without ``singleton_confidence`` (a caller that reads every event's best
    pair, beyond ``scores`` too, sets it)."""
    floor = pair_floor(model)
    scores = {pair: p for pair, p in scores.items() if p >= floor}
    bounds = [_bounds(event, model) for event in events]
    best_link = [0.0] * len(events)
    if singleton_confidence:
        for (i, j), probability in scores.items():
            best_link[i] = max(best_link[i], probability)
            best_link[j] = max(best_link[j], probability)
    clusters = {i: _Cluster([i], *bounds[i], 1.0) for i in range(len(events))}
    links: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), probability in scores.items():
        links[i][j] = links[j][i] = probability
    # Each cluster's merges so far (-1: merged into another) and size, by its index: a stale
    # heap entry names an older version.
    version = [0] * len(events)
    sizes = [1] * len(events)
    threshold, heappush = model.threshold, heapq.heappush
    heap = [(-p, i, j, 0, 0) for (i, j), p in scores.items() if p >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, i, j, version_i, version_j = heapq.heappop(heap)
        if version[i] != version_i or version[j] != version_j:
            continue
        first, second = clusters[i], clusters[j]
        if not _spread_ok(first, second, model.max_date_spread_days):
            continue
        keep, gone = (i, j) if sizes[i] >= sizes[j] else (j, i)
        kept, merged = clusters[keep], clusters.pop(gone)
        kept.members.extend(merged.members)
        kept.latest_start, kept.earliest_end = _joined_bounds(kept, merged)
        kept.confidence = min(kept.confidence, merged.confidence, -negative)
        version[keep] += 1
        version[gone] = -1
        sizes[keep] += sizes[gone]
        kept_links = links[keep]
        for other, total in links.pop(gone).items():
            links[other].pop(gone, None)
            if other != keep:
                kept_links[other] = kept_links.get(other, 0.0) + total
                links[other][keep] = kept_links[other]
        kept_links.pop(gone, None)
        size = sizes[keep]
        for other, total in kept_links.items():
            mean = total / (size * sizes[other])
            if mean >= threshold:
                low, high = (keep, other) if keep < other else (other, keep)
                heappush(heap, (-mean, low, high, version[low], version[high]))
    for index, cluster in clusters.items():
        if len(cluster.members) == 1:  # how sure it is that it joins nothing
            cluster.confidence = 1.0 - best_link[index]
    return list(clusters.values())


def _order(event: Event) -> tuple[bool, date, str]:
    return event.event_date is None, event.event_date or date.min, event.event_id


def _threshold_components(
    n_events: int,
    pairs: Sequence[tuple[int, int]],
    probabilities: Sequence[float],
    threshold: float,
) -> list[int]:
    """Each event's component (its smallest member) in the graph of pairs at least as probable
    as ``threshold``."""
    strong = index_pair_array(pairs)[probability_array(probabilities) >= threshold]
    return smallest_members(n_events, strong[:, 0], strong[:, 1]).tolist()


def smallest_members(n_nodes: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Each node's component's smallest node in the graph of edges (first[k], second[k]), by
    array: every node, and the node its label names, takes its neighbours' smallest label, then
    each label its own label's (pointer jumping), until nothing changes (a first run has
    hundreds of thousands of strong pairs, slow one at a time). A label is always a node of the
    same component, so the labels settle on each component's smallest node."""
    label = np.arange(n_nodes)
    while True:
        # Every edge pulls both ends, and the nodes their labels name (so that a long chain
        # of one label follows at once), down to the smaller of their labels.
        lower = np.minimum(label[first], label[second])
        pulled = label.copy()
        for ends in (first, second, label[first], label[second]):
            np.minimum.at(pulled, ends, lower)
        # A node's label's label is no larger, and in its component: jump until settled.
        while True:
            jumped = pulled[pulled]
            if np.array_equal(jumped, pulled):
                break
            pulled = jumped
        if np.array_equal(pulled, label):
            return label
        label = pulled


def clusters_by_component(
    events: Sequence[Event],
    pairs: Sequence[tuple[int, int]],
    probabilities: Sequence[float],
    model: CorefModel,
) -> Iterator[_Cluster]:
    """The clusters ``average_link`` forms over all events (``pairs``: sorted index pairs, with
    their ``probabilities``), found one component of the graph of pairs reaching the threshold at
    a time, so that its working state (links, heap) is one component's, never the whole
    warehouse's or a 50 MB document's. The same clusters: a mean of probabilities below the
    threshold stays below it, so no merge joins two components, and a component's merges see
    its events and pairs in the same relative order as over all of them (sums in the same
    order, ties broken alike). A singleton's confidence reads its best pair, wherever it leads.
    """
    index_pairs, probability = index_pair_array(pairs), probability_array(probabilities)
    component = np.array(
        _threshold_components(len(events), index_pairs, probability, model.threshold), np.int64
    ).reshape(-1)
    # Pairs below the floor count as never compared (average_link drops them too).
    counted = np.flatnonzero(probability >= pair_floor(model))
    first, second = index_pairs[counted, 0], index_pairs[counted, 1]
    best = np.zeros(len(events))
    np.maximum.at(best, first, probability[counted])
    np.maximum.at(best, second, probability[counted])
    best_link = best.tolist()
    # The counted pairs inside each component, in their order, and each component's members.
    inside = counted[component[first] == component[second]]
    del counted, first, second, best
    inside = inside[np.argsort(component[index_pairs[inside, 0]], kind="stable")]
    inside_roots = component[index_pairs[inside, 0]]
    by_root = np.argsort(component, kind="stable")
    roots, starts, sizes = np.unique(component[by_root], return_index=True, return_counts=True)
    local = np.empty(len(events), np.int64)
    local[by_root] = np.arange(len(events)) - np.repeat(starts, sizes)
    del component
    for root, start, size in zip(roots.tolist(), starts.tolist(), sizes.tolist(), strict=True):
        if size == 1:
            index = root
            yield _Cluster([index], *_bounds(events[index], model), 1.0 - best_link[index])
            continue
        members = by_root[start : start + size].tolist()
        positions = inside[
            np.searchsorted(inside_roots, root, "left") : np.searchsorted(
                inside_roots, root, "right"
            )
        ]
        scores = dict(
            zip(
                zip(
                    local[index_pairs[positions, 0]].tolist(),
                    local[index_pairs[positions, 1]].tolist(),
                    strict=True,
                ),
                probability[positions].tolist(),
                strict=True,
            )
        )
        for cluster in average_link(
            [events[i] for i in members], scores, model, singleton_confidence=False
        ):
            cluster.members = [members[i] for i in cluster.members]
            if len(cluster.members) == 1:
                cluster.confidence = 1.0 - best_link[cluster.members[0]]
            yield cluster


def assign_clusters(
    events: Iterable[Event],
    profiles: dict[str, DocumentProfile] | None = None,
    model: CorefModel | None = None,
) -> dict[str, tuple[list[Event], float]]:
    """cluster_id -> (its events sorted by date then id, confidence)."""
    ordered = sorted(events, key=lambda event: event.event_id)
    model = model or default_model()
    profiles = profiles or {}
    pairs = candidate_pairs(ordered, profiles, candidate_window(model))
    probabilities = pair_probabilities(ordered, pairs, profiles, model)
    clusters = {}
    for cluster in clusters_by_component(ordered, pairs, probabilities, model):
        members = sorted((ordered[i] for i in cluster.members), key=_order)
        clusters[stable_id(members[0].event_id)] = (members, cluster.confidence)
    return clusters


def _most_common(values: Iterable) -> object | None:
    counts = Counter(value for value in values if value is not None)
    return counts.most_common(1)[0][0] if counts else None


def cluster_row(
    cluster_id: str,
    members: list[Event],
    confidence: float,
    profiles: dict[str, DocumentProfile],
) -> dict:
    """One ``event_clusters`` row: most common type, participants and date (certain dates
    first), report span, documents, publishers and confidence."""
    doc_ids = sorted({event.doc_id for event in members})
    documents = [profiles.get(doc_id, _EMPTY_PROFILE) for doc_id in doc_ids]
    certain = [e.event_date for e in members if e.date_source != UNCERTAIN_DATE_SOURCE]
    event_date = _most_common(certain) or _most_common(e.event_date for e in members)
    reported = sorted(doc.published_at for doc in documents if doc.published_at)
    # The participants as one pair, so that actor and recipient come from the same report.
    both = [(e.actor_entity_id, e.recipient_entity_id) for e in members if participants(e)]
    actor, recipient = (
        _most_common(pair for pair in both if None not in pair)
        or _most_common(both)
        or (None, None)
    )
    return {
        "cluster_id": cluster_id,
        "event_type": _most_common(event.event_type for event in members),
        "actor_entity_id": actor,
        "recipient_entity_id": recipient,
        "event_date": event_date,
        "n_mentions": len(members),
        "n_documents": len(doc_ids),
        "n_publishers": len({doc.publisher for doc in documents} - {None}),
        "date_source": (
            None
            if event_date is None
            else "sentence"
            if any(d is not None for d in certain)
            else UNCERTAIN_DATE_SOURCE
        ),
        "first_reported_at": reported[0] if reported else None,
        "last_reported_at": reported[-1] if reported else None,
        "confidence": round(confidence, 6),
    }


def events_from_table(events: pa.Table) -> list[Event]:
    """Event tuples from the rows of ``sql/load/events_for_clustering.sql``."""
    names = set(events.column_names)
    columns = [
        events.column(name).to_pylist() if name in names else [None] * events.num_rows
        for name in _EVENT_COLUMNS
    ]
    return [Event(*values) for values in zip(*columns, strict=True)]


def cluster_events(
    events: pa.Table, documents: pa.Table, model: CorefModel | None = None
) -> tuple[pa.Table, pa.Table]:
    """(event_cluster_map, event_clusters) for events with resolved actor/recipient entity ids."""
    profiles = document_profiles(documents)
    clusters = assign_clusters(events_from_table(events), profiles, model)
    mapped_events: list[str] = []
    mapped_clusters: list[str] = []
    cluster_rows = []
    for cluster_id in sorted(clusters):
        members, confidence = clusters[cluster_id]
        cluster_rows.append(cluster_row(cluster_id, members, confidence, profiles))
        mapped_events.extend(event.event_id for event in members)
        mapped_clusters.extend(repeat(cluster_id, len(members)))
    cluster_map = pa.table(
        {"event_id": mapped_events, "cluster_id": mapped_clusters}, schema=schema.EVENT_CLUSTER_MAP
    ).sort_by("event_id")
    return cluster_map, pa.Table.from_pylist(cluster_rows, schema=schema.EVENT_CLUSTERS)
