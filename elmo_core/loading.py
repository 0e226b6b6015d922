"""
Entry points that turn files or names into a ready :class:`~elmo_core.bilm.BiLM`.

``load(name_or_dir)`` accepts a bundled model name (``"mini"``), an official model name
(``"small"``, ``"medium"``, ``"original"``, ``"original-5.5b"``; downloaded into the cache on
first use) or a directory that holds ``options.json`` and ``weights.hdf5``.

Files are checked before any tensor is built: the options, then the weight file's datasets and
shapes against them (:func:`~elmo_core.weights.check_weights`); every weight must be finite.
For files from strangers, :func:`check_files` checks everything without building a model, and
``max_parameters`` refuses models larger than a limit before their weights are read.
"""
from __future__ import annotations

from pathlib import Path

from .bilm import BiLM
from .config import ConfigError, ElmoConfig
from .model import ElmoModel
from .weights import check_weights, load_weights, parameter_count

#: Longest token (in characters) that :func:`check_limits` accepts; the official models use 50.
MAX_CHARACTERS_PER_TOKEN = 1000


def check_limits(config: ElmoConfig, max_parameters: int | None) -> None:
    """Raise :class:`ConfigError` when ``config`` describes a model with more than
    ``max_parameters`` weights, or one whose inputs would be unreasonably wide (tokens of more
    than :data:`MAX_CHARACTERS_PER_TOKEN` characters). ``None`` checks nothing."""
    if max_parameters is None:
        return
    count = parameter_count(config)
    if count > max_parameters:
        raise ConfigError(f"the options describe a model with {count:,} parameters; "
                          f"at most {max_parameters:,} are allowed here")
    if config.char_cnn.max_characters_per_token > MAX_CHARACTERS_PER_TOKEN:
        raise ConfigError(f"char_cnn.max_characters_per_token is {config.char_cnn.max_characters_per_token}; "
                          f"at most {MAX_CHARACTERS_PER_TOKEN} are allowed here")


def check_files(options_file: str | Path, weight_file: str | Path, *,
                max_parameters: int | None = None) -> ElmoConfig:
    """Check a model's files completely without building it: the options, the size limit, the
    weight file's datasets and shapes, and that every weight is finite (read block by block, so
    memory stays small). Returns the config; raises :class:`ConfigError` or ``WeightsError``."""
    config = ElmoConfig.from_json(options_file)
    check_limits(config, max_parameters)
    check_weights(config, weight_file, values=True)
    return config


def load_files(options_file: str | Path, weight_file: str | Path, *, state: str = "warm",
               device=None, name: str | None = None, max_parameters: int | None = None,
               **bilm_options) -> BiLM:
    """Build a model from ``options.json`` and fill it from ``weights.hdf5``.

    The weight file is checked against the options before the model is built, so a bad file
    costs no memory; ``max_parameters`` (``None``: no limit) refuses larger models.
    ``bilm_options`` go to :class:`~elmo_core.bilm.BiLM`: ``token_cache``, ``cache_size``,
    ``max_tokens_per_batch``, ``precision``, ``cuda_graphs``.
    """
    config = ElmoConfig.from_json(options_file)
    check_limits(config, max_parameters)
    check_weights(config, weight_file)
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
    in :func:`load_files`, ``max_parameters`` included (e.g. ``load("mini", precision="bfloat16",
    max_tokens_per_batch=2048)``)."""
    from .registry import resolve_model_dir

    directory, name = resolve_model_dir(name_or_dir, progress=progress)
    options_file, weight_file = find_model_files(directory)
    return load_files(options_file, weight_file, state=state, device=device, name=name, **bilm_options)
