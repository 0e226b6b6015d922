"""
The biLM layers a task head reads during training and evaluation, batch by batch.

:class:`FeatureLayers` reads cached frozen features (no biLM run at all);
:class:`BiLMLayers` runs a biLM with gradients, for fine-tuning. Both are called as
``source(indices) -> (layers (L, B, T, D) float32, mask (B, T) bool)``.
"""
from __future__ import annotations

import numpy as np
import torch

from ..bilm import WARM_UP_TEXT
from ..chars import batch_to_ids
from ..lstm import LSTMState
from ..model import ElmoModel
from .padded_batches import pad_features

__all__ = ["FeatureLayers", "BiLMLayers", "warm_state"]


def warm_state(model: ElmoModel) -> LSTMState:
    """The ``warm`` start state of ``model`` (layers, 2, 1, ...), computed without gradients.

    Same recipe as :meth:`elmo_core.BiLM.warm_state`, but usable inside autograd (no inference
    tensors), so it can be refreshed while the model is being fine-tuned.
    """
    state = None
    with torch.no_grad():
        for sentence in WARM_UP_TEXT:
            state = model(batch_to_ids([sentence]).to(model.device), state).state
    return LSTMState(*(s.detach().clone() for s in state))


class FeatureLayers:
    """Batches from per-sentence cached features (L, n_i, D)."""

    def __init__(self, arrays: list[np.ndarray], device: torch.device):
        self.arrays = arrays
        self.device = device

    def lengths(self) -> list[int]:
        return [a.shape[1] for a in self.arrays]

    def __call__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        return pad_features([self.arrays[i] for i in indices], self.device)


class BiLMLayers:
    """Batches computed by running ``model`` on token lists; differentiable when grad is on."""

    def __init__(self, model: ElmoModel, sentences: list[list[str]], state_mode: str = "warm"):
        self.model = model
        self.sentences = sentences
        self.state_mode = state_mode
        self._warm: LSTMState | None = None

    def lengths(self) -> list[int]:
        return [len(s) for s in self.sentences]

    def refresh_state(self, state: LSTMState | None = None) -> None:
        """Use ``state`` (or recompute it from the current weights) as the warm start state.

        Call after weight updates; pass the same state to several sources to compute it once.
        """
        if self.state_mode == "warm":
            self._warm = state if state is not None else warm_state(self.model)

    def _initial_state(self, batch: int) -> LSTMState | None:
        if self.state_mode != "warm":
            return None
        if self._warm is None:
            self.refresh_state()
        return LSTMState(*(s.expand(-1, -1, batch, -1).contiguous() for s in self._warm))

    def __call__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        ids = batch_to_ids([self.sentences[i] for i in indices]).to(self.model.device)
        output = self.model(ids, self._initial_state(len(indices)))
        return output.layers, output.mask
