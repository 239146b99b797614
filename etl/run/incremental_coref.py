"""Incremental event clustering: recompute only the candidate pairs and clusters a run's
documents touch, with the clusters a full clustering of the warehouse gives.

Event clustering (``etl.stages.resolve.clusters``) scores candidate pairs (events sharing a
blocking key: type family and a document, participant or salient entity; two dated events only
within the date window, ``clusters.candidate_window``, narrower in a block of more than
``MAX_FULL_BLOCK`` events, where an undated event is compared with none) and joins events by
average link.
Two facts make it local:

* clusters never span two components of the graph of pairs at least as probable as the merge
  threshold (a mean of probabilities below it stays below it) whose dates read from the text
  are within the learned spread (clusters further apart never merge), and a component's
  clusters depend only on its events and pairs (a singleton's confidence also on its best pair);
* a pair's probability depends only on its two events and their documents' profiles.

One corpus-wide statistic would spoil the second: a profile weighs a document's salient entities
by tf-idf over the whole corpus, so every new document would move every weight. **Profiles are
therefore frozen**: computed once, with the corpus statistics of the run that loads (or
re-resolves) the document, and stored in ``document_profiles`` (salient entities) and
``document_terms`` (distinctive words; the word counts of every document's opening are kept
there too, counted once when it is loaded, so a later document's word frequencies count the
archive without reading its texts); the full clustering reads them too, so both agree.

A run then: replaces the profiles and blocking keys (``event_blocks``) of its new and re-resolved
documents; recomputes the pairs (``event_pairs``) of their events, reading of their blocks only
the members within their date windows (the filter runs in SQL: a night's cost does not grow with
the archive's other days), and of every undated or publication-dated event of a block whose
size crossed ``MAX_FULL_BLOCK`` (their pairs depend on the size), a chunk of events at a time,
and replaces only the pairs that changed; and re-clusters the components (over pairs at
least as probable as the threshold) of the recomputed events and of the ends of the strong pairs
that went, a batch of whole components at a time, with those components' pairs and each event's
best pair (aggregated in SQL). A changed pair between two untouched components only moves its
ends' best pair: their singleton clusters get the confidence it gives. Every other cluster stays
as it is.

The state stays small and its change cheap in memory: pairs below ``clusters.pair_floor`` count as
never compared, in full clustering too, and are not stored (about half the pairs of a large
archive); and since DuckDB pins version data for every vector of rows a delete touches until the
transaction commits, the delete of a night's changed pairs (a re-resolved document's lie
scattered over the whole table) raises DuckDB's cap by what it pins, at most 16 bytes a stored
pair.
"""

from __future__ import annotations

import contextlib
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from itertools import chain, pairwise
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import Connection

from etl import schema
from etl.ids import stable_id
from etl.run.plan import memory_bytes
from etl.runtime.forked import forked_in_background, map_forked
from etl.settings import available_cores
from etl.stages.resolve import clusters as clustering
from etl.stages.resolve.clusters import (
    CorefModel,
    DateWindow,
    DocumentProfile,
    Event,
    _order,
    average_link,
    candidate_pair_array,
    candidate_window,
    cluster_row,
    clusters_by_component,
    default_model,
    document_profiles,
    events_from_table,
    index_pair_array,
    pair_floor,
    pair_probabilities,
    probability_array,
)
from etl.storage.warehouse.engine import fetch_arrow, run_script

Pair = tuple[str, str]
_LAST = "\U0010ffff"  # sorts after every event id
ID_LISTS = {"doc_ids": [], "event_ids": []}
PROFILE_CHUNK_DOCUMENTS = 250
# Pairs a forked process scores (or clusters) at least (see score_pairs). Scoring costs 1.8 to
# 2.4 microseconds of CPU a pair, a fork 0.12 to 0.18 s of the parent's (fork, pickled results:
# bench/bench_commit.py fork-threshold), so a fork pays for itself from about 100,000 pairs a
# process; but it costs memory more than time: the child maps every page of the run's process,
# so the process tree's RSS grows by the parent's (600-800 MiB at a night's commit) while it
# runs. It is paid where it saves half a second or more a process, a first run of thousands
# of documents (1.9 million pairs on 2,000), not for a night's few hundred thousand pairs
# (335,000 for 200 documents), whose fork set the night's peak (bench/bench_nightly.py).
MIN_PAIRS_PER_PROCESS = 300_000
# Pairs beyond which scoring and clustering stay in one process: a forked child copies the
# pages of the pair tuples and events it reads (a 2,000-document first run has 1.9 million
# pairs; a 50 MB document has many millions, and its memory is bounded as it was).
MAX_FORKED_PAIRS = 4_000_000
# Stored profiles read at once: each read scans document_terms, so not too few.
STORED_PROFILE_CHUNK_DOCUMENTS = 1_000
# Events re-clustered at once (whole components): bounds the pairs, events and profiles held.
COMPONENT_BATCH_EVENTS = 5_000
# DuckDB's rows per vector, and the version data a delete pins for each vector it touches.
DUCKDB_VECTOR_ROWS = 2_048
DELETE_VERSION_BYTES_PER_VECTOR = 2_048 * 16
# Recomputed events whose candidate pairs are scored at once (bounds the events and profiles met).
PAIR_CHUNK_EVENTS = 2_000


def _fetch(conn: Connection, name: str, **params) -> pa.Table:
    return fetch_arrow(conn, f"load/{name}.sql", {**ID_LISTS, **params})


def _block_name(key: tuple[str, str]) -> str:
    return "\x1f".join(key)


def _is_small(n_events: int) -> bool:
    return n_events <= clustering.MAX_FULL_BLOCK


class NewProfiles(NamedTuple):
    """Profiles computed now, and each document's word counts (stored in ``document_terms``:
    later documents' word frequencies count them) as columns doc_id, term, n."""

    profiles: dict[str, DocumentProfile]
    term_counts: pa.Table


def new_profiles(conn: Connection, doc_ids: list[str]) -> NewProfiles:
    """Profiles of documents with the corpus statistics as they are now."""
    profiles: dict[str, DocumentProfile] = {}
    counted = []
    # Their words are counted once, into document_terms, where every profile reads them.
    run_script(conn, "load/document_term_counts.sql", {"doc_ids": doc_ids})
    # A chunk at a time: the words of every document at once overran DuckDB's memory cap.
    for start in range(0, len(doc_ids), PROFILE_CHUNK_DOCUMENTS):
        chunk = doc_ids[start : start + PROFILE_CHUNK_DOCUMENTS]
        inputs = _fetch(conn, "documents_for_clustering", all=False, chunk_ids=chunk)
        # The word counts stay columns: a profile reads only the distinctive words.
        profiles.update(document_profiles(inputs.drop_columns(["term_counts"])))
        counts = inputs.column("term_counts").combine_chunks()
        words = counts.flatten()
        counted.append(
            pa.table(
                {
                    "doc_id": inputs.column("doc_id").take(pc.list_parent_indices(counts)),
                    "term": words.field("term"),
                    "n": words.field("n"),
                }
            )
        )
    columns = pa.schema([("doc_id", pa.string()), ("term", pa.string()), ("n", pa.int64())])
    if not counted:
        return NewProfiles(profiles, columns.empty_table())
    return NewProfiles(profiles, pa.concat_tables([table.cast(columns) for table in counted]))


def stored_profiles(conn: Connection, doc_ids: Iterable[str]) -> dict[str, DocumentProfile]:
    profiles = {}
    ordered = sorted(set(doc_ids))
    # A chunk at a time: DuckDB's lists of thousands of documents' words overran its memory cap.
    rows = (
        row
        for start in range(0, len(ordered), STORED_PROFILE_CHUNK_DOCUMENTS)
        for row in _fetch(
            conn,
            "stored_profiles",
            doc_ids=ordered[start : start + STORED_PROFILE_CHUNK_DOCUMENTS],
        ).to_pylist()
    )
    for row in rows:
        salient = {item["key"]: item["weight"] for item in row["salient"] or []}
        terms = {item["key"]: item["weight"] for item in row["terms"] or []}
        profiles[row["doc_id"]] = DocumentProfile(
            row["publisher"], row["published_at"], salient, terms
        )
    return profiles


def _publications(conn: Connection, doc_ids: Iterable[str]) -> dict[str, DocumentProfile]:
    """Profiles holding only the publisher and publication date of ``doc_ids``: what a
    cluster's row reads (``cluster_row``); a re-clustered component's untouched members' stored
    entities and words are not read."""
    table = _fetch(conn, "documents_published", doc_ids=sorted(set(doc_ids)))
    return {
        doc_id: DocumentProfile(publisher, published_at, {})
        for doc_id, publisher, published_at in zip(
            *(table.column(i).to_pylist() for i in range(3)), strict=True
        )
    }


def _events(conn: Connection, doc_ids=(), event_ids=()) -> list[Event]:
    table = _fetch(
        conn,
        "events_for_clustering",
        all=False,
        doc_ids=sorted(doc_ids),
        event_ids=sorted(event_ids),
    )
    return events_from_table(table)


class _BlockMembers(NamedTuple):
    """The members of the recomputed events' blocks that they may be compared with: dated ones
    by (date, event id, date source), sorted for bisection, and undated ones of small blocks."""

    dated: dict[str, list[tuple]]
    undated: dict[str, list[str]]
    small: set[str]


def _date_ranges(days: Iterable[date], widest: int) -> tuple[list[date], list[date]]:
    """The days within ``widest`` of any of ``days``, as disjoint sorted ranges (lows, highs)."""
    lows: list[date] = []
    highs: list[date] = []
    reach = timedelta(days=widest)
    for day in sorted(set(days)):
        if highs and day - reach <= highs[-1] + timedelta(days=1):
            highs[-1] = day + reach
        else:
            lows.append(day - reach)
            highs.append(day + reach)
    return lows, highs


def _block_members(
    conn: Connection,
    recomputed: dict[str, Event],
    blocks_of: dict[str, set[str]],
    window: DateWindow,
) -> _BlockMembers:
    """The members of the recomputed events' blocks within their date windows: the dates of
    only the members dated within the windows' span (or undated) are read, and only those
    members' events and profiles later; every member of a small block of an undated event."""
    wanted = sorted({block for blocks in blocks_of.values() for block in blocks})
    sizes = _sizes(conn, wanted)
    small = {block for block in wanted if _is_small(sizes.get(block, 0))}
    whole = {
        block
        for event in recomputed.values()
        if event.event_date is None
        for block in blocks_of[event.event_id]
        if block in small
    }
    listed = _fetch(conn, "block_members", blocks=wanted)
    in_block: dict[str, list[str]] = defaultdict(list)
    for block, event_id in zip(*(listed.column(i).to_pylist() for i in range(2)), strict=True):
        in_block[block].append(event_id)
    del listed
    dates: dict[str, tuple] = {}
    every = sorted({event_id for block in whole for event_id in in_block[block]})
    if every:
        table = _fetch(conn, "event_dates", event_ids=every)
        dates.update(_dates_of(table))
    dated_days = [event.event_date for event in recomputed.values() if event.event_date]
    lows, highs = _date_ranges(dated_days, window.widest)
    others = sorted({e for ids in in_block.values() for e in ids} - dates.keys())
    if others and (lows or small):
        low, high = (lows[0], highs[-1]) if lows else (date.max, date.min)
        table = _fetch(conn, "event_dates_within", event_ids=others, low=low, high=high)
        dates.update(_dates_of(table))
    members = _BlockMembers(defaultdict(list), defaultdict(list), small)
    for block, ids in in_block.items():
        for event_id in ids:
            if event_id not in dates:
                continue  # dated outside every window
            event_date, date_source = dates[event_id]
            if event_date is None:
                if block in small:
                    members.undated[block].append(event_id)
            elif block in whole or _within(event_date, lows, highs):
                members.dated[block].append((event_date, event_id, date_source))
    for near in members.dated.values():
        near.sort()
    return members


def _dates_of(table: pa.Table) -> Iterable[tuple[str, tuple]]:
    ids, days, sources = (table.column(i).to_pylist() for i in range(3))
    return ((e, (day, source)) for e, day, source in zip(ids, days, sources, strict=True))


def _within(day: date, lows: list[date], highs: list[date]) -> bool:
    """Whether ``day`` lies in one of the disjoint sorted ranges (``lows``, ``highs``)."""
    at = bisect_right(lows, day) - 1
    return at >= 0 and day <= highs[at]


def _pairs_of(
    conn: Connection,
    recomputed: dict[str, Event],
    blocks_of: dict[str, set[str]],
    model: CorefModel,
) -> dict[Pair, float]:
    """Every candidate pair with an event of ``recomputed`` (whose blocks are ``blocks_of``)
    at least as probable as the floor (``pair_floor``), scored."""
    # The blocks' members within the date windows first, and the events and profiles of only
    # the candidates they give.
    window = candidate_window(model)
    members = _block_members(conn, recomputed, blocks_of, window)
    # A chunk of the recomputed events at a time: only one chunk's candidate events and
    # profiles are held, and only its pairs reaching the floor are kept.
    floor = pair_floor(model)
    scored: dict[Pair, float] = {}
    ordered_ids = sorted(recomputed)
    for start in range(0, len(ordered_ids), PAIR_CHUNK_EVENTS):
        candidates: set[Pair] = set()
        for event_id in ordered_ids[start : start + PAIR_CHUNK_EVENTS]:
            candidates.update(
                _candidates_of(recomputed[event_id], blocks_of[event_id], members, window)
            )
        ordered = sorted(candidates)
        del candidates
        events = {e: recomputed[e] for pair in ordered for e in pair if e in recomputed}
        missing = {e for pair in ordered for e in pair} - events.keys()
        events.update((event.event_id, event) for event in _events(conn, event_ids=missing))
        profiles = stored_profiles(conn, {event.doc_id for event in events.values()})
        met = list(events.values())
        position = {event.event_id: k for k, event in enumerate(met)}
        probabilities = score_pairs(
            met, [(position[first], position[second]) for first, second in ordered], profiles, model
        )
        scored.update(
            (pair, p) for pair, p in zip(ordered, probabilities, strict=True) if p >= floor
        )
        del ordered, events, profiles, met, position, probabilities
    return scored


def _candidates_of(
    first: Event, blocks: Iterable[str], members: _BlockMembers, window: DateWindow
) -> Iterable[Pair]:
    """The candidate pairs of one event (its ``blocks``), as ``candidate_pairs`` gives them:
    dated events within the date window (a large block's: ``window.certain`` for every date);
    an undated one only in a small block."""
    event_id = first.event_id
    reach = timedelta(days=window.widest)
    large_window = DateWindow(window.certain, window.certain)
    for block in sorted(blocks):
        near = members.dated.get(block, [])
        if first.event_date is None:
            if block not in members.small:
                continue
            others: Iterable[str] = [
                *(other for _, other, _ in near),
                *members.undated.get(block, []),
            ]
        else:
            low = bisect_left(near, (first.event_date - reach,))
            high = bisect_right(near, (first.event_date + reach, _LAST))
            own = (first.event_date, first.date_source)
            limits = window if block in members.small else large_window
            others = [
                other for day, other, source in near[low:high] if limits.allows(own, (day, source))
            ]
            if block in members.small:
                others.extend(members.undated.get(block, []))
        yield from (
            (min(event_id, other_id), max(event_id, other_id))
            for other_id in others
            if other_id != event_id
        )


def _processes_for(n_pairs: int, processes: int | None) -> int:
    """Processes to score or cluster ``n_pairs`` pairs with (at most ``processes``, default the
    cores available): enough pairs for each, and not so many that a fork's copies count."""
    if n_pairs > MAX_FORKED_PAIRS:
        return 1
    return min(processes or available_cores(), n_pairs // MIN_PAIRS_PER_PROCESS)


def score_pairs(
    events: Sequence[Event],
    pairs: Sequence[tuple[int, int]],
    profiles: dict[str, DocumentProfile],
    model: CorefModel,
    processes: int | None = None,
) -> array:
    """``pair_probabilities`` of ``pairs``, the same to the bit, with many pairs scored on every
    core (``processes``: default, the cores available): a first run's commit comes after
    parsing, when the other cores are idle. Each process takes a contiguous run of pairs in
    document-pair order, so it compares each document pair's profiles once, as one call does."""
    processes = _processes_for(len(pairs), processes)
    if processes <= 1:
        return pair_probabilities(events, pairs, profiles, model)
    numbers: dict[str, int] = {}
    document = np.array([numbers.setdefault(event.doc_id, len(numbers)) for event in events])
    index_pairs = index_pair_array(pairs)
    order = np.argsort(
        document[index_pairs[:, 0]] * len(numbers) + document[index_pairs[:, 1]], kind="stable"
    )
    bounds = np.linspace(0, len(pairs), processes + 1).astype(np.int64)
    slices = [order[start:stop] for start, stop in pairwise(bounds)]

    def score(positions: np.ndarray) -> array:
        return pair_probabilities(events, index_pairs[positions], profiles, model)

    probabilities = np.empty(len(pairs), np.float64)
    for positions, scored in zip(slices, map_forked(score, slices, processes), strict=True):
        probabilities[positions] = np.frombuffer(scored, np.float64)
    return array("d", probabilities.tobytes())


def _too_far_apart(first: tuple, second: tuple, max_spread_days: int) -> bool:
    """Two (date, date source) read from the text further apart than the spread: average link
    never joins clusters so far apart, so no cluster spans such a pair alone."""
    return (
        first[0] is not None
        and second[0] is not None
        and first[1] != clustering.UNCERTAIN_DATE_SOURCE
        and second[1] != clustering.UNCERTAIN_DATE_SOURCE
        and abs((first[0] - second[0]).days) > max_spread_days
    )


def _sizes(conn: Connection, blocks: list[str]) -> dict[str, int]:
    table = _fetch(conn, "block_sizes", blocks=blocks)
    return dict(zip(*(table.column(i).to_pylist() for i in range(2)), strict=True))


def _components(conn: Connection, seeds: set[str], model: CorefModel) -> list[list[str]]:
    """The components of the seeds (sorted event ids) in the graph of pairs clusters can form
    along (at least as probable as the threshold, dates within the spread): no cluster leaves
    one."""
    parent = {seed: seed for seed in seeds}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    dates: dict[str, tuple] = {}
    frontier = set(seeds)
    while frontier:
        table = _fetch(
            conn, "links_touching", event_ids=sorted(frontier), threshold=model.threshold
        )
        links = list(
            zip(
                table.column("first_event_id").to_pylist(),
                table.column("second_event_id").to_pylist(),
                strict=True,
            )
        )
        unknown = sorted({e for link in links for e in link} - dates.keys())
        dates.update(_dates_of(_fetch(conn, "event_dates", event_ids=unknown)))
        frontier = set()
        for first, second in links:
            if _too_far_apart(dates[first], dates[second], model.max_date_spread_days):
                continue
            for event_id in (first, second):
                if event_id not in parent:
                    parent[event_id] = event_id
                    frontier.add(event_id)
            a, b = root(first), root(second)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = defaultdict(list)
    for event_id in sorted(parent):
        members[root(event_id)].append(event_id)
    return list(members.values())


def _clusters_of(
    conn: Connection, components: list[list[str]], model: CorefModel
) -> tuple[pa.Table, pa.Table]:
    """(event_cluster_map, event_clusters) of the clusters of whole ``components``, clustered
    a batch of components at a time (at most about ``COMPONENT_BATCH_EVENTS`` events, or one
    larger component), so that only one batch's pairs, events and profiles are held: average
    link over the pairs among them; a singleton's confidence reads its best pair, which may
    lead out of its component (an aggregate, not the pairs)."""
    maps, tables = [], []
    for batch in _batches(components, COMPONENT_BATCH_EVENTS):
        ordered = _events(conn, event_ids=batch)
        position = {event.event_id: index for index, event in enumerate(ordered)}
        among = _fetch(conn, "pairs_among", event_ids=sorted(position))
        # In (i, j) order, as scored_pairs gives them: average link sums links in this order.
        scores = dict(
            sorted(
                ((position[a], position[b]), p)
                for a, b, p in zip(*(among.column(i).to_pylist() for i in range(3)), strict=True)
            )
        )
        del among
        best = _fetch(conn, "best_links", event_ids=sorted(position), floor=pair_floor(model))
        best_links = dict(zip(*(best.column(i).to_pylist() for i in range(2)), strict=True))
        profiles = _publications(conn, {event.doc_id for event in ordered})
        found = average_link(ordered, scores, model, singleton_confidence=False)
        cluster_map, clusters = _cluster_tables(ordered, found, profiles, best_links)
        maps.append(cluster_map)
        tables.append(clusters)
    if not maps:
        return _cluster_tables([], [], {}, {})
    cluster_map = pa.concat_tables(maps).sort_by("event_id")
    return cluster_map, pa.concat_tables(tables).sort_by("cluster_id")


def _batches(components: list[list[str]], max_events: int) -> Iterable[list[str]]:
    """Components grouped into batches of at most ``max_events`` events (a larger component
    alone)."""
    batch: list[str] = []
    for component in components:
        if batch and len(batch) + len(component) > max_events:
            yield batch
            batch = []
        batch.extend(component)
    if batch:
        yield batch


def _refresh_singletons(conn: Connection, stage, event_ids: list[str], model: CorefModel) -> None:
    """Give the singleton clusters among ``event_ids`` (events outside the re-clustered
    components whose pairs changed) the confidence their best pair now gives them."""
    singletons = _fetch(conn, "singleton_clusters_of", event_ids=event_ids)
    if not singletons.num_rows:
        return
    event_ids = singletons.column("event_id").to_pylist()
    best = _fetch(conn, "best_links", event_ids=event_ids, floor=pair_floor(model))
    best_links = dict(zip(*(best.column(i).to_pylist() for i in range(2)), strict=True))
    rows = [
        # As cluster_row rounds it (a singleton's confidence is 1 - its best pair).
        {"cluster_id": cluster_id, "confidence": round(1.0 - best_links.get(event_id, 0.0), 6)}
        for event_id, cluster_id in zip(
            *(singletons.column(i).to_pylist() for i in range(2)), strict=True
        )
    ]
    run_script(
        conn,
        "load/update_cluster_confidence.sql",
        {"confidences": stage("cluster_confidences", rows, _CONFIDENCES)},
    )


def _cluster_tables(
    ordered: Sequence[Event],
    found: Iterable[clustering._Cluster],
    profiles: dict[str, DocumentProfile],
    best_links: dict[str, float] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """The clusters ``found`` over events sorted by id (as ``assign_clusters``), as warehouse
    rows; ``best_links``: each event's most probable pair, when the scores leave some out."""
    mapped_events, mapped_clusters, rows = [], [], []
    for cluster in found:
        members = sorted((ordered[i] for i in cluster.members), key=_order)
        confidence = cluster.confidence
        if best_links is not None and len(members) == 1:
            confidence = 1.0 - best_links.get(members[0].event_id, 0.0)
        cluster_id = stable_id(members[0].event_id)
        rows.append(cluster_row(cluster_id, members, confidence, profiles))
        mapped_events.extend(event.event_id for event in members)
        mapped_clusters.extend([cluster_id] * len(members))
    cluster_map = pa.table(
        {"event_id": mapped_events, "cluster_id": mapped_clusters}, schema=schema.EVENT_CLUSTER_MAP
    ).sort_by("event_id")
    rows.sort(key=lambda row: row["cluster_id"])
    return cluster_map, pa.Table.from_pylist(rows, schema=schema.EVENT_CLUSTERS)


def _profile_rows(new: NewProfiles) -> tuple[pa.Table, pa.Table]:
    """Rows of ``document_profiles`` and ``document_terms`` for freshly computed profiles (by
    document, then entity; by document, then its words' order), as columns."""
    salient = [
        (doc_id, entity_id, weight)
        for doc_id, profile in sorted(new.profiles.items())
        for entity_id, weight in sorted(profile.salient.items())
    ]
    entities = pa.table(
        [list(column) for column in zip(*salient, strict=True)] or [[], [], []],
        schema=schema.DOCUMENT_PROFILES.remove_metadata(),
    )
    counts = new.term_counts.sort_by("doc_id")  # stable: each document's words in order
    weights = [
        new.profiles[doc_id].terms.get(term)
        for doc_id, term in zip(
            counts.column("doc_id").to_pylist(), counts.column("term").to_pylist(), strict=True
        )
    ]
    terms = counts.append_column(pa.field("weight", pa.float64()), pa.array(weights, pa.float64()))
    return entities, terms.cast(schema.DOCUMENT_TERMS.remove_metadata())


def _block_rows(
    events: Sequence[Event],
    profiles: dict[str, DocumentProfile],
    blocks: dict[tuple[str, str], list[int]] | None = None,
) -> pa.Table:
    """The ``event_blocks`` rows of ``events`` (event after event, each one's keys in order), as
    columns (a long document has millions), from each key's events (``blocks``: their
    ``clustering.event_blocks``, when the caller has them)."""
    blocks = clustering.event_blocks(events, profiles) if blocks is None else blocks
    keys = sorted(blocks)
    sizes = np.fromiter(map(len, map(blocks.__getitem__, keys)), np.int64, len(keys))
    key = np.repeat(np.arange(len(keys)), sizes)
    event = np.fromiter(chain.from_iterable(map(blocks.__getitem__, keys)), np.int64, len(key))
    order = np.lexsort((key, event))
    names = pa.array(map(_block_name, keys), pa.string(), size=len(keys))
    columns = {
        "block": names.take(key[order]),
        "event_id": pa.array([e.event_id for e in events], pa.string()).take(event[order]),
        "doc_id": pa.array([e.doc_id for e in events], pa.string()).take(event[order]),
    }
    return pa.table(columns, schema=schema.EVENT_BLOCKS.remove_metadata())


def _pair_table(pairs: dict[Pair, float]) -> pa.Table:
    """``event_pairs`` rows, built by column (a first run scores millions of pairs)."""
    ordered = sorted(pairs)
    return pa.table(
        [
            [first for first, _ in ordered],
            [second for _, second in ordered],
            [pairs[pair] for pair in ordered],
        ],
        schema=schema.EVENT_PAIRS,
    )


class ClusterChange:
    """The staged rows of a clustering change (see ``cluster_change`` and ``full_clustering``)."""

    def __init__(self) -> None:
        self.stale_docs: list[str] = []
        self.stale_events: list[str] = []
        self.profiles: list[dict] | pa.Table = []
        self.terms: list[dict] | pa.Table = []
        self.blocks: list[dict] | pa.Table = []


def cluster_change(
    conn: Connection,
    changed_doc_ids: list[str],
    removed_doc_ids: list[str],
    stage,
    model: CorefModel | None = None,
) -> None:
    """Bring clusters up to date after a run (its new and re-resolved documents
    ``changed_doc_ids``, its superseded ones ``removed_doc_ids``, already removed from
    ``events``). ``stage(name, rows, schema)`` writes a staging file and returns its path."""
    model = model or default_model()
    change = ClusterChange()
    change.stale_docs = sorted({*changed_doc_ids, *removed_doc_ids})
    fresh = new_profiles(conn, sorted(changed_doc_ids))
    profiles = fresh.profiles
    change.profiles, change.terms = _profile_rows(fresh)
    changed = _events(conn, doc_ids=changed_doc_ids)
    change.blocks = _block_rows(changed, profiles)
    new_blocks: dict[str, set[str]] = defaultdict(set)
    for block, event_id in zip(
        change.blocks.column("block").to_pylist(),
        change.blocks.column("event_id").to_pylist(),
        strict=True,
    ):
        new_blocks[event_id].add(block)
    old_blocks = _fetch(conn, "blocks_of", doc_ids=change.stale_docs).to_pylist()
    stale_events = {row["event_id"] for row in old_blocks}
    touched = sorted({row["block"] for row in old_blocks}.union(*new_blocks.values()))
    old_sizes = _sizes(conn, touched)
    # Apply the new blocks and profiles first: pairs are recomputed against the new state.
    _replace_state(conn, change, stage, pairs=[])
    new_sizes = _sizes(conn, touched)
    crossed = [
        block
        for block in touched
        if _is_small(old_sizes.get(block, 0)) != _is_small(new_sizes.get(block, 0))
    ]
    recomputed = {event.event_id: event for event in changed}
    # Pairs of two dates read from the text follow one window at any block size: only the pairs
    # of undated and publication-dated members change when a block crosses the size.
    in_crossed = sorted(set(_fetch(conn, "block_members", blocks=crossed).column(1).to_pylist()))
    repaired = {
        event_id
        for event_id, (day, source) in _dates_of(_fetch(conn, "event_dates", event_ids=in_crossed))
        if day is None or source == clustering.UNCERTAIN_DATE_SOURCE
    }
    repaired -= recomputed.keys()
    recomputed.update((event.event_id, event) for event in _events(conn, event_ids=repaired))
    blocks_of = dict(new_blocks)
    for row in _fetch(conn, "blocks_of", event_ids=sorted(repaired)).to_pylist():
        blocks_of.setdefault(row["event_id"], set()).add(row["block"])

    stale = stale_events | recomputed.keys()
    old_pairs = _pair_dict(_fetch(conn, "pairs_touching", event_ids=sorted(stale)))
    pairs = _pairs_of(conn, recomputed, blocks_of, model)  # weaker pairs are not kept
    # Only the pairs that changed are replaced: a repaired event's pairs outside its crossed
    # block come out the same, and every pair deleted costs DuckDB memory (replace_event_state).
    gone = sorted(pair for pair, probability in old_pairs.items() if pairs.get(pair) != probability)
    added = {pair: p for pair, p in pairs.items() if old_pairs.get(pair) != p}
    change.stale_docs, change.profiles, change.terms, change.blocks = [], [], [], []
    _make_room_for_delete(conn, len(gone))
    _replace_state(conn, change, stage, pairs=_pair_table(added), stale_pairs=gone)
    # Membership can change only in the components (over pairs clusters can form along) of the
    # recomputed events and of the ends of the strong pairs that went: a weaker pair that
    # changed inside a component has a recomputed end in it; one between two components only
    # moves its ends' best pair (a singleton's confidence, refreshed below).
    seeds = set(recomputed)
    seeds.update(e for pair, p in old_pairs.items() if p >= model.threshold for e in pair)
    alive = {event.event_id for event in _events(conn, event_ids=seeds)}
    components = _components(conn, alive, model)
    affected = {event_id for component in components for event_id in component}
    cluster_map, clusters = _clusters_of(conn, components, model)
    _apply_clusters(conn, stage, sorted(affected), cluster_map, clusters)
    neighbours = {e for pair in (*gone, *added) for e in pair} - affected
    _refresh_singletons(conn, stage, sorted(neighbours), model)


def _make_room_for_delete(conn: Connection, n_stale_pairs: int) -> None:
    """Raise DuckDB's memory cap by what deleting ``n_stale_pairs`` pairs pins: DuckDB keeps
    version data for every vector (2,048 rows) a delete touches until the transaction commits,
    about 16 bytes a row (measured: 206 MiB to delete 90,000 pairs scattered over 11.3 million),
    and a re-resolved document's pairs lie scattered over the whole table. At most the table's
    every vector: bounded by the pairs kept (above the floor), not by the night."""
    if not n_stale_pairs:
        return
    state = _fetch(conn, "pair_delete_room").to_pylist()[0]
    vectors = min(n_stale_pairs, -(-state["n_pairs"] // DUCKDB_VECTOR_ROWS))
    limit = memory_bytes(state["memory_limit"]) + vectors * DELETE_VERSION_BYTES_PER_VECTOR
    run_script(conn, "load/set_memory_limit.sql", {"memory_limit": f"{limit // 2**20}MiB"})


def _pair_dict(table: pa.Table) -> dict[Pair, float]:
    columns = (table.column(i).to_pylist() for i in range(3))
    return {(first, second): p for first, second, p in zip(*columns, strict=True)}


def state_complete(conn: Connection) -> bool:
    """Whether the events were clustered with the state incremental clustering builds on."""
    return bool(_fetch(conn, "cluster_state").column(0)[0].as_py())


def full_clustering(
    conn: Connection, stage, model: CorefModel | None = None, fresh_profiles: bool = False
) -> None:
    """Cluster every event afresh (``candidate_pairs`` and ``scored_pairs`` over all of them):
    the clustering ``cluster_change`` must equal. Documents without a stored profile (all of
    them with ``fresh_profiles``) get one."""
    model = model or default_model()
    run_script(conn, "load/reset_clusters.sql", {"fresh_profiles": fresh_profiles})
    missing = _fetch(conn, "documents_without_profile", all=False).column(0).to_pylist()
    change = ClusterChange()
    change.profiles, change.terms = _profile_rows(new_profiles(conn, missing))
    change.stale_docs = missing  # their word counts, stored to profile them, get their weights
    _replace_state(conn, change, stage, pairs=[])
    change.stale_docs = []
    all_docs = _fetch(conn, "documents_without_profile", all=True).column(0).to_pylist()
    events = sorted(_events(conn, doc_ids=all_docs), key=lambda event: event.event_id)
    profiles = stored_profiles(conn, all_docs)
    # Compact all the way (index pairs, an array of probabilities, Arrow columns): one 50 MB
    # document has over 100,000 events and millions of pairs.
    blocks = clustering.event_blocks(events, profiles)
    pairs = candidate_pair_array(events, profiles, candidate_window(model), blocks)
    probabilities = score_pairs(events, pairs, profiles, model)
    # Many pairs are clustered in forked children while this process writes them and the blocks.
    with clusters_in_background(events, pairs, probabilities, profiles, model) as clustered:
        change.blocks = _block_rows(events, profiles, blocks)
        del blocks
        change.profiles, change.terms = [], []
        pair_table = _index_pair_table(events, pairs, probabilities, pair_floor(model))
        _replace_state(conn, change, stage, pairs=pair_table)
        del change, pair_table
        cluster_map, clusters = clustered()
    _apply_clusters(conn, stage, [event.event_id for event in events], cluster_map, clusters)


def cluster_tables(*inputs) -> tuple[pa.Table, pa.Table]:
    """The tables of ``clusters_in_background`` (whose arguments ``inputs`` are), waited for
    at once."""
    with clusters_in_background(*inputs) as clustered:
        return clustered()


@contextlib.contextmanager
def clusters_in_background(
    events: Sequence[Event],
    pairs: Sequence[tuple[int, int]],
    probabilities: Sequence[float],
    profiles: dict[str, DocumentProfile],
    model: CorefModel,
    processes: int | None = None,
) -> Iterator[Callable[[], tuple[pa.Table, pa.Table]]]:
    """``_cluster_tables`` of ``clusters_by_component`` over all ``events`` (sorted by id, with
    their sorted index ``pairs`` and ``probabilities``), the same rows, with many pairs' threshold
    components split across forked children (``processes``: default, the cores available)
    while the block runs (the commit writes the pairs meanwhile): the block gets a function
    that waits for the tables.

    Each child clusters whole components (the largest first, to the least loaded), with the
    pairs inside them in their order, so every merge is the one clustering them all makes; a
    singleton's confidence reads its best pair over all pairs, as there.
    """
    processes = _processes_for(len(pairs), processes)
    if processes <= 1:

        def clustered_here() -> tuple[pa.Table, pa.Table]:
            found = clusters_by_component(events, pairs, probabilities, model)
            return _cluster_tables(events, found, profiles)

        yield clustered_here
        return
    component = np.array(
        clustering._threshold_components(len(events), pairs, probabilities, model.threshold)
    )
    roots, sizes = np.unique(component, return_counts=True)
    load = [0] * processes
    group_of_root = {}
    for size, root in sorted(zip((-sizes).tolist(), roots.tolist(), strict=True)):
        group_of_root[root] = load.index(min(load))
        load[group_of_root[root]] += size * size  # average link costs more than linearly
    group = np.array([group_of_root[root] for root in component.tolist()], np.int64)
    index_pairs = index_pair_array(pairs)
    first, second = index_pairs[:, 0], index_pairs[:, 1]
    probability = probability_array(probabilities)
    # A singleton's confidence reads its best pair at or above the floor, as average_link's.
    counted = np.where(probability >= pair_floor(model), probability, 0.0)
    best_link = np.zeros(len(events))
    np.maximum.at(best_link, first, counted)
    np.maximum.at(best_link, second, counted)
    best_links = dict(zip((event.event_id for event in events), best_link.tolist(), strict=True))
    inside = component[first] == component[second]

    def cluster_group(number: int) -> tuple[pa.Table, pa.Table]:
        members = np.flatnonzero(group == number)
        local = np.empty(len(events), np.int64)
        local[members] = np.arange(len(members))
        kept = np.flatnonzero(inside & (group[first] == number))
        found = list(
            clusters_by_component(
                [events[i] for i in members.tolist()],
                np.stack((local[first[kept]], local[second[kept]]), axis=1),
                probability[kept],
                model,
            )
        )
        for cluster in found:
            cluster.members = members[cluster.members].tolist()
        return _cluster_tables(events, found, profiles, best_links)

    def joined(tables: list[tuple[pa.Table, pa.Table]]) -> tuple[pa.Table, pa.Table]:
        return (
            pa.concat_tables([cluster_map for cluster_map, _ in tables]).sort_by("event_id"),
            pa.concat_tables([clusters for _, clusters in tables]).sort_by("cluster_id"),
        )

    with forked_in_background(cluster_group, list(range(processes)), processes) as tables:
        yield lambda: joined(tables())


def _index_pair_table(
    events: Sequence[Event],
    pairs: Sequence[tuple[int, int]],
    probabilities: Sequence[float],
    floor: float = 0.0,
) -> pa.Table:
    """``event_pairs`` rows of index ``pairs`` (sorted, so rows come in event-id order) at
    least as probable as ``floor``."""
    ids = pa.array([event.event_id for event in events], pa.string())
    index_pairs = index_pair_array(pairs)
    first, second = index_pairs[:, 0], index_pairs[:, 1]
    probability = probability_array(probabilities)
    kept = probability >= floor
    columns = {
        "first_event_id": ids.take(first[kept]),
        "second_event_id": ids.take(second[kept]),
        "probability": pa.array(probability[kept]),
    }
    return pa.table(columns, schema=schema.EVENT_PAIRS.remove_metadata())


def _replace_state(
    conn,
    change: ClusterChange,
    stage,
    pairs: list[dict] | pa.Table,
    stale_pairs: Sequence[Pair] = (),
) -> None:
    run_script(
        conn,
        "load/replace_event_state.sql",
        {
            "stale_docs": stage(
                "stale_documents", [{"doc_id": d} for d in change.stale_docs], _DOC_IDS
            ),
            "stale_pairs": stage("stale_pairs", _pair_ids(stale_pairs), _PAIR_IDS),
            "pairs": stage("event_pairs", pairs, schema.EVENT_PAIRS),
            "blocks": stage("event_blocks", change.blocks, schema.EVENT_BLOCKS),
            "profiles": stage("document_profiles", change.profiles, schema.DOCUMENT_PROFILES),
            "terms": stage("document_terms", change.terms, schema.DOCUMENT_TERMS),
        },
    )


def _apply_clusters(conn, stage, clustered: list[str], cluster_map, clusters) -> None:
    run_script(
        conn,
        "load/apply_cluster_change.sql",
        {
            "clustered": stage(
                "clustered_events", [{"event_id": e} for e in clustered], _EVENT_IDS
            ),
            "event_cluster_map": stage("event_cluster_map", cluster_map, schema.EVENT_CLUSTER_MAP),
            "event_clusters": stage("event_clusters", clusters, schema.EVENT_CLUSTERS),
        },
    )


def _pair_ids(pairs: Sequence[Pair]) -> pa.Table:
    first, second = ([pair[k] for pair in pairs] for k in range(2))
    return pa.table([first, second], schema=_PAIR_IDS)


_DOC_IDS = pa.schema([("doc_id", pa.string())])
_PAIR_IDS = pa.schema([("first_event_id", pa.string()), ("second_event_id", pa.string())])
_CONFIDENCES = pa.schema([("cluster_id", pa.string()), ("confidence", pa.float64())])
_EVENT_IDS = pa.schema([("event_id", pa.string())])
