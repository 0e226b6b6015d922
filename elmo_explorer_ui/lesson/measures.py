"""
The Lesson's measures of the loaded model, cached (Streamlit glue): the curated sense set's
accuracy by sense kind (per server, and on disk under ``<cache>/references/`` by a hash of the
weight files, like the reference cosines), the model's language model (None without a softmax),
the shipped sentiment head, and the held-out perplexity from its training summary.
"""
from __future__ import annotations

import json
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Optional

import numpy as np
import streamlit as st

import elmo_core

from elmo_core.cache import cache_dir
from elmo_core.analysis.sense_kinds import KindAccuracy, accuracy_by_sense_kind, kind_accuracy
from elmo_core.datasets.sense_sentences import load_curated
from elmo_core.quality import pos_probe_correct
from elmo_core.training.predictions import NoSoftmaxError, load_language_model

from ..downstream import shipped_classifier
from ..model_info import ModelSpec
from ..runtime import embed, load_model
from ..yardstick import similarity_reference, weights_hash
from .views import LessonContext, PosProbe

LOG = logging.getLogger("elmo_explorer")
FORMAT = 1  # bump when the measurement changes


def _kinds_file(digest: str) -> Path:
    return cache_dir() / "references" / f"sense-kinds-v{FORMAT}-{digest}.npz"


def _save_kinds(kinds: dict[str, KindAccuracy], path: Path) -> None:
    arrays = {}
    for i, (kind, accuracy) in enumerate(kinds.items()):
        arrays[f"{i}:correct"] = accuracy.correct.astype(np.uint8)
        arrays[f"{i}:meta"] = np.array(json.dumps({"kind": kind, "words": list(accuracy.words),
                                                   "chance": accuracy.chance}))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(partial, **arrays)
    partial.replace(path)


def _load_kinds(path: Path) -> dict[str, KindAccuracy]:
    kinds = {}
    with np.load(path, allow_pickle=False) as data:
        for i in range(sum(1 for key in data.files if key.endswith(":meta"))):
            meta = json.loads(str(data[f"{i}:meta"]))
            kinds[meta["kind"]] = kind_accuracy(meta["kind"], meta["words"], data[f"{i}:correct"], meta["chance"])
    return kinds


@st.cache_resource(max_entries=3, show_spinner=False)
def _sense_kinds(spec: ModelSpec, version: str) -> dict[str, KindAccuracy]:
    digest = weights_hash(spec)
    path = _kinds_file(digest) if digest else None
    if path is not None and path.is_file():
        try:
            return _load_kinds(path)
        except (OSError, ValueError, KeyError) as exc:
            LOG.warning("ignoring the sense-kind file %s: %s", path.name, exc)
    sentences = load_curated()
    embedded = embed(spec, [list(s.tokens) for s in sentences])
    vectors = np.stack([v[:, s.target_index] for v, s in zip(embedded, sentences)], axis=1)  # (L, n, D)
    kinds = accuracy_by_sense_kind(vectors, sentences)
    if path is not None:
        try:
            _save_kinds(kinds, path)
        except OSError as exc:
            LOG.warning("could not keep the sense-kind accuracy on disk: %s", exc)
    return kinds


def sense_kinds(spec: ModelSpec) -> dict[str, KindAccuracy]:
    with st.spinner("Scoring the curated sense set on this model (once per model) …"):
        return _sense_kinds(spec, spec.version())


def _pos_file(digest: str) -> Path:
    return cache_dir() / "references" / f"pos-probe-v{FORMAT}-{digest}.npz"


def _measure_pos(spec: ModelSpec) -> PosProbe:
    """The POS probe's per-token outcome on the WSJ test sentences, from the disk cache or
    measured on a model loaded for this thread alone (the pages' model is not shared)."""
    digest = weights_hash(spec)
    path = _pos_file(digest) if digest else None
    if path is not None and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data:
                return PosProbe(data["correct"].astype(float), float(data["chance"]), str(data["description"]))
        except (OSError, ValueError, KeyError) as exc:
            LOG.warning("ignoring the POS-probe file %s: %s", path.name, exc)
    correct, result = pos_probe_correct(_private_model(spec))
    probe = PosProbe(correct, result.chance, result.description)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial.npz")
            np.savez(partial, correct=correct.astype(np.uint8), chance=result.chance, description=result.description)
            partial.replace(path)
        except OSError as exc:
            LOG.warning("could not keep the POS probe on disk: %s", exc)
    return probe


def _private_model(spec: ModelSpec):
    return elmo_core.load(spec.load_target, progress=False)


@st.cache_resource(max_entries=3, show_spinner=False)
def _pos_job(spec: ModelSpec, version: str) -> Future:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="lesson-pos").submit(_measure_pos, spec)


def pos_probe_job(spec: ModelSpec) -> Future:
    """The POS probe of the model, measured in the background (started on the Lesson's first
    visit per model: about a minute on 2 CPU cores, then read from disk)."""
    return _pos_job(spec, spec.version())


def _finished(job: Future) -> Optional[PosProbe]:
    if not job.done():
        return None
    try:
        return job.result()
    except Exception as exc:  # noqa: BLE001 - the step says the probe is missing
        LOG.warning("the lesson's POS probe failed: %s", exc)
        return None


@st.cache_resource(max_entries=3, show_spinner=False)
def _language_model(spec: ModelSpec, version: str):
    directory = spec.directory()
    if directory is None:
        return None
    try:
        return load_language_model(directory)
    except NoSoftmaxError:
        return None


def language_model(spec: ModelSpec):
    """The model's language model (cached per server), or None when it has no softmax."""
    return _language_model(spec, spec.version())


def heldout_perplexity(spec: ModelSpec) -> Optional[tuple[float, float]]:
    """(forward, backward) held-out perplexity of the model's last evaluation in its training
    summary, or None when it has none."""
    directory = spec.directory()
    try:
        summary = json.loads((directory / "training_summary.json").read_text(encoding="utf-8"))
        last = [h for h in summary.get("history", []) if "forward_ppl" in h][-1]
        return float(last["forward_ppl"]), float(last["backward_ppl"])
    except (TypeError, OSError, ValueError, KeyError, IndexError):
        return None


def _classifier(spec: ModelSpec):
    try:
        return shipped_classifier(spec, "feature")
    except Exception as exc:  # noqa: BLE001 - a missing or broken head only empties its step
        LOG.info("no shipped sentiment head for the lesson: %s", exc)
        return None


def lesson_context(spec: ModelSpec) -> LessonContext:
    """The context every step reads, with the cached loaders of this server."""
    bilm = load_model(spec)
    try:
        reference = similarity_reference(spec)
    except Exception as exc:  # noqa: BLE001 - the steps say so when the reference is missing
        LOG.warning("no reference cosines for the lesson: %s", exc)
        reference = None
    return LessonContext(
        bilm=bilm, embed=lambda sentences: embed(spec, sentences), reference=reference,
        sense_kinds=lambda: sense_kinds(spec), language_model=lambda: language_model(spec),
        classifier=lambda: _classifier(spec), heldout_perplexity=heldout_perplexity(spec),
        pos_probe=lambda: _finished(pos_probe_job(spec)))
