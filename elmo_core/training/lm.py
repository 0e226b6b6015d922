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
"""
from __future__ import annotations

import torch
from torch import nn

from ..lstm import LSTMState
from ..model import ElmoModel


class BiLanguageModel(nn.Module):
    def __init__(self, bilm: ElmoModel, vocab_size: int, cutoffs: tuple[int, ...], dropout: float):
        super().__init__()
        self.bilm = bilm
        self.dropout = dropout
        p = bilm.config.lstm.projection_dim
        self.softmax = nn.AdaptiveLogSoftmaxWithLoss(p, vocab_size, list(cutoffs), div_value=4.0)

    def forward(self, type_chars: torch.Tensor, forward_ids: torch.Tensor, backward_ids: torch.Tensor,
                forward_targets: torch.Tensor, backward_targets: torch.Tensor,
                state: LSTMState) -> tuple[torch.Tensor, torch.Tensor, LSTMState]:
        """One window of both directions.

        type_chars (n_types, max_chars): char ids of the distinct types in this window.
        forward_ids / backward_ids (batch, time): indices into type_chars (reading order).
        *_targets (batch, time): output-vocabulary ids of the next token in each direction.
        Returns mean NLL per token for forward and backward, and the final state.
        """
        token_vectors = self.bilm.char_cnn(type_chars.unsqueeze(0))[0]  # (n_types, P): each type once
        inputs = torch.stack([token_vectors[forward_ids], token_vectors[backward_ids]])  # (2, B, T, P)
        mask = torch.ones(forward_ids.shape, dtype=torch.bool, device=forward_ids.device)
        outputs, final = self.bilm.lstm.forward_directions(inputs, mask, state, dropout=self.dropout)
        top = nn.functional.dropout(outputs[-1], self.dropout, self.training)  # (2, B, T, P)
        losses = []
        for direction, targets in ((0, forward_targets), (1, backward_targets)):
            hidden = top[direction].reshape(-1, top.shape[-1]).float()
            losses.append(self.softmax(hidden, targets.reshape(-1)).loss)
        return losses[0], losses[1], final
