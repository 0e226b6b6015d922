"""
A key that changes whenever a module's parameters change, for caches derived from weights.

The key holds each tensor's identity, storage address and version counter (bumped by every
in-place change, e.g. an optimizer step or ``load_state_dict``), so the packed LSTM weights,
the packed CNN banks, the token cache and the boundary state can tell that they are stale.
"""
from __future__ import annotations

from typing import Iterable

import torch

__all__ = ["tensor_version", "parameters_key"]


def tensor_version(tensor: torch.Tensor) -> int:
    """The in-place version counter of ``tensor``; -1 for an inference tensor (it has none and
    cannot change in place)."""
    try:
        return tensor._version
    except RuntimeError:
        return -1


def parameters_key(tensors: Iterable[torch.Tensor]) -> tuple:
    """((id, data_ptr, version), ...) of ``tensors``: equal keys mean unchanged values."""
    return tuple((id(t), t.data_ptr(), tensor_version(t)) for t in tensors)
