"""Limits and defaults of the app, in one typed place."""
from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Defaults:
    model: str = "mini"
    lab_text: str = (
        "I saw a saw .\n"
        "She sat on the bank of the river and watched the water .\n"
        "He went to the bank to deposit his salary .\n"
        "The bank raised its interest rates again .\n"
        "Ducks nested along the muddy bank ."
    )
    lab_word: str = "saw"
    sense_word: str = "bank"
    neighbours: int = 5
    hover_width: int = 60
    umap_neighbors: int = 15
    umap_min_dist: float = 0.1


LIMITS = Limits()
DEFAULTS = Defaults()
