"""
Seed ensembles of sentence heads: the same head trained with several seeds, logits averaged.

One head of the shipped recipe is one draw: between seeds its ``rt`` dev accuracy moves by up to
2.5 points and its negation accuracy by up to 5 (``reports/sentiment-mixtures.md``). Averaging
the logits of a few draws removes much of that variance, at the cost of one small biLSTM per
member at inference (the biLM features are computed once and shared).

    heads = [train_task(replace(config, seed=s), ...) for s in (0, 1, 2, 3)]
    trained = ensemble_task(heads, cache=cache)      # a TrainedTask whose head is a HeadEnsemble
"""
from __future__ import annotations

from dataclasses import replace

from .evaluation import split_logits
from .features import FeatureCache
from .head_networks import ensemble_of
from .metrics import classification_report
from .train import TrainedTask

__all__ = ["ensemble_task"]


def ensemble_task(members: list[TrainedTask], *, cache: FeatureCache | None = None) -> TrainedTask:
    """``members`` (one config, other seeds, same data and biLM) as one :class:`TrainedTask`.

    Its result is the first member's (config, curves) with the ensemble's own dev and test
    reports, the members' mean mix weights and γ, and their summed training time.
    """
    if not members:
        raise ValueError("an ensemble needs at least one trained head")
    first = members[0]
    if any(m.data is not first.data or m.base_fingerprint != first.base_fingerprint for m in members):
        raise ValueError("an ensemble's heads must be trained on the same data and biLM")
    head = ensemble_of([m.head for m in members])
    trained = replace(first, head=head, head_config=head.config)
    reports = {}
    for split in ("dev", "test"):
        part = first.data.split(split)
        if len(part):
            logits = split_logits(trained, split, cache=cache)
            reports[split] = classification_report(part.flat_labels(), logits.argmax(-1), first.data.label_names)
    result = replace(first.result, dev=reports.get("dev"), test=reports.get("test"),
                     final_weights=head.mix.weights(), final_gamma=head.mix.gamma(),
                     train_seconds=sum(m.result.train_seconds for m in members),
                     wall_seconds=sum(m.result.wall_seconds for m in members))
    return replace(trained, result=result)
