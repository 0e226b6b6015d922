"""Reference equivalence with the public ELMo release (carry mode from zero state, 1e-5)."""
from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
import torch

import elmo_core
from elmo_core.chars import batch_to_ids

TOLERANCE = 1e-5


@pytest.fixture()
def reference_bilm(reference_dir):
    return elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5",
                                state="carry", device="cpu")


def test_top_layer_matches_lm_embeddings(reference_bilm, reference_dir):
    sentences = json.loads((reference_dir / "sentences.json").read_text())
    worst = 0.0
    for i in range(10):  # 10 batches, in order, state carried
        batch = [sentences[k][i].split() for k in range(3)]
        vectors = reference_bilm.embed_batch(batch)
        for k in range(3):
            with h5py.File(reference_dir / f"lm_embeddings_{k}.hdf5", "r") as f:
                expected = f[str(i)][...]  # (2, n, 16): forward, backward top layer
            top = vectors[k][2]
            got = np.stack([top[:, :16], top[:, 16:]])
            assert got.shape == expected.shape
            worst = max(worst, float(np.abs(got - expected).max()))
    assert worst <= TOLERANCE, worst


def test_token_layer_matches_reference(reference_bilm, reference_dir):
    words = [w for w in (reference_dir / "vocab_test.txt").read_text().split("\n") if w]
    with h5py.File(reference_dir / "elmo_token_embeddings.hdf5", "r") as f:
        expected = f["embedding"][...]
    with torch.no_grad():
        got = reference_bilm.model.token_vectors(batch_to_ids([words]))[0].numpy()
    assert got.shape == expected.shape == (len(words), 16)
    assert np.abs(got - expected).max() <= TOLERANCE


def test_all_three_layers_match_reference(reference_bilm, fixtures_dir):
    folder = fixtures_dir / "elmo-allennlp-all-layers"
    sentences = [line.split() for line in (folder / "sentences.txt").read_text().splitlines()]
    assert len(sentences) == 30
    worst = 0.0
    with h5py.File(folder / "expected_embeddings.hdf5", "r") as expected:
        for b in range(3):
            vectors = reference_bilm.embed_batch(sentences[b * 10 : (b + 1) * 10])
            for j, got in enumerate(vectors):
                want = expected[str(b * 10 + j)][...]
                assert got.shape == want.shape == (3, len(sentences[b * 10 + j]), 32)
                worst = max(worst, float(np.abs(got - want).max()))
    assert worst <= TOLERANCE, worst


def test_embed_in_carry_mode_reproduces_reference_order(reference_bilm, fixtures_dir):
    """The list API in carry mode batches in input order, so it reproduces the fixture too."""
    folder = fixtures_dir / "elmo-allennlp-all-layers"
    sentences = [line.split() for line in (folder / "sentences.txt").read_text().splitlines()]
    vectors = reference_bilm.embed(sentences, batch_size=10)
    with h5py.File(folder / "expected_embeddings.hdf5", "r") as expected:
        worst = max(float(np.abs(v - expected[str(i)][...]).max()) for i, v in enumerate(vectors))
    assert worst <= TOLERANCE


def test_carry_mode_depends_on_history_and_reset_restores(reference_bilm, fixtures_dir):
    sentence = [["The", "cat", "sat", "on", "the", "mat", "."]]
    first = reference_bilm.embed_batch(sentence)[0]
    second = reference_bilm.embed_batch(sentence)[0]
    assert np.abs(first[1:] - second[1:]).max() > 1e-4  # carried state changes the contextual layers
    np.testing.assert_array_equal(first[0], second[0])  # ... but never layer 0
    reference_bilm.reset_state()
    np.testing.assert_allclose(reference_bilm.embed_batch(sentence)[0], first, atol=1e-6)
