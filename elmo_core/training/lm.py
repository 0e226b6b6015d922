"""
The biLM training objective: a forward and a backward language model that share the character
CNN and one output softmax (as in bilm-tf), loss = mean of the two directions.

Softmax choice: an *adaptive* softmax (Grave et al., 2017; ``torch.nn.AdaptiveLogSoftmaxWithLoss``).
For a vocabulary of tens of thousands of words on a CPU, a full softmax spends most of the
step in the output layer. A sampled softmax is as cheap but its training loss is not a
normalised likelihood, so held-out perplexity needs a separate full pass. The adaptive softmax
gives a normalised distribution at every step (true perplexity for free) while the frequent
head words, which carry most tokens, cost a small matrix product and the rare tail words a
low-rank one.

GloVe mimick (optional, ``mimick_dim > 0``): a training-only linear map from the token vector
(layer 0) predicts each word's static GloVe vector; the loss is ``1 - cosine`` (or MSE). It teaches the
character CNN lexical knowledge from 6B tokens of text that a CPU-sized corpus cannot hold, and is
not exported: at inference layer 0 stays character-only and context-free.
"""
from __future__ import annotations

import torch
from torch import nn

from ..lstm import LSTMState
from ..model import ElmoModel


def mimick_loss(predicted: torch.Tensor, target: torch.Tensor, kind: str = "cosine") -> torch.Tensor:
    """Mean distance of predicted (n, D) to target (n, D) static vectors: 1 - cosine, or MSE."""
    if predicted.shape[0] == 0:
        return predicted.sum() * 0.0
    if kind == "mse":
        return nn.functional.mse_loss(predicted, target)
    return (1.0 - nn.functional.cosine_similarity(predicted, target, dim=-1)).mean()


class BiLanguageModel(nn.Module):
    def __init__(self, bilm: ElmoModel, vocab_size: int, cutoffs: tuple[int, ...], dropout: float,
                 mimick_dim: int = 0, mimick_kind: str = "cosine"):
        super().__init__()
        self.bilm = bilm
        self.dropout = dropout
        p = bilm.config.lstm.projection_dim
        self.softmax = nn.AdaptiveLogSoftmaxWithLoss(p, vocab_size, list(cutoffs), div_value=4.0)
        self.mimick = nn.Linear(p, mimick_dim) if mimick_dim else None  # training only, never exported
        self.mimick_kind = mimick_kind

    def token_mimick_loss(self, token_vectors: torch.Tensor, static: torch.Tensor,
                          has_static: torch.Tensor) -> torch.Tensor:
        """token_vectors (n, P), static (n, D), has_static (n,) bool -> scalar mimick loss."""
        return mimick_loss(self.mimick(token_vectors[has_static]), static[has_static], self.mimick_kind)

    def forward(self, type_chars: torch.Tensor, forward_ids: torch.Tensor, backward_ids: torch.Tensor,
                forward_targets: torch.Tensor, backward_targets: torch.Tensor,
                state: LSTMState, static: torch.Tensor | None = None, has_static: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, LSTMState, torch.Tensor]:
        """One window of both directions.

        type_chars (n_types, max_chars): char ids of the distinct types in this window.
        forward_ids / backward_ids (batch, time): indices into type_chars (reading order).
        *_targets (batch, time): output-vocabulary ids of the next token in each direction.
        static (n_types, D) / has_static (n_types,): GloVe vectors of the types, for the mimick loss.
        Returns mean NLL per token for forward and backward, the final state, and the mimick loss
        (0 without static vectors).
        """
        token_vectors = self.bilm.char_cnn(type_chars.unsqueeze(0))[0]  # (n_types, P): each type once
        aux = token_vectors.new_zeros(())
        if self.mimick is not None and static is not None:
            aux = self.token_mimick_loss(token_vectors, static, has_static)
        inputs = torch.stack([token_vectors[forward_ids], token_vectors[backward_ids]])  # (2, B, T, P)
        mask = torch.ones(forward_ids.shape, dtype=torch.bool, device=forward_ids.device)
        outputs, final = self.bilm.lstm.forward_directions(inputs, mask, state, dropout=self.dropout)
        top = nn.functional.dropout(outputs[-1], self.dropout, self.training)  # (2, B, T, P)
        # Both directions in one softmax call (one set of cluster gathers instead of two).
        hidden = top.reshape(-1, top.shape[-1]).float()  # (2 * B * T, P)
        targets = torch.stack([forward_targets, backward_targets]).reshape(-1)
        nll = -self.softmax(hidden, targets).output.view(2, -1).mean(dim=1)  # (2,)
        return nll[0], nll[1], final, aux
