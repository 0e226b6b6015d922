"""
The loaded model's reference cosines (:mod:`elmo_core.analysis.similarity_reference`), measured
once per model: kept per server (``st.cache_resource``, keyed by the model and the stamp of its
files) and on disk under ``<cache>/references/``, named by a hash of the weight files, so a
restarted server or a second machine sharing the cache does not measure them again.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
import streamlit as st

from elmo_core.analysis.similarity_reference import (DIFFERENT_SENSES, PER_SENSE, SAME_SENSE, WORD_PAIRS,
                                                     CosineSample, SimilarityReference, measure_reference,
                                                     share_words)
from elmo_core.cache import cache_dir

from .model_info import ModelSpec
from .runtime import load_model

LOG = logging.getLogger("elmo_explorer")
FIELDS = ("same_sense", "different_senses", "different_words", "one_sense_repeat", "two_sense_repeat")
FORMAT = 1  # bump when the measurement changes, so older files are not read


def weights_hash(spec: ModelSpec) -> str | None:
    """SHA-256 (first 24 hex digits) of the model's ``*.hdf5`` and ``*.json`` files, or None when
    they are not on disk."""
    directory = spec.directory()
    files = sorted(directory.glob("*.hdf5")) + sorted(directory.glob("*.json")) if directory and directory.is_dir() \
        else []
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:24]


def reference_file(digest: str) -> Path:
    return cache_dir() / "references" / f"similarity-v{FORMAT}-{PER_SENSE}-{WORD_PAIRS}-{digest}.npz"


def save_reference(reference: SimilarityReference, path: Path) -> None:
    """Write ``reference`` as one ``.npz`` (values and groups of every kind and layer)."""
    arrays: dict[str, np.ndarray] = {"meta": np.array([reference.n_sentences, reference.n_words, reference.seconds])}
    for field in FIELDS:
        for layer, sample in enumerate(getattr(reference, field)):
            arrays[f"{field}:{layer}:values"] = sample.values
            arrays[f"{field}:{layer}:groups"] = sample.groups.astype(str)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(partial, **arrays)
    partial.replace(path)


def load_reference(path: Path) -> SimilarityReference:
    with np.load(path, allow_pickle=False) as data:
        layers = 1 + max(int(key.split(":")[1]) for key in data.files if key.startswith("same_sense:"))
        samples = {field: tuple(CosineSample(data[f"{field}:{l}:values"], data[f"{field}:{l}:groups"].astype(object))
                                for l in range(layers)) for field in FIELDS}
        n_sentences, n_words, seconds = data["meta"].tolist()
    return SimilarityReference(**samples, n_sentences=int(n_sentences), n_words=int(n_words), seconds=seconds)


@st.cache_resource(max_entries=3, show_spinner=False)
def _reference(spec: ModelSpec, version: str) -> SimilarityReference:
    digest = weights_hash(spec)
    path = reference_file(digest) if digest else None
    if path is not None and path.is_file():
        try:
            return load_reference(path)
        except (OSError, ValueError, KeyError) as exc:  # a damaged file is measured again
            LOG.warning("ignoring the reference file %s: %s", path.name, exc)
    reference = measure_reference(load_model(spec).embed)
    LOG.info("measured the reference cosines of %s in %.1f s", spec, reference.seconds)
    if path is not None:
        try:
            save_reference(reference, path)
        except OSError as exc:
            LOG.warning("could not keep the reference cosines on disk: %s", exc)
    return reference


def similarity_reference(spec: ModelSpec) -> SimilarityReference:
    """The model's reference cosines; measured (a spinner says so) only the first time."""
    with st.spinner("Measuring this model's reference cosines (once per model, a few seconds) …"):
        return _reference(spec, spec.version())


def means_reading(reference: SimilarityReference, layer: int, same: float, different: float,
                  word: str | None = None) -> str:
    """One sentence (plain text) placing a word's mean same-sense and different-sense cosines at
    ``layer`` among the curated pairs of that layer (the pairs of ``word`` left out)."""
    parts = []
    for value, kind, name in ((same, SAME_SENSE, "same-sense"), (different, DIFFERENT_SENSES, "different-sense")):
        if np.isnan(value):
            continue
        sample = reference.sample(layer, kind).without(word)
        parts.append(f"{name} mean {value:.2f} is {share_words(*sample.counts(value), sample.n)} {name} pairs of "
                     f"curated words (median {sample.quantile(0.5):.2f})")
    if not parts:
        return ""
    left_out = word is not None and reference.sample(layer, SAME_SENSE).without(word).n < reference.sample(
        layer, SAME_SENSE).n
    return (f"At layer {layer}, the " + "; the ".join(parts)
            + (f", the pairs of “{word}” left out" if left_out else "")
            + f". Tokens of different words average {reference.anisotropy[layer]:.2f} at this layer.")
