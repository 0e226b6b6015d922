"""
CUDA graphs for the biLSTM at inference, one graph per padded (batch, time) bucket.

On a GPU the time loop of small batches is bound by kernel launches (about ten per step and
layer). A CUDA graph records the whole loop once for a fixed shape and replays it with one
launch. Shapes must be static, so a batch is padded up to its bucket: batch to a power of two,
time to a multiple of ``time_multiple``; padded rows have length 0 and padded steps are masked,
which leaves the real rows' values unchanged. The recorded computation is
:func:`masked_forward`: a shape-static, mask-based version of the LSTM (no data-dependent Python
control flow, no host synchronisation) with the same math as the packed inference path.

Status: :func:`masked_forward` is checked against the plain path on CPU in
``tests/test_fast_paths.py``; the capture and replay (:class:`GraphedLSTM`) need a CUDA device,
so CI cannot run them: ``benchmarks/gpu_check.py`` checked them on a lent NVIDIA H200 (the
CPU's vectors within 1e-5 on 741 sentences; one sentence 2.0 ms against 6.7 ms without graphs,
see benchmarks/RESULTS.md). Opt in with
``BiLM(..., cuda_graphs=True)``; it is ignored unless ``torch.cuda.is_available()`` and the model
is on a CUDA device.
"""
from __future__ import annotations

from collections import OrderedDict

import torch

from .lstm import ElmoLSTM, LSTMState, reverse_within_lengths
from .param_versions import parameters_key


def masked_forward(lstm: ElmoLSTM, tokens: torch.Tensor, lengths: torch.Tensor, cell: torch.Tensor,
                   hidden: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor, torch.Tensor]:
    """Shape-static LSTM inference: tokens (B, T, P), lengths (B,) on the device, state
    (layers, 2, B, ...). Returns per layer (B, T, 2P) outputs (zero beyond each length) and the
    final cell and hidden states. No host synchronisation: safe to record in a CUDA graph."""
    config = lstm.config
    batch, time, _ = tokens.shape
    steps = torch.arange(time, device=tokens.device)
    mask = steps.unsqueeze(0) < lengths.unsqueeze(1)  # (B, T)
    x = torch.stack([tokens, reverse_within_lengths(tokens, lengths)])  # (2, B, T, P)
    dtype = lstm.inference_dtype or tokens.dtype
    outputs, cells, hiddens = [], [], []
    for index, layer in enumerate(lstm.layers):
        packed = layer.packed(dtype)
        dim = packed.w_recurrent.shape[2] // 4
        layer_input = x.to(dtype)
        flat = layer_input.reshape(2, batch * time, -1)
        flat = torch.cat([flat, flat.new_ones(2, batch * time, 1)], dim=2)  # bias as a ones column
        pre = torch.bmm(flat, packed.w_input_bias).view(2, batch, time, 4 * dim)
        c = cell[index].to(dtype)
        h = hidden[index].to(dtype)
        out = layer_input.new_zeros(2, batch, time, packed.w_projection.shape[2])
        for t in range(time):
            gates = torch.baddbmm(pre[:, :, t], h, packed.w_recurrent)
            sig = torch.sigmoid(gates[..., : 3 * dim])
            candidate = torch.tanh(gates[..., 3 * dim :])
            new_c = sig[..., dim : 2 * dim] * c + sig[..., :dim] * candidate
            if config.cell_clip is not None:
                new_c = new_c.clamp(-config.cell_clip, config.cell_clip)
            new_h = torch.bmm(torch.tanh(new_c) * sig[..., 2 * dim : 3 * dim], packed.w_projection)
            if config.proj_clip is not None:
                new_h = new_h.clamp(-config.proj_clip, config.proj_clip)
            valid = mask[:, t].view(1, batch, 1)
            c = torch.where(valid, new_c, c)
            h = torch.where(valid, new_h, h)
            out[:, :, t] = new_h * valid
        out = out.to(tokens.dtype)
        if config.use_skip_connections and index > 0:
            out = out + x
        outputs.append(out)
        cells.append(c)
        hiddens.append(h)
        x = out
    layers = []
    for out in outputs:
        backward = reverse_within_lengths(out[1], lengths)
        layers.append(torch.cat([out[0], backward], dim=-1) * mask.unsqueeze(-1))
    return layers, torch.stack(cells), torch.stack(hiddens)


def _bucket_batch(batch: int) -> int:
    size = 1
    while size < batch:
        size *= 2
    return size


class _Graph:
    def __init__(self, lstm: ElmoLSTM, batch: int, time: int, device: torch.device, dtype: torch.dtype):
        c = lstm.config
        self.tokens = torch.zeros(batch, time, c.projection_dim, device=device, dtype=dtype)
        self.lengths = torch.zeros(batch, dtype=torch.long, device=device)
        self.cell = torch.zeros(c.n_layers, 2, batch, c.dim, device=device, dtype=dtype)
        self.hidden = torch.zeros(c.n_layers, 2, batch, c.projection_dim, device=device, dtype=dtype)
        for layer in lstm.layers:  # build the packed weights outside the capture
            layer.packed(lstm.inference_dtype or dtype)

        def run():
            return masked_forward(lstm, self.tokens, self.lengths, self.cell, self.hidden)

        side = torch.cuda.Stream(device=device)
        side.wait_stream(torch.cuda.current_stream(device))
        with torch.cuda.stream(side):
            for _ in range(2):  # warm-up outside the graph (cuBLAS workspaces, allocator)
                run()
        torch.cuda.current_stream(device).wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.layers, self.final_cell, self.final_hidden = run()


class GraphedLSTM:
    """Runs :func:`masked_forward` through CUDA graphs cached per (batch, time) bucket (LRU)."""

    def __init__(self, lstm: ElmoLSTM, max_graphs: int = 4, time_multiple: int = 16,
                 max_batch: int = 256, max_time: int = 256):
        self.lstm = lstm
        self.max_graphs, self.time_multiple = max_graphs, time_multiple
        self.max_batch, self.max_time = max_batch, max_time
        self._graphs: OrderedDict[tuple, _Graph] = OrderedDict()

    @staticmethod
    def usable(device: torch.device) -> bool:
        return torch.device(device).type == "cuda" and torch.cuda.is_available()

    def clear(self) -> None:
        self._graphs.clear()

    def __call__(self, tokens: torch.Tensor, mask: torch.Tensor, state: LSTMState
                 ) -> tuple[list[torch.Tensor], LSTMState]:
        batch, time, _ = tokens.shape
        bucket_b = _bucket_batch(batch)
        bucket_t = -(-time // self.time_multiple) * self.time_multiple
        if not self.usable(tokens.device) or bucket_b > self.max_batch or bucket_t > self.max_time:
            return self.lstm(tokens, mask, state)
        key = (bucket_b, bucket_t, tokens.dtype, tokens.device, self.lstm.inference_dtype,
               parameters_key(self.lstm.parameters()))
        graph = self._graphs.get(key)
        if graph is None:
            graph = _Graph(self.lstm, bucket_b, bucket_t, tokens.device, tokens.dtype)
            self._graphs[key] = graph
            while len(self._graphs) > self.max_graphs:
                self._graphs.popitem(last=False)
        else:
            self._graphs.move_to_end(key)
        graph.tokens.zero_()
        graph.tokens[:batch, :time].copy_(tokens)
        graph.lengths.zero_()
        graph.lengths[:batch].copy_(mask.sum(dim=1))
        graph.cell.zero_()
        graph.cell[:, :, :batch].copy_(state.cell)
        graph.hidden.zero_()
        graph.hidden[:, :, :batch].copy_(state.hidden)
        graph.graph.replay()
        layers = [layer[:batch, :time].clone() for layer in graph.layers]
        final = LSTMState(graph.final_cell[:, :, :batch].to(tokens.dtype).clone(),
                          graph.final_hidden[:, :, :batch].to(tokens.dtype).clone())
        return layers, final
