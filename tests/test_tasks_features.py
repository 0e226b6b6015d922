"""The feature cache embeds a dataset once per model and reads it back afterwards."""
import numpy as np
import pytest

from elmo_core.tasks.features import FeatureCache, fingerprint_bilm, load_model, texts_hash

SENTENCES = [["A", "fine", "film", "."], ["Dull", "."], ["It", "rains", "and", "rains", "!"]]


@pytest.fixture(scope="module")
def tiny(reference_dir):
    return load_model(reference_dir, state="warm")


def test_second_request_reads_cache_without_embedding(tiny, tmp_path):
    cache = FeatureCache(tmp_path)
    first = cache.get(tiny.bilm, tiny.fingerprint, "toy", SENTENCES)
    second = cache.get(tiny.bilm, tiny.fingerprint, "toy", SENTENCES)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert cache.embed_runs == 1
    assert first.path == second.path and first.path.parent.parent == tmp_path
    for a, b, s in zip(first.arrays, second.arrays, SENTENCES):
        assert a.shape == (3, len(s), tiny.bilm.output_dim) and a.dtype == np.float16
        np.testing.assert_array_equal(a, b)


def test_cached_features_match_direct_embedding(tiny, tmp_path):
    features = FeatureCache(tmp_path).get(tiny.bilm, tiny.fingerprint, "toy", SENTENCES, dtype="float32",
                                          chunk_size=2, batch_size=1)
    direct = tiny.bilm.embed(SENTENCES)
    for a, b in zip(features.arrays, direct):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_key_depends_on_texts_model_and_name(tiny, tmp_path):
    cache = FeatureCache(tmp_path)
    base = cache.path_for(tiny.fingerprint, "toy", SENTENCES)
    assert cache.path_for(tiny.fingerprint, "toy", SENTENCES[:2]) != base
    assert cache.path_for("0" * 64, "toy", SENTENCES) != base
    assert cache.path_for(tiny.fingerprint, "other", SENTENCES) != base
    assert texts_hash([["a b"]]) != texts_hash([["a", "b"]])


def test_fingerprints_are_stable_and_see_weight_changes(tiny, reference_dir):
    assert load_model(reference_dir).fingerprint == tiny.fingerprint
    assert load_model(reference_dir, state="zero").fingerprint != tiny.fingerprint
    a = fingerprint_bilm(tiny.bilm)
    import copy

    import torch

    from elmo_core import BiLM

    other = BiLM(copy.deepcopy(tiny.bilm.model), state=tiny.bilm.state_mode)
    with torch.no_grad():
        next(other.model.parameters()).add_(1.0)
    assert fingerprint_bilm(tiny.bilm) == a != fingerprint_bilm(other)


def test_progress_callback_and_bad_dtype(tiny, tmp_path):
    seen = []
    FeatureCache(tmp_path).get(tiny.bilm, tiny.fingerprint, "toy", SENTENCES, chunk_size=2,
                               progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 3), (3, 3)]
    with pytest.raises(ValueError):
        FeatureCache(tmp_path).get(tiny.bilm, tiny.fingerprint, "toy", SENTENCES, dtype="int8")
