"""
What the biLM's two language models predict for one sentence: per token, the most likely next
word (forward LM) and previous word (backward LM) with their probabilities, the surprisal of
the token itself in each direction, and each direction's perplexity over the sentence.

Only a model with a trained output softmax can predict words: one exported by
``elmo-explorer train`` / ``export`` (``softmax/`` in ``weights.hdf5`` plus ``vocab.txt``, as in
the bundled ``mini``). The official ELMo weight files hold the biLM without its softmax, so
:func:`load_language_model` raises :class:`NoSoftmaxError` for them.

>>> result = predict_text("mini", "I saw a")                             # doctest: +SKIP
>>> [(word, round(p, 3)) for word, p in result.forward.top[-1][:3]]      # doctest: +SKIP
[('movie', 0.113), ('film', 0.065), ('lot', 0.058)]
>>> round(result.forward.perplexity, 1), round(result.backward.perplexity, 1)  # doctest: +SKIP
(35.8, 356.2)

What is computed, for tokens ``t_0 .. t_{n-1}`` read as ``<S> t_0 .. t_{n-1} </S>``:

- ``forward.top[i]``: the likeliest tokens after ``t_i`` given ``<S> t_0 .. t_i`` (for the last
  token the forward LM mostly expects ``</S>``, which is not listed);
  ``backward.top[i]``: the likeliest tokens before ``t_i`` given ``t_i .. t_{n-1} </S>`` (for the
  first token, ``<S>`` is not listed).
  The pseudo-words ``<S>``, ``</S>`` and ``<UNK>`` are left out of the lists (the vocabulary has
  no padding word); the probabilities are the model's own, not renormalised over what is shown.
- ``surprisal_bits[i]``: ``-log2 p(t_i | <S> t_0 .. t_{i-1})`` forward, ``-log2 p(t_i | t_{i+1} .. </S>)``
  backward. A token outside the output vocabulary (``oov[i]``) is scored as ``<UNK>``, the way the
  model was trained, so its surprisal is that of "some rare word", not of the word itself.
- ``perplexity``: ``2 ** mean(surprisal_bits)`` over the sentence's own tokens. The closing
  predictions (``</S>`` forward, ``<S>`` backward) are left out, so the perplexity is exactly
  what the per-token surprisals show (training's held-out perplexity counts them).

Start state: the training streams carry LSTM state from one sentence to the next, so a
sentence's ``<S>`` is always read after the previous sentence's ``</S>``. Each sentence here
starts from the ``warm`` state of :class:`elmo_core.bilm.BiLM` (the state after a few plain
sentences, computed once per model), which is such a state. On six plain English sentences it
gives lower perplexity than the zero state in both directions (geometric mean with ``mini``:
forward 65 vs 73, backward 55 vs 62), and the result does not depend on what ran before.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..bilm import BiLM, validate_sentences
from ..chars import BOS_TOKEN, EOS_TOKEN, batch_to_ids
from ..lstm import LSTMState
from ..tokenizer import text_to_tokens
from .data import UNK, Vocabulary
from .heldout import NoSoftmaxError, lm_from_model_dir, model_dir_with_softmax
from .lm import BiLanguageModel

__all__ = ["DirectionPredictions", "LMPredictions", "LanguageModel", "NoSoftmaxError", "MAX_TOKENS",
           "MAX_TOP_K", "load_language_model", "log_probabilities", "predict", "predict_text"]

#: Longest sentence (in tokens) that :func:`predict` scores.
MAX_TOKENS = 200
#: Most predictions listed per token.
MAX_TOP_K = 100
#: Pseudo-words never listed among the predictions.
EXCLUDED_WORDS = (BOS_TOKEN, EOS_TOKEN, UNK)

_LN2 = math.log(2.0)


@dataclass(frozen=True)
class DirectionPredictions:
    """One direction's predictions; every list has one entry per token."""

    top: list[list[tuple[str, float]]]  # the K likeliest next (forward) / previous (backward) words
    surprisal_bits: list[float]  # -log2 p(token | what this direction read before it)
    perplexity: float  # 2 ** mean(surprisal_bits)

    def to_json(self) -> list[dict]:
        return [{"top": [[word, p] for word, p in top], "surprisal_bits": bits}
                for top, bits in zip(self.top, self.surprisal_bits)]


@dataclass(frozen=True)
class LMPredictions:
    """Both directions' predictions for one sentence (see the module docstring)."""

    tokens: list[str]
    forward: DirectionPredictions
    backward: DirectionPredictions
    oov: list[bool]  # the token is outside the output vocabulary (scored as <UNK>)

    def to_json(self) -> dict:
        """``{"tokens", "forward": [{"top": [[w, p], ...], "surprisal_bits"}, ...], "backward",
        "perplexity": {"forward", "backward"}}``, ready for ``json.dumps``."""
        return {"tokens": list(self.tokens), "forward": self.forward.to_json(),
                "backward": self.backward.to_json(),
                "perplexity": {"forward": self.forward.perplexity, "backward": self.backward.perplexity}}


@dataclass(frozen=True, eq=False)
class LanguageModel:
    """An exported model's biLM with its softmax, output vocabulary and start state."""

    name: str
    lm: BiLanguageModel = field(repr=False)
    vocab: Vocabulary = field(repr=False)
    word_ids: dict[str, int] = field(repr=False)  # output-vocabulary id of each word
    start: LSTMState = field(repr=False)  # (layers, 2, 1, ...) state every sentence starts from (BiLM's warm state)


@functools.lru_cache(maxsize=4)
def _load_directory(directory: str, name: str, stamp: tuple) -> LanguageModel:
    lm, vocab = lm_from_model_dir(Path(directory))
    start = BiLM(lm.bilm, state="warm", device="cpu", token_cache=False).warm_state()
    return LanguageModel(name, lm, vocab, vocab.index(), start)


def load_language_model(name_or_dir: str | Path) -> LanguageModel:
    """A model name or exported model directory -> :class:`LanguageModel` (cached per directory
    and the size and time of its files, so a folder written again is read again).

    Raises :class:`NoSoftmaxError` for a model without a trained softmax (every official model:
    named ones are refused before anything is downloaded)."""
    directory = model_dir_with_softmax(name_or_dir).resolve()
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(directory.iterdir()) if p.is_file())
    return _load_directory(str(directory), directory.name, stamp)


def _check_tokens(tokens: list[str], top_k: int) -> list[str]:
    if isinstance(tokens, str):
        raise ValueError("tokens must be a list of words; use predict_text for raw text")
    if not tokens:
        raise ValueError("there is nothing to predict: give at least one word")
    if len(tokens) > MAX_TOKENS:
        raise ValueError(f"the sentence has {len(tokens)} tokens; at most {MAX_TOKENS} are scored at once")
    if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise ValueError(f"the number of predictions per token (top_k) must be a whole number "
                         f"from 1 to {MAX_TOP_K}, got {top_k!r}")
    tokens = validate_sentences([tokens])[0]
    if BOS_TOKEN in tokens or EOS_TOKEN in tokens:
        raise ValueError(f"leave {BOS_TOKEN} and {EOS_TOKEN} out of the tokens: the sentence is framed with them here")
    return tokens


def _top_words(log_probs: torch.Tensor, words: list[str], excluded: torch.Tensor, k: int
               ) -> list[list[tuple[str, float]]]:
    """log_probs (n, V) -> per row the k likeliest words outside ``excluded`` (V,) bool."""
    probs = log_probs.masked_fill(excluded, -math.inf).exp()
    values, ids = probs.topk(min(k, int((~excluded).sum())), dim=-1)  # (n, k)
    return [[(words[i], float(p)) for i, p in zip(row_ids.tolist(), row_values.tolist())]
            for row_ids, row_values in zip(ids, values)]


def _direction(log_probs: torch.Tensor, targets: torch.Tensor, words: list[str], excluded: torch.Tensor,
               k: int) -> DirectionPredictions:
    """log_probs (n + 1, V) of one direction in its reading order (row j read its j-th input),
    targets (n,) the ids of the tokens in that order -> predictions in reading order."""
    n = targets.shape[0]
    bits = (-log_probs[torch.arange(n), targets] / _LN2).tolist()  # row j predicts input j + 1
    top = _top_words(log_probs[1:], words, excluded, k)  # row j + 1 read token j
    perplexity = 2.0 ** (sum(bits) / n)
    return DirectionPredictions(top, bits, perplexity)


def _reverse(predictions: DirectionPredictions) -> DirectionPredictions:
    return DirectionPredictions(predictions.top[::-1], predictions.surprisal_bits[::-1], predictions.perplexity)


def log_probabilities(language_model: LanguageModel, tokens: list[str]) -> torch.Tensor:
    """Both directions' full output distributions over a sentence, from the model's start state.

    tokens: n words (no ``<S>``/``</S>``). Returns log-probabilities (2, n + 1, V) in each
    direction's reading order: row j of direction 0 has read ``<S> t_0 .. t_{j-1}`` and predicts
    ``t_j`` (``</S>`` for j = n); row j of direction 1 has read ``</S> t_{n-1} .. t_{n-j}`` and
    predicts ``t_{n-1-j}`` (``<S>`` for j = n)."""
    model, n = language_model.lm, len(tokens)
    framed = [BOS_TOKEN, *tokens, EOS_TOKEN]
    max_chars = model.bilm.config.char_cnn.max_characters_per_token
    with torch.inference_mode():
        vectors = model.bilm.char_cnn(batch_to_ids([framed], max_chars))[0]  # (n + 2, P)
        inputs = torch.stack([vectors, vectors.flip(0)]).unsqueeze(1)  # (2, 1, n + 2, P), reading order
        mask = torch.ones(1, n + 2, dtype=torch.bool)
        outputs, _ = model.bilm.lstm.forward_directions(inputs, mask, language_model.start)
        top = outputs[-1][:, 0, : n + 1].float()  # (2, n + 1, P): the row reading </S> / <S> predicts nothing
        return model.softmax.log_prob(top.reshape(2 * (n + 1), -1)).view(2, n + 1, -1)


def predict(language_model: LanguageModel, tokens: list[str], top_k: int = 5) -> LMPredictions:
    """One tokenized sentence (at most :data:`MAX_TOKENS` tokens, no ``<S>``/``</S>``) ->
    :class:`LMPredictions` with ``top_k`` (1 to :data:`MAX_TOP_K`) words per token and direction."""
    tokens = _check_tokens(tokens, top_k)
    log_probs = log_probabilities(language_model, tokens)  # (2, n + 1, V)
    unk = language_model.word_ids[UNK]
    ids = [language_model.word_ids.get(token, unk) for token in tokens]
    words = language_model.vocab.words
    excluded = torch.zeros(len(words), dtype=torch.bool)
    excluded[[language_model.word_ids[w] for w in EXCLUDED_WORDS]] = True
    forward = _direction(log_probs[0], torch.tensor(ids), words, excluded, top_k)
    backward = _reverse(_direction(log_probs[1], torch.tensor(ids[::-1]), words, excluded, top_k))
    return LMPredictions(tokens, forward, backward, [i == unk for i in ids])


def predict_text(name_or_dir: str | Path, text: str, top_k: int = 5) -> LMPredictions:
    """Raw text (tokenized with :func:`elmo_core.tokenizer.text_to_tokens`, its sentences joined
    into one token list) -> :func:`predict` with the model ``name_or_dir``."""
    tokens = text_to_tokens(text)
    if not tokens:
        raise ValueError("there is nothing to predict: the text is empty or holds no words")
    return predict(load_language_model(name_or_dir), tokens, top_k)
