"""
Entry points that turn files or names into a ready :class:`~elmo_core.bilm.BiLM`.

``load(name_or_dir)`` accepts a bundled model name (``"mini"``), an official model name
(``"small"``, ``"medium"``, ``"original"``, ``"original-5.5b"``; downloaded into the cache on
first use) or a directory that holds ``options.json`` and ``weights.hdf5``.
"""
from __future__ import annotations

from pathlib import Path

from .bilm import BiLM
from .config import ElmoConfig
from .model import ElmoModel
from .weights import load_weights


def load_files(options_file: str | Path, weight_file: str | Path, *, state: str = "warm",
               device=None, name: str | None = None, **bilm_options) -> BiLM:
    """Build a model from ``options.json`` and fill it from ``weights.hdf5``.

    ``bilm_options`` go to :class:`~elmo_core.bilm.BiLM`: ``token_cache``, ``cache_size``,
    ``max_tokens_per_batch``, ``precision``, ``cuda_graphs``.
    """
    config = ElmoConfig.from_json(options_file)
    model = ElmoModel(config)
    load_weights(model, weight_file)
    return BiLM(model, state=state, device=device, name=name or Path(weight_file).parent.name, **bilm_options)


def find_model_files(directory: str | Path) -> tuple[Path, Path]:
    """The (options, weights) pair in a model directory; accepts the official file names too."""
    directory = Path(directory)
    options = [directory / "options.json", *sorted(directory.glob("*options.json"))]
    weights = [directory / "weights.hdf5", *sorted(directory.glob("*weights.hdf5")), *sorted(directory.glob("*.hdf5"))]
    options_file = next((p for p in options if p.is_file()), None)
    weight_file = next((p for p in weights if p.is_file()), None)
    if options_file is None or weight_file is None:
        missing = "options.json" if options_file is None else "weights.hdf5"
        raise FileNotFoundError(f"{directory} has no {missing}; a model directory holds options.json and weights.hdf5")
    return options_file, weight_file


def load(name_or_dir: str | Path, *, state: str = "warm", device=None, progress: bool = True,
         **bilm_options) -> BiLM:
    """Load a named model or a model directory. See the module docstring; ``bilm_options`` as
    in :func:`load_files` (e.g. ``load("mini", precision="bfloat16", max_tokens_per_batch=2048)``)."""
    from .registry import resolve_model_dir

    directory, name = resolve_model_dir(name_or_dir, progress=progress)
    options_file, weight_file = find_model_files(directory)
    return load_files(options_file, weight_file, state=state, device=device, name=name, **bilm_options)
