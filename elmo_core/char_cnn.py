"""
The context-free token encoder of ELMo (layer 0): character embeddings, a bank of 1-d
convolutions max-pooled over character positions, highway layers and a linear projection.

Exact window trimming: every token is padded to ``max_chars`` characters, and every window that
lies wholly in padding gives the same value per filter. We therefore convolve only the
positions that the longest token of the batch needs, and fold that constant "padding window"
value into the max for tokens that have such a window. The result equals the full convolution.

Inference (autograd off) takes a faster route with the same result: the distinct tokens only,
sorted by length and cut into chunks of bounded size (so trimming fits each chunk, and memory
stays bounded), and each filter bank as one matrix product over the character windows (a window
of width w is w * E consecutive numbers of the embedded token, so it needs no unfolding copy
before the product; this runs about 2.5x faster on CPU than the library's 1-d convolution).
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from .chars import PAD_CHAR
from .config import CharCNNConfig
from .param_versions import parameters_key


# Largest intermediate of the inference path, in numbers (64 MiB of float32).
CHUNK_ELEMENTS = 16 * 2**20


class Highway(nn.Module):
    """``g = sigmoid(x W_carry + b_carry); x = g * relu(x W_transform + b_transform) + (1 - g) * x``.

    Weights are stored as (in, out) matrices, the bilm-tf convention.
    """

    def __init__(self, dim: int):
        super().__init__()
        self.w_carry = nn.Parameter(torch.empty(dim, dim))
        self.b_carry = nn.Parameter(torch.full((dim,), -2.0))  # bilm-tf initialisation: mostly carry
        self.w_transform = nn.Parameter(torch.empty(dim, dim))
        self.b_transform = nn.Parameter(torch.zeros(dim))
        for w in (self.w_carry, self.w_transform):
            nn.init.normal_(w, std=(1.0 / dim) ** 0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = torch.sigmoid(torch.addmm(self.b_carry, x, self.w_carry))
        transformed = torch.relu(torch.addmm(self.b_transform, x, self.w_transform))
        return gate * transformed + (1.0 - gate) * x


class CharCNN(nn.Module):
    """Character ids (batch, time, max_chars) -> token vectors (batch, time, projection_dim)."""

    def __init__(self, config: CharCNNConfig, projection_dim: int):
        super().__init__()
        self.config = config
        self.char_embedding = nn.Parameter(torch.empty(config.n_characters, config.embedding_dim))
        nn.init.uniform_(self.char_embedding, -1.0, 1.0)
        with torch.no_grad():
            self.char_embedding[0].zero_()  # id 0: padding row
        self.convolutions = nn.ModuleList(
            nn.Conv1d(config.embedding_dim, num, kernel_size=width) for width, num in config.filters
        )
        self.highways = nn.ModuleList(Highway(config.n_filters) for _ in range(config.n_highway))
        self.projection: nn.Linear | None = None
        if config.n_filters != projection_dim:
            self.projection = nn.Linear(config.n_filters, projection_dim)
        self.output_dim = projection_dim
        self._activation = torch.relu if config.activation == "relu" else torch.tanh

    def _packed_banks(self) -> list["PackedBank"]:
        """Per filter bank, the weights as a (width * E, num) matrix and the padding-window value.

        Cached, rebuilt when a parameter is replaced or changed in place.
        """
        params = [self.char_embedding, *(p for conv in self.convolutions for p in (conv.weight, conv.bias))]
        key = parameters_key(params)
        cached = getattr(self, "_banks", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        with torch.no_grad():
            pad = self.char_embedding[PAD_CHAR + 1].detach()
            banks = []
            for conv in self.convolutions:
                num, dim, width = conv.weight.shape
                # weight[f, e, k] -> matrix[k * E + e, f]: rows follow the window's memory order.
                matrix = conv.weight.detach().permute(2, 1, 0).reshape(width * dim, num).contiguous()
                pad_value = torch.addmv(conv.bias.detach(), matrix.t(), pad.repeat(width))
                banks.append(PackedBank(width, matrix, conv.bias.detach().clone(), pad_value))
        self._banks = (key, banks)
        return banks

    def _padding_window_values(self) -> list[torch.Tensor]:
        """Per filter bank: the convolution of a window made only of padding characters, (num,)."""
        pad = self.char_embedding[PAD_CHAR + 1]  # (embedding_dim,)
        values = []
        for conv in self.convolutions:
            width = conv.kernel_size[0]
            window = pad.view(1, -1, 1).expand(1, -1, width)
            values.append(conv(window).view(-1))
        return values

    def forward(self, char_ids: torch.Tensor) -> torch.Tensor:
        """(batch, time, max_chars) int64 -> (batch, time, projection_dim) float.

        Differentiable. With autograd off it takes :meth:`encode` (same values, faster).
        """
        if not torch.is_grad_enabled():
            batch, time, max_chars = char_ids.shape
            return self.encode(char_ids.reshape(-1, max_chars)).view(batch, time, -1)
        batch, time, max_chars = char_ids.shape
        ids = char_ids.reshape(-1, max_chars)
        # Length of each token in characters, markers included (ids > 0 and != shifted padding).
        lengths = ((ids > 0) & (ids != PAD_CHAR + 1)).sum(dim=1)  # (n_tokens,)
        pad_values = self._padding_window_values()
        # Tokens sorted by length and cut into buckets, each convolved only as far as its own
        # longest token needs (a short word no longer pays for the longest word of the batch).
        order = torch.argsort(lengths, stable=True)
        sorted_lengths = lengths[order]
        parts = [self._pooled_filters(ids[rows], sorted_lengths[start:stop], pad_values)
                 for start, stop, rows in _length_buckets(sorted_lengths, order)]
        x = torch.cat(parts)[torch.argsort(order)] if len(parts) > 1 else parts[0]  # (n, n_filters)
        for highway in self.highways:
            x = highway(x)
        if self.projection is not None:
            x = self.projection(x)
        return x.view(batch, time, -1)

    def _pooled_filters(self, ids: torch.Tensor, lengths: torch.Tensor,
                        pad_values: list[torch.Tensor]) -> torch.Tensor:
        """Differentiable: (n, max_chars) ids of tokens of ``lengths`` -> (n, n_filters) activations.

        Each filter bank is one matrix product over the character windows (faster than the
        library's 1-d convolution on a CPU, forward and backward).
        """
        n, max_chars = ids.shape
        widest = max(w for w, _ in self.config.filters)
        longest = int(lengths.max()) if n else 0
        used = min(max_chars, max(longest + widest - 1, widest))
        embedded = nn.functional.embedding(ids[:, :used], self.char_embedding)  # (n, used, E)
        dim = embedded.shape[2]
        pooled = []
        for conv, pad_value in zip(self.convolutions, pad_values):
            num, _, width = conv.weight.shape
            positions = used - width + 1
            # (n, positions, width, E) -> rows of width * E numbers in the window's memory order
            windows = embedded.unfold(1, width, 1).transpose(2, 3).reshape(n * positions, width * dim)
            matrix = conv.weight.permute(2, 1, 0).reshape(width * dim, num)
            best = torch.mm(windows, matrix).view(n, positions, num).amax(dim=1) + conv.bias
            # A token of length L has an all-padding window when L + width <= max_chars;
            # absent tokens (length 0) are masked downstream, so they never matter.
            if used < max_chars:
                has_padding_window = (lengths + width <= max_chars) & (lengths > 0)
                best = torch.where(has_padding_window.unsqueeze(1), torch.maximum(best, pad_value), best)
            pooled.append(self._activation(best))
        return torch.cat(pooled, dim=1)

    # ------------------------------------------------------------------ inference
    def encode(self, ids: torch.Tensor, chunk_elements: int = CHUNK_ELEMENTS) -> torch.Tensor:
        """Inference only: (n, max_chars) char ids -> (n, projection_dim) token vectors.

        Every distinct row is computed once, rows are sorted by length and processed in chunks
        whose largest intermediate (tokens x positions x filters of one bank) holds at most
        ``chunk_elements`` numbers; each chunk is trimmed to its own longest token.
        """
        with torch.no_grad():
            n, max_chars = ids.shape
            out_dtype = self.char_embedding.dtype
            if n == 0:
                return self.char_embedding.new_zeros(0, self.output_dim)
            unique, inverse = _unique_rows(ids)
            is_char = (unique > 0) & (unique != PAD_CHAR + 1)
            lengths = is_char.sum(dim=1)
            order = torch.argsort(lengths, stable=True)
            sorted_lengths = lengths[order].tolist()
            widest = max(w for w, _ in self.config.filters)
            biggest = max(num for _, num in self.config.filters)
            result = self.char_embedding.new_empty(unique.shape[0], self.output_dim, dtype=out_dtype)
            start = 0
            while start < len(order):
                # Grow the chunk while its (sorted, so last) token keeps it within the budget.
                stop = start + 1
                used = min(max_chars, max(sorted_lengths[start] + widest - 1, widest))
                while stop < len(order):
                    next_used = min(max_chars, max(sorted_lengths[stop] + widest - 1, widest))
                    if (stop + 1 - start) * next_used * biggest > chunk_elements:
                        break
                    used = next_used
                    stop += 1
                rows = order[start:stop]
                result[rows] = self._encode_chunk(unique[rows], lengths[rows], used)
                start = stop
            return result[inverse]

    def _encode_chunk(self, ids: torch.Tensor, lengths: torch.Tensor, used: int) -> torch.Tensor:
        """(n, max_chars) ids of tokens no longer than ``used - widest + 1`` -> (n, P)."""
        n, max_chars = ids.shape
        embedded = nn.functional.embedding(ids[:, :used], self.char_embedding).contiguous()  # (n, used, E)
        dim = embedded.shape[2]
        pooled = []
        for bank in self._packed_banks():
            positions = used - bank.width + 1
            # Window p = the width * E numbers starting at p * E: a strided view, no copy.
            windows = embedded.as_strided((n, positions, bank.width * dim), (used * dim, dim, 1))
            windows = windows.reshape(n * positions, bank.width * dim)  # one copy, then a plain GEMM
            scores = torch.mm(windows, bank.matrix).view(n, positions, -1)
            best = scores.amax(dim=1) + bank.bias  # max(x) + b == max(x + b), also in floating point
            if used < max_chars:
                has_padding_window = (lengths + bank.width <= max_chars) & (lengths > 0)
                best = torch.where(has_padding_window.unsqueeze(1), torch.maximum(best, bank.pad_value), best)
            pooled.append(self._activation(best))
        x = torch.cat(pooled, dim=1)
        for highway in self.highways:
            x = highway(x)
        if self.projection is not None:
            x = self.projection(x)
        return x


class PackedBank(NamedTuple):
    width: int
    matrix: torch.Tensor  # (width * E, num)
    bias: torch.Tensor  # (num,)
    pad_value: torch.Tensor  # (num,): a window made only of padding characters, bias included


# Bucket edges of the training path, in characters (markers included): most English words
# have 3 to 12 letters, so short, medium and long words are convolved separately.
TRAINING_LENGTH_EDGES = (6, 8, 10, 13, 17)


def _length_buckets(sorted_lengths: torch.Tensor, order: torch.Tensor):
    """Yield (start, stop, rows) over tokens sorted by length, one bucket per length range."""
    edges = torch.tensor(TRAINING_LENGTH_EDGES, dtype=sorted_lengths.dtype, device=sorted_lengths.device)
    bounds = [0, *torch.searchsorted(sorted_lengths, edges, right=True).tolist(), len(order)]
    for start, stop in zip(bounds[:-1], bounds[1:]):
        if stop > start:
            yield start, stop, order[start:stop]


def _unique_rows(ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Distinct rows of a 2-d integer tensor and, per row, the index of its distinct row."""
    if ids.device.type != "cpu":
        return torch.unique(ids, dim=0, return_inverse=True)
    import numpy as np

    array = np.ascontiguousarray(ids.numpy())
    keys = array.view(np.dtype((np.void, array.dtype.itemsize * array.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return torch.from_numpy(array[first]), torch.from_numpy(inverse.reshape(-1).astype(np.int64))

