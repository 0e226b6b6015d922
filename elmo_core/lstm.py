"""
The bidirectional, multi-layer LSTM of ELMo, with cell clipping, a projection of the hidden
state (itself clipped), and residual connections between layers.

Both directions run in one loop over time steps: their weights are stacked on a leading
"direction" axis and each step is a batched matrix product. The backward direction reads every
sequence reversed within its own length, so padding never leaks into it. The input-to-gate
products of all time steps are computed before the loop in one matrix product; per step only the
recurrent product, the fused gate math, the clips and the projection remain.

Cell (TensorFlow gate order i, j, f, o; j is the candidate)::

    c = sigmoid(f + 1) * c_prev + sigmoid(i) * tanh(j);  c = clip(c, cell_clip)
    h = clip((sigmoid(o) * tanh(c)) W_P, proj_clip)
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .config import LSTMConfig

FORGET_BIAS = 1.0


class LSTMState(NamedTuple):
    """Per layer, per direction state: ``cell`` (layers, 2, batch, dim), ``hidden`` (layers, 2, batch, proj)."""

    cell: torch.Tensor
    hidden: torch.Tensor

    def detach(self) -> "LSTMState":
        return LSTMState(self.cell.detach(), self.hidden.detach())


class BiLSTMLayer(nn.Module):
    """One layer, both directions. Weights have a leading direction axis (0 forward, 1 backward)."""

    def __init__(self, input_dim: int, dim: int, projection_dim: int):
        super().__init__()
        self.dim, self.projection_dim = dim, projection_dim
        # W_0 of the hdf5 file, split into its input rows and its recurrent rows.
        self.w_input = nn.Parameter(torch.empty(2, input_dim, 4 * dim))
        self.w_recurrent = nn.Parameter(torch.empty(2, projection_dim, 4 * dim))
        self.bias = nn.Parameter(torch.zeros(2, 4 * dim))
        self.w_projection = nn.Parameter(torch.empty(2, dim, projection_dim))
        for w in (self.w_input, self.w_recurrent, self.w_projection):
            bound = (6.0 / (w.shape[1] + w.shape[2])) ** 0.5
            nn.init.uniform_(w, -bound, bound)


def run_layer(layer: BiLSTMLayer, inputs: torch.Tensor, mask: torch.Tensor,
              cell: torch.Tensor, hidden: torch.Tensor,
              cell_clip: float | None, proj_clip: float | None
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run both directions of one layer over already direction-ordered inputs.

    inputs: (2, batch, time, input_dim); direction 1 is already reversed within each length.
    mask: (batch, time) bool. cell: (2, batch, dim), hidden: (2, batch, proj).
    Returns outputs (2, batch, time, proj) (zero where masked) and the final cell and hidden
    states; a row's state stops changing after its last valid step.
    """
    time = inputs.shape[2]
    # (2, batch, time, 4*dim): every input product at once.
    pre_gates = torch.matmul(inputs, layer.w_input.unsqueeze(1)) + layer.bias[:, None, None, :]
    step_mask = mask.transpose(0, 1).unsqueeze(-1)  # (time, batch, 1)
    outputs = []
    for t in range(time):
        gates = torch.baddbmm(pre_gates[:, :, t], hidden, layer.w_recurrent)
        i, j, f, o = gates.chunk(4, dim=-1)
        new_cell = torch.sigmoid(f + FORGET_BIAS) * cell + torch.sigmoid(i) * torch.tanh(j)
        if cell_clip is not None:
            new_cell = new_cell.clamp(-cell_clip, cell_clip)
        new_hidden = torch.bmm(torch.sigmoid(o) * torch.tanh(new_cell), layer.w_projection)
        if proj_clip is not None:
            new_hidden = new_hidden.clamp(-proj_clip, proj_clip)
        valid = step_mask[t]
        cell = torch.where(valid, new_cell, cell)
        hidden = torch.where(valid, new_hidden, hidden)
        outputs.append(new_hidden * valid)
    return torch.stack(outputs, dim=2), cell, hidden


def reverse_within_lengths(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse (batch, time, ...) along time, each row only within its first ``lengths[row]`` steps."""
    time = x.shape[1]
    steps = torch.arange(time, device=x.device).unsqueeze(0)  # (1, time)
    lengths = lengths.unsqueeze(1)
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)  # (batch, time)
    index = index.view(*index.shape, *([1] * (x.dim() - 2))).expand_as(x)
    return torch.gather(x, 1, index)


class ElmoLSTM(nn.Module):
    """Stacked bidirectional LSTM: token vectors -> one (batch, time, 2*proj) tensor per layer."""

    def __init__(self, config: LSTMConfig):
        super().__init__()
        self.config = config
        p = config.projection_dim
        self.layers = nn.ModuleList(BiLSTMLayer(p, config.dim, p) for _ in range(config.n_layers))

    def zero_state(self, batch: int, device=None, dtype=torch.float32) -> LSTMState:
        c = self.config
        return LSTMState(torch.zeros(c.n_layers, 2, batch, c.dim, device=device, dtype=dtype),
                         torch.zeros(c.n_layers, 2, batch, c.projection_dim, device=device, dtype=dtype))

    def forward_directions(self, inputs: torch.Tensor, mask: torch.Tensor, state: LSTMState,
                           dropout: float = 0.0) -> tuple[list[torch.Tensor], LSTMState]:
        """inputs (2, batch, time, proj), already in each direction's reading order.

        Returns, per layer, (2, batch, time, proj) outputs in reading order, and the final state.
        Used directly by the trainer, whose backward direction reads a reversed text stream.
        """
        outputs, cells, hiddens = [], [], []
        x = inputs
        for index, layer in enumerate(self.layers):
            layer_input = nn.functional.dropout(x, dropout, self.training) if dropout else x
            out, cell, hidden = run_layer(layer, layer_input, mask, state.cell[index], state.hidden[index],
                                          self.config.cell_clip, self.config.proj_clip)
            if self.config.use_skip_connections and index > 0:
                out = out + x
            outputs.append(out)
            cells.append(cell)
            hiddens.append(hidden)
            x = out
        return outputs, LSTMState(torch.stack(cells), torch.stack(hiddens))

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor, state: LSTMState
                ) -> tuple[list[torch.Tensor], LSTMState]:
        """tokens (batch, time, proj), mask (batch, time) -> per layer (batch, time, 2*proj), final state."""
        lengths = mask.sum(dim=1)
        inputs = torch.stack([tokens, reverse_within_lengths(tokens, lengths)])
        outputs, final = self.forward_directions(inputs, mask, state)
        layers = []
        for out in outputs:
            backward = reverse_within_lengths(out[1], lengths)
            layers.append(torch.cat([out[0], backward], dim=-1) * mask.unsqueeze(-1))
        return layers, final
