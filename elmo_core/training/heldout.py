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
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..config import ElmoConfig
from ..model import ElmoModel
from ..weights import load_weights, read_extra
from .data import UNK, Vocabulary, encode_corpus
from .lm import BiLanguageModel
from .trainer import evaluate

__all__ = ["lm_from_model_dir", "per_source_perplexity"]


def lm_from_model_dir(model_dir: Path) -> tuple[BiLanguageModel, Vocabulary]:
    """The language model (biLM + trained softmax) and output vocabulary of an exported model."""
    model_dir = Path(model_dir)
    vocab = Vocabulary.from_file(model_dir / "vocab.txt", 10**9)
    softmax = read_extra(model_dir / "weights.hdf5", "softmax")
    if not softmax:
        raise ValueError(f"{model_dir.name} has no trained softmax (softmax/ in weights.hdf5): "
                         "perplexity needs a model exported by elmo-explorer")
    bilm = ElmoModel(ElmoConfig.from_json(model_dir / "options.json"))
    load_weights(bilm, model_dir / "weights.hdf5")
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
