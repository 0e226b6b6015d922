"""
The one reader of WordNet 3.0's database files (Debian package ``wordnet-base``), for the sense
sentences (:mod:`elmo_core.datasets.sense_sentences`), the pretraining corpus
(:mod:`elmo_core.corpus.readers.wordnet`) and the negation frames
(:mod:`elmo_core.datasets.negation_frames`).

Each line of ``data.{noun,verb,adj,adv}`` is one synset; the licence header at the top of every
file (lines starting with two spaces) is skipped::

    00597915 31 v 03 learn 0 larn 0 acquire 0 ... | gain knowledge or skills; "She learned dancing"

The fields before `` | `` are the synset offset, its lexicographer file number (``31``:
``verb.cognition``), its part of speech, the number of lemmas (hexadecimal) and the lemmas, each
followed by a lexical id. The part after `` | `` is the gloss: definitions separated by ``;`` and
quoted example sentences (:func:`split_gloss`). ``index.<pos>`` lists every lemma with its number
of synsets (:func:`lemma_sense_counts`).

:func:`wordnet_root` finds the files where ``apt-get install wordnet-base`` put them, else
downloads and unpacks the package into the cache (:func:`elmo_core.packages.apt_path`); readers
that must never download read :data:`INSTALLED_ROOT`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Union

from ..packages import apt_path

__all__ = ["WORDNET_PACKAGE", "INSTALLED_ROOT", "DATA_FILES", "Synset", "wordnet_root", "iter_synsets",
           "split_gloss", "quoted_examples", "lexicographer_name", "lemma_sense_counts"]

WORDNET_PACKAGE = "wordnet-base"
_DIR = "usr/share/wordnet"
INSTALLED_ROOT = Path("/") / _DIR

# Data file -> (single-letter part of speech used in sense ids, coarse tag).
DATA_FILES = {
    "data.noun": ("n", "NOUN"),
    "data.verb": ("v", "VERB"),
    "data.adj": ("a", "ADJ"),
    "data.adv": ("r", "ADV"),
}
_EXAMPLE = re.compile(r'"([^"]+)"')
_ADJ_MARKER = re.compile(r"\([a-z]+\)$")  # data.adj lemmas may end in (a), (p) or (ip)

# WordNet 3.0's lexicographer files by number (lexnames(5WN)); 03-28 are the noun "supersenses".
_LEXICOGRAPHER_FILES = (
    "adj.all", "adj.pert", "adv.all",
    *(f"noun.{name}" for name in (
        "Tops", "act", "animal", "artifact", "attribute", "body", "cognition", "communication", "event",
        "feeling", "food", "group", "location", "motive", "object", "person", "phenomenon", "plant",
        "possession", "process", "quantity", "relation", "shape", "state", "substance", "time")),
    *(f"verb.{name}" for name in (
        "body", "change", "cognition", "communication", "competition", "consumption", "contact",
        "creation", "emotion", "motion", "perception", "possession", "social", "stative", "weather")),
    "adj.ppl",
)


@dataclass(frozen=True)
class Synset:
    """One line of a data file: ``lemmas`` as written (``river_bank``, ``fair(a)``); ``gloss`` the
    text after `` | `` (definitions and quoted examples, trailing white space stripped)."""

    offset: str
    lex_file: str
    lemmas: tuple[str, ...]
    gloss: str

    @property
    def words(self) -> tuple[str, ...]:
        """The lemmas as plain lower-case words (spaces for underscores, adjective markers
        dropped), each once, in order."""
        return tuple(dict.fromkeys(
            _ADJ_MARKER.sub("", lemma).replace("_", " ").lower() for lemma in self.lemmas))


def wordnet_root() -> Path:
    """The folder of WordNet's database files: installed, or fetched into the cache. Raises
    :class:`~elmo_core.packages.SourceUnavailable` when neither is possible."""
    return apt_path(WORDNET_PACKAGE, _DIR)


def iter_synsets(path: Union[str, Path]) -> Iterator[Synset]:
    """Every synset of one ``data.*`` file, in file order (the licence header and lines whose
    fields cannot be read are skipped)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("  ") or " | " not in line:
                continue  # licence header
            head, _, gloss = line.partition(" | ")
            fields = head.split()
            try:
                offset, lex_file, count = fields[0], fields[1], int(fields[3], 16)
            except (IndexError, ValueError):
                continue
            yield Synset(offset, lex_file, tuple(fields[4:4 + 2 * count:2]), gloss.strip())


def quoted_examples(gloss: str) -> list[str]:
    """The quoted example sentences of a gloss, as written (quotes removed)."""
    return _EXAMPLE.findall(gloss)


def split_gloss(gloss: str) -> tuple[list[str], list[str]]:
    """Split a gloss into (definitions, examples), each stripped and white space collapsed in
    definitions; empty parts dropped."""
    examples = [ex.strip() for ex in quoted_examples(gloss) if ex.strip()]
    rest = _EXAMPLE.sub(" ", gloss)
    definitions = [" ".join(part.split()) for part in rest.split(";")]
    return [d for d in definitions if d], examples


def lexicographer_name(number: str) -> str:
    """``"06"`` -> ``"noun.artifact"``; a number outside the table keeps its digits (``"lex99"``)."""
    index = int(number) if number.isdigit() else -1
    return _LEXICOGRAPHER_FILES[index] if 0 <= index < len(_LEXICOGRAPHER_FILES) else f"lex{number}"


def lemma_sense_counts(pos: str, root: Union[str, Path, None] = None) -> dict[str, int]:
    """``index.<pos>`` (``pos``: noun, verb, adj or adv): single-word lemma -> number of synsets.
    ``root`` defaults to :func:`wordnet_root`."""
    path = Path(root if root is not None else wordnet_root()) / f"index.{pos}"
    counts = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(" "):
            continue  # the licence header
        parts = line.split()
        if len(parts) > 2 and "_" not in parts[0]:
            counts[parts[0]] = int(parts[2])
    return counts
