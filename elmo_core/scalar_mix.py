"""
Scalar mix of biLM layers, as in ELMo (Peters et al., 2018, eq. 1)::

    mix = gamma * sum_k softmax(w)_k * h_k        (w initialised to 0, gamma to 1)

With ``layer_norm`` every layer tensor is first normalised with one mean and variance over all of
its unmasked elements. :class:`ElmoMixes` holds several independent mixes (one per task or
per position in a task model) over a single biLM run.
"""
from __future__ import annotations

import torch
from torch import nn


class ScalarMix(nn.Module):
    def __init__(self, num_layers: int, *, layer_norm: bool = False, trainable: bool = True,
                 initial_weights: list[float] | None = None, dropout: float = 0.0):
        super().__init__()
        init = torch.tensor(initial_weights if initial_weights is not None else [0.0] * num_layers)
        if init.numel() != num_layers:
            raise ValueError(f"initial_weights has {init.numel()} values for {num_layers} layers")
        self.weights = nn.Parameter(init.float(), requires_grad=trainable)
        self.gamma = nn.Parameter(torch.ones(()), requires_grad=trainable)
        self.layer_norm = layer_norm
        self.dropout = nn.Dropout(dropout)

    def normalised_weights(self) -> torch.Tensor:
        """softmax(w): (num_layers,)."""
        return torch.softmax(self.weights, dim=0)

    def regulariser(self) -> torch.Tensor:
        """``||w - 1/L||^2`` on the softmax weights; multiply by lambda and add to the loss."""
        s = self.normalised_weights()
        return ((s - 1.0 / s.numel()) ** 2).sum()

    @staticmethod
    def _normalise(h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask.unsqueeze(-1).to(h.dtype)  # (batch, time, 1)
        count = m.sum() * h.shape[-1]
        mean = (h * m).sum() / count
        var = (((h - mean) * m) ** 2).sum() / count
        return (h - mean) / torch.sqrt(var + 1e-12)

    def forward(self, layers: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """layers (num_layers, batch, time, dim), mask (batch, time) -> (batch, time, dim)."""
        if layers.shape[0] != self.weights.numel():
            raise ValueError(f"got {layers.shape[0]} layers, the mix was built for {self.weights.numel()}")
        if self.layer_norm:
            if mask is None:
                mask = torch.ones(layers.shape[1:3], dtype=torch.bool, device=layers.device)
            layers = torch.stack([self._normalise(h, mask) for h in layers])
        s = self.normalised_weights().to(layers.dtype)
        mixed = self.gamma * torch.einsum("l,lbtd->btd", s, layers)
        if mask is not None:
            mixed = mixed * mask.unsqueeze(-1).to(mixed.dtype)
        return self.dropout(mixed)


class ElmoMixes(nn.Module):
    """``count`` independent scalar mixes applied to one set of biLM layers."""

    def __init__(self, num_layers: int, count: int = 1, **mix_options):
        super().__init__()
        self.mixes = nn.ModuleList(ScalarMix(num_layers, **mix_options) for _ in range(count))

    def forward(self, layers: torch.Tensor, mask: torch.Tensor | None = None) -> list[torch.Tensor]:
        return [mix(layers, mask) for mix in self.mixes]
