"""
The bidirectional, multi-layer LSTM of ELMo, with cell clipping, a projection of the hidden
state (itself clipped), and residual connections between layers.

Both directions run in one loop over time steps: their weights are stacked on a leading
"direction" axis and each step is a batched matrix product. The backward direction reads every
sequence reversed within its own length, so padding never leaks into it. The input-to-gate
products of all time steps are computed before the loop in one matrix product; per step only the
recurrent product, the fused gate math, the clips and the projection remain.

Two implementations, same results (within float rounding, checked in tests/test_fast_paths.py):

- :func:`run_layer` (autograd on; the trainer): masked full-batch steps, differentiable.
- :func:`run_layer_packed` (autograd off; inference): rows sorted by length and stored in a
  packed layout (:class:`StepSchedule`), so step t touches only the rows still inside their
  length, padding costs nothing and no per-step masking is needed; weights pre-packed with the
  gate columns reordered (i, f, o, j) and the forget bias folded in, so one sigmoid covers three
  gates; everything updated in place; input products computed per chunk of steps, which bounds
  memory for any sentence length. The step loop runs eagerly or under TorchScript
  (:func:`set_time_loop`).

Cell (TensorFlow gate order i, j, f, o; j is the candidate)::

    c = sigmoid(f + 1) * c_prev + sigmoid(i) * tanh(j);  c = clip(c, cell_clip)
    h = clip((sigmoid(o) * tanh(c)) W_P, proj_clip)
"""
from __future__ import annotations

from typing import List, NamedTuple

import torch
from torch import nn

from .fused_lstm import lstm_layer_sequence
from .config import LSTMConfig
from .param_versions import parameters_key
from .workspace import scratch

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
        self._packed: tuple | None = None

    def packed(self, dtype: torch.dtype | None = None) -> "PackedLayer":
        """Inference copies of the weights with the gate columns reordered to (i, f, o, j) and the
        forget bias folded into the bias, so one sigmoid covers three gates.

        Cached; rebuilt when a parameter is replaced or changed in place (its version counter
        moves), so fine-tuning and ``load_weights`` never leave a stale copy behind.
        """
        params = (self.w_input, self.w_recurrent, self.bias, self.w_projection)
        dtype = dtype or self.w_input.dtype
        key = parameters_key(params) + (dtype, self.w_input.device)
        if self._packed is not None and self._packed[0] == key:
            return self._packed[1]
        with torch.no_grad():
            h = self.dim
            order = torch.cat([torch.arange(0, h), torch.arange(2 * h, 4 * h), torch.arange(h, 2 * h)])
            order = order.to(self.w_input.device)
            bias = self.bias.detach().clone()
            bias[:, 2 * h : 3 * h] += FORGET_BIAS
            w_input = self.w_input.detach()[:, :, order]
            packed = PackedLayer(
                w_input_bias=torch.cat([w_input, bias[:, order].unsqueeze(1)], dim=1).to(dtype).contiguous(),
                w_recurrent=self.w_recurrent.detach()[:, :, order].to(dtype).contiguous(),
                bias=bias[:, order].to(dtype).contiguous(),
                w_projection=self.w_projection.detach().to(dtype).contiguous(),
            )
        self._packed = (key, packed)
        return packed


class PackedLayer(NamedTuple):
    """Inference weights of one layer; gate order (i, f, o, j), forget bias included."""

    w_input_bias: torch.Tensor  # (2, input_dim + 1, 4H): w_input with the bias as its last row
    w_recurrent: torch.Tensor  # (2, P, 4H)
    bias: torch.Tensor  # (2, 4H)
    w_projection: torch.Tensor  # (2, H, P)


# The trainer's full windows run through :mod:`elmo_core.fused_lstm` (False: the plain autograd
# loop below, kept as the reference that the fused loop is tested and benchmarked against).
FUSED_TRAINING_LOOP = True


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
    _, batch, time, input_dim = inputs.shape
    # (2, batch, time, 4*dim): every input product at once, one batched product per direction
    # (a broadcast matmul against w_input.unsqueeze(1) would copy the weights once per row).
    pre_gates = torch.baddbmm(layer.bias.unsqueeze(1), inputs.reshape(2, batch * time, input_dim),
                              layer.w_input).view(2, batch, time, -1)
    if FUSED_TRAINING_LOOP and bool(mask.all()):  # training windows: no padding; one autograd node for the whole loop
        return lstm_layer_sequence(pre_gates, layer.w_recurrent, layer.w_projection, cell, hidden,
                                   FORGET_BIAS, cell_clip, proj_clip)
    # unbind, not pre_gates[:, :, t]: the backward of one unbind stacks the step gradients once,
    # where each indexing step's backward would zero-fill a gradient of the full (2, B, T, 4H) size.
    step_inputs = pre_gates.unbind(2)
    step_mask = mask.transpose(0, 1).unsqueeze(-1)  # (time, batch, 1)
    outputs = []
    for t in range(time):
        gates = torch.baddbmm(step_inputs[t], hidden, layer.w_recurrent)
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



# Bytes of input-to-gate products computed at once by the inference path: the time loop takes
# its input products from chunks of steps, so memory stays bounded for any sentence length.
PRE_GATE_CHUNK_BYTES = 64 * 2**20
# Largest table of first-layer input products (per distinct word) that forward_table builds.
TABLE_PRODUCT_BYTES = 128 * 2**20


def prefix_lengths(mask: torch.Tensor) -> torch.Tensor | None:
    """Lengths (batch,) if every row of ``mask`` is a run of True followed by False, else None."""
    lengths = mask.sum(dim=1)
    steps = torch.arange(mask.shape[1], device=mask.device).unsqueeze(0)
    if not bool(torch.equal(steps < lengths.unsqueeze(1), mask.bool())):
        return None
    return lengths


class StepSchedule:
    """Which rows run at each step, for rows sorted by decreasing length (a packed-sequence layout).

    At step t the first ``active[t]`` rows are inside their length. The packed layout stores, per
    direction, the valid (row, step) positions step after step: step t occupies rows
    ``offsets[t] : offsets[t] + active[t]``, so each step reads and writes one contiguous block and
    padding is never computed.
    """

    def __init__(self, lengths: list[int], time: int, device: torch.device):
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise ValueError("StepSchedule needs lengths in non-increasing order")
        self.lengths, self.time, self.batch = lengths, time, len(lengths)
        self.active = []
        count = len(lengths)
        for t in range(time):  # lengths are sorted: drop the rows that ended before step t
            while count and lengths[count - 1] <= t:
                count -= 1
            self.active.append(count)
        self.offsets = [0]
        for count in self.active:
            self.offsets.append(self.offsets[-1] + count)
        self.total = self.offsets[-1]
        # Position of packed entry k in a flattened (batch * time) tensor, batch-major.
        flat = [row * time + t for t in range(time) for row in range(self.active[t])]
        self.index = torch.tensor(flat, dtype=torch.long, device=device)
        # Packed position of each started row's last step; rows of length 0 never start.
        self.started = sum(1 for length in lengths if length > 0)
        last = [self.offsets[lengths[row] - 1] + row for row in range(self.started)]
        self.last = torch.tensor(last, dtype=torch.long, device=device)

    def pack(self, x: torch.Tensor) -> torch.Tensor:
        """(2, batch, time, D) -> (2, total, D)."""
        return x.reshape(x.shape[0], -1, x.shape[-1]).index_select(1, self.index)

    def unpack(self, packed: torch.Tensor) -> torch.Tensor:
        """(2, total, D) -> (2, batch, time, D), zeros outside the lengths."""
        full = packed.new_zeros(packed.shape[0], self.batch * self.time, packed.shape[-1])
        full.index_copy_(1, self.index, packed)
        return full.view(packed.shape[0], self.batch, self.time, packed.shape[-1])


def _clip_or_nan(clip: float | None) -> float:
    return float("nan") if clip is None else float(clip)


def _time_loop_eager(pre: torch.Tensor, table_rows: torch.Tensor, previous: torch.Tensor, cell: torch.Tensor,
                     w_recurrent: torch.Tensor, w_projection: torch.Tensor, outputs: torch.Tensor,
                     active: List[int], begins: List[int], base: int, dim: int,
                     cell_clip: float, proj_clip: float, gates_buffer: torch.Tensor,
                     hidden_buffer: torch.Tensor) -> torch.Tensor:
    """The steps of one chunk. The input products (bias included; gate order i, f, o, j) are
    either ``pre`` (2, rows, 4H), one row per packed position of the chunk (``table_rows``
    empty), or rows of a table ``pre`` (2V, 4H) picked by ``table_rows`` (2, rows). ``cell``
    (2, batch, H) and ``outputs`` (2, total, P) are updated in place. A clip of NaN means "no
    clip". Returns the hidden state after the last step (a view of ``outputs``). Written for
    TorchScript too.

    Each step's gates and hidden state are computed into contiguous scratch (``gates_buffer``
    of 2 * batch * 4H numbers, ``hidden_buffer`` of 2 * batch * P): a step's slice of ``pre`` or
    ``outputs`` spans both directions with a gap between them, and a batched matrix product
    *into* such a strided tensor runs on one thread only (measured 1.75x slower on 2 threads)."""
    for k in range(len(active)):
        n = active[k]
        begin = begins[k]
        gates = gates_buffer[: 2 * n * 4 * dim].view(2, n, 4 * dim)
        if table_rows.numel() > 0:
            torch.index_select(pre, 0, table_rows[:, begin : begin + n].reshape(-1), out=gates.view(2 * n, 4 * dim))
            gates.baddbmm_(previous[:, :n], w_recurrent)
        else:
            torch.bmm(previous[:, :n], w_recurrent, out=gates)
            gates.add_(pre[:, begin : begin + n])
        gates[:, :, : 3 * dim].sigmoid_()
        candidate = gates[:, :, 3 * dim :].tanh_()
        c = cell[:, :n]
        c.mul_(gates[:, :, dim : 2 * dim]).addcmul_(gates[:, :, :dim], candidate)
        if cell_clip == cell_clip:  # not NaN
            c.clamp_(-cell_clip, cell_clip)
        squashed = torch.tanh(c).mul_(gates[:, :, 2 * dim : 3 * dim])
        new_hidden = hidden_buffer[: 2 * n * w_projection.shape[2]].view(2, n, w_projection.shape[2])
        torch.bmm(squashed, w_projection, out=new_hidden)
        if proj_clip == proj_clip:
            new_hidden.clamp_(-proj_clip, proj_clip)
        outputs[:, base + begin : base + begin + n].copy_(new_hidden)
        previous = new_hidden
    n_last = active[len(active) - 1]
    last = begins[len(begins) - 1]
    return outputs[:, base + last : base + last + n_last]


#: "eager", "script" or "auto" (TorchScript for chunks whose steps run at most
#: AUTO_SCRIPT_MAX_ROWS rows, eager above). On an idle 2-core CPU TorchScript was faster at every
#: batch size measured (1 to 256 rows: 5-25%, see benchmarks/RESULTS.md), so the bound only keeps
#: very large batches, where the matrix products dominate, on the plain loop.
_TIME_LOOP_MODE = "auto"
AUTO_SCRIPT_MAX_ROWS = 1024
_SCRIPTED_LOOP = None  # None: not tried yet; False: TorchScript unavailable


def _scripted_loop():
    global _SCRIPTED_LOOP
    if _SCRIPTED_LOOP is None:
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch.jit.script is deprecated in torch 2.x
                _SCRIPTED_LOOP = torch.jit.script(_time_loop_eager)
        except Exception:  # TorchScript missing or unable to compile: stay eager
            _SCRIPTED_LOOP = False
    return _SCRIPTED_LOOP or None


def set_time_loop(mode: str) -> str:
    """Choose how the inference time loop runs: ``"eager"`` (a Python loop of ATen calls),
    ``"script"`` (the same loop compiled by TorchScript: no Python between the steps) or
    ``"auto"`` (the default: TorchScript for small batches, eager for large ones). Falls back to
    eager when TorchScript is unavailable. Returns the mode in use. All modes give bit-identical
    results; ``benchmarks/bench.py`` measures them."""
    global _TIME_LOOP_MODE
    if mode not in ("eager", "script", "auto"):
        raise ValueError(f"time loop mode must be 'eager', 'script' or 'auto', got {mode!r}")
    if mode != "eager" and _scripted_loop() is None:
        mode = "eager"
    _TIME_LOOP_MODE = mode
    return mode


def time_loop(rows: int = 1):
    """The loop function for a chunk whose first step runs ``rows`` rows."""
    mode = _TIME_LOOP_MODE
    if mode == "auto":
        mode = "script" if rows <= AUTO_SCRIPT_MAX_ROWS else "eager"
    if mode == "script":
        scripted = _scripted_loop()
        if scripted is not None:
            return scripted
    return _time_loop_eager


def run_layer_packed(packed: PackedLayer, inputs: torch.Tensor | None, schedule: StepSchedule,
                     cell: torch.Tensor, hidden: torch.Tensor,
                     cell_clip: float | None, proj_clip: float | None,
                     table_products: tuple[torch.Tensor, torch.Tensor] | None = None
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """:func:`run_layer` for inference (no autograd) on the packed layout of ``schedule``.

    inputs (2, total, input_dim) packed; cell (2, batch, H), hidden (2, batch, P) in the
    schedule's (length-sorted) row order. Returns packed outputs (2, total, P) and the final cell
    and hidden state of every row (a row's state stops at its last step).

    Per step: one recurrent product, one sigmoid over three gates (columns reordered to
    i, f, o, j), one tanh, the cell update in place, the clip, and the projection. The input
    products come from one matrix product per chunk of steps (chunks bound the memory), or, with
    ``table_products`` = (products (2 * V, 4H) of V distinct input vectors per direction, row
    of each packed position (2, total) with direction 1 offset by V), are gathered from there.
    """
    total = schedule.total
    dim = packed.w_recurrent.shape[2] // 4
    dtype = packed.w_recurrent.dtype
    device = packed.w_recurrent.device
    if inputs is not None:
        inputs = inputs.to(dtype)
    outputs = torch.empty(2, total, packed.w_projection.shape[2], dtype=dtype, device=device)
    cell = cell.to(dtype).clone()
    hidden = hidden.to(dtype)
    active, offsets = schedule.active, schedule.offsets
    rows_per_chunk = max(1, PRE_GATE_CHUNK_BYTES // max(1, 2 * 4 * dim * outputs.element_size()))
    previous = hidden
    batch = active[0] if active else 0
    gates_buffer = scratch("step_gates", (max(1, 2 * batch * 4 * dim),), dtype, device)
    hidden_buffer = scratch("step_hidden", (max(1, 2 * batch * outputs.shape[2]),), dtype, device)
    no_rows = torch.empty(0, 0, dtype=torch.long, device=device)
    t = 0
    while t < schedule.time and active[t] > 0:
        # Steps [t, stop) form one chunk of at most rows_per_chunk packed rows (at least one step).
        stop = t + 1
        while stop < schedule.time and active[stop] > 0 and offsets[stop + 1] - offsets[t] <= rows_per_chunk:
            stop += 1
        base = offsets[t]
        if table_products is not None:  # gathered step by step inside the loop
            pre, rows = table_products
            chunk_rows = rows[:, base : offsets[stop]]
        else:
            # The bias rides in the product as a last input column of ones (no pass over the
            # (2, rows, 4H) result to add it, and no broadcast copy).
            chunk = inputs[:, base : offsets[stop]]
            ones = chunk.new_ones(2, chunk.shape[1], 1)
            pre = scratch("pre_gates", (2, chunk.shape[1], 4 * dim), dtype, device)
            torch.bmm(torch.cat([chunk, ones], dim=2), packed.w_input_bias, out=pre)
            chunk_rows = no_rows
        previous = time_loop(active[t])(pre, chunk_rows, previous, cell, packed.w_recurrent, packed.w_projection, outputs,
                                        active[t:stop], [o - base for o in offsets[t:stop]], base, dim,
                                        _clip_or_nan(cell_clip), _clip_or_nan(proj_clip), gates_buffer,
                                        hidden_buffer)
        t = stop
    final_hidden = hidden.clone()
    if schedule.started:
        final_hidden[:, : schedule.started] = outputs.index_select(1, schedule.last)
    return outputs, cell, final_hidden


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
        #: dtype of the inference path's weights and arithmetic (None: the parameters' dtype, i.e.
        #: float32). bfloat16/float16 are meant for GPUs; outputs come back in the input dtype.
        self.inference_dtype: torch.dtype | None = None

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
        if not torch.is_grad_enabled() and inputs.shape[2] > 0:
            lengths = prefix_lengths(mask)
            if lengths is not None:
                return self._forward_inference(inputs, lengths, state, dropout)
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

    def _forward_inference(self, inputs: torch.Tensor | None, lengths: torch.Tensor, state: LSTMState,
                           dropout: float, layer0: tuple[torch.Tensor, torch.Tensor] | None = None
                           ) -> tuple[list[torch.Tensor], LSTMState]:
        """:meth:`forward_directions` without autograd: rows sorted by length, packed layout,
        time loop of :func:`run_layer_packed`; outputs and state come back in the caller's row
        order, with the same values as the autograd path (zeros + skip input at padding).

        ``layer0`` = (table (V, P), index (batch, time)) replaces ``inputs``: the first layer's
        input at (row, t) is ``table[index[row, t]]`` (forward reading order), and its input
        products are computed once per table row (see :meth:`forward_table`)."""
        device = lengths.device
        lengths_list = [int(n) for n in lengths.tolist()]
        order = sorted(range(len(lengths_list)), key=lambda row: -lengths_list[row])
        permuted = order != list(range(len(order)))
        if permuted:
            index = torch.tensor(order, device=device)
            if inputs is not None:
                inputs = inputs.index_select(1, index)
            else:
                layer0 = (layer0[0], layer0[1].index_select(0, index))
            state = LSTMState(state.cell.index_select(2, index), state.hidden.index_select(2, index))
            lengths_list = [lengths_list[row] for row in order]
        time = inputs.shape[2] if inputs is not None else layer0[1].shape[1]
        out_dtype = inputs.dtype if inputs is not None else layer0[0].dtype
        schedule = StepSchedule(lengths_list, time, device)
        outputs, cells, hiddens = [], [], []
        x = inputs
        x_packed = schedule.pack(x) if x is not None else None
        for layer_index, layer in enumerate(self.layers):
            packed = layer.packed(self.inference_dtype)
            table_products = None
            if layer_index == 0 and layer0 is not None:
                table_products = self._table_products(packed, layer0, schedule)
                layer_input = None
            elif dropout and self.training:
                layer_input = schedule.pack(nn.functional.dropout(x, dropout, True))
            else:
                layer_input = x_packed
            out_packed, cell, hidden = run_layer_packed(
                packed, layer_input, schedule, state.cell[layer_index], state.hidden[layer_index],
                self.config.cell_clip, self.config.proj_clip, table_products)
            out = schedule.unpack(out_packed).to(out_dtype)
            if self.config.use_skip_connections and layer_index > 0:
                out = out + x
                out_packed = out_packed + x_packed
            outputs.append(out)
            cells.append(cell)
            hiddens.append(hidden)
            x, x_packed = out, out_packed
        final = LSTMState(torch.stack(cells), torch.stack(hiddens))
        if permuted:
            inverse = torch.empty_like(index)
            inverse[index] = torch.arange(len(order), device=device)
            outputs = [out.index_select(1, inverse) for out in outputs]
            final = LSTMState(final.cell.index_select(2, inverse), final.hidden.index_select(2, inverse))
        return outputs, final

    @staticmethod
    def _table_products(packed: PackedLayer, layer0: tuple[torch.Tensor, torch.Tensor],
                        schedule: StepSchedule) -> tuple[torch.Tensor, torch.Tensor]:
        """First-layer input products of every table row, per direction, and the packed rows."""
        table, index = layer0
        count = table.shape[0]
        lengths = torch.tensor(schedule.lengths, device=index.device)
        backward = reverse_within_lengths(index, lengths)
        rows = torch.stack([index.reshape(-1).index_select(0, schedule.index),
                            backward.reshape(-1).index_select(0, schedule.index) + count])
        augmented = torch.cat([table, table.new_ones(count, 1)], dim=1).to(packed.w_input_bias.dtype)
        products = scratch("table_products", (2, count, packed.w_input_bias.shape[2]), augmented.dtype,
                           augmented.device)
        torch.bmm(augmented.unsqueeze(0).expand(2, -1, -1), packed.w_input_bias, out=products)
        return products.view(2 * count, -1), rows

    def forward_table(self, table: torch.Tensor, index: torch.Tensor, mask: torch.Tensor, state: LSTMState
                      ) -> tuple[list[torch.Tensor], LSTMState]:
        """:meth:`forward` of ``tokens = table[index]`` (zeroed outside ``mask``), for inference.

        table (V, P): distinct token vectors; index (batch, time) long. The first layer's input
        products are computed once per table row instead of once per position (each distinct
        word of a batch once, like the token cache does for the CNN) when that saves work;
        results equal :meth:`forward` within float rounding. With autograd on, or for a mask
        that is not a prefix mask, it simply calls :meth:`forward`.
        """
        lengths = prefix_lengths(mask) if not torch.is_grad_enabled() and index.shape[1] > 0 else None
        count = table.shape[0]
        dim = self.config.dim
        table_bytes = 2 * count * 4 * dim * table.element_size()
        if lengths is None or 4 * count > 3 * int(lengths.sum()) or table_bytes > TABLE_PRODUCT_BYTES:
            return self.forward(table[index] * mask.unsqueeze(-1), mask, state)
        outputs, final = self._forward_inference(None, lengths, state, 0.0, layer0=(table, index))
        return self._merge_directions(outputs, mask, lengths), final

    @staticmethod
    def _merge_directions(outputs: list[torch.Tensor], mask: torch.Tensor, lengths: torch.Tensor
                          ) -> list[torch.Tensor]:
        layers = []
        for out in outputs:
            backward = reverse_within_lengths(out[1], lengths)
            layers.append(torch.cat([out[0], backward], dim=-1) * mask.unsqueeze(-1))
        return layers

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
