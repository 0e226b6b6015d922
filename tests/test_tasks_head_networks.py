"""Task heads: training-time and evaluation-time features must agree (no dropout bias before the norm)."""
from __future__ import annotations

import pytest
import torch

from elmo_core.tasks.head_networks import HeadConfig, MixConfig, SentenceClassifier, TokenTagger


def _pooled_mean_at_eval(head: SentenceClassifier, layers, mask) -> torch.Tensor:
    captured = {}
    hook = head.norm.register_forward_hook(lambda module, inputs, output: captured.setdefault("x", inputs[0]))
    head.eval()
    with torch.no_grad():
        head(layers, mask)
    hook.remove()
    return captured["x"].mean(0)


@pytest.mark.parametrize("pooling", ["max", "meanmax"])
def test_batch_norm_statistics_fit_evaluation_features(pooling):
    torch.manual_seed(0)
    config = HeadConfig(task="sentiment", num_layers=3, dim=16, num_classes=2, mix=MixConfig("layer1"),
                        pooling=pooling, dropout=0.5)
    head = SentenceClassifier(config)
    layers = torch.randn(3, 256, 12, 16).abs() + 1.0  # positive features with offsets, like LSTM outputs
    mask = torch.ones(256, 12, dtype=torch.bool)
    head.train()
    with torch.no_grad():
        for _ in range(200):  # training-mode passes update the running statistics
            head(layers, mask)
    eval_mean = _pooled_mean_at_eval(head, layers, mask)
    # Dropout before a max would inflate the training features (by up to 1 / (1 - p)), so the
    # running mean would sit far above the evaluation features.
    assert torch.allclose(head.norm.running_mean, eval_mean, atol=0.02)


def test_tagger_normalises_real_tokens_and_keeps_padding_zero():
    torch.manual_seed(1)
    config = HeadConfig(task="pos", num_layers=3, dim=8, num_classes=5, dropout=0.5)
    tagger = TokenTagger(config).eval()
    layers = torch.randn(3, 4, 6, 8)
    mask = torch.tensor([[1] * 6, [1] * 3 + [0] * 3, [1] * 1 + [0] * 5, [1] * 6], dtype=torch.bool)
    logits = tagger(layers, mask)
    assert logits.shape == (4, 6, 5)
    padding = logits[~mask]
    assert torch.allclose(padding, tagger.output.bias.expand_as(padding))  # zero features at padding


def test_ensemble_averages_its_members_logits_and_mix_weights_and_round_trips():
    from elmo_core.tasks.head_networks import HeadEnsemble, build_head, ensemble_of

    torch.manual_seed(2)
    config = HeadConfig(task="sentiment", num_layers=3, dim=8, num_classes=2, pooling="bilstm", static_dim=4)
    heads = [build_head(config).eval() for _ in range(3)]
    with torch.no_grad():
        for i, head in enumerate(heads):
            head.mix.mix.weights.copy_(torch.tensor([float(i), 0.0, 0.0]))  # different mixes
    layers, mask, static = torch.randn(3, 5, 7, 8), torch.ones(5, 7, dtype=torch.bool), torch.randn(5, 7, 4)
    mask[1, 4:] = False
    ensemble = ensemble_of(heads)
    assert isinstance(ensemble, HeadEnsemble) and ensemble.config.members == 3
    with torch.no_grad():
        expected = torch.stack([h(layers, mask, static) for h in heads]).mean(0)
        assert torch.allclose(ensemble(layers, mask, static), expected, atol=1e-6)
        assert not torch.allclose(heads[0](layers, mask, static), expected, atol=1e-3)  # the members differ
    weights = [h.mix.weights() for h in heads]
    assert ensemble.mix.weights() == pytest.approx([sum(w) / 3 for w in zip(*weights)])
    rebuilt = build_head(HeadConfig.from_dict(ensemble.config.to_dict())).eval()
    rebuilt.load_state_dict(ensemble.state_dict())
    with torch.no_grad():
        assert torch.allclose(rebuilt(layers, mask, static), expected, atol=1e-6)
    with pytest.raises(ValueError, match="share one config"):
        ensemble_of([heads[0], build_head(HeadConfig(task="sentiment", num_layers=3, dim=8, num_classes=2))])
    with pytest.raises(ValueError, match="members"):
        HeadConfig(task="sentiment", num_layers=3, dim=8, num_classes=2, members=0)
