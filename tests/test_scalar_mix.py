from __future__ import annotations

import pytest
import torch

from elmo_core import ElmoMixes, ScalarMix


def _layers():
    torch.manual_seed(0)
    return torch.randn(3, 2, 5, 4)


def test_initial_mix_is_plain_average():
    layers = _layers()
    mixed = ScalarMix(3)(layers)
    torch.testing.assert_close(mixed, layers.mean(dim=0))


def test_weights_and_gamma_apply():
    layers = _layers()
    mix = ScalarMix(3, initial_weights=[0.0, 0.0, 10.0])
    with torch.no_grad():
        mix.gamma.fill_(2.0)
    s = torch.softmax(torch.tensor([0.0, 0.0, 10.0]), 0)
    torch.testing.assert_close(mix(layers), 2.0 * (s[0] * layers[0] + s[1] * layers[1] + s[2] * layers[2]))


def test_layer_norm_uses_unmasked_elements_only():
    layers = _layers()
    mask = torch.ones(2, 5, dtype=torch.bool)
    mask[1, 3:] = False
    garbage = layers.clone()
    garbage[:, 1, 3:] = 1e6  # masked positions must not change the statistics
    mix = ScalarMix(3, layer_norm=True)
    out_a, out_b = mix(layers, mask), mix(garbage, mask)
    torch.testing.assert_close(out_a[mask], out_b[mask])
    assert (out_b[~mask] == 0).all()
    h = layers[0][mask]
    normalised = (h - h.mean()) / torch.sqrt(h.var(unbiased=False) + 1e-12)
    single = ScalarMix(3, layer_norm=True, initial_weights=[50.0, 0.0, 0.0])(layers, mask)[mask]
    torch.testing.assert_close(single, normalised, atol=1e-4, rtol=1e-4)


def test_regulariser_is_zero_at_uniform_and_positive_elsewhere():
    assert float(ScalarMix(3).regulariser().detach()) == pytest.approx(0.0)
    assert float(ScalarMix(3, initial_weights=[1.0, 0.0, 0.0]).regulariser().detach()) > 0.01


def test_mixes_are_independent_and_trainable():
    layers = _layers()
    mixes = ElmoMixes(3, count=2)
    out = mixes(layers)
    (out[0] * torch.arange(4.0)).sum().backward()
    assert mixes.mixes[0].weights.grad is not None and mixes.mixes[0].weights.grad.abs().sum() > 0
    assert mixes.mixes[1].weights.grad is None


def test_dropout_only_in_training():
    layers = _layers()
    mix = ScalarMix(3, dropout=0.5)
    mix.eval()
    torch.testing.assert_close(mix(layers), layers.mean(dim=0))
    mix.train()
    assert (mix(layers) == 0).float().mean() > 0.2


def test_wrong_layer_count():
    with pytest.raises(ValueError, match="3 layers"):
        ScalarMix(2)(_layers())
