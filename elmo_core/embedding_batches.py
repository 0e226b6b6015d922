"""
The batches the biLM embeds sentences in: length bucketing under a token budget.

``plan_batches`` cuts a list of sentences into batches of indices:

- ``keep_order=False`` (state modes ``zero`` and ``warm``, where a sentence's vectors do not
  depend on its batch): sentences sorted by length, so a batch holds sentences of similar length
  and padding is small; a batch holds at most ``batch_size`` sentences and at most
  ``max_tokens`` padded positions (``rows * (longest + 2)``, the ``+ 2`` being the sentence
  markers). A sentence longer than the budget gets a batch of its own. Within a batch the
  indices run from the longest sentence down (the LSTM then needs no reordering).
- ``keep_order=True`` (state mode ``carry``, where row i of a batch continues from row i of the
  previous batch): consecutive runs of ``batch_size`` sentences in input order, exactly as the
  reference processes them; the token budget is not applied, since splitting a batch would
  change which state each row continues from.

Peak memory of one batch grows with its padded token count, so the budget bounds it.
"""
from __future__ import annotations

from typing import Sequence

DEFAULT_MAX_TOKENS = 4096


def plan_batches(lengths: Sequence[int], batch_size: int, max_tokens: int | None = DEFAULT_MAX_TOKENS,
                 keep_order: bool = False) -> list[list[int]]:
    """Index batches covering ``range(len(lengths))`` once each (see the module docstring)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if max_tokens is not None and max_tokens < 1:
        raise ValueError(f"max_tokens_per_batch must be >= 1, got {max_tokens}")
    count = len(lengths)
    if keep_order:
        return [list(range(start, min(count, start + batch_size))) for start in range(0, count, batch_size)]
    order = sorted(range(count), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:  # ascending: the newest sentence is the longest of its batch
        padded = (len(current) + 1) * (lengths[index] + 2)
        if current and (len(current) >= batch_size or (max_tokens is not None and padded > max_tokens)):
            batches.append(current[::-1])
            current = []
        current.append(index)
    if current:
        batches.append(current[::-1])
    return batches
