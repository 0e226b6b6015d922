"""zero and warm modes: a sentence's vectors never depend on batch composition, padding or order."""
from __future__ import annotations

import numpy as np
import pytest

import elmo_core
from sample_sentences import ENGLISH

SENTENCES = ENGLISH


@pytest.fixture(params=["zero", "warm"])
def bilm(request, reference_dir):
    return elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5",
                                state=request.param, device="cpu")


def test_alone_in_batches_and_after_other_batches_identical(bilm):
    target = SENTENCES[1]
    alone = bilm.embed([target])[0]
    in_batch = bilm.embed(SENTENCES, batch_size=5)[1]
    reordered = bilm.embed(SENTENCES[::-1], batch_size=2)[-2]
    bilm.embed([["Something", "else", "first", "."]] * 7)
    after = bilm.embed([target])[0]
    for other in (in_batch, reordered, after):
        assert np.abs(alone - other).max() <= 1e-5


def test_warm_state_is_not_zero_and_is_deterministic(reference_dir):
    a = elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5", state="warm")
    b = elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5", state="warm")
    z = elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5", state="zero")
    assert float(a.warm_state().hidden.abs().sum()) > 0
    va, vb, vz = (m.embed([SENTENCES[0]])[0] for m in (a, b, z))
    np.testing.assert_array_equal(va, vb)
    assert np.abs(va[1:] - vz[1:]).max() > 1e-4  # the warm start really changes contextual layers
    np.testing.assert_allclose(va[0], vz[0], atol=1e-6)  # layer 0 is context-free


def test_output_shapes_and_order(bilm):
    vectors = bilm.embed(SENTENCES, batch_size=2)
    assert [v.shape for v in vectors] == [(3, len(s), 32) for s in SENTENCES]
    assert all(v.dtype == np.float32 for v in vectors)


def test_layer_zero_is_context_free(bilm):
    vectors = bilm.embed([["I", "saw", "a", "saw", "."]])[0]
    np.testing.assert_allclose(vectors[0, 1], vectors[0, 3], atol=1e-6)
    assert np.abs(vectors[1:, 1] - vectors[1:, 3]).max() > 1e-4


def test_unknown_state_mode_rejected(reference_dir):
    with pytest.raises(ValueError, match="state must be one of"):
        elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5", state="sticky")
