"""Coreference metrics over one set of mentions: MUC, B-cubed, CEAF-e and their mean (CoNLL F1).

A clustering is a mapping ``mention -> cluster key``; the gold (key) and predicted (response)
clusterings cover the same mentions (the evaluation scores gold mentions matched by a predicted
mention). Definitions follow Pradhan et al. 2014 ("Scoring coreference partitions of predicted
mentions"): MUC counts links (Vilain et al. 1995), B-cubed averages per-mention overlap (Bagga &
Baldwin 1998), CEAF-e aligns clusters one-to-one with the entity similarity
``2 |K ∩ R| / (|K| + |R|)`` (Luo 2005).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping

Clustering = Mapping[Hashable, Hashable]


def _clusters(clustering: Clustering) -> list[frozenset]:
    groups: dict[Hashable, set] = defaultdict(set)
    for mention, key in clustering.items():
        groups[key].add(mention)
    return [frozenset(group) for group in groups.values()]


def _prf(numerator_p: float, denominator_p: float, numerator_r: float, denominator_r: float):
    precision = numerator_p / denominator_p if denominator_p else 0.0
    recall = numerator_r / denominator_r if denominator_r else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _muc_side(first: list[frozenset], second: Clustering) -> tuple[int, int]:
    """(sum |K| - |p(K)|, sum |K| - 1) for the clusters K of ``first`` partitioned by ``second``."""
    numerator = denominator = 0
    for cluster in first:
        parts = {second.get(mention, ("unmatched", mention)) for mention in cluster}
        numerator += len(cluster) - len(parts)
        denominator += len(cluster) - 1
    return numerator, denominator


def muc(key: Clustering, response: Clustering) -> dict[str, float]:
    """MUC: recall over the key's links, precision over the response's links."""
    recall_num, recall_den = _muc_side(_clusters(key), response)
    precision_num, precision_den = _muc_side(_clusters(response), key)
    return _prf(precision_num, precision_den, recall_num, recall_den)


def _b_cubed_side(first: list[frozenset], second: list[frozenset]) -> tuple[float, int]:
    cluster_of = {mention: cluster for cluster in second for mention in cluster}
    total = 0.0
    n_mentions = 0
    for cluster in first:
        for mention in cluster:
            other = cluster_of.get(mention, frozenset())
            total += len(cluster & other) / len(cluster)
            n_mentions += 1
    return total, n_mentions


def b_cubed(key: Clustering, response: Clustering) -> dict[str, float]:
    """B-cubed: mean over mentions of the share of their cluster the other side agrees on."""
    key_clusters, response_clusters = _clusters(key), _clusters(response)
    recall_num, recall_den = _b_cubed_side(key_clusters, response_clusters)
    precision_num, precision_den = _b_cubed_side(response_clusters, key_clusters)
    return _prf(precision_num, precision_den, recall_num, recall_den)


def _max_assignment(weights: list[list[float]]) -> float:
    """The largest total weight of a one-to-one row/column assignment (Hungarian method).

    Shortest augmenting paths with potentials over the square cost matrix ``-weights`` padded
    with zeros (Kuhn-Munkres as in Jonker & Volgenant); groups are small, so plain Python.
    """
    n_rows = len(weights)
    n_cols = len(weights[0]) if weights else 0
    size = max(n_rows, n_cols)

    def cost(row: int, column: int) -> float:
        if row < n_rows and column < n_cols:
            return -weights[row][column]
        return 0.0

    u = [0.0] * (size + 1)
    v = [0.0] * (size + 1)
    match = [0] * (size + 1)  # match[column] = row, both 1-indexed; 0 = none
    way = [0] * (size + 1)
    for row in range(1, size + 1):
        match[0] = row
        column = 0
        min_to = [math.inf] * (size + 1)
        used = [False] * (size + 1)
        while True:
            used[column] = True
            current_row = match[column]
            delta = math.inf
            next_column = 0
            for candidate in range(1, size + 1):
                if used[candidate]:
                    continue
                reduced = cost(current_row - 1, candidate - 1) - u[current_row] - v[candidate]
                if reduced < min_to[candidate]:
                    min_to[candidate] = reduced
                    way[candidate] = column
                if min_to[candidate] < delta:
                    delta = min_to[candidate]
                    next_column = candidate
            for candidate in range(size + 1):
                if used[candidate]:
                    u[match[candidate]] += delta
                    v[candidate] -= delta
                else:
                    min_to[candidate] -= delta
            column = next_column
            if match[column] == 0:
                break
        while column:
            previous = way[column]
            match[column] = match[previous]
            column = previous
    return sum(-cost(match[column] - 1, column - 1) for column in range(1, size + 1))


def _components(key: list[frozenset], response: list[frozenset]) -> list[tuple[list, list]]:
    """Groups of key and response clusters linked by shared mentions (aligned independently)."""
    response_of = {mention: index for index, cluster in enumerate(response) for mention in cluster}
    parent = list(range(len(key) + len(response)))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for index, cluster in enumerate(key):
        for mention in cluster:
            if mention in response_of:
                parent[find(index)] = find(len(key) + response_of[mention])
    groups: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for index, cluster in enumerate(key):
        groups[find(index)][0].append(cluster)
    for index, cluster in enumerate(response):
        groups[find(len(key) + index)][1].append(cluster)
    return list(groups.values())


def ceaf_e(key: Clustering, response: Clustering) -> dict[str, float]:
    """CEAF-e: the best one-to-one alignment of clusters by ``2 |K ∩ R| / (|K| + |R|)``."""
    key_clusters, response_clusters = _clusters(key), _clusters(response)
    total = 0.0
    for key_group, response_group in _components(key_clusters, response_clusters):
        if not key_group or not response_group:
            continue
        weights = [[2 * len(k & r) / (len(k) + len(r)) for r in response_group] for k in key_group]
        total += _max_assignment(weights)
    return _prf(total, len(response_clusters), total, len(key_clusters))


def conll_scores(key: Clustering, response: Clustering) -> dict[str, dict[str, float]]:
    """MUC, B-cubed, CEAF-e and ``conll`` (the mean of their F1) for one pair of clusterings."""
    scores = {
        "muc": muc(key, response),
        "b3": b_cubed(key, response),
        "ceaf_e": ceaf_e(key, response),
    }
    scores["conll"] = {"f1": sum(scores[name]["f1"] for name in ("muc", "b3", "ceaf_e")) / 3}
    return scores
