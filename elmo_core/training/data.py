"""
Pretraining data as parallel text streams, the way bilm-tf trains.

The corpus (one tokenized sentence per line) becomes one long stream of word-type ids with
``<S>`` and ``</S>`` around every sentence. It is cut into ``batch_size`` contiguous streams, and
each training step reads the next ``unroll_steps + 1`` tokens of every stream, so LSTM state can be
carried from one window to the next. The backward LM reads the same streams reversed.

Input words are spelled (character ids of every type are precomputed once); targets are ids in
an output vocabulary of the ``vocab_size`` most frequent words, with ``<UNK>`` for the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..chars import BOS_TOKEN, EOS_TOKEN, token_to_ids

UNK = "<UNK>"


@dataclass
class Vocabulary:
    """Output vocabulary: ``words[i]`` is id i; ids 0..2 are <S>, </S>, <UNK>."""

    words: list[str]
    counts: np.ndarray  # (len(words),) training counts, for the unigram baseline

    @classmethod
    def from_file(cls, path: Path, size: int) -> "Vocabulary":
        words, counts = [BOS_TOKEN, EOS_TOKEN, UNK], [0, 0, 0]
        with open(path, encoding="utf-8") as f:
            for line in f:
                word, _, count = line.rstrip("\n").partition("\t")
                if word in (BOS_TOKEN, EOS_TOKEN, UNK) or not word:
                    continue
                if len(words) >= size:
                    break
                words.append(word)
                counts.append(int(count or 0))
        return cls(words, np.asarray(counts, dtype=np.float64))

    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def save(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            for word, count in zip(self.words, self.counts):
                f.write(f"{word}\t{int(count)}\n")


@dataclass
class EncodedText:
    """A text as a stream of type ids plus the per-type tables."""

    stream: np.ndarray  # (n_tokens,) int32 type ids, sentences framed by <S> ... </S>
    type_chars: torch.Tensor  # (n_types, max_chars) int64 char ids
    type_to_target: np.ndarray  # (n_types,) int64 output-vocabulary id (UNK for rare words)


def encode_corpus(path: Path, vocab: Vocabulary, max_chars: int = 50,
                  type_index: dict[str, int] | None = None, max_tokens: int | None = None) -> EncodedText:
    """Read one-sentence-per-line text into an :class:`EncodedText`. ``type_index`` may be shared."""
    types = type_index if type_index is not None else {BOS_TOKEN: 0, EOS_TOKEN: 1}
    ids: list[int] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            tokens = line.split()
            if not tokens:
                continue
            ids.append(types[BOS_TOKEN])
            for token in tokens:
                ids.append(types.setdefault(token, len(types)))
            ids.append(types[EOS_TOKEN])
            if max_tokens is not None and len(ids) >= max_tokens:
                break
    ordered = sorted(types, key=types.__getitem__)
    vocab_index = vocab.index()
    unk = vocab_index[UNK]
    type_chars = torch.from_numpy(np.stack([token_to_ids(t, max_chars) for t in ordered]))
    type_to_target = np.asarray([vocab_index.get(t, unk) for t in ordered], dtype=np.int64)
    return EncodedText(np.asarray(ids, dtype=np.int32), type_chars, type_to_target)


class StreamBatcher:
    """Cuts an encoded stream into ``batch_size`` streams and yields windows with carried position.

    ``rank``/``world_size`` shard the streams across processes (DDP): every process reads its own
    slice of the corpus. ``position`` is the resume point, saved in checkpoints.
    """

    def __init__(self, text: EncodedText, batch_size: int, unroll_steps: int,
                 rank: int = 0, world_size: int = 1):
        total_streams = batch_size * world_size
        length = len(text.stream) // total_streams
        if length < unroll_steps + 1:
            raise ValueError(f"corpus too small: {len(text.stream)} tokens for {total_streams} streams "
                             f"of at least {unroll_steps + 1} tokens")
        streams = text.stream[: length * total_streams].reshape(total_streams, length)
        self.streams = streams[rank * batch_size : (rank + 1) * batch_size]
        self.text = text
        self.unroll = unroll_steps
        self.position = 0
        self.epoch = 0

    def __len__(self) -> int:
        return (self.streams.shape[1] - 1) // self.unroll

    def next_window(self) -> tuple[np.ndarray, np.ndarray, bool]:
        """-> forward window (batch, unroll + 1), backward window (batch, unroll + 1), new_epoch.

        The backward window is read from the reversed streams at the mirrored position, so the
        backward LM also carries its state from one window to the next.
        """
        new_epoch = False
        if self.position + self.unroll + 1 > self.streams.shape[1]:
            self.position, self.epoch, new_epoch = 0, self.epoch + 1, True
        start, stop = self.position, self.position + self.unroll + 1
        forward = self.streams[:, start:stop]
        reversed_streams = self.streams[:, ::-1]
        backward = reversed_streams[:, start:stop]
        self.position += self.unroll
        return np.ascontiguousarray(forward), np.ascontiguousarray(backward), new_epoch
