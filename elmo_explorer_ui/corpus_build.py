"""
Corpora that the Corpus explorer embeds itself, in a background thread with the local engine of
:mod:`elmo_core.bulk`: the sample corpus (the curated and held-out sense sentences that ship with
elmo_core, 921 sentences, embedded once per model version into the cache) and a visitor's
uploaded text file (:mod:`.uploads` checks it first). The page polls a :class:`CorpusBuild` for
its progress. No Streamlit here.
"""
from __future__ import annotations

import hashlib
import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from elmo_core.bulk import CorpusJobConfig, CorpusReader, embed_corpus
from elmo_core.bulk.reader import CorpusError
from elmo_core.cache import cache_dir
from elmo_core.datasets.sense_sentences import load_curated, load_unseen
from elmo_core.loading import find_model_files
from elmo_core.registry import resolve_model_dir

__all__ = ["CorpusBuild", "corpora_root", "sample_sentences", "sample_folder", "start_sample_build", "SHARD_SENTENCES", "STORED_DTYPE"]

LOG = logging.getLogger("elmo_explorer")
#: sentences per shard: small shards give the progress bar about ten steps on the sample
SHARD_SENTENCES = 100
#: half the disk of float32; the maps need no more precision
STORED_DTYPE = "float16"
INPUT_FILE = "input.txt"
CORPUS_DIR = "corpus"


def corpora_root() -> Path:
    """``<cache>/corpora``: the sample corpus and the uploaded ones."""
    return cache_dir() / "corpora"


def sample_sentences() -> list[str]:
    """The sample corpus: every curated and held-out sense sentence, tokens joined by spaces."""
    return [" ".join(s.tokens) for s in (*load_curated(), *load_unseen())]


def sample_folder(model: str) -> Path:
    """Where the sample corpus of ``model`` lives, named by the model and its version (size and
    time of its options and weight files), so that new weights get a new sample."""
    directory, name = resolve_model_dir(model, progress=False)
    stamp = ";".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                     for p in map(Path, find_model_files(directory)))
    return corpora_root() / f"sample-{name}-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}"


@dataclass
class CorpusBuild:
    """One corpus embedded in the background into ``folder``/corpus from ``folder``/input.txt.

    ``done`` of ``total`` shards are written; ``error`` (text safe to show) when it failed;
    ``finished`` once it succeeded or failed. A folder that already holds the complete corpus
    is finished at once."""

    folder: Path
    model: str = "mini"
    split: str = "lines"
    done: int = 0
    total: int = 0
    error: str | None = None
    finished: bool = False
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def corpus(self) -> Path:
        return self.folder / CORPUS_DIR

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    def is_complete(self) -> bool:
        try:
            CorpusReader(self.corpus)
        except CorpusError:
            return False
        return True

    def start(self, text: str) -> "CorpusBuild":
        """Write ``text`` as the input and embed it in a daemon thread."""
        shutil.rmtree(self.corpus, ignore_errors=True)  # a build cut short: start again
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / INPUT_FILE).write_text(text, encoding="utf-8")
        self._thread = threading.Thread(target=self._run, name=f"embed-{self.folder.name}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        config = CorpusJobConfig(str(self.folder / INPUT_FILE), self.corpus, model=self.model, split=self.split,
                                 dtype=STORED_DTYPE, shard_size=SHARD_SENTENCES, progress=False)
        try:
            embed_corpus(config, engine="local", on_shard=self._progress)
        except Exception as exc:  # noqa: BLE001 - shown on the page, logged with its traceback
            LOG.exception("embedding %s failed", self.folder.name)
            self.error = "no text to embed" if "holds no text" in str(exc) else type(exc).__name__
        self.finished = True

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def start_sample_build(model: str = "mini") -> CorpusBuild:
    """The sample corpus of ``model``: finished at once when it is in the cache, else being built."""
    folder = sample_folder(model)
    build = CorpusBuild(folder, model=model)
    if build.is_complete():
        build.finished = True
        return build
    for old in folder.parent.glob(f"sample-{model}-*"):  # the samples of older versions of the model
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    return build.start("\n".join(sample_sentences()) + "\n")
