"""
Reading and writing biLM weights in the official ELMo hdf5 layout (bilm-tf / AllenNLP).

Dataset names and shapes (E char dim, nf total filters, P projection, H LSTM dim)::

    char_embed                                   (261, E)   no row for padding id 0
    CNN/W_cnn_{i}, CNN/b_cnn_{i}                 (1, width_i, E, num_i), (num_i,)
    CNN_high_{k}/W_carry|W_transform             (nf, nf)
    CNN_high_{k}/b_carry|b_transform             (nf,)
    CNN_proj/W_proj, CNN_proj/b_proj             (nf, P), (P,)         only when nf != P
    RNN_{d}/RNN/MultiRNNCell/Cell{l}/LSTMCell/W_0    (input + P, 4H)
    RNN_{d}/RNN/MultiRNNCell/Cell{l}/LSTMCell/B      (4H,)
    RNN_{d}/RNN/MultiRNNCell/Cell{l}/LSTMCell/W_P_0  (H, P)

Any dataset we do not know (a trained softmax, for instance) is ignored on load; ``save_weights``
can write such extras next to the official ones.

A file is checked before any tensor is built (:func:`check_weights`: HDF5, every dataset present
with the shape the options need, numbers stored in the file itself), and every value is checked
to be finite as it is read.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Callable, Iterator

import h5py
import numpy as np
import torch

from .config import ElmoConfig
from .model import ElmoModel

#: Values read per block when a dataset is checked without loading it (about 16 MB of float32).
CHECK_BLOCK_VALUES = 1 << 22


class WeightsError(ValueError):
    """A weight file that is missing, not hdf5, truncated, or does not match the options."""


def _cell(direction: int, layer: int) -> str:
    return f"RNN_{direction}/RNN/MultiRNNCell/Cell{layer}/LSTMCell"


# Each entry: dataset name, the model tensor it fills, hdf5 -> model converter, model -> hdf5 converter.
Mapping = tuple[str, torch.Tensor, Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]


def _identity(a: np.ndarray) -> np.ndarray:
    return a


def _mappings(model: ElmoModel) -> Iterator[Mapping]:
    cnn = model.char_cnn
    yield ("char_embed", cnn.char_embedding[1:], _identity, _identity)
    for i, conv in enumerate(cnn.convolutions):
        yield (f"CNN/W_cnn_{i}", conv.weight,
               lambda a: a[0].transpose(2, 1, 0), lambda a: a.transpose(2, 1, 0)[None])
        yield (f"CNN/b_cnn_{i}", conv.bias, _identity, _identity)
    for k, highway in enumerate(cnn.highways):
        yield (f"CNN_high_{k}/W_carry", highway.w_carry, _identity, _identity)
        yield (f"CNN_high_{k}/b_carry", highway.b_carry, _identity, _identity)
        yield (f"CNN_high_{k}/W_transform", highway.w_transform, _identity, _identity)
        yield (f"CNN_high_{k}/b_transform", highway.b_transform, _identity, _identity)
    if cnn.projection is not None:
        yield ("CNN_proj/W_proj", cnn.projection.weight, np.transpose, np.transpose)
        yield ("CNN_proj/b_proj", cnn.projection.bias, _identity, _identity)
    for layer_index, layer in enumerate(model.lstm.layers):
        for d in (0, 1):
            name = _cell(d, layer_index)
            # W_0 is split in the model into input rows and recurrent rows; handled by _load_w0.
            yield (f"{name}/B", layer.bias[d], _identity, _identity)
            yield (f"{name}/W_P_0", layer.w_projection[d], _identity, _identity)


def _open(path: Path, mode: str) -> h5py.File:
    if mode == "r":
        try:
            found = path.is_file()
            hdf5 = found and h5py.is_hdf5(str(path))
        except OSError as exc:  # e.g. a name too long for the file system
            raise WeightsError(f"cannot read the weight file {path}: {exc.strerror or exc}") from exc
        if not found:
            raise WeightsError(f"weight file not found: {path}")
        if not hdf5:
            raise WeightsError(f"{path} is not an HDF5 file (expected the official ELMo weights.hdf5)")
    try:
        return h5py.File(path, mode)
    except OSError as exc:
        raise WeightsError(f"cannot open {path} as HDF5 (truncated or corrupt?): {exc}") from exc


def expected_shapes(config: ElmoConfig) -> dict[str, tuple[int, ...]]:
    """Every dataset the official layout holds for ``config``, with its shape; builds nothing."""
    cnn, lstm = config.char_cnn, config.lstm
    e, nf, p, h = cnn.embedding_dim, cnn.n_filters, lstm.projection_dim, lstm.dim
    shapes: dict[str, tuple[int, ...]] = {"char_embed": (cnn.n_characters - 1, e)}
    for i, (width, num) in enumerate(cnn.filters):
        shapes[f"CNN/W_cnn_{i}"] = (1, width, e, num)
        shapes[f"CNN/b_cnn_{i}"] = (num,)
    for k in range(cnn.n_highway):
        for kind in ("carry", "transform"):
            shapes[f"CNN_high_{k}/W_{kind}"] = (nf, nf)
            shapes[f"CNN_high_{k}/b_{kind}"] = (nf,)
    if nf != p:
        shapes["CNN_proj/W_proj"] = (nf, p)
        shapes["CNN_proj/b_proj"] = (p,)
    for layer in range(lstm.n_layers):  # every layer reads the previous projection (P wide)
        for d in (0, 1):
            shapes[f"{_cell(d, layer)}/B"] = (4 * h,)
            shapes[f"{_cell(d, layer)}/W_P_0"] = (h, p)
            shapes[f"{_cell(d, layer)}/W_0"] = (p + p, 4 * h)
    return shapes


def parameter_count(config: ElmoConfig) -> int:
    """Number of weights in the file of a model with ``config`` (computed, nothing allocated)."""
    return sum(math.prod(shape) for shape in expected_shapes(config).values())


def _dataset(file: h5py.File, name: str, expected: tuple[int, ...]) -> h5py.Dataset:
    """The dataset ``name``, checked: stored in this file, numeric, of shape ``expected``."""
    parts = name.split("/")
    for depth in range(1, len(parts) + 1):  # no step of the path may lead into another file
        prefix = "/".join(parts[:depth])
        if isinstance(file.get(prefix, getlink=True), h5py.ExternalLink):
            raise WeightsError(f"'{prefix}' in the weight file links to another file; "
                               "the weights must be stored in the file itself")
    try:
        dataset = file.get(name)
    except (KeyError, OSError):  # a dangling soft link
        dataset = None
    if not isinstance(dataset, h5py.Dataset):
        raise WeightsError(f"weight file {file.filename} has no dataset '{name}' (expected shape {expected})")
    if tuple(dataset.shape or ()) != tuple(expected):
        raise WeightsError(f"dataset '{name}' has shape {tuple(dataset.shape or ())} but the options need {tuple(expected)}")
    if dataset.dtype.kind not in "fiu":
        raise WeightsError(f"dataset '{name}' holds {dataset.dtype} values, not numbers")
    if dataset.external or dataset.is_virtual:
        raise WeightsError(f"dataset '{name}' keeps its values outside the weight file; "
                           "the weights must be stored in the file itself")
    return dataset


def _not_finite(name: str) -> WeightsError:
    return WeightsError(f"dataset '{name}' holds NaN or infinite values; these weights are not usable")


def _check_finite(dataset: h5py.Dataset, name: str) -> None:
    """Raise unless every value of ``dataset`` is finite; reads it in blocks of rows."""
    rows = dataset.shape[0]
    step = max(1, CHECK_BLOCK_VALUES // max(1, dataset.size // max(rows, 1)))
    for start in range(0, rows, step):
        try:
            block = dataset[start : start + step]
        except OSError as exc:
            raise WeightsError(f"cannot read dataset '{name}' (truncated file?): {exc}") from exc
        if not np.isfinite(block).all():
            raise _not_finite(name)


def check_weights(config: ElmoConfig, path: str | Path, *, values: bool = False) -> None:
    """Check the weight file ``path`` against ``config`` without building a model: an HDF5 file
    with every dataset of the official layout in the shape ``config`` needs, numeric and stored in
    the file itself. With ``values``, also read every value (block by block) and check that it is
    finite. Raises :class:`WeightsError`."""
    with _open(Path(path), "r") as file:
        for name, shape in expected_shapes(config).items():
            dataset = _dataset(file, name, shape)
            if values:
                _check_finite(dataset, name)


def _read(file: h5py.File, name: str, expected: tuple[int, ...]) -> np.ndarray:
    dataset = _dataset(file, name, expected)
    try:
        array = np.asarray(dataset[...], dtype=np.float32)
    except OSError as exc:
        raise WeightsError(f"cannot read dataset '{name}' from {file.filename} (truncated file?): {exc}") from exc
    if not np.isfinite(array).all():
        raise _not_finite(name)
    return array


def load_weights(model: ElmoModel, path: str | Path) -> None:
    """Fill ``model`` in place from an official-layout hdf5 file."""
    path = Path(path)
    with _open(path, "r") as file, torch.no_grad():
        for name, target, to_model, to_file in _mappings(model):
            expected = to_file(np.zeros(tuple(target.shape), dtype=np.float32)).shape
            target.copy_(torch.from_numpy(np.ascontiguousarray(to_model(_read(file, name, expected)))))
        p = model.config.lstm.projection_dim
        for layer_index, layer in enumerate(model.lstm.layers):
            input_dim = layer.w_input.shape[1]
            for d in (0, 1):
                w0 = _read(file, f"{_cell(d, layer_index)}/W_0", (input_dim + p, 4 * layer.dim))
                layer.w_input[d].copy_(torch.from_numpy(w0[:input_dim]))
                layer.w_recurrent[d].copy_(torch.from_numpy(w0[input_dim:]))


def save_weights(model: ElmoModel, path: str | Path, extra: dict[str, np.ndarray] | None = None) -> None:
    """Write ``model`` in the official layout (plus ``extra`` datasets), atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with h5py.File(tmp, "w") as file:
        for name, source, _, to_file in _mappings(model):
            file.create_dataset(name, data=to_file(source.detach().cpu().float().numpy()))
        for layer_index, layer in enumerate(model.lstm.layers):
            for d in (0, 1):
                w0 = torch.cat([layer.w_input[d], layer.w_recurrent[d]], dim=0)
                file.create_dataset(f"{_cell(d, layer_index)}/W_0", data=w0.detach().cpu().float().numpy())
        for name, value in (extra or {}).items():
            file.create_dataset(name, data=value)
    os.replace(tmp, path)


def read_extra(path: str | Path, prefix: str) -> dict[str, np.ndarray]:
    """Datasets under group ``prefix`` (e.g. the trained softmax), keyed by their name in the group."""
    with _open(Path(path), "r") as file:
        if prefix not in file:
            return {}
        group = file[prefix]
        return {name: np.asarray(group[name][...]) for name in group if isinstance(group[name], h5py.Dataset)}
