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

Fast exact inference (same vectors as the plain path within 1e-5, see ``tests/test_fast_paths.py``):

- layer 0 comes from a per-model LRU :class:`~elmo_core.token_cache.TokenCache` keyed by word
  (``token_cache=True``, the default), so the character CNN runs only on words not seen before;
  ``precompute_vocabulary`` pins a whole vocabulary;
- ``embed`` buckets sentences by length under a token budget (``max_tokens_per_batch``) in
  ``zero``/``warm`` modes and restores input order; ``carry`` keeps input order and batch rows;
- the LSTM runs its inference path (packed layout, fused gates; see :mod:`elmo_core.lstm`);
- in ``zero``/``warm`` modes every sentence's forward direction starts by reading ``<S>`` and its
  backward direction by reading ``</S>`` from the same state, so the state after those two steps
  is computed once per weights and reused: the time loop runs over the sentence's own tokens
  only (n steps instead of n + 2). Their outputs are dropped anyway.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import torch

from .chars import BOS_TOKEN, EOS_TOKEN, batch_to_ids
from .config import ElmoConfig
from .embedding_batches import DEFAULT_MAX_TOKENS, plan_batches
from .lstm import LSTMState
from .model import ElmoModel
from .param_versions import parameters_key
from .token_cache import TokenCache

STATE_MODES = ("zero", "carry", "warm")

#: Arithmetic of the LSTM inference path. float32 is the default and the exact one; bfloat16 and
#: float16 are meant for GPUs (on a CPU they are slower); ``benchmarks/bench.py`` reports their
#: deviation from float32 on the reference fixtures.
PRECISIONS = {"float32": None, "bfloat16": torch.bfloat16, "float16": torch.float16}

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

    def __init__(self, model: ElmoModel, *, state: str = "warm", device=None, name: str = "custom",
                 token_cache: bool = True, cache_size: int | None = None,
                 max_tokens_per_batch: int | None = DEFAULT_MAX_TOKENS, precision: str = "float32",
                 cuda_graphs: bool = False):
        if state not in STATE_MODES:
            raise ValueError(f"state must be one of {STATE_MODES}, got {state!r}")
        self.device = pick_device(device)
        self.model = model.to(self.device).eval()
        self.state_mode = state
        self.name = name
        self._carried: LSTMState | None = None
        self._warm: tuple[tuple, LSTMState] | None = None  # (weights key, state)
        self._boundary: tuple[tuple, LSTMState] | None = None  # (weights key, state after <S> / </S>)
        self.max_tokens_per_batch = max_tokens_per_batch
        #: layer-0 vectors by word; ``None`` runs the CNN on every batch's distinct words.
        self.token_cache: TokenCache | None = TokenCache(self.model.char_cnn, cache_size) if token_cache else None
        self.precision = "float32"
        self.set_precision(precision)
        self._graphed = None
        if cuda_graphs:
            from .cuda_graphs import GraphedLSTM

            if GraphedLSTM.usable(self.device):
                self._graphed = GraphedLSTM(self.model.lstm)

    def set_precision(self, precision: str) -> None:
        """``"float32"`` (default), ``"bfloat16"`` or ``"float16"`` for the LSTM arithmetic of
        :meth:`embed`; layer 0 stays float32, outputs are always float32. Resets the warm state."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {tuple(PRECISIONS)}, got {precision!r}")
        self.precision = precision
        self.model.lstm.inference_dtype = PRECISIONS[precision]
        self._warm = self._boundary = None

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

    def _weights_key(self) -> tuple:
        return parameters_key(self.model.parameters()) + (self.precision,)

    def warm_state(self) -> LSTMState:
        """The fixed start state of ``warm`` mode, shape (layers, 2, 1, ...); computed once per
        weights (recomputed after the parameters change, e.g. by fine-tuning)."""
        key = self._weights_key()
        if self._warm is None or self._warm[0] != key:
            state = None
            with torch.inference_mode():
                for sentence in WARM_UP_TEXT:
                    ids = batch_to_ids([sentence]).to(self.device)
                    state = self.model(ids, state).state
            self._warm = (key, state)
        return self._warm[1]

    def boundary_state(self) -> LSTMState:
        """``zero``/``warm`` modes: the state (layers, 2, 1, ...) after the forward direction has
        read ``<S>`` and the backward direction ``</S>`` from the mode's start state. The same
        for every sentence, so computed once per weights and precision."""
        if self.state_mode == "carry":
            raise ValueError("carry mode has no fixed boundary state (each row continues its own state)")
        key = self._weights_key() + (self.state_mode,)
        if self._boundary is None or self._boundary[0] != key:
            with torch.inference_mode():
                start = self._initial_state(1)
                if start is None:
                    start = self.model.lstm.zero_state(1, device=self.device)
                boundary = self.token_vectors([BOS_TOKEN, EOS_TOKEN])  # direction 0 reads <S>, 1 reads </S>
                mask = torch.ones(1, 1, dtype=torch.bool, device=self.device)
                _, state = self.model.lstm.forward_directions(boundary.view(2, 1, 1, -1), mask, start)
            self._boundary = (key, LSTMState(state.cell.float(), state.hidden.float()))
        return self._boundary[1]

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

    def token_vectors(self, words: list[str]) -> torch.Tensor:
        """Layer 0 before duplication for each word, (len(words), projection_dim), via the cache."""
        if self.token_cache is not None:
            return self.token_cache.lookup(list(words))
        from .chars import token_to_ids

        with torch.inference_mode():
            if not words:
                return self.model.char_cnn.char_embedding.new_zeros(0, self.model.char_cnn.output_dim)
            max_chars = self.config.char_cnn.max_characters_per_token
            ids = torch.from_numpy(np.stack([token_to_ids(w, max_chars) for w in words])).to(self.device)
            return self.model.char_cnn.encode(ids)

    def precompute_vocabulary(self, words: Iterable[str] | str | None = None) -> int:
        """Pin the layer-0 vectors of a vocabulary in the token cache; returns the word count.

        ``words``: a list of words or a path to a file with one word per line; ``None`` takes
        the ``vocab.txt`` bundled with a bundled model (e.g. ``mini``).
        """
        if self.token_cache is None:
            raise ValueError("this BiLM was made with token_cache=False")
        if words is None:
            from .registry import BUNDLED_MODELS, bundled_model_dir

            path = bundled_model_dir(self.name) / "vocab.txt" if self.name in BUNDLED_MODELS else None
            if path is None or not path.is_file():
                raise ValueError(f"no bundled vocab.txt for model {self.name!r}; pass a word list or a file path")
            words = path
        return self.token_cache.precompute(words)

    def _word_table(self, sentences: list[list[str]], boundaries: bool
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Layer 0 of a batch's distinct words: table (V + 1, P) with row 0 the zero padding
        vector, index (batch, time) into it, lengths (batch,). ``boundaries`` puts ``<S>`` and
        ``</S>`` around each sentence."""
        position: dict[str, int] = {BOS_TOKEN: 1, EOS_TOKEN: 2} if boundaries else {}
        extra = 2 if boundaries else 0
        time = max(len(s) for s in sentences) + extra
        index = np.zeros((len(sentences), time), dtype=np.int64)
        for row, sentence in enumerate(sentences):
            for col, word in enumerate(sentence, start=extra // 2):
                slot = position.get(word)
                if slot is None:
                    slot = position[word] = len(position) + 1
                index[row, col] = slot
            if boundaries:
                index[row, 0], index[row, len(sentence) + 1] = 1, 2
        vectors = self.token_vectors(list(position))
        table = torch.cat([vectors.new_zeros(1, self.model.char_cnn.output_dim), vectors])
        lengths = torch.tensor([len(s) + extra for s in sentences], device=self.device)
        return table, torch.from_numpy(index).to(self.device), lengths

    @torch.inference_mode()
    def _run_batch(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """The fast path of :meth:`embed_batch`: cached token vectors, inference LSTM; in
        ``zero``/``warm`` modes from the cached :meth:`boundary_state`, without the markers."""
        boundaries = self.state_mode == "carry" or self._graphed is not None
        if not boundaries and not any(sentences):
            return [np.zeros((self.num_layers, 0, self.output_dim), dtype=np.float32) for _ in sentences]
        table, index, lengths = self._word_table(sentences, boundaries)
        tokens = table[index]  # (batch, time, P), zeros at padding
        mask = torch.arange(index.shape[1], device=self.device).unsqueeze(0) < lengths.unsqueeze(1)
        if boundaries:
            state = self._initial_state(len(sentences))
            if state is None:
                state = self.model.lstm.zero_state(len(sentences), device=self.device, dtype=tokens.dtype)
        else:
            state = LSTMState(*(s.expand(-1, -1, len(sentences), -1).contiguous() for s in self.boundary_state()))
        if self._graphed is not None:
            layers, final = self._graphed(tokens, mask, state)
        else:  # first-layer input products once per distinct word of the batch
            layers, final = self.model.lstm.forward_table(table, index, mask, state)
        if self.state_mode == "carry":
            self._remember(final)
        stacked = torch.stack([torch.cat([tokens, tokens], dim=-1), *layers])
        if boundaries:
            stacked = stacked[:, :, 1:-1]
        array = stacked.float().cpu().numpy()
        return [np.ascontiguousarray(array[:, i, : len(s)]) for i, s in enumerate(sentences)]

    def embed_batch(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """One batch, in order: per sentence float32 (layers, n_tokens, 2 * projection_dim).

        In ``carry`` mode row i continues from row i of the previous batch (an empty sentence
        occupies its row; ``embed`` leaves empty sentences out of the batch instead).
        """
        if not sentences:
            return []
        return self._run_batch(sentences)

    def iter_batches(self, sentences: list[list[str]], batch_size: int,
                     max_tokens_per_batch: int | None = None) -> Iterable[list[int]]:
        """Index batches: input order in carry mode, else bucketed by length under the token
        budget (same results, less padding, bounded memory); see :mod:`elmo_core.embedding_batches`."""
        budget = self.max_tokens_per_batch if max_tokens_per_batch is None else max_tokens_per_batch
        yield from plan_batches([len(s) for s in sentences], batch_size, budget,
                                keep_order=self.state_mode == "carry")

    def embed(self, sentences: list[list[str]], batch_size: int = 64, progress: bool = False,
              max_tokens_per_batch: int | None = None) -> list[np.ndarray]:
        """Token lists -> one float32 array (num_layers + 1, n_tokens, 2 * projection_dim) each.

        Markers ``<S>``/``</S>`` are added and removed internally. An empty sentence gives an
        array with zero tokens. Results come back in input order. ``max_tokens_per_batch``
        (default: the instance's ``max_tokens_per_batch``) caps the padded tokens of a batch in
        ``zero``/``warm`` modes, which bounds peak memory per batch.
        """
        sentences = validate_sentences(sentences)
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        results: list[np.ndarray | None] = [None] * len(sentences)
        empty = np.zeros((self.num_layers, 0, self.output_dim), dtype=np.float32)
        batches = list(self.iter_batches(sentences, batch_size, max_tokens_per_batch))
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

    def __repr__(self) -> str:
        c = self.config
        return (f"BiLM(name={self.name!r}, layers={self.num_layers}, dim={c.lstm.dim}, "
                f"projection={c.lstm.projection_dim}, state={self.state_mode!r}, device={self.device})")
