"""
The context-free token encoder of ELMo (layer 0): character embeddings, a bank of 1-d
convolutions max-pooled over character positions, highway layers and a linear projection.

Exact window trimming: every token is padded to ``max_chars`` characters, and every window that
lies wholly in padding gives the same value per filter. We therefore convolve only the
positions that the longest token of the batch needs, and fold that constant "padding window"
value into the max for tokens that have such a window. The result equals the full convolution.
"""
from __future__ import annotations

import torch
from torch import nn

from .chars import PAD_CHAR
from .config import CharCNNConfig


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
        """(batch, time, max_chars) int64 -> (batch, time, projection_dim) float."""
        batch, time, max_chars = char_ids.shape
        ids = char_ids.reshape(-1, max_chars)
        # Length of each token in characters, markers included (ids > 0 and != shifted padding).
        is_char = (ids > 0) & (ids != PAD_CHAR + 1)
        lengths = is_char.sum(dim=1)  # (n_tokens,)
        longest = int(lengths.max()) if lengths.numel() else 0
        widest = max(w for w, _ in self.config.filters)
        used = min(max_chars, max(longest + widest - 1, widest))
        embedded = nn.functional.embedding(ids[:, :used], self.char_embedding)  # (n, used, E)
        embedded = embedded.transpose(1, 2)  # (n, E, used)
        pooled = []
        for conv, pad_value in zip(self.convolutions, self._padding_window_values()):
            width = conv.kernel_size[0]
            best = conv(embedded).amax(dim=2)  # (n, num)
            # A token of length L has an all-padding window when L + width <= max_chars;
            # absent tokens (length 0) are masked downstream, so they never matter.
            has_padding_window = (lengths + width <= max_chars) & (lengths > 0)
            if used < max_chars:
                best = torch.where(has_padding_window.unsqueeze(1), torch.maximum(best, pad_value), best)
            pooled.append(self._activation(best))
        x = torch.cat(pooled, dim=1)  # (n, n_filters)
        for highway in self.highways:
            x = highway(x)
        if self.projection is not None:
            x = self.projection(x)
        return x.view(batch, time, -1)
