"""
What a corpus build produced: per-source and total counts, kept for the corpus card.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SourceStats", "CorpusStats"]


@dataclass
class SourceStats:
    """Counts for one source.

    ``sentences``/``words`` are those that passed the filters (length, duplicates, exclusion),
    before the mixture; ``train_words`` are the words the source puts in ``train.txt`` after it.
    ``fraction`` is the source's mixture weight; ``subsampled`` counts the training sentences
    the mixture left out.
    """

    name: str
    licence: str
    rebuild_hint: str
    documents: int = 0
    sentences: int = 0
    words: int = 0
    heldout_sentences: int = 0
    duplicates: int = 0
    too_short: int = 0
    too_long: int = 0
    excluded: int = 0
    subsampled: int = 0
    train_words: int = 0
    fraction: float = 1.0


@dataclass
class CorpusStats:
    """Everything :func:`elmo_core.corpus.build.build_corpus` reports and writes to the card."""

    out_dir: Path
    sources: list[SourceStats] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # source name -> reason
    train_sentences: int = 0
    train_words: int = 0
    heldout_sentences: int = 0
    heldout_words: int = 0
    vocab_size: int = 0
    exclusion_available: bool = False
    exclusion_note: str = ""
    exclusion_set_size: int = 0
    mixture: dict[str, float] = field(default_factory=dict)  # source name -> kept fraction
    heldout_fraction: float = 0.01
    seed: int = 0
    date: str = ""

    @property
    def sentences(self) -> int:
        return self.train_sentences + self.heldout_sentences

    @property
    def words(self) -> int:
        return self.train_words + self.heldout_words

    @property
    def duplicates(self) -> int:
        return sum(s.duplicates for s in self.sources)

    @property
    def excluded(self) -> int:
        return sum(s.excluded for s in self.sources)

    @property
    def subsampled(self) -> int:
        return sum(s.subsampled for s in self.sources)

    def summary(self) -> str:
        """A few lines for a terminal."""
        lines = [
            f"{s.name:<12} {s.sentences:>10,} sentences {s.words:>12,} words "
            f"{s.train_words:>12,} train words ({s.fraction:g} kept); excluded {s.excluded:,}, "
            f"subsampled {s.subsampled:,}"
            for s in self.sources
        ]
        lines += [f"{name:<12} FAILED: {reason.splitlines()[0]}" for name, reason in self.failed.items()]
        lines.append(
            f"{'total':<12} {self.sentences:>10,} sentences {self.words:>12,} words; "
            f"held out {self.heldout_sentences:,} sentences / {self.heldout_words:,} words; "
            f"vocabulary {self.vocab_size:,}; duplicates dropped {self.duplicates:,}; "
            f"sentiment sentences excluded {self.excluded:,}; subsampled {self.subsampled:,}; "
            f"train words {self.train_words:,}"
        )
        lines.append(f"written to {self.out_dir}")
        return "\n".join(lines)
