"""
WordNet 3.0 glosses and example sentences (Debian package ``wordnet-base``), read with
:mod:`elmo_core.datasets.wordnet`.

Every synset of ``data.{noun,verb,adj,adv}`` gives its definitions (the parts of its gloss
separated by ``;``) and its quoted example sentences, each as one document, in file order.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from elmo_core.datasets.wordnet import DATA_FILES, WORDNET_PACKAGE, iter_synsets, split_gloss, wordnet_root

NAME = "wordnet"
LICENCE = "WordNet 3.0 License (Princeton University; BSD-like, attribution)"
REBUILD_HINT = f"apt-get install {WORDNET_PACKAGE}"


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield every definition and every example sentence of WordNet, in file order."""
    root = wordnet_root()
    for name in DATA_FILES:
        for synset in iter_synsets(root / name):
            definitions, examples = split_gloss(synset.gloss)
            yield from definitions
            yield from examples
