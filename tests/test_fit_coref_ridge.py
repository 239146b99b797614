"""The event-coreference fitter learns its ridge strength and its clustering thresholds from
the fitting topics alone (thresholds on cross-fitted scores)."""

from __future__ import annotations

import numpy as np

from etl.evaluate.fit_coref import L2_GRID, Labelled, fit_logistic


def _labelled(features: np.ndarray, same: np.ndarray, topics: np.ndarray) -> Labelled:
    """A Labelled holding only what ``ridge_strength`` reads: one event per pair, its topic."""
    labelled = Labelled.__new__(Labelled)
    labelled.pairs = np.column_stack([np.arange(len(same)), np.arange(len(same))])
    labelled.topic_of = topics
    labelled.features = features
    labelled.same = same
    return labelled


def test_noise_features_get_strong_ridge_and_a_clean_signal_weak_ridge():
    rng = np.random.default_rng(0)
    topics = np.repeat(np.arange(6), 40)
    same = rng.random(len(topics)) < 0.3
    rows = np.ones(len(topics), dtype=bool)
    noise = rng.normal(size=(len(topics), 8))
    assert _labelled(noise, same, topics).ridge_strength(rows) == max(L2_GRID)
    # A feature that separates the labels only up to noise: a weak ridge fits it best.
    signal = np.column_stack([same + rng.normal(scale=0.3, size=len(topics))])
    assert _labelled(signal, same, topics).ridge_strength(rows) <= 1.0


def test_fit_logistic_shrinks_weights_as_the_ridge_grows():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(200, 3))
    labels = (features[:, 0] + rng.normal(scale=0.5, size=200) > 0).astype(float)
    weak, strong = fit_logistic(features, labels, 0.1), fit_logistic(features, labels, 100.0)
    assert abs(strong[1]) < abs(weak[1])


def test_cross_fitted_scores_of_a_topic_ignore_its_own_labels():
    """A topic's pairs are scored by weights fitted on the other topics only: flipping its
    labels leaves its scores as they were and changes another topic's."""
    rng = np.random.default_rng(2)
    topics = np.repeat(np.arange(4), 50)
    features = rng.normal(size=(len(topics), 2))
    same = features[:, 0] + rng.normal(scale=0.5, size=len(topics)) > 0
    rows = np.ones(len(topics), dtype=bool)
    scores = _labelled(features, same, topics).cross_fitted_scores(rows, 1.0)
    flipped = same.copy()
    flipped[topics == 0] = ~flipped[topics == 0]
    rescored = _labelled(features, flipped, topics).cross_fitted_scores(rows, 1.0)
    assert np.allclose(scores[topics == 0], rescored[topics == 0])
    assert not np.allclose(scores[topics == 1], rescored[topics == 1])
    # Scores are log-odds that rank the held-out pairs by their label.
    assert scores[same].mean() > scores[~same].mean()
