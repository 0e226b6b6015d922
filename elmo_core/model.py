"""
The ELMo biLM as a ``torch.nn.Module``: character CNN -> bidirectional 2-layer LSTM.

``ElmoModel.forward`` takes character ids as made by :func:`elmo_core.chars.batch_to_ids`
(no sentence markers), adds ``<S>``/``</S>`` around every sentence within its own length, runs
the biLM and strips the markers again. It returns all layers stacked:
layer 0 is the context-free token vector duplicated ``[tok; tok]``, layer l is ``[fw_l; bw_l]``.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .char_cnn import CharCNN
from .chars import BOS_CHAR, EOS_CHAR, token_to_ids, BOS_TOKEN, EOS_TOKEN
from .config import ElmoConfig
from .lstm import ElmoLSTM, LSTMState


class BiLMOutput(NamedTuple):
    layers: torch.Tensor  # (num_layers + 1, batch, time, 2 * projection_dim), zero where masked
    mask: torch.Tensor  # (batch, time) bool
    state: LSTMState  # final state of every row, for carrying into the next batch


def add_sentence_boundaries(char_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(batch, time, chars) -> (batch, time + 2, chars) with <S> first and </S> after each row's end.

    Returns the new ids and the new mask (batch, time + 2).
    """
    batch, time, max_chars = char_ids.shape
    lengths = (char_ids > 0).any(dim=-1).sum(dim=1)  # (batch,)
    framed = torch.zeros(batch, time + 2, max_chars, dtype=char_ids.dtype, device=char_ids.device)
    framed[:, 1:-1] = char_ids
    framed[:, 0] = torch.from_numpy(token_to_ids(BOS_TOKEN, max_chars)).to(char_ids.device)
    eos = torch.from_numpy(token_to_ids(EOS_TOKEN, max_chars)).to(char_ids.device)
    framed[torch.arange(batch, device=char_ids.device), lengths + 1] = eos
    mask = torch.arange(time + 2, device=char_ids.device).unsqueeze(0) < (lengths + 2).unsqueeze(1)
    return framed, mask


def remove_sentence_boundaries(x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(..., batch, time + 2, dim) with markers -> (..., batch, time, dim) without them, and the mask."""
    inner = mask[:, 2:].clone()  # a position t is a word iff t + 2 is still inside the framed length
    stripped = x[..., 1:-1, :] * inner.unsqueeze(-1)
    return stripped, inner


class ElmoModel(nn.Module):
    """Character CNN and stacked biLSTM with the official weight layout."""

    def __init__(self, config: ElmoConfig):
        super().__init__()
        self.config = config
        self.char_cnn = CharCNN(config.char_cnn, config.lstm.projection_dim)
        self.lstm = ElmoLSTM(config.lstm)

    @property
    def device(self) -> torch.device:
        return self.char_cnn.char_embedding.device

    def token_vectors(self, char_ids: torch.Tensor) -> torch.Tensor:
        """Context-free layer 0 before duplication: (batch, time, chars) -> (batch, time, P)."""
        return self.char_cnn(char_ids)

    def forward(self, char_ids: torch.Tensor, state: LSTMState | None = None) -> BiLMOutput:
        """char_ids (batch, time, max_chars) without markers -> :class:`BiLMOutput`.

        ``state`` is the initial LSTM state (layers, 2, batch, ...) or ``None`` for zeros.
        """
        framed, mask = add_sentence_boundaries(char_ids)
        tokens = self.char_cnn(framed) * mask.unsqueeze(-1)  # (batch, time + 2, P)
        if state is None:
            state = self.lstm.zero_state(char_ids.shape[0], device=char_ids.device, dtype=tokens.dtype)
        lstm_layers, final = self.lstm(tokens, mask, state)
        all_layers = torch.stack([torch.cat([tokens, tokens], dim=-1), *lstm_layers])
        layers, inner_mask = remove_sentence_boundaries(all_layers, mask)
        return BiLMOutput(layers, inner_mask, final)


__all__ = ["ElmoModel", "BiLMOutput", "add_sentence_boundaries", "remove_sentence_boundaries",
           "BOS_CHAR", "EOS_CHAR"]
