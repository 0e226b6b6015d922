"""
:class:`BiLM`: a loaded ELMo model with a state policy and a list-of-sentences API.

State policies (the LSTM state at the start of a batch):

- ``"zero"``: zeros for every row. A sentence's vectors depend on nothing else.
- ``"carry"``: the reference (bilm-tf / AllenNLP) behaviour. Each batch row starts from the final
  state that row reached in the previous batch, so results depend on what ran before. This is
  what reproduces the published fixtures.
- ``"warm"`` (default): every row starts from one fixed state, computed once by running the
  model over :data:`WARM_UP_TEXT` from zero. Deterministic, independent of batching, and closer
  to the states the LM saw while training than zeros are.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import torch

from .chars import batch_to_ids
from .config import ElmoConfig
from .lstm import LSTMState
from .model import ElmoModel

STATE_MODES = ("zero", "carry", "warm")

WARM_UP_TEXT = [
    "The first day of the week began quietly in the town .".split(),
    "People walked to work , talked with friends and read the news .".split(),
    "In the afternoon , it rained for an hour , and then the sun came out again .".split(),
    "She said that she would call him later , but he was not at home .".split(),
]


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """``None`` -> CUDA when available, else CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def validate_sentences(sentences: object) -> list[list[str]]:
    """Check the ``list[list[str]]`` shape of an input, with a clear ``ValueError`` if it is wrong."""
    if isinstance(sentences, str) or not isinstance(sentences, Sequence):
        raise ValueError("sentences must be a list of token lists, e.g. [['I', 'saw', 'a', 'saw', '.']]; "
                         "use elmo_core.tokenize(text) to make one from raw text")
    checked = []
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, str) or not isinstance(sentence, Sequence):
            raise ValueError(f"sentence {i} must be a list of tokens, got {type(sentence).__name__}")
        for j, token in enumerate(sentence):
            if not isinstance(token, str):
                raise ValueError(f"sentence {i}, token {j} must be a string, got {type(token).__name__}")
            if token == "" or token.isspace():
                raise ValueError(f"sentence {i}, token {j} is empty or white space; tokens must have characters")
        checked.append(list(sentence))
    return checked


class BiLM:
    """A loaded biLM. ``embed`` turns token lists into per-layer vectors."""

    def __init__(self, model: ElmoModel, *, state: str = "warm", device=None, name: str = "custom"):
        if state not in STATE_MODES:
            raise ValueError(f"state must be one of {STATE_MODES}, got {state!r}")
        self.device = pick_device(device)
        self.model = model.to(self.device).eval()
        self.state_mode = state
        self.name = name
        self._carried: LSTMState | None = None
        self._warm: LSTMState | None = None

    # ----------------------------------------------------------------- properties
    @property
    def config(self) -> ElmoConfig:
        return self.model.config

    @property
    def num_layers(self) -> int:
        return self.config.num_output_layers

    @property
    def output_dim(self) -> int:
        return self.config.output_dim

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    # ----------------------------------------------------------------- state
    def reset_state(self) -> None:
        """Forget the carried state (``carry`` mode starts from zeros again)."""
        self._carried = None

    def warm_state(self) -> LSTMState:
        """The fixed start state of ``warm`` mode, shape (layers, 2, 1, ...); computed once."""
        if self._warm is None:
            state = None
            with torch.inference_mode():
                for sentence in WARM_UP_TEXT:
                    ids = batch_to_ids([sentence]).to(self.device)
                    state = self.model(ids, state).state
            self._warm = state
        return self._warm

    def _initial_state(self, batch: int) -> LSTMState | None:
        if self.state_mode == "zero":
            return None
        if self.state_mode == "warm":
            warm = self.warm_state()
            return LSTMState(*(s.expand(-1, -1, batch, -1).contiguous() for s in warm))
        zero = self.model.lstm.zero_state(batch, device=self.device)
        if self._carried is None:
            return zero
        rows = min(batch, self._carried.cell.shape[2])
        zero.cell[:, :, :rows] = self._carried.cell[:, :, :rows]
        zero.hidden[:, :, :rows] = self._carried.hidden[:, :, :rows]
        return zero

    def _remember(self, final: LSTMState) -> None:
        """Carry mode: rows of this batch replace the stored rows; rows beyond it are kept."""
        if self._carried is None or self._carried.cell.shape[2] <= final.cell.shape[2]:
            self._carried = final
            return
        rows = final.cell.shape[2]
        self._carried.cell[:, :, :rows] = final.cell
        self._carried.hidden[:, :, :rows] = final.hidden

    # ----------------------------------------------------------------- running
    @torch.inference_mode()
    def forward_ids(self, char_ids: torch.Tensor):
        """Run one batch of char ids (batch, time, chars) under the state policy -> BiLMOutput."""
        char_ids = char_ids.to(self.device)
        output = self.model(char_ids, self._initial_state(char_ids.shape[0]))
        if self.state_mode == "carry":
            self._remember(output.state)
        return output

    def embed_batch(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """One batch, in order: per sentence float32 (layers, n_tokens, 2 * projection_dim)."""
        output = self.forward_ids(batch_to_ids(sentences))
        layers = output.layers.float().cpu().numpy()
        return [np.ascontiguousarray(layers[:, i, : len(s)]) for i, s in enumerate(sentences)]

    def iter_batches(self, sentences: list[list[str]], batch_size: int) -> Iterable[list[int]]:
        """Index batches: input order in carry mode, else grouped by length (same results, less padding)."""
        order = list(range(len(sentences)))
        if self.state_mode != "carry":
            order.sort(key=lambda i: len(sentences[i]))
        for start in range(0, len(order), batch_size):
            yield order[start : start + batch_size]

    def embed(self, sentences: list[list[str]], batch_size: int = 64, progress: bool = False) -> list[np.ndarray]:
        """Token lists -> one float32 array (num_layers + 1, n_tokens, 2 * projection_dim) each.

        Markers ``<S>``/``</S>`` are added and removed internally. An empty sentence gives an
        array with zero tokens. Results come back in input order.
        """
        sentences = validate_sentences(sentences)
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        results: list[np.ndarray | None] = [None] * len(sentences)
        empty = np.zeros((self.num_layers, 0, self.output_dim), dtype=np.float32)
        batches = list(self.iter_batches(sentences, batch_size))
        if progress:
            from tqdm.auto import tqdm
            batches = tqdm(batches, desc="embedding", unit="batch")
        for indices in batches:
            non_empty = [i for i in indices if sentences[i]]
            for i in indices:
                if not sentences[i]:
                    results[i] = empty.copy()
            if non_empty:
                for i, vectors in zip(non_empty, self.embed_batch([sentences[i] for i in non_empty])):
                    results[i] = vectors
        return results  # type: ignore[return-value]

    def embed_text(self, text: str, **kwargs) -> tuple[list[list[str]], list[np.ndarray]]:
        """Raw text -> (tokenized sentences, their vectors)."""
        from .tokenizer import tokenize

        sentences = tokenize(text)
        return sentences, self.embed(sentences, **kwargs)

    def __repr__(self) -> str:
        c = self.config
        return (f"BiLM(name={self.name!r}, layers={self.num_layers}, dim={c.lstm.dim}, "
                f"projection={c.lstm.projection_dim}, state={self.state_mode!r}, device={self.device})")
