"""
What a loaded model is: its source (a :class:`ModelSpec`), whether the bundled ``mini`` is the
final trained model or a provisional checkpoint, and the facts shown on its model card.

The bundled model counts as the finished, trained model when its directory holds
``MODEL_CARD.md`` (written by ``elmo-explorer card`` for a trained model) or a
``model_card.json`` with ``{"status": "final"}``; without either it is treated as provisional.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from elmo_core.cache import cache_dir
from elmo_core.loading import find_model_files
from elmo_core.registry import OFFICIAL_MODELS, bundled_model_dir

from .safe_text import md

MODEL_CARD_FILE = "model_card.json"
MODEL_CARD_MARKDOWN = "MODEL_CARD.md"
FINAL_STATUSES = ("final", "trained")


@dataclass(frozen=True)
class ModelSpec:
    """Which model the app uses. ``kind``: ``"bundled"``, ``"official"`` or ``"local"``
    (a folder typed by the user or made from uploaded files, in ``path``)."""

    kind: str = "bundled"
    name: str = "mini"
    path: str = ""

    @property
    def load_target(self) -> str:
        """What :func:`elmo_core.load` gets: a model name or a directory."""
        return self.path if self.kind == "local" else self.name

    def directory(self) -> Path | None:
        """Where the files are, when known without downloading."""
        if self.kind == "bundled":
            return bundled_model_dir(self.name)
        if self.kind == "official":
            return cache_dir() / "models" / self.name
        return Path(self.path).expanduser()

    def version(self) -> str:
        """Changes when the weight files change on disk (so a replaced model is reloaded)."""
        directory = self.directory()
        if directory is None or not directory.is_dir():
            return "missing"
        stamps = [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                  for p in sorted(directory.glob("*.hdf5")) + sorted(directory.glob("*.json"))]
        return "|".join(stamps) or "empty"

    @property
    def title(self) -> str:
        if self.kind == "bundled":
            return f"{self.name} (bundled)"
        if self.kind == "official":
            return f"{self.name} (official ELMo)"
        return f"{self.name} (local files)"


DEFAULT_SPEC = ModelSpec()


def official_spec(name: str) -> ModelSpec:
    if name not in OFFICIAL_MODELS:
        raise ValueError(f"unknown official model {name!r}")
    return ModelSpec(kind="official", name=name)


def local_spec(typed: str) -> ModelSpec | None:
    """The model folder named by typed text (the folder, or a file in it) as a ModelSpec, or
    ``None`` when it is not a model folder for any reason (missing, no model files, a name too
    long, a null byte, an unknown ``~user``): the caller says only "not a model folder"."""
    try:
        path = Path(typed.strip()).expanduser()
        if path.is_file():
            path = path.parent
        if not typed.strip() or not path.is_dir():
            return None
        find_model_files(path)
        path = path.resolve()
    except (OSError, ValueError, RuntimeError):  # FileNotFoundError is an OSError
        return None
    return ModelSpec(kind="local", name=path.name or "folder", path=str(path))


def is_official_cached(name: str) -> bool:
    directory = cache_dir() / "models" / name
    return (directory / "options.json").is_file() and (directory / "weights.hdf5").is_file()


def read_model_card(directory: Path | None) -> dict:
    """``model_card.json`` of a model directory as a dict, ``{}`` when absent or unreadable."""
    if directory is None:
        return {}
    try:
        card = json.loads((directory / MODEL_CARD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return card if isinstance(card, dict) else {}


@dataclass(frozen=True)
class Maturity:
    """Whether results from a model are meaningful: ``level`` is ``"trained"`` or ``"provisional"``;
    ``message`` is Markdown (the model's title escaped)."""

    level: str
    message: str

    @property
    def is_provisional(self) -> bool:
        return self.level != "trained"


def model_maturity(spec: ModelSpec) -> Maturity:
    """Official models and user files count as trained; the bundled model only with its marker."""
    if spec.kind != "bundled":
        return Maturity("trained", f"Model in use: {md(spec.title)}.")
    directory = spec.directory()
    card = read_model_card(directory)
    has_markdown_card = directory is not None and (directory / MODEL_CARD_MARKDOWN).is_file()
    if has_markdown_card or str(card.get("status", "")).lower() in FINAL_STATUSES:
        return Maturity("trained", f"Model in use: {md(spec.title)}, the trained bundled model.")
    return Maturity("provisional",
                    f"Model in use: {md(spec.title)} — a provisional early training checkpoint. "
                    "Its vectors are close to random, so layer differences are not yet meaningful; "
                    "the final trained model will replace it. Official models are on the Models page.")


@dataclass(frozen=True)
class CardParts:
    """A ``MODEL_CARD.md`` in three parts, Markdown each: ``summary`` (the text after the title up
    to the end of its ``## Summary`` section, or up to the first section when it has none),
    ``details`` (the other sections) and ``history`` (its ``## History`` section, "" without)."""

    summary: str
    details: str
    history: str


SUMMARY_HEADING, HISTORY_HEADING = "## Summary", "## History"


def split_model_card(text: str) -> CardParts:
    """Split a model card's Markdown for the Models page (:class:`CardParts`); the ``# `` title
    line is left out, the page has its own."""
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    end = lines.index(HISTORY_HEADING) if HISTORY_HEADING in lines else len(lines)
    body, history = lines[:end], lines[end:]
    start = body.index(SUMMARY_HEADING) + 1 if SUMMARY_HEADING in body else 0
    cut = next((i for i in range(start, len(body)) if body[i].startswith("## ")), len(body))
    summary = [line for line in body[:cut] if line != SUMMARY_HEADING]
    return CardParts("\n".join(summary).strip(), "\n".join(body[cut:]).strip(),
                     "\n".join(history[1:]).strip())


def model_card_markdown(spec: ModelSpec) -> str:
    """The training report ``MODEL_CARD.md`` of the model's directory, ``""`` when absent."""
    directory = spec.directory()
    try:
        return (directory / MODEL_CARD_MARKDOWN).read_text(encoding="utf-8") if directory else ""
    except OSError:
        return ""


def model_card(bilm, spec: ModelSpec) -> dict[str, str]:
    """Facts about a loaded :class:`elmo_core.BiLM`, as display strings, in display order."""
    config = bilm.config
    parameters = list(bilm.model.parameters())
    n_parameters = sum(p.numel() for p in parameters)
    n_bytes = sum(p.numel() * p.element_size() for p in parameters)
    card = {
        "Model": spec.title,
        "Output layers": f"{bilm.num_layers} (character layer 0 + {config.lstm.n_layers} biLSTM layers)",
        "biLSTM layers": str(config.lstm.n_layers),
        "LSTM cell size": str(config.lstm.dim),
        "Projection size": str(config.lstm.projection_dim),
        "Vector width": f"{bilm.output_dim} (forward + backward)",
        "Character CNN filters": f"{config.char_cnn.n_filters} in {len(config.char_cnn.filters)} widths",
        "Highway layers": str(config.char_cnn.n_highway),
        "Parameters": f"{n_parameters:,}",
        "Device": str(bilm.device),
        "Parameter memory": format_bytes(n_bytes),
        "LSTM start state": bilm.state_mode,
    }
    extra = read_model_card(spec.directory())
    for key in ("status", "training_tokens", "steps", "perplexity", "corpus"):
        if key in extra:
            card[f"Training {key.replace('_', ' ')}" if key != "status" else "Status"] = str(extra[key])
    return card


def format_bytes(n: int) -> str:
    """``15728640`` -> ``"15.0 MiB"``."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


__all__ = ["ModelSpec", "DEFAULT_SPEC", "official_spec", "local_spec", "is_official_cached", "model_maturity",
           "Maturity", "model_card", "model_card_markdown", "format_bytes", "read_model_card", "CardParts",
           "split_model_card"]
