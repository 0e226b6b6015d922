"""
Typed, validated configuration of an ELMo biLM, read from and written to the official
``options.json`` layout (see ``ELMO_FORMAT.md``)::

    {"lstm": {"dim": 4096, "projection_dim": 512, "n_layers": 2, "cell_clip": 3, "proj_clip": 3,
              "use_skip_connections": true},
     "char_cnn": {"embedding": {"dim": 16}, "filters": [[1, 32], ...], "n_highway": 2,
                  "activation": "relu", "n_characters": 262, "max_characters_per_token": 50}}

Every problem raises :class:`ConfigError` (a ``ValueError``) that names the offending key.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """An options.json that is missing a key or has a value of the wrong type or range."""


@dataclass(frozen=True)
class CharCNNConfig:
    embedding_dim: int = 16
    filters: tuple[tuple[int, int], ...] = ((1, 32), (2, 32), (3, 64), (4, 128), (5, 256), (6, 512), (7, 1024))
    n_highway: int = 1
    activation: str = "relu"
    n_characters: int = 262
    max_characters_per_token: int = 50

    @property
    def n_filters(self) -> int:
        return sum(num for _, num in self.filters)


@dataclass(frozen=True)
class LSTMConfig:
    dim: int = 4096
    projection_dim: int = 512
    n_layers: int = 2
    cell_clip: float | None = 3.0
    proj_clip: float | None = 3.0
    use_skip_connections: bool = True


@dataclass(frozen=True)
class ElmoConfig:
    char_cnn: CharCNNConfig = field(default_factory=CharCNNConfig)
    lstm: LSTMConfig = field(default_factory=LSTMConfig)

    @property
    def output_dim(self) -> int:
        """Width of every returned layer: ``2 * projection_dim``."""
        return 2 * self.lstm.projection_dim

    @property
    def num_output_layers(self) -> int:
        return self.lstm.n_layers + 1

    # ------------------------------------------------------------------ json
    @classmethod
    def from_dict(cls, options: Any) -> "ElmoConfig":
        if not isinstance(options, dict):
            raise ConfigError(f"options must be a JSON object, got {type(options).__name__}")
        lstm = _section(options, "lstm")
        cnn = _section(options, "char_cnn")
        embedding = _section(cnn, "embedding", "char_cnn.")
        filters = _require(cnn, "filters", "char_cnn.")
        if not isinstance(filters, list) or not filters:
            raise ConfigError("char_cnn.filters must be a non-empty list of [width, num_filters] pairs")
        parsed_filters = []
        for i, pair in enumerate(filters):
            if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                    or not all(_is_int(v) and v > 0 for v in pair)):
                raise ConfigError(f"char_cnn.filters[{i}] must be [width, num_filters] with positive ints, got {pair!r}")
            parsed_filters.append((int(pair[0]), int(pair[1])))
        activation = cnn.get("activation", "relu")
        if activation not in ("relu", "tanh"):
            raise ConfigError(f"char_cnn.activation must be 'relu' or 'tanh', got {activation!r}")
        max_chars = _positive_int(cnn, "max_characters_per_token", "char_cnn.", default=50)
        widest = max(w for w, _ in parsed_filters)
        if widest > max_chars:
            raise ConfigError(f"char_cnn.filters has width {widest} > max_characters_per_token {max_chars}")
        n_characters = _positive_int(cnn, "n_characters", "char_cnn.", default=262)
        if n_characters not in (261, 262):
            raise ConfigError(f"char_cnn.n_characters must be 261 or 262, got {n_characters}")
        char_cfg = CharCNNConfig(
            embedding_dim=_positive_int(embedding, "dim", "char_cnn.embedding."),
            filters=tuple(parsed_filters),
            n_highway=_non_negative_int(cnn, "n_highway", "char_cnn.", default=0),
            activation=activation,
            n_characters=262,  # bilm-tf writes 261 for training; prediction always uses 262
            max_characters_per_token=max_chars,
        )
        lstm_cfg = LSTMConfig(
            dim=_positive_int(lstm, "dim", "lstm."),
            projection_dim=_positive_int(lstm, "projection_dim", "lstm."),
            n_layers=_positive_int(lstm, "n_layers", "lstm."),
            cell_clip=_clip(lstm, "cell_clip"),
            proj_clip=_clip(lstm, "proj_clip"),
            use_skip_connections=_bool(lstm, "use_skip_connections", default=False),
        )
        return cls(char_cnn=char_cfg, lstm=lstm_cfg)

    @classmethod
    def from_json(cls, path: str | Path) -> "ElmoConfig":
        path = Path(path)
        try:
            found = path.is_file()
            text = path.read_bytes().decode("utf-8") if found else ""
        except OSError as exc:  # e.g. a name too long for the file system
            raise ConfigError(f"cannot read the options file {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path} is not valid JSON: {exc}") from exc
        if not found:
            raise ConfigError(f"options file not found: {path}")
        try:
            options = json.loads(text)
        except ValueError as exc:  # JSONDecodeError, or an int of over 4300 digits
            raise ConfigError(f"{path} is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise ConfigError(f"{path} is nested too deeply to be an ELMo options file") from exc
        return cls.from_dict(options)

    def to_dict(self) -> dict:
        c, l = self.char_cnn, self.lstm
        lstm = {"dim": l.dim, "projection_dim": l.projection_dim, "n_layers": l.n_layers,
                "use_skip_connections": l.use_skip_connections}
        if l.cell_clip is not None:
            lstm["cell_clip"] = l.cell_clip
        if l.proj_clip is not None:
            lstm["proj_clip"] = l.proj_clip
        return {
            "lstm": lstm,
            "char_cnn": {
                "embedding": {"dim": c.embedding_dim},
                "filters": [list(f) for f in c.filters],
                "n_highway": c.n_highway,
                "activation": c.activation,
                "n_characters": c.n_characters,
                "max_characters_per_token": c.max_characters_per_token,
            },
        }

    def to_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------- validation helpers
def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _section(parent: dict, key: str, prefix: str = "") -> dict:
    value = _require(parent, key, prefix)
    if not isinstance(value, dict):
        raise ConfigError(f"{prefix}{key} must be an object, got {type(value).__name__}")
    return value


def _require(parent: dict, key: str, prefix: str = "") -> Any:
    if key not in parent:
        raise ConfigError(f"missing required key {prefix}{key}")
    return parent[key]


def _positive_int(parent: dict, key: str, prefix: str, default: int | None = None) -> int:
    value = parent.get(key, default) if default is not None else _require(parent, key, prefix)
    if not _is_int(value) or value <= 0:
        raise ConfigError(f"{prefix}{key} must be a positive integer, got {value!r}")
    return int(value)


def _non_negative_int(parent: dict, key: str, prefix: str, default: int) -> int:
    value = parent.get(key, default)
    if value is None:
        return 0
    if not _is_int(value) or value < 0:
        raise ConfigError(f"{prefix}{key} must be a non-negative integer, got {value!r}")
    return int(value)


def _clip(parent: dict, key: str) -> float | None:
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"lstm.{key} must be a positive number or absent, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range
        number = math.inf
    if not math.isfinite(number) or number <= 0:  # NaN passes `<= 0`; NaN or infinity poisons every cell
        raise ConfigError(f"lstm.{key} must be a finite positive number or absent, got {value!r}")
    return number


def _bool(parent: dict, key: str, default: bool) -> bool:
    value = parent.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"lstm.{key} must be true or false, got {value!r}")
    return value
