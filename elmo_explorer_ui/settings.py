"""Limits, defaults and server settings of the app, in one typed place.

Server settings come from environment variables, read on every use (see :func:`server_settings`):

``ELMO_EXPLORER_ALLOW_LOCAL_FOLDER``
    ``0`` (or ``false``/``no``/``off``) removes the Models page's "Local folder" option, which
    reads any folder of the server; switch it off when serving the app to others. Default on.
``ELMO_EXPLORER_UPLOAD_CACHE_MB``
    Disk space kept for uploaded models that loaded (oldest removed first). Default 1024.
``ELMO_EXPLORER_UPLOAD_MAX_PARAMETERS``
    Largest uploaded model, in parameters, refused before its weights are read. Default 100 million
    (the official "original" ELMo has 93.6 million).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Mapping

LOG = logging.getLogger("elmo_explorer")


@dataclass(frozen=True)
class Limits:
    """Caps that keep every page responsive; inputs beyond them are cut with a message."""

    lab_sentences: int = 50          # Sentence lab: lines taken from the text area
    lab_heatmap_tokens: int = 300    # Sentence lab: tokens shown in the token x token heatmaps
    user_sentences: int = 1000       # own sentences on Word senses / UMAP explorer
    line_chars: int = 1000           # characters kept of one line
    sense_sentences: int = 1500      # occurrences compared on Word senses
    map_points: int = 5000           # points on one UMAP / PCA map
    embed_chunk: int = 64            # sentences per cached embedding call
    vector_cache_mb: int = 256       # MiB of recent vectors the server keeps (shared by all sessions)
    sentiment_chars: int = 3000      # Sentiment: characters of the text that are classified
    sentiment_box_chars: int = 100_000  # Sentiment: the text box's own limit (longer pastes are cut there)
    adapt_text_bytes: int = 2_000_000  # Models, adapt to my text: largest text file (refused before it is read)
    adapt_text_lines: int = 20_000   # Models, adapt to my text: most lines of that file
    adapt_budgets_min: tuple[int, ...] = (1, 3, 10)  # Models, adapt to my text: training budgets offered (minutes)
    adapted_kept: int = 4            # adapted models kept in <cache>/adapted (the oldest removed first)
    adapt_eval_every: int = 10       # training steps between held-out evaluations (progress and Cancel act there)
    adapt_eval_tokens: int = 2000    # held-out tokens scored by each of those evaluations (the same ones each time)
    adapt_runs_at_once: int = 1      # adaptation runs one server trains at the same time


@dataclass(frozen=True)
class Defaults:
    model: str = "mini"
    lab_text: str = (  # short: 19 tokens stay readable at 1280 x 800 and on a projector
        "She sat on the bank of the river .\n"
        "He went to the bank to deposit his salary ."
    )
    lab_word: str = "bank"
    sense_word: str = "bank"
    neighbours: int = 5
    hover_width: int = 60
    umap_neighbors: int = 15
    umap_min_dist: float = 0.1


#: Decimals of similarities in every table (presentation mode shows fewer).
DECIMALS = 3
PRESENTATION_DECIMALS = 2
LIMITS = Limits()
DEFAULTS = Defaults()


@dataclass(frozen=True)
class ServerSettings:
    """What a served app allows; see the module docstring for the environment variables."""

    allow_local_folder: bool = True
    upload_cache_bytes: int = 1024 * 2**20
    upload_max_parameters: int = 100_000_000


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    LOG.warning("ignoring %s=%r (expected 0 or 1)", name, value)
    return default


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip().replace("_", "")
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        LOG.warning("ignoring %s=%r (expected a whole number)", name, value)
        return default
    return number


def server_settings(environ: Mapping[str, str] | None = None) -> ServerSettings:
    """The settings from ``environ`` (default ``os.environ``); bad values fall back to the defaults."""
    env = os.environ if environ is None else environ
    defaults = ServerSettings()
    return ServerSettings(
        allow_local_folder=_flag(env, "ELMO_EXPLORER_ALLOW_LOCAL_FOLDER", defaults.allow_local_folder),
        upload_cache_bytes=_count(env, "ELMO_EXPLORER_UPLOAD_CACHE_MB", defaults.upload_cache_bytes // 2**20) * 2**20,
        upload_max_parameters=_count(env, "ELMO_EXPLORER_UPLOAD_MAX_PARAMETERS", defaults.upload_max_parameters),
    )
