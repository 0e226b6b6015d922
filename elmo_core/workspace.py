"""
Reusable scratch buffers for the inference time loop.

The input-to-gate products of a chunk of time steps are large (up to tens of MB) and live only
for one call. A fresh tensor of that size is memory the allocator has just mapped, so every
page is faulted in and zeroed by the kernel on first touch, which costs more than the matrix
product that fills it (measured 5x on a gather of 14 MB). :func:`scratch` hands out a view of
a per-thread buffer that is kept between calls instead. Results that leave a function must
never be scratch views: the next call overwrites them.
"""
from __future__ import annotations

import math
import threading

import torch

__all__ = ["scratch", "release_scratch"]

_LOCAL = threading.local()


def scratch(slot: str, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """An uninitialised tensor of ``shape`` backed by this thread's buffer named ``slot``.

    The buffer grows as needed and is reused by the next call with the same slot, dtype and
    device; two slots never share memory.
    """
    buffers = getattr(_LOCAL, "buffers", None)
    if buffers is None:
        buffers = _LOCAL.buffers = {}
    key = (slot, dtype, torch.device(device))
    numel = math.prod(shape)
    buffer = buffers.get(key)
    if buffer is None or buffer.numel() < numel:
        # A normal tensor, even when asked for under inference mode: an inference tensor could
        # not be written later outside inference mode (e.g. under no_grad).
        with torch.inference_mode(False):
            buffer = torch.empty(max(numel, 1), dtype=dtype, device=device)
        buffers[key] = buffer
    return buffer[:numel].view(shape)


def release_scratch() -> None:
    """Free this thread's scratch buffers."""
    _LOCAL.buffers = {}
