"""
WordNet 3.0 glosses and example sentences (Debian package ``wordnet-base``).

Each line of ``/usr/share/wordnet/data.{noun,verb,adj,adv}`` is one synset::

    00597915 31 v 03 learn 0 larn 0 ... | gain knowledge or skills; "She learned dancing"

The part after `` | `` is the gloss: definitions separated by ``;`` and quoted example
sentences. Each definition is yielded as one document, and each example as another. The license
header at the top of every file (lines starting with two spaces) is skipped.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.sources._packages import package_file

NAME = "wordnet"
LICENCE = "WordNet 3.0 License (Princeton University; BSD-like, attribution)"
REBUILD_HINT = "apt-get install wordnet-base"

_PACKAGE = "wordnet-base"
_FILES = [f"usr/share/wordnet/data.{pos}" for pos in ("noun", "verb", "adj", "adv")]
_EXAMPLE = re.compile(r'"([^"]+)"')


def split_gloss(gloss: str) -> tuple[list[str], list[str]]:
    """Split a WordNet gloss into (definitions, examples)."""
    examples = [ex.strip() for ex in _EXAMPLE.findall(gloss) if ex.strip()]
    rest = _EXAMPLE.sub(" ", gloss)
    definitions = [" ".join(part.split()) for part in rest.split(";")]
    return [d for d in definitions if d], examples


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield every definition and every example sentence of WordNet, in file order."""
    for relpath in _FILES:
        path = package_file(_PACKAGE, relpath)
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("  ") or " | " not in line:
                    continue
                definitions, examples = split_gloss(line.split(" | ", 1)[1])
                yield from definitions
                yield from examples
