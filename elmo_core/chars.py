"""
Character ids, exactly as the reference ELMo computes them.

A token becomes its UTF-8 bytes (at most ``max_chars - 2``) framed by begin-of-word (258) and
end-of-word (259) markers and padded with 260. ``<S>`` and ``</S>`` use the special characters
256 and 257. Every id is shifted by +1 so that an all-zero row means "no token here".
"""
from __future__ import annotations

import numpy as np
import torch

BOS_CHAR, EOS_CHAR, BOW_CHAR, EOW_CHAR, PAD_CHAR = 256, 257, 258, 259, 260
BOS_TOKEN, EOS_TOKEN = "<S>", "</S>"
MAX_CHARS = 50


def _marker_ids(char: int, max_chars: int) -> np.ndarray:
    ids = np.full(max_chars, PAD_CHAR, dtype=np.int64)
    ids[:3] = (BOW_CHAR, char, EOW_CHAR)
    return ids + 1


def token_to_ids(token: str, max_chars: int = MAX_CHARS) -> np.ndarray:
    """One token -> int64 array (max_chars,) of shifted character ids."""
    if token == BOS_TOKEN:
        return _marker_ids(BOS_CHAR, max_chars)
    if token == EOS_TOKEN:
        return _marker_ids(EOS_CHAR, max_chars)
    encoded = token.encode("utf-8", "ignore")[: max_chars - 2]
    ids = np.full(max_chars, PAD_CHAR, dtype=np.int64)
    ids[0] = BOW_CHAR
    ids[1 : len(encoded) + 1] = np.frombuffer(encoded, dtype=np.uint8)
    ids[len(encoded) + 1] = EOW_CHAR
    return ids + 1


def batch_to_ids(sentences: list[list[str]], max_chars: int = MAX_CHARS,
                 add_boundaries: bool = False) -> torch.Tensor:
    """Sentences -> LongTensor (batch, max_len, max_chars), zero rows for padding.

    ``add_boundaries`` frames every sentence with ``<S>``/``</S>`` (the biLM does this itself, so
    callers normally leave it off, as with the reference ``batch_to_ids``).
    """
    if add_boundaries:
        sentences = [[BOS_TOKEN, *s, EOS_TOKEN] for s in sentences]
    max_len = max((len(s) for s in sentences), default=0)
    ids = np.zeros((len(sentences), max_len, max_chars), dtype=np.int64)
    for row, sentence in enumerate(sentences):
        for col, token in enumerate(sentence):
            ids[row, col] = token_to_ids(token, max_chars)
    return torch.from_numpy(ids)
