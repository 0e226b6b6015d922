"""
The raw logits of a trained sentence head on any labelled texts, including sets it was not
trained on (the negation set, IMDB test reviews, the VADER tweet/product/editorial sets), for
scoring and calibration (``elmo_core.tasks.ship.set_logits``).

    test = evaluation_data("negation", "test").split("test")
    logits = head_logits(trained, test.sentences, "negation-test")   # (n, C)

Texts are cut to the classifier's :data:`MAX_TOKENS` (the first tokens of a long review), as the
shipped classifier does. Frozen-biLM features are cached like the training features; a
fine-tuned biLM gets its own fingerprint, so its features never mix with the frozen ones.
"""
from __future__ import annotations

import numpy as np
import torch

from .data import TaskData, load_task_data
from .features import FeatureCache, fingerprint_bilm
from .layer_inputs import FeatureLayers
from .padded_batches import length_batches
from .static_inputs import EmptyLayers, StaticSource
from .train import TrainedTask

__all__ = ["MAX_TOKENS", "evaluation_data", "head_logits", "split_logits"]

MAX_TOKENS = 400


def evaluation_data(name: str, split: str, *, imdb_reviews: int = 0) -> TaskData:
    """``split`` of the sentiment source ``name`` as the ``test`` split of a :class:`TaskData`,
    every text cut to :data:`MAX_TOKENS` tokens."""
    data = load_task_data("sentiment", name, imdb_reviews=imdb_reviews)
    part = data.split(split)
    cut = type(part)([s[:MAX_TOKENS] for s in part.sentences], part.labels, part.texts)
    empty = type(part)([], [], [])
    return TaskData("sentiment", name, data.label_names, {"train": empty, "dev": empty, "test": cut})


def _fingerprint(trained: TrainedTask) -> str:
    if trained.result.config.get("strategy") == "finetune" and trained.head_config.use_elmo:
        return fingerprint_bilm(trained.bilm)
    return trained.base_fingerprint


@torch.no_grad()
def head_logits(trained: TrainedTask, sentences: list[list[str]], name: str | None = None, *,
                cache: FeatureCache | None = None, batch_size: int = 64,
                segments: list[tuple[str, int]] | None = None) -> np.ndarray:
    """(len(sentences), num_classes) float32 logits of ``trained``'s head. Exactly one of
    ``name`` (the feature-cache entry of these sentences, ``eval-<name>``) and ``segments``
    (``(cache name, count)`` runs, :meth:`TaskData.segments`: the entries training itself wrote)."""
    if (name is None) == (segments is None):
        raise ValueError("head_logits needs exactly one of name and segments")
    config = trained.head_config
    device = next(trained.head.parameters()).device
    if config.use_elmo:
        cache = cache or FeatureCache()
        dtype = trained.result.config.get("feature_dtype", "float16")
        arrays, offset = [], 0
        for entry, count in segments or [(f"eval-{name}", len(sentences))]:
            arrays += cache.get(trained.bilm, _fingerprint(trained), entry, sentences[offset:offset + count],
                                dtype=dtype).arrays
            offset += count
        source = FeatureLayers(arrays, device)
    else:
        source = EmptyLayers(sentences, device)
    if config.static_dim:
        source = StaticSource(source, sentences, trained.static)
    trained.head.eval()
    out = np.zeros((len(sentences), config.num_classes), dtype=np.float32)
    for indices in length_batches(source.lengths(), batch_size):
        out[indices] = trained.head(*source(indices)).float().cpu().numpy()
    return out


def split_logits(trained: TrainedTask, split: str, *, cache: FeatureCache | None = None) -> np.ndarray:
    """:func:`head_logits` of ``trained`` on ``split`` of the data it was trained with, read from
    the feature-cache entries its training wrote (no second copy of those features)."""
    data = trained.data
    return head_logits(trained, data.split(split).sentences, cache=cache, segments=data.segments(split))
