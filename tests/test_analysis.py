"""Pure analysis functions of elmo_core.analysis, on arrays with known answers and on mini."""
from __future__ import annotations

import numpy as np
import pytest

from elmo_core.analysis import (
    COLLAPSED_LAYER_TOLERANCE, Pca2d, chance_level, concat_tokens, cosine_matrix, cosine_to,
    distinct_rows, find_occurrences, fit_pca_2d, fit_umap, flatten_positions, gather_vectors, is_collapsed_layer,
    loo_centroid_accuracy, loo_centroid_predictions, mean_within_between, nearest_neighbours, pair_ranking_auc,
    repeated_words, sense_accuracy, sense_groups, sense_margin, sense_margins, sentence_starts,
    umap_neighbours, unit_rows,
)

SENTENCES = [["I", "saw", "a", "saw", "."], ["Saw", "it"], ["nothing"]]


# ---------------------------------------------------------------- occurrences
def test_find_occurrences_ignores_case_and_keeps_reading_order():
    assert find_occurrences(SENTENCES, "saw") == [(0, 1), (0, 3), (1, 0)]
    assert find_occurrences(SENTENCES, " SAW ") == [(0, 1), (0, 3), (1, 0)]
    assert find_occurrences(SENTENCES, "bank") == []
    assert find_occurrences(SENTENCES, "") == []


def test_repeated_words_skips_punctuation_and_singletons():
    assert repeated_words(SENTENCES) == ["saw"]
    assert repeated_words([[".", "."], ["a", "A"]]) == ["a"]


def test_positions_and_boundaries():
    assert flatten_positions([["a", "b"], ["c"]]) == [(0, 0), (0, 1), (1, 0)]
    assert sentence_starts([["a", "b"], ["c"], ["d", "e"]]) == [2, 3]
    assert sentence_starts([["a"]]) == []


def test_gather_and_concat_vectors():
    vectors = [np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4), -np.ones((2, 1, 4), np.float32)]
    picked = gather_vectors(vectors, [(1, 0), (0, 2)])
    assert picked.shape == (2, 2, 4)
    np.testing.assert_array_equal(picked[:, 0], vectors[1][:, 0])
    np.testing.assert_array_equal(picked[:, 1], vectors[0][:, 2])
    assert gather_vectors(vectors, []).shape == (2, 0, 4)
    assert concat_tokens(vectors).shape == (2, 4, 4)


# ---------------------------------------------------------------- similarity
def test_cosine_matrix_known_values():
    x = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [1.0, 1.0]])
    sims = cosine_matrix(x)
    expected = np.array([
        [1, 0, -1, np.sqrt(0.5)],
        [0, 1, 0, np.sqrt(0.5)],
        [-1, 0, 1, -np.sqrt(0.5)],
        [np.sqrt(0.5), np.sqrt(0.5), -np.sqrt(0.5), 1],
    ])
    np.testing.assert_allclose(sims, expected, atol=1e-12)
    np.testing.assert_allclose(cosine_to(x, 3), expected[3], atol=1e-12)


def test_cosine_matrix_per_layer_and_zero_vectors():
    layers = np.stack([np.eye(3), np.ones((3, 3))])  # (2, 3, 3)
    sims = cosine_matrix(layers)
    assert sims.shape == (2, 3, 3)
    np.testing.assert_allclose(sims[0], np.eye(3))
    np.testing.assert_allclose(sims[1], np.ones((3, 3)))
    with_zero = cosine_matrix(np.array([[0.0, 0.0], [1.0, 0.0]]))
    assert not np.isnan(with_zero).any() and with_zero[0, 1] == 0.0
    np.testing.assert_allclose(np.linalg.norm(unit_rows(np.array([[3.0, 4.0]])), axis=-1), 1.0)
    with pytest.raises(ValueError):
        cosine_matrix(np.zeros(3))


def test_mean_within_between():
    sims = np.array([[1.0, 0.8, 0.1], [0.8, 1.0, 0.3], [0.1, 0.3, 1.0]])
    within, between = mean_within_between(sims, ["a", "a", "b"])
    assert within == pytest.approx(0.8)
    assert between == pytest.approx(0.2)


# ---------------------------------------------------------------- senses
def test_chance_level_is_majority_rate():
    assert chance_level(["a", "a", "b", "c"]) == 0.5
    assert chance_level(["x"]) == 1.0
    assert chance_level([]) == 0.0


def test_loo_centroid_separable_clusters_score_one():
    x = np.array([[1.0, 0.1], [1.0, -0.1], [0.9, 0.0], [0.1, 1.0], [-0.1, 1.0], [0.0, 0.9]])
    labels = ["a", "a", "a", "b", "b", "b"]
    assert loo_centroid_accuracy(x, labels) == 1.0
    assert loo_centroid_predictions(x, labels) == labels


def test_loo_centroid_uses_held_out_centroids():
    # Row 2 sits between the clusters but nearer to "b" once it is left out of "a".
    x = np.array([[1.0, 0.0], [1.0, 0.0], [0.5, 0.6], [0.0, 1.0]])
    labels = ["a", "a", "a", "b"]
    predictions = loo_centroid_predictions(x, labels)
    assert predictions[2] == "b"
    # Row 3 is the only "b": with it left out no "b" centroid exists, so it must be called "a".
    assert predictions[3] == "a"
    assert loo_centroid_accuracy(x, labels) == pytest.approx(0.5)


def test_loo_centroid_identical_vectors_score_the_chance_level():
    # Identical vectors that are not exactly representable: rounding noise of the held-out
    # centroids must not decide (it would favour each row's own sense and score 100 %).
    row = np.random.default_rng(3).normal(size=16)
    x = np.tile(row, (21, 1))
    labels = ["tool"] * 11 + ["see"] * 10
    assert loo_centroid_predictions(x, labels) == ["tool"] * 21  # the majority sense
    assert loo_centroid_accuracy(x, labels) == pytest.approx(chance_level(labels))
    minority_first = ["see"] * 10 + ["tool"] * 11
    assert loo_centroid_accuracy(x, minority_first) == pytest.approx(11 / 21)
    assert loo_centroid_predictions(np.ones((4, 3)), ["b", "a", "b", "a"]) == ["b"] * 4  # equal counts: first


def test_pair_ranking_auc_known_orders():
    labels = ["a", "a", "b", "b"]
    separated = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    assert pair_ranking_auc(separated, labels) == 1.0
    # Same-sense cosines 0 and 0.22 against different-sense 0.99, 0.11, 0.11, 0.99: 2 wins of 8.
    crossed = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.1, 0.9]])
    assert pair_ranking_auc(crossed, labels) == pytest.approx(2 / 8)
    # Same-sense cosines 1 and 0 against different-sense 1, 0, 1, 0: four ties count half.
    tied = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert pair_ranking_auc(tied, labels) == pytest.approx((0.5 + 1 + 0.5 + 1 + 0 + 0.5 + 0 + 0.5) / 8)


def test_pair_ranking_auc_is_one_half_for_sense_blind_vectors_and_nan_without_pairs():
    # A context-free layer: every occurrence the same vector, with float32-like rounding noise.
    row = np.random.default_rng(5).normal(size=16)
    noisy = np.tile(row, (7, 1)) * (1 + 1e-9 * np.arange(7))[:, None]
    assert pair_ranking_auc(noisy, ["a"] * 2 + ["b"] * 5) == 0.5  # no bias against the small sense
    assert np.isnan(pair_ranking_auc(noisy[:3], ["a", "b", "c"]))  # no same-sense pair
    assert np.isnan(pair_ranking_auc(noisy[:3], ["a"] * 3))  # no different-sense pair


def test_sense_accuracy_per_layer():
    separable = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    identical = np.ones((4, 2))
    result = sense_accuracy(np.stack([identical, separable]), ["a", "a", "b", "b"])
    assert result.per_layer == (0.5, 1.0)
    assert result.chance == 0.5 and result.n_occurrences == 4 and result.n_senses == 2
    with pytest.raises(ValueError):
        sense_accuracy(separable, ["a", "a", "b", "b"])


class Labelled:
    def __init__(self, word, sense):
        self.word, self.sense = word, sense


def test_sense_margins_pair_each_layer_with_the_baseline_on_the_same_sentences():
    sentences = [Labelled("bank", s) for s in "aaabbb"] + [Labelled("saw", "tool")] * 2 + [Labelled("ant", "x")]
    assert sense_groups(sentences) == {"bank": [0, 1, 2, 3, 4, 5]}  # one sense: no group
    separated = np.array([[1, 0]] * 3 + [[0, 1]] * 3 + [[1, 1]] * 3, dtype=float)  # (9, 2)
    blind = np.ones((9, 2))  # every sentence alike: right only as often as the tie-break happens to be
    blind_accuracy = loo_centroid_accuracy(blind[:6], list("aaabbb"))
    tie = sense_margin(separated, separated, sentences)
    assert (tie.mean, tie.verdict) == (0.0, "same within noise")
    margins = sense_margins(np.stack([blind, separated]), blind, sentences)  # (layers, n, dim) against (n, dim)
    assert margins[0].mean == 0.0 and margins[1].mean == pytest.approx(1.0 - blind_accuracy) and blind_accuracy < 1
    assert sense_margin(blind, separated, sentences).mean == pytest.approx(blind_accuracy - 1.0)


def test_nearest_neighbours_mark_ties_across_senses():
    # layer 0: every occurrence has the same vector (one spelling); layer 1 separates the senses
    layer0 = np.ones((5, 2))
    layer1 = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.1, 0.9], [0.8, 0.2]])
    labels = ["a", "b", "a", "b", "a"]
    rows = nearest_neighbours(np.stack([layer0, layer1]), query=0, k=3, labels=labels)
    assert [r.tie for r in rows if r.layer == 0] == [True, True, True]
    assert [r.tie for r in rows if r.layer == 1] == [False, False, False]
    assert [labels[r.index] for r in rows if r.layer == 1] == ["a", "a", "b"]
    # a tie only between occurrences of one sense decides nothing: not marked
    same = np.array([[1.0, 0.0], [0.5, 0.5], [0.5, 0.5], [0.0, 1.0]])
    rows = nearest_neighbours(np.stack([same]), query=0, k=3, labels=["a", "a", "a", "b"])
    assert [r.tie for r in rows] == [False, False, False]
    # ... nor does a tie among other senses only; without labels nothing is marked
    rows = nearest_neighbours(np.stack([same]), query=0, k=3, labels=["a", "b", "c", "a"])
    assert [r.tie for r in rows] == [False, False, False]
    assert not any(r.tie for r in nearest_neighbours(np.stack([layer0]), query=0, k=3))
    # a tie with an occurrence just below the cut-off still counts
    cut = np.array([[1.0, 0.0], [0.9, 0.1], [0.9, 0.1], [0.0, 1.0]])
    rows = nearest_neighbours(np.stack([cut]), query=0, k=1, labels=["a", "a", "b", "b"])
    assert [(r.index, r.tie) for r in rows] == [(1, True)]
    with pytest.raises(ValueError):
        nearest_neighbours(np.stack([cut]), query=0, k=1, labels=["a"])


def test_nearest_neighbours_per_layer():
    layer0 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.1], [-1.0, 0.0]])
    layer1 = np.array([[1.0, 0.0], [1.0, 0.05], [0.0, 1.0], [1.0, 0.5]])
    rows = nearest_neighbours(np.stack([layer0, layer1]), query=0, k=2)
    assert [(r.layer, r.rank, r.index) for r in rows] == [(0, 1, 2), (0, 2, 1), (1, 1, 1), (1, 2, 3)]
    assert rows[0].similarity == pytest.approx(1 / np.sqrt(1.01))
    assert len(nearest_neighbours(np.stack([layer0]), 1, k=10)) == 3  # never itself
    with pytest.raises(IndexError):
        nearest_neighbours(np.stack([layer0]), 4)


# ---------------------------------------------------------------- projections
def test_pca_recovers_the_main_axis_and_transforms_new_points():
    main = np.linspace(-10, 10, 50)  # odd around the middle row ...
    x = np.zeros((50, 5))
    x[:, 3] = main
    x[:, 1] = np.where(np.abs(main) > 5, 1.0, -1.0)  # ... this one even: uncorrelated, smaller
    coords, pca = fit_pca_2d(x)
    assert isinstance(pca, Pca2d) and coords.shape == (50, 2)
    np.testing.assert_allclose(np.abs(pca.components[0]), [0, 0, 0, 1, 0], atol=1e-9)
    np.testing.assert_allclose(np.abs(pca.components[1]), [0, 1, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(pca.transform(x), coords)
    assert coords[:, 0].var() > coords[:, 1].var()


def test_pca_handles_identical_points():
    coords, pca = fit_pca_2d(np.ones((6, 4)))
    np.testing.assert_allclose(coords, 0)
    np.testing.assert_allclose(pca.transform(np.zeros((1, 4))), 0)
    assert distinct_rows(np.ones((6, 4))) == 1


def test_a_collapsed_layer_is_one_point_within_one_tolerance():
    rng = np.random.default_rng(0)
    word = rng.normal(scale=3.0, size=64).astype(np.float32)  # one spelling, its character-layer vector
    same = np.tile(word, (5, 1))
    assert is_collapsed_layer(same)
    # batches of different shapes change the last bits; float16 storage rounds a value by one step
    assert is_collapsed_layer(same + rng.normal(scale=1e-6, size=same.shape).astype(np.float32))
    stored = same.astype(np.float16)
    stored[0] = np.nextafter(stored[0], np.float16(np.inf))  # a rounding step up in every dimension
    assert is_collapsed_layer(stored)
    # two spellings, or two contexts at an LSTM layer: apart by far more than the tolerance
    assert not is_collapsed_layer(np.stack([word, word + 0.05]))
    spread = 2 * COLLAPSED_LAYER_TOLERANCE * (1 + np.abs(same).max())
    apart = same.astype(np.float64)
    apart[1, 7] += spread
    assert not is_collapsed_layer(apart)
    assert not is_collapsed_layer(word[None])  # one point: nothing to coincide with
    with pytest.raises(ValueError):
        is_collapsed_layer(np.stack([same, same]))


def test_umap_is_reproducible_and_places_new_points():
    rng = np.random.default_rng(1)
    centres = np.array([[5.0] * 8, [-5.0] * 8])
    x = np.concatenate([c + rng.normal(size=(20, 8)) for c in centres]).astype(np.float32)
    coords, reducer = fit_umap(x, n_neighbors=5, metric="euclidean")
    again, _ = fit_umap(x, n_neighbors=5, metric="euclidean")
    assert coords.shape == (40, 2)
    np.testing.assert_allclose(coords, again, atol=1e-4)
    placed = reducer.transform(centres[:1].astype(np.float32))
    first, second = coords[:20].mean(axis=0), coords[20:].mean(axis=0)
    assert np.linalg.norm(placed[0] - first) < np.linalg.norm(placed[0] - second)
    assert umap_neighbours(3) == 2 and umap_neighbours(100) == 15
    with pytest.raises(ValueError):
        fit_umap(x[:3])


# ---------------------------------------------------------------- on the real bundled model
def test_mini_saw_layer0_identical_contextual_layers_differ(mini):
    tokens = ["I", "saw", "a", "saw", "."]
    vectors = mini.embed([tokens])
    first, second = find_occurrences([tokens], "saw")
    occurrences = gather_vectors(vectors, [first, second])  # (3, 2, D)
    assert occurrences.shape == (3, 2, mini.output_dim)
    np.testing.assert_array_equal(occurrences[0, 0], occurrences[0, 1])
    for layer in (1, 2):
        assert not np.allclose(occurrences[layer, 0], occurrences[layer, 1])
    sims = cosine_to(occurrences, 0)
    assert sims[0, 1] == pytest.approx(1.0)
    assert sims[1, 1] < 1.0 - 1e-6 and sims[2, 1] < 1.0 - 1e-6
