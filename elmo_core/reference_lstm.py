"""
A deliberately plain implementation of the ELMo biLM forward pass, written directly from the
semantics in ``ELMO_FORMAT.md``, in the style of the public reference implementations:

- the character CNN convolves all ``max_chars`` positions of every (batch, time) position,
  padding included; no window trimming, no de-duplication, no cache;
- every LSTM layer and direction runs its own Python loop over time steps; each step multiplies
  the step input and the previous hidden state separately, and computes every gate on its own;
- the backward direction walks the time steps from the end, only over rows still inside their
  length (sorted by length as the reference does), instead of reversing the sequences.

It exists as a baseline for ``benchmarks/bench.py`` and as an independent check of the fast
path in ``tests/test_fast_paths.py``. It reads the weights of an :class:`ElmoModel` and holds no
state of its own. It is slow on purpose: never use it for real work.
"""
from __future__ import annotations

import torch

from .chars import batch_to_ids
from .lstm import LSTMState
from .model import ElmoModel


def reference_token_vectors(model: ElmoModel, char_ids: torch.Tensor) -> torch.Tensor:
    """(batch, time, max_chars) -> (batch, time, P); full-width convolution over every position."""
    cnn = model.char_cnn
    batch, time, max_chars = char_ids.shape
    ids = char_ids.reshape(-1, max_chars)
    embedded = cnn.char_embedding[ids]  # (n, max_chars, E)
    embedded = embedded.transpose(1, 2)  # (n, E, max_chars)
    pooled = []
    for conv in cnn.convolutions:
        convolved = torch.nn.functional.conv1d(embedded, conv.weight, conv.bias)  # (n, num, positions)
        best, _ = torch.max(convolved, dim=2)
        if cnn.config.activation == "relu":
            best = torch.relu(best)
        else:
            best = torch.tanh(best)
        pooled.append(best)
    x = torch.cat(pooled, dim=1)
    for highway in cnn.highways:
        carry_gate = torch.sigmoid(torch.matmul(x, highway.w_carry) + highway.b_carry)
        transformed = torch.relu(torch.matmul(x, highway.w_transform) + highway.b_transform)
        x = carry_gate * transformed + (1.0 - carry_gate) * x
    if cnn.projection is not None:
        x = torch.matmul(x, cnn.projection.weight.t()) + cnn.projection.bias
    return x.reshape(batch, time, -1)


def reference_direction(inputs: torch.Tensor, lengths: list[int], w_input: torch.Tensor,
                        w_recurrent: torch.Tensor, bias: torch.Tensor, w_projection: torch.Tensor,
                        cell: torch.Tensor, hidden: torch.Tensor, cell_clip: float | None,
                        proj_clip: float | None, forward: bool
                        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One LSTM layer, one direction, rows sorted by decreasing length.

    inputs (batch, time, in_dim); cell (batch, H); hidden (batch, P). Returns outputs
    (batch, time, P) (zero beyond each length) and the final cell and hidden state of each row.
    """
    batch, time, _ = inputs.shape
    dim = cell.shape[1]
    outputs = inputs.new_zeros(batch, time, w_projection.shape[1])
    memory = cell.clone()
    state = hidden.clone()
    active = batch
    for step in range(time):
        index = step if forward else time - 1 - step
        if forward:
            while active > 0 and lengths[active - 1] <= index:
                active -= 1
        else:
            active = sum(1 for length in lengths if length > index)
        if active == 0:
            continue
        previous_memory = memory[:active].clone()
        previous_state = state[:active].clone()
        step_input = inputs[:active, index]
        projected_input = torch.matmul(step_input, w_input)
        projected_state = torch.matmul(previous_state, w_recurrent)
        total = projected_input + projected_state + bias
        input_gate = torch.sigmoid(total[:, 0 * dim : 1 * dim])
        candidate = torch.tanh(total[:, 1 * dim : 2 * dim])
        forget_gate = torch.sigmoid(total[:, 2 * dim : 3 * dim] + 1.0)
        output_gate = torch.sigmoid(total[:, 3 * dim : 4 * dim])
        new_memory = input_gate * candidate + forget_gate * previous_memory
        if cell_clip is not None:
            new_memory = torch.clamp(new_memory, -cell_clip, cell_clip)
        pre_projection = output_gate * torch.tanh(new_memory)
        new_state = torch.matmul(pre_projection, w_projection)
        if proj_clip is not None:
            new_state = torch.clamp(new_state, -proj_clip, proj_clip)
        memory = memory.clone()
        state = state.clone()
        memory[:active] = new_memory
        state[:active] = new_state
        outputs[:active, index] = new_state
    return outputs, memory, state


def reference_forward(model: ElmoModel, sentences: list[list[str]], state: LSTMState | None = None
                      ) -> tuple[list[torch.Tensor], LSTMState]:
    """Token lists -> per sentence (layers + 1, n_tokens, 2P) tensors in input order, final state.

    ``state`` (layers, 2, batch, ...) is the initial state of each row (``None``: zeros); the
    returned state is indexed by input row, as the reference carries it to the next batch.
    """
    config = model.config.lstm
    framed = [["<S>", *s, "</S>"] for s in sentences]
    char_ids = batch_to_ids(framed, model.config.char_cnn.max_characters_per_token)
    with torch.no_grad():
        tokens = reference_token_vectors(model, char_ids)  # (batch, time, P)
        lengths_all = [len(s) for s in framed]
        order = sorted(range(len(framed)), key=lambda i: -lengths_all[i])
        lengths = [lengths_all[i] for i in order]
        sorted_tokens = tokens[order]
        batch, time = sorted_tokens.shape[:2]
        mask = torch.zeros(batch, time, 1)
        for row, length in enumerate(lengths):
            mask[row, :length] = 1.0
        sorted_tokens = sorted_tokens * mask
        if state is None:
            cells = torch.zeros(config.n_layers, 2, batch, config.dim)
            hiddens = torch.zeros(config.n_layers, 2, batch, config.projection_dim)
        else:
            cells, hiddens = state.cell[:, :, order], state.hidden[:, :, order]
        layer_outputs = [torch.cat([sorted_tokens, sorted_tokens], dim=-1)]
        final_cells = torch.zeros_like(cells)
        final_hiddens = torch.zeros_like(hiddens)
        forward_input, backward_input = sorted_tokens, sorted_tokens
        for index, layer in enumerate(model.lstm.layers):
            directions = []
            for d, layer_input in ((0, forward_input), (1, backward_input)):
                out, cell, hidden = reference_direction(
                    layer_input, lengths, layer.w_input[d], layer.w_recurrent[d], layer.bias[d],
                    layer.w_projection[d], cells[index, d], hiddens[index, d],
                    config.cell_clip, config.proj_clip, forward=(d == 0))
                if config.use_skip_connections and index > 0:
                    out = out + layer_input
                directions.append(out)
                final_cells[index, d] = cell
                final_hiddens[index, d] = hidden
            forward_input, backward_input = directions
            layer_outputs.append(torch.cat(directions, dim=-1) * mask)
        stacked = torch.stack(layer_outputs)  # (layers + 1, batch, time, 2P), sorted rows
        results: list[torch.Tensor] = [None] * batch  # type: ignore[list-item]
        for row, original in enumerate(order):
            results[original] = stacked[:, row, 1 : lengths[row] - 1].clone()
        unsort = [order.index(i) for i in range(batch)]
        final = LSTMState(final_cells[:, :, unsort], final_hiddens[:, :, unsort])
    return results, final


class ReferenceBiLM:
    """The plain path with the same state policies as :class:`~elmo_core.bilm.BiLM`.

    ``state`` is ``"zero"`` or ``"carry"`` (rows start from the final state of the same row in
    the previous batch; rows beyond the stored ones start from zeros).
    """

    def __init__(self, model: ElmoModel, state: str = "zero"):
        if state not in ("zero", "carry"):
            raise ValueError("the reference supports state 'zero' or 'carry'")
        self.model = model.eval()
        self.state_mode = state
        self._carried: LSTMState | None = None

    def reset_state(self) -> None:
        self._carried = None

    def embed_batch(self, sentences: list[list[str]]) -> list:
        state = None
        if self.state_mode == "carry" and self._carried is not None:
            config = self.model.config.lstm
            batch = len(sentences)
            cells = torch.zeros(config.n_layers, 2, batch, config.dim)
            hiddens = torch.zeros(config.n_layers, 2, batch, config.projection_dim)
            rows = min(batch, self._carried.cell.shape[2])
            cells[:, :, :rows] = self._carried.cell[:, :, :rows]
            hiddens[:, :, :rows] = self._carried.hidden[:, :, :rows]
            state = LSTMState(cells, hiddens)
        results, final = reference_forward(self.model, sentences, state)
        if self.state_mode == "carry":
            if self._carried is None or self._carried.cell.shape[2] <= final.cell.shape[2]:
                self._carried = final
            else:
                rows = final.cell.shape[2]
                self._carried.cell[:, :, :rows] = final.cell
                self._carried.hidden[:, :, :rows] = final.hidden
        return [r.numpy() for r in results]

    def embed(self, sentences: list[list[str]], batch_size: int = 64) -> list:
        """Input order, batches of ``batch_size`` (empty sentences are not supported here)."""
        results = []
        for start in range(0, len(sentences), batch_size):
            results.extend(self.embed_batch(sentences[start : start + batch_size]))
        return results
