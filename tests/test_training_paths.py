"""The faster training paths compute exactly what the plain ones do: the fused LSTM time loop
(outputs and every gradient, float64) and the length-bucketed character CNN (values and gradients
against the library's 1-d convolution)."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from elmo_core import lstm as lstm_module
from elmo_core.char_cnn import CharCNN
from elmo_core.chars import batch_to_ids
from elmo_core.config import CharCNNConfig
from elmo_core.fused_lstm import lstm_layer_sequence


def _layer_outputs_and_grads(fused: bool, clip: float | None):
    torch.manual_seed(0)
    layer = lstm_module.BiLSTMLayer(12, 10, 6).double()
    x = torch.randn(2, 3, 5, 12, dtype=torch.double, requires_grad=True)
    cell = torch.randn(2, 3, 10, dtype=torch.double, requires_grad=True)
    hidden = torch.randn(2, 3, 6, dtype=torch.double, requires_grad=True)
    mask = torch.ones(3, 5, dtype=torch.bool)
    previous = lstm_module.FUSED_TRAINING_LOOP
    lstm_module.FUSED_TRAINING_LOOP = fused
    try:
        out, final_cell, final_hidden = lstm_module.run_layer(layer, x, mask, cell, hidden, clip, clip)
    finally:
        lstm_module.FUSED_TRAINING_LOOP = previous
    weights = torch.linspace(-1, 1, out.numel(), dtype=torch.double).view_as(out)
    loss = (out * weights).sum() + final_cell.cos().sum() + final_hidden.sin().sum()
    grads = torch.autograd.grad(loss, [x, cell, hidden, *layer.parameters()])
    return (out, final_cell, final_hidden), grads


@pytest.mark.parametrize("clip", [None, 0.2])
def test_fused_loop_matches_the_plain_autograd_loop(clip):
    values_fused, grads_fused = _layer_outputs_and_grads(True, clip)
    values_plain, grads_plain = _layer_outputs_and_grads(False, clip)
    for a, b in zip(values_fused, values_plain):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert len(grads_fused) == 7
    for a, b in zip(grads_fused, grads_plain):
        assert a.abs().sum() > 0
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_fused_loop_passes_gradcheck_with_clipping():
    torch.manual_seed(1)
    args = [torch.randn(2, 3, 4, 16, dtype=torch.double, requires_grad=True),
            torch.randn(2, 2, 16, dtype=torch.double, requires_grad=True),
            torch.randn(2, 4, 2, dtype=torch.double, requires_grad=True),
            torch.randn(2, 3, 4, dtype=torch.double, requires_grad=True),
            torch.randn(2, 3, 2, dtype=torch.double, requires_grad=True)]
    assert torch.autograd.gradcheck(lambda *a: lstm_layer_sequence(*a, 1.0, 0.5, 0.5), args)


def _conv_reference(cnn: CharCNN, ids: torch.Tensor) -> torch.Tensor:
    """Layer 0 with the library's 1-d convolution over all max_chars positions: no trimming."""
    embedded = nn.functional.embedding(ids, cnn.char_embedding).transpose(1, 2)
    x = torch.cat([cnn._activation(conv(embedded).amax(dim=2)) for conv in cnn.convolutions], dim=1)
    for highway in cnn.highways:
        x = highway(x)
    return cnn.projection(x) if cnn.projection is not None else x


def test_bucketed_char_cnn_matches_the_full_convolution_values_and_gradients():
    torch.manual_seed(2)
    config = CharCNNConfig(embedding_dim=4, filters=((1, 4), (2, 4), (3, 8), (5, 6)))
    cnn = CharCNN(config, 8).double()
    words = ["a", "saw", "banks", "riverside", "internationalisation", "x" * 60, "électricité", "I", "of"]
    ids = batch_to_ids([words])[0]  # (n, 50): every length bucket is used
    trained = cnn(ids.unsqueeze(0))[0]
    reference = _conv_reference(cnn, ids)
    torch.testing.assert_close(trained, reference, rtol=0, atol=1e-12)
    with torch.no_grad():
        torch.testing.assert_close(cnn(ids.unsqueeze(0))[0], reference, rtol=0, atol=1e-12)
    weights = torch.linspace(-1, 1, trained.numel(), dtype=torch.double).view_as(trained)
    params = [cnn.char_embedding, *(p for conv in cnn.convolutions for p in conv.parameters())]
    fast = torch.autograd.grad((trained * weights).sum(), params)
    slow = torch.autograd.grad((_conv_reference(cnn, ids) * weights).sum(), params)
    for a, b in zip(fast, slow):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
