"""
The training time loop of one bidirectional LSTM layer as a single autograd function, with
backpropagation through time written out by hand.

Autograd over the plain per-step loop records about 15 small operations per step and, on the
way back, computes the recurrent and projection weight gradients one step at a time. Here the
forward pass keeps only what the backward pass needs (gate activations, cells, clip masks), and
the backward pass runs the recurrence on (2, batch, dim) tensors and leaves the weight gradients
to two large batched products over all steps at once. The arithmetic is the same as
:func:`elmo_core.lstm.run_layer` (gate order i, j, f, o; forget bias 1; cell and projection
clipping with the gradient stopped where a value was clipped, as ``clamp`` does); a test checks
outputs and every gradient against it.

Only full windows (no padding) take this path; that is what the trainer feeds.
"""
from __future__ import annotations

import torch

__all__ = ["lstm_layer_sequence"]


class _LSTMLayerSequence(torch.autograd.Function):
    @staticmethod
    def forward(ctx, pre_gates, w_recurrent, w_projection, cell, hidden, forget_bias, cell_clip, proj_clip):
        # pre_gates (2, B, T, 4H) with the bias; w_recurrent (2, P, 4H); w_projection (2, H, P)
        # cell (2, B, H), hidden (2, B, P)
        _, batch, time, four_h = pre_gates.shape
        h = four_h // 4
        proj = w_projection.shape[2]
        new = pre_gates.new_empty
        activations = new(time, 2, batch, four_h)  # sigmoid(i), tanh(j), sigmoid(f + 1), sigmoid(o)
        cells = new(time + 1, 2, batch, h)  # cells[t]: the cell entering step t (clipped)
        cell_tanh = new(time, 2, batch, h)
        hiddens = new(time + 1, 2, batch, proj)  # hiddens[t]: the hidden state entering step t
        mixed = new(time, 2, batch, h)  # sigmoid(o) * tanh(cell): the projection's input
        outputs = new(2, batch, time, proj)
        cell_ok = torch.empty(time, 2, batch, h, dtype=torch.bool, device=pre_gates.device) if cell_clip is not None else None
        proj_ok = torch.empty(time, 2, batch, proj, dtype=torch.bool, device=pre_gates.device) if proj_clip is not None else None
        cells[0], hiddens[0] = cell, hidden
        for t in range(time):
            gates = torch.baddbmm(pre_gates[:, :, t], hiddens[t], w_recurrent)  # (2, B, 4H)
            gates[..., 2 * h : 3 * h] += forget_bias
            act = activations[t]
            torch.sigmoid(gates, out=act)
            torch.tanh(gates[..., h : 2 * h], out=act[..., h : 2 * h])
            i, j, f, o = act.split(h, dim=-1)
            c = f * cells[t] + i * j
            if cell_clip is not None:
                cell_ok[t] = (c >= -cell_clip) & (c <= cell_clip)
                c = c.clamp_(-cell_clip, cell_clip)
            cells[t + 1] = c
            torch.tanh(c, out=cell_tanh[t])
            torch.mul(o, cell_tanh[t], out=mixed[t])
            out = torch.bmm(mixed[t], w_projection)  # (2, B, P)
            if proj_clip is not None:
                proj_ok[t] = (out >= -proj_clip) & (out <= proj_clip)
                out = out.clamp_(-proj_clip, proj_clip)
            hiddens[t + 1] = out
            outputs[:, :, t] = out
        ctx.save_for_backward(w_recurrent, w_projection, activations, cells, cell_tanh, hiddens, mixed,
                              cell_ok, proj_ok)
        ctx.has_clip = (cell_clip is not None, proj_clip is not None)
        return outputs, cells[time].clone(), hiddens[time].clone()

    @staticmethod
    def backward(ctx, grad_outputs, grad_cell, grad_hidden):
        w_recurrent, w_projection, activations, cells, cell_tanh, hiddens, mixed, cell_ok, proj_ok = ctx.saved_tensors
        time, _, batch, four_h = activations.shape
        h = four_h // 4
        grad_gates = activations.new_empty(2, batch, time, four_h)
        grad_projected = activations.new_empty(time, 2, batch, w_projection.shape[2])
        w_recurrent_t = w_recurrent.transpose(1, 2).contiguous()
        w_projection_t = w_projection.transpose(1, 2).contiguous()
        d_hidden = grad_hidden.clone() if grad_hidden is not None else hiddens.new_zeros(hiddens.shape[1:])
        d_cell = grad_cell.clone() if grad_cell is not None else cells.new_zeros(cells.shape[1:])
        if grad_outputs is None:
            grad_outputs = hiddens.new_zeros(2, batch, time, hiddens.shape[-1])
        for t in reversed(range(time)):
            d_out = d_hidden + grad_outputs[:, :, t]
            if proj_ok is not None:
                d_out = d_out * proj_ok[t]
            grad_projected[t] = d_out
            d_mixed = torch.bmm(d_out, w_projection_t)  # (2, B, H)
            i, j, f, o = activations[t].split(h, dim=-1)
            tc = cell_tanh[t]
            d_c = d_cell + d_mixed * o * (1 - tc * tc)
            if cell_ok is not None:
                d_c = d_c * cell_ok[t]
            g = grad_gates[:, :, t]
            torch.mul(d_c * j, i * (1 - i), out=g[..., :h])
            torch.mul(d_c * i, 1 - j * j, out=g[..., h : 2 * h])
            torch.mul(d_c * cells[t], f * (1 - f), out=g[..., 2 * h : 3 * h])
            torch.mul(d_mixed * tc, o * (1 - o), out=g[..., 3 * h :])
            d_cell = d_c * f
            d_hidden = torch.bmm(g, w_recurrent_t)  # (2, B, P)
        # Weight gradients of all steps at once: (2, P, T*B) x (2, T*B, 4H) and (2, H, T*B) x (2, T*B, P).
        flat_gates = grad_gates.transpose(1, 2).reshape(2, time * batch, four_h)  # step-major like hiddens
        previous = hiddens[:-1].transpose(0, 1).reshape(2, time * batch, -1)
        grad_w_recurrent = torch.bmm(previous.transpose(1, 2), flat_gates)
        grad_w_projection = torch.bmm(mixed.transpose(0, 1).reshape(2, time * batch, h).transpose(1, 2),
                                      grad_projected.transpose(0, 1).reshape(2, time * batch, -1))
        return grad_gates, grad_w_recurrent, grad_w_projection, d_cell, d_hidden, None, None, None


def lstm_layer_sequence(pre_gates: torch.Tensor, w_recurrent: torch.Tensor, w_projection: torch.Tensor,
                        cell: torch.Tensor, hidden: torch.Tensor, forget_bias: float,
                        cell_clip: float | None, proj_clip: float | None
                        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Both directions of one layer over full windows, differentiable.

    pre_gates (2, batch, time, 4H): input products plus bias, gate order (i, j, f, o).
    w_recurrent (2, P, 4H), w_projection (2, H, P), cell (2, batch, H), hidden (2, batch, P).
    Returns outputs (2, batch, time, P), the final cell (2, batch, H) and hidden (2, batch, P).
    """
    return _LSTMLayerSequence.apply(pre_gates, w_recurrent, w_projection, cell, hidden,
                                    float(forget_bias), cell_clip, proj_clip)
