"""The commit's faster paths give what the plain ones give: ``map_forked`` and the pair scoring
that uses it (``incremental_coref.score_pairs``, bit for bit), and candidate pairs found as
arrays (``candidate_pairs``, against its definition pair by pair)."""

from __future__ import annotations

import dataclasses
import os
import random
from datetime import date, timedelta

import numpy as np
import pytest

from etl.run import incremental_coref
from etl.runtime.forked import map_forked
from etl.stages.resolve import clusters as clustering
from etl.stages.resolve.clusters import (
    _EMPTY_PROFILE,
    DateWindow,
    DocumentProfile,
    Event,
    _blocking_keys,
    candidate_pairs,
    default_model,
    pair_probabilities,
    widest_gap,
)


def test_map_forked_returns_each_slices_result_in_order_computed_in_children():
    parent = os.getpid()

    def where(numbers: list[int]) -> tuple[int, bool]:
        return sum(numbers), os.getpid() == parent

    results = map_forked(where, [[1, 2], [3], [4, 5, 6]], processes=3)
    assert [total for total, _ in results] == [3, 3, 15]
    # The first slice in this process, the others in children.
    assert [here for _, here in results] == [True, False, False]


def test_children_see_their_objects_frozen_out_of_the_collector_and_the_caller_does_not():
    import gc

    def frozen(_: int) -> bool:
        return gc.get_freeze_count() > 0

    # A child's collector passes would copy the pages of every tracked object it inherited.
    assert map_forked(frozen, [0, 1], processes=2) == [True, True]
    assert gc.get_freeze_count() == 0
    with pytest.raises(ValueError):
        map_forked(lambda number: 1 // number and int("x"), [1, 1], processes=2)
    assert gc.get_freeze_count() == 0


def test_returning_free_memory_gives_back_what_freed_objects_left():
    import psutil

    from etl.runtime.forked import _malloc_trim, return_free_memory

    if _malloc_trim() is None:
        pytest.skip("no glibc malloc_trim here")
    process = psutil.Process()
    held = [bytes(2_000) for _ in range(100_000)]  # 200 MB in small blocks of the C heap
    before = process.memory_info().rss
    del held
    return_free_memory()
    assert before - process.memory_info().rss > 100 * 2**20


def test_map_forked_in_one_process_when_one_is_asked_for():
    assert map_forked(len, ["ab", "c"], processes=1) == [2, 1]


def test_a_failing_slice_raises_in_the_caller():
    def fail_on_odd(number: int) -> int:
        if number % 2:
            raise ValueError(f"odd {number}")
        return number

    with pytest.raises(ValueError, match="odd 1"):
        map_forked(fail_on_odd, [0, 1], processes=2)


def _corpus(n_docs: int, seed: int = 7) -> tuple[list[Event], dict[str, DocumentProfile]]:
    """Events of many documents sharing participants and words, so pairs cross documents."""
    rng = random.Random(seed)
    types = ["ACCUSE", "CONSULT", "PROTEST", "ASSAULT"]
    entities = [f"ent{i}" for i in range(12)]
    words = [f"w{i}" for i in range(40)]
    events, profiles = [], {}
    for d in range(n_docs):
        doc_id = f"doc{d:03d}"
        salient = {e: rng.random() for e in rng.sample(entities, 3)}
        terms = {w: rng.random() for w in rng.sample(words, 6)}
        published = date(2017, 9, 1) + timedelta(days=rng.randint(0, 20))
        profiles[doc_id] = DocumentProfile(f"pub{d % 5}", published, salient, terms)
        for k in range(rng.randint(2, 6)):
            day = published - timedelta(days=rng.randint(0, 3)) if rng.random() < 0.8 else None
            events.append(
                Event(
                    f"ev{d:03d}-{k}",
                    doc_id,
                    rng.choice(types),
                    rng.choice([None, *entities]),
                    rng.choice([None, *entities]),
                    day,
                    rng.choice(["sentence", "publication"]),
                    rng.choice([None, "Paris", "Bishkek"]),
                    rng.choice([None, "FRA", "KGZ"]),
                    rng.choice(["accused", "met", "protested", "attacked", "accusing"]),
                    rng.choice([None, "arrest", "talks"]),
                )
            )
    return sorted(events, key=lambda event: event.event_id), profiles


def test_pairs_scored_on_several_cores_are_the_one_process_scores_to_the_bit(monkeypatch):
    events, profiles = _corpus(120)
    model = default_model()
    pairs = candidate_pairs(events, profiles, widest_gap(model))
    assert len(pairs) > 1000
    monkeypatch.setattr(incremental_coref, "MIN_PAIRS_PER_PROCESS", 100)
    expected = pair_probabilities(events, pairs, profiles, model)
    scored = incremental_coref.score_pairs(events, pairs, profiles, model, processes=3)
    assert bytes(scored) == bytes(expected)


def _reference_pairs(events, profiles, window, max_full_block):
    """candidate_pairs' definition, pair by pair: same block; both dated within ``window``
    (``window.certain`` whatever the dates' source in a block larger than ``max_full_block``),
    or one undated in a block of at most ``max_full_block`` events."""
    blocks = {}
    for index, event in enumerate(events):
        for key in _blocking_keys(event, profiles.get(event.doc_id, _EMPTY_PROFILE)):
            blocks.setdefault(key, []).append(index)
    pairs = set()
    for members in blocks.values():
        small = len(members) <= max_full_block
        limits = window if small else DateWindow(window.certain, window.certain)
        for i in members:
            for j in members:
                if i >= j:
                    continue
                first, second = events[i], events[j]
                if first.event_date is None or second.event_date is None:
                    close = small
                else:
                    close = limits.allows(
                        (first.event_date, first.date_source),
                        (second.event_date, second.date_source),
                    )
                if close:
                    pairs.add((i, j))
    return sorted(pairs)


@pytest.mark.parametrize("max_full_block", [200, 8])
@pytest.mark.parametrize("window", [DateWindow(3, 3), DateWindow(1, 6)])
@pytest.mark.parametrize("pair_run", [1 << 21, 5])
def test_candidate_pairs_are_every_pair_of_a_block_within_its_window(
    monkeypatch, max_full_block, window, pair_run
):
    events, profiles = _corpus(80)
    monkeypatch.setattr(clustering, "MAX_FULL_BLOCK", max_full_block)
    monkeypatch.setattr(clustering, "PAIR_RUN", pair_run)  # pairs found a few at a time
    expected = _reference_pairs(events, profiles, window, max_full_block)
    assert candidate_pairs(events, profiles, window) == expected
    assert candidate_pairs(events[:1], profiles, window) == []


def test_clusters_of_components_split_across_processes_are_the_one_process_rows(monkeypatch):
    events, profiles = _corpus(150, seed=11)
    model = default_model()
    # A threshold low enough for components of several events and merges inside them.
    model = dataclasses.replace(model, threshold=0.3)
    pairs = candidate_pairs(events, profiles, widest_gap(model))
    probabilities = pair_probabilities(events, pairs, profiles, model)
    monkeypatch.setattr(incremental_coref, "MIN_PAIRS_PER_PROCESS", 100)
    alone = incremental_coref.cluster_tables(events, pairs, probabilities, profiles, model, 1)
    split = incremental_coref.cluster_tables(events, pairs, probabilities, profiles, model, 3)
    cluster_map, clusters = alone
    assert clusters.num_rows < len(events)  # some events were merged
    assert split[0].to_pylist() == cluster_map.to_pylist()
    assert split[1].to_pylist() == clusters.to_pylist()


def test_probabilities_by_column_are_each_rows_probability_to_the_bit():
    model = default_model()
    rng = random.Random(3)
    width = len(model.weights) - 1
    rows = [
        tuple(rng.choice([0.0, 1.0, rng.random(), rng.uniform(-5, 5), 1e-9]) for _ in range(width))
        for _ in range(5000)
    ]
    assert model.probabilities(rows) == [model.probability(row) for row in rows]
    assert model.probabilities([]) == []


def _varied_events(n_events: int, seed: int) -> tuple[list[Event], dict[str, DocumentProfile]]:
    """Events whose fields take every kind of value pair scoring tells apart: none and empty,
    equal and reversed parties (by entity and by country), stems equal or sharing a prefix,
    dates read from the text or publication days a day or more apart, documents without a
    profile."""
    rng = random.Random(seed)
    entities = [None, "", "ent0", "ent1", "ent2", "ent3"]
    countries = [None, "", "KAZ", "KGZ"]
    profiles = {
        f"doc{d}": DocumentProfile(
            None,
            None,
            {e: rng.random() for e in rng.sample(entities[2:], 2)},
            {w: rng.random() for w in rng.sample([f"w{i}" for i in range(8)], rng.randint(0, 4))},
        )
        for d in range(8)  # doc8 and doc9 have no profile
    }
    events = [
        Event(
            f"ev{k:04d}",
            f"doc{rng.randrange(10)}",
            rng.choice(["ACCUSE", "PROTEST", "REJECT", "CONSULT", "ASSAULT", ""]),
            rng.choice(entities),
            rng.choice(entities),
            rng.choice([None, date(2017, 9, 1) + timedelta(days=rng.randint(0, 4))]),
            rng.choice([None, "sentence", "publication"]),
            rng.choice([None, "", "Paris", "paris", "Bishkek"]),
            rng.choice([None, "", "FRA", "KGZ"]),
            rng.choice([None, "", "accused", "accusation", "met", "hit", "shot", "shooting"]),
            rng.choice([None, "", "arrest", "talks"]),
            rng.choice(countries),
            rng.choice(countries),
        )
        for k in range(n_events)
    ]
    return events, profiles


@pytest.mark.parametrize("seed", [1, 2])
def test_pairs_compared_by_array_score_as_each_pair_by_its_features(seed):
    from etl.stages.resolve.clusters import one_act_one_day, pair_features, reversed_roles

    events, profiles = _varied_events(220, seed)
    model = default_model()
    pairs = [(i, j) for i in range(len(events)) for j in range(i + 1, len(events))]
    rng = random.Random(seed)
    rng.shuffle(pairs)
    expected = []
    verdicts = {1.0: 0, 0.0: 0}
    for i, j in pairs:
        first, second = events[i], events[j]
        if one_act_one_day(first, second):
            verdicts[1.0] += 1
            expected.append(1.0)
        elif reversed_roles(first, second):
            verdicts[0.0] += 1
            expected.append(0.0)
        else:
            first_doc = profiles.get(first.doc_id, _EMPTY_PROFILE)
            second_doc = profiles.get(second.doc_id, _EMPTY_PROFILE)
            expected.append(model.probability(pair_features(first, second, first_doc, second_doc)))
    assert min(verdicts.values()) > 0  # both kinds of pair decided by definition occur
    scored = pair_probabilities(events, pairs, profiles, model)
    assert list(scored) == expected
    assert list(pair_probabilities(events, [], profiles, model)) == []


@pytest.mark.parametrize("cosine_run", [1 << 18, 50])
def test_cosines_by_array_are_each_pairs_cosine_to_the_bit(monkeypatch, cosine_run):
    from etl.stages.resolve.clusters import _cosine, cosines, unit_vectors

    monkeypatch.setattr(clustering, "COSINE_RUN", cosine_run)  # a few pairs at a time

    rng = random.Random(5)
    vectors = []
    for _ in range(200):
        keys = rng.sample(range(150), rng.choice([0, 1, 2, 7, 40, 64]))
        weights = [rng.random() for _ in keys]
        norm = sum(w * w for w in weights) ** 0.5 or 1.0
        # Keys in no sorted order: the sum follows each vector's own order.
        vectors.append({f"k{key}": w / norm for key, w in zip(keys, weights, strict=True)})
    first = [rng.randrange(len(vectors)) for _ in range(5000)]
    second = [rng.randrange(len(vectors)) for _ in range(5000)]
    found = cosines(unit_vectors(vectors), np.array(first), np.array(second))
    expected = [_cosine(vectors[i], vectors[j]) for i, j in zip(first, second, strict=True)]
    assert found.tolist() == expected
    assert cosines(unit_vectors([{}, {}]), np.array([0]), np.array([1])).tolist() == [0.0]


@pytest.mark.parametrize("n_keys", [150, 4000])
def test_cosines_of_vectors_in_one_key_order_are_each_pairs_cosine_to_the_bit(n_keys):
    """Vectors listing their keys sorted (as stored profiles do) are compared by shared key
    (few keys: more combinations than lookups, the hash table instead), with the same sums."""
    from etl.stages.resolve.clusters import _cosine, cosines, unit_vectors

    rng = random.Random(7)
    vectors = []
    for _ in range(300):
        keys = sorted(rng.sample(range(n_keys), rng.choice([0, 1, 2, 7, 40, 64])), key=str)
        weights = [rng.random() for _ in keys]
        norm = sum(w * w for w in weights) ** 0.5 or 1.0
        vectors.append({f"k{key}": w / norm for key, w in zip(keys, weights, strict=True)})
    unit = unit_vectors(vectors)
    assert unit.by_key is not None
    # Every pair both ways round, a vector with itself, pairs asked twice.
    first = [rng.randrange(len(vectors)) for _ in range(6000)] + [3, 5, 5]
    second = [rng.randrange(len(vectors)) for _ in range(6000)] + [5, 3, 5]
    found = cosines(unit, np.array(first), np.array(second))
    expected = [_cosine(vectors[i], vectors[j]) for i, j in zip(first, second, strict=True)]
    assert found.tolist() == expected
    unordered = unit_vectors([{"b": 0.6, "a": 0.8}, {"a": 1.0}])
    assert unordered.by_key is None
    assert cosines(unordered, np.array([0]), np.array([1])).tolist() == [0.8]


def test_two_steps_keep_each_slices_state_where_it_was_made_and_share_what_between_gives():
    from etl.runtime.forked import map_forked_in_two_steps

    parent = os.getpid()
    seen = []

    def first(numbers: list[int]):
        return (numbers, os.getpid()), sum(numbers)

    def between(totals: list[int]) -> int:
        seen.append(os.getpid())
        return sum(totals)

    def second(state, grand_total: int):
        numbers, pid = state
        return [n * grand_total for n in numbers], pid == os.getpid(), os.getpid() == parent

    slices = [[1, 2], [3], [4]]
    for processes in (1, 3):
        results = map_forked_in_two_steps(first, between, second, slices, processes)
        assert [scaled for scaled, _, _ in results] == [[10, 20], [30], [40]]
        assert all(same for _, same, _ in results)  # each state used where it was made
        here = [in_parent for _, _, in_parent in results]
        assert here == ([True, True, True] if processes == 1 else [True, False, False])
    assert seen == [parent, parent]


@pytest.mark.parametrize("step", ["first", "second"])
def test_a_failing_step_in_a_child_raises_in_the_caller(step):
    from etl.runtime.forked import map_forked_in_two_steps

    def first(number: int):
        if step == "first" and number == 1:
            raise ValueError("first 1")
        return number, number

    def second(number: int, _shared) -> int:
        if step == "second" and number == 1:
            raise ValueError("second 1")
        return number

    with pytest.raises(ValueError, match=f"{step} 1"):
        map_forked_in_two_steps(first, sum, second, [0, 1], processes=2)
    import gc

    assert gc.get_freeze_count() == 0


def test_work_forked_in_background_is_collected_in_order_while_the_block_runs():
    from etl.runtime.forked import forked_in_background

    parent = os.getpid()

    def where(number: int) -> tuple[int, bool]:
        return number * 2, os.getpid() == parent

    for processes in (1, 2):
        with forked_in_background(where, [1, 2, 3], processes) as results:
            done_meanwhile = sum(range(1000))  # the block's own work
            found = results()
        assert done_meanwhile == 499500
        assert [doubled for doubled, _ in found] == [2, 4, 6]
        assert all(here == (processes == 1) for _, here in found)

    def fail(number: int) -> int:
        raise ValueError(f"failed {number}")

    with (
        pytest.raises(ValueError, match="failed 1"),
        forked_in_background(fail, [1, 2], 2) as results,
    ):
        results()
    import gc

    assert gc.get_freeze_count() == 0
