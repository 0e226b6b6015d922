"""
Held-out perplexity of an *exported* model (options.json + weights.hdf5 with its adaptive softmax
under ``softmax/`` + vocab.txt), per corpus source.

A corpus built by :func:`elmo_core.corpus.build.build_corpus` keeps each source's held-out
sentences in ``heldout/<source>.txt``; the split is chosen by a hash of the sentence, so two
models trained on different builds of the same sources are measured on the same sentences.
Perplexities of models with different output vocabularies are comparable only together with
their out-of-vocabulary rates (an unknown target is scored as ``<UNK>``), so both are reported.

>>> lm, vocab = lm_from_model_dir(Path("elmo_core/models/mini"))        # doctest: +SKIP
>>> per_source_perplexity(lm, vocab, Path("~/.cache/elmo-explorer/corpus-v2"))  # doctest: +SKIP
{'imdb': {'forward_ppl': ..., 'backward_ppl': ..., 'tokens': ..., 'oov_rate': ...}, ...}

And of a user's text file (``elmo-explorer perplexity MODEL TEXT``): each line is tokenized like
the app does (:func:`elmo_core.tokenizer.tokenize`: a line may hold several sentences), the
sentences are read as one stream in file order, and scored with the model's own vocabulary:

>>> perplexity_of_text("mini", "reviews.txt")                           # doctest: +SKIP
{'forward': 212.4, 'backward': 198.0, 'tokens': 5120, 'oov_rate': 0.031}

A model without a trained softmax (every official ELMo release) raises :class:`NoSoftmaxError`.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import torch

from ..config import ElmoConfig
from ..loading import find_model_files
from ..model import ElmoModel
from ..registry import OFFICIAL_MODELS, resolve_model_dir
from ..text_file import read_text_file
from ..tokenizer import tokenize
from ..weights import load_weights, read_extra
from .data import UNK, Vocabulary, encode_corpus
from .lm import BiLanguageModel
from .trainer import evaluate

__all__ = ["NoSoftmaxError", "lm_from_model_dir", "model_dir_with_softmax", "per_source_perplexity",
           "perplexity_of_text", "text_perplexity", "write_sentences"]


class NoSoftmaxError(ValueError):
    """The model has no trained output softmax (``softmax/`` in its weights), so it can neither
    score text nor be trained further as a language model."""


def _no_softmax(name: str) -> NoSoftmaxError:
    return NoSoftmaxError(
        f"{name} has no trained softmax with its vocabulary (softmax/ in weights.hdf5, vocab.txt): the official ELMo "
        "weight files hold only the biLM, not its output layer, so it can neither score text nor be "
        "trained further. Use a model exported by elmo-explorer (`train`, `export`, `adapt`), such as "
        "the bundled 'mini'.")


def model_dir_with_softmax(name_or_dir: str | Path) -> Path:
    """The directory of a named or given model that has a trained softmax and a vocabulary;
    :class:`NoSoftmaxError` otherwise (an official model's name is refused before any download)."""
    if str(name_or_dir) in OFFICIAL_MODELS:
        raise _no_softmax(f"the official model '{name_or_dir}'")
    directory, name = resolve_model_dir(name_or_dir, progress=False)
    _, weight_file = find_model_files(directory)
    if not read_extra(weight_file, "softmax") or not (Path(directory) / "vocab.txt").is_file():
        raise _no_softmax(f"model {name}")
    return Path(directory)


def lm_from_model_dir(model_dir: Path) -> tuple[BiLanguageModel, Vocabulary]:
    """The language model (biLM + trained softmax) and output vocabulary of an exported model;
    :class:`NoSoftmaxError` for a model without them."""
    model_dir = Path(model_dir)
    options_file, weight_file = find_model_files(model_dir)
    softmax = read_extra(weight_file, "softmax")
    if not softmax or not (model_dir / "vocab.txt").is_file():
        raise _no_softmax(f"model {model_dir.name}")
    vocab = Vocabulary.from_file(model_dir / "vocab.txt", 10**9)
    bilm = ElmoModel(ElmoConfig.from_json(options_file))
    load_weights(bilm, weight_file)
    head = softmax["head.weight"]  # (shortlist + n_clusters, P)
    n_clusters = sum(1 for name in softmax if name.startswith("tail.") and name.endswith(".0.weight"))
    cutoffs, start = [], head.shape[0] - n_clusters
    for k in range(n_clusters):
        cutoffs.append(start)
        start += softmax[f"tail.{k}.1.weight"].shape[0]
    lm = BiLanguageModel(bilm, len(vocab.words), tuple(cutoffs), 0.0)
    lm.softmax.load_state_dict({name: torch.from_numpy(value) for name, value in softmax.items()})
    return lm.eval(), vocab


def per_source_perplexity(lm: BiLanguageModel, vocab: Vocabulary, corpus_dir: Path, *,
                          max_tokens: int = 200_000, unroll: int = 20, batch_size: int = 16) -> dict[str, dict]:
    """Per source held-out file, forward/backward perplexity over up to ``max_tokens`` tokens,
    the tokens scored, and the share of targets outside ``vocab``. A source with fewer than two
    windows of held-out text is left out."""
    results = {}
    unk = vocab.index()[UNK]
    for path in sorted((Path(corpus_dir).expanduser() / "heldout").glob("*.txt")):
        text = encode_corpus(path, vocab, max_tokens=max_tokens)
        if len(text.stream) < 2 * (unroll + 1):  # too little held-out text to score
            continue
        targets = text.type_to_target[text.stream]
        result = evaluate(lm, text, batch_size, unroll, max_tokens, torch.device("cpu"))
        result["oov_rate"] = float(np.mean(targets == unk))
        results[path.stem] = result
    return results


def write_sentences(lines: list[str], path: Path) -> tuple[int, int]:
    """Tokenize each of ``lines`` (:func:`~elmo_core.tokenizer.tokenize`: sentences, then words) and
    write one sentence per line, tokens split by spaces, the layout :func:`encode_corpus` reads.
    Returns (sentences, tokens) written; as a stream the text has ``tokens + 2 * sentences`` tokens
    (``<S>`` and ``</S>`` around each sentence)."""
    sentences = tokens = 0
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            for sentence in tokenize(line):
                f.write(" ".join(sentence) + "\n")
                sentences, tokens = sentences + 1, tokens + len(sentence)
    return sentences, tokens


def text_perplexity(lm: BiLanguageModel, vocab: Vocabulary, sentences_file: Path, *,
                    max_tokens: int | None = None, unroll: int = 20, batch_size: int = 16) -> dict:
    """Forward/backward perplexity of a file of tokenized sentences (one a line) read as one stream,
    with ``tokens`` scored and ``oov_rate`` (share of targets outside ``vocab``, scored as ``<UNK>``).
    A text shorter than two windows is scored in one window of its own length."""
    text = encode_corpus(sentences_file, vocab, max_tokens=max_tokens)
    if len(text.stream) == 0:
        raise ValueError("the text has no token to score")
    unroll = max(1, min(unroll, len(text.stream) - 1))
    result = evaluate(lm, text, batch_size, unroll, max_tokens or len(text.stream), torch.device("cpu"))
    targets = text.type_to_target[text.stream]
    return {"forward": result["forward_ppl"], "backward": result["backward_ppl"], "tokens": result["tokens"],
            "oov_rate": float(np.mean(targets == vocab.index()[UNK]))}


def perplexity_of_text(name_or_dir: str | Path, path: str | Path, *, max_tokens: int | None = None) -> dict:
    """``{"forward", "backward", "tokens", "oov_rate"}``: per-direction perplexity of a plain-text
    file (one sentence or paragraph per line; checked by :func:`~elmo_core.text_file.read_text_file`)
    under a model with a trained softmax, scored with the model's own vocabulary.

    Raises :class:`NoSoftmaxError` for a model without a softmax and
    :class:`~elmo_core.text_file.TextFileError` for a file that is not usable text."""
    model_dir = model_dir_with_softmax(name_or_dir)
    lines = read_text_file(path)
    lm, vocab = lm_from_model_dir(model_dir)
    with tempfile.TemporaryDirectory(prefix="elmo-perplexity-") as folder:
        sentences = Path(folder) / "sentences.txt"
        if write_sentences(lines, sentences)[1] == 0:
            raise ValueError(f"{Path(path).name} has no word to score")
        return text_perplexity(lm, vocab, sentences, max_tokens=max_tokens)
