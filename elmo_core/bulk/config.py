"""
Typed settings of one ``embed-corpus`` job: :class:`CorpusJobConfig` (what to embed and how to
store it, shared by both engines) and :class:`RayOptions` (where and how wide the Ray engine runs).

Only the fields in :meth:`CorpusJobConfig.identity` decide the contents of the output; a rerun
into the same folder must agree on them (see :mod:`elmo_core.bulk.manifest`). The others
(``batch_tokens``, ``device``, the engine and its options) are performance knobs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from .faults import FaultPlan

__all__ = ["CorpusJobConfig", "RayOptions", "LAYER_CHOICES", "DTYPES", "SPLITS", "STATES", "ENGINES"]

LAYER_CHOICES = ("all", "top", "average")
DTYPES = ("float32", "float16")
#: ``lines``: one sentence per line (or Parquet row), tokens separated by white space, like
#: ``elmo-explorer embed``. ``text``: raw text, split into sentences and words by
#: :func:`elmo_core.tokenizer.tokenize` (paragraphs end at blank lines, or at the end of a row).
SPLITS = ("lines", "text")
STATES = ("warm", "zero")  # ``carry`` would make a sentence's vectors depend on its neighbours
ENGINES = ("local", "ray")


@dataclass
class CorpusJobConfig:
    """One job. ``input``: a text file, a glob, a folder (its ``*.txt`` files, else its
    ``*.parquet`` files) or a Parquet file/dataset with a ``text_column``.

    ``shard_size`` sentences (input lines or rows; sentences after splitting in ``text`` mode)
    form one shard: shard k holds sentence ids ``[k * shard_size, (k + 1) * shard_size)``.
    ``max_sentence_tokens``: longer sentences are cut to this many tokens (and counted).
    ``batch_tokens``: the padded-token budget of one model batch (``BiLM.embed``'s
    ``max_tokens_per_batch``); sentences are embedded and written about ``chunk_tokens`` tokens at
    a time, which bounds a worker's memory whatever the shard size.
    """

    input: str
    output_dir: Path
    model: str = "mini"
    layers: str = "all"
    dtype: str = "float32"
    split: str = "lines"
    text_column: str = "text"
    shard_size: int = 1000
    max_sentence_tokens: int = 400
    state: str = "warm"
    batch_tokens: int = 4096
    batch_size: int = 64
    chunk_tokens: int = 32768
    device: str | None = None
    progress: bool = True
    #: testing only: make one shard fail once (see :mod:`elmo_core.bulk.faults`)
    fault: FaultPlan | None = None

    def __post_init__(self) -> None:
        self.output_dir = Path(self.output_dir)
        for name, value, allowed in (("layers", self.layers, LAYER_CHOICES), ("dtype", self.dtype, DTYPES),
                                     ("split", self.split, SPLITS), ("state", self.state, STATES)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        for name in ("shard_size", "max_sentence_tokens", "batch_tokens", "batch_size", "chunk_tokens"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")
        if not self.text_column:
            raise ValueError("text_column must name a column")

    def identity(self) -> dict:
        """The settings that decide what the output holds (compared on resume)."""
        return {"layers": self.layers, "dtype": self.dtype, "split": self.split, "text_column": self.text_column,
                "shard_size": self.shard_size, "max_sentence_tokens": self.max_sentence_tokens, "state": self.state}

    def describe(self) -> dict:
        """Every setting, JSON-ready, for the manifest."""
        data = asdict(self)
        data["output_dir"] = str(self.output_dir)
        data.pop("fault")
        data.pop("progress")
        return data


@dataclass
class RayOptions:
    """``address``: ``None`` starts a local cluster, ``"auto"`` joins the running one, else a
    ``host:port`` or ``ray://`` address. ``workers``: size of the embedder actor pool (``None``:
    as many as the cluster's CPUs, or GPUs when ``gpus_per_worker`` > 0, allow). A shard that raises a retryable error is tried
    again up to ``max_retries`` times; a dead actor is restarted and its shard resubmitted by
    Ray Data itself."""

    address: str | None = None
    workers: int | None = None
    cpus_per_worker: float = 1.0
    gpus_per_worker: float = 0.0
    max_retries: int = 3
    init_kwargs: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.workers is not None and (not isinstance(self.workers, int) or self.workers < 1):
            raise ValueError(f"workers must be a positive whole number, got {self.workers!r}")
        if self.cpus_per_worker <= 0:
            raise ValueError(f"cpus_per_worker must be > 0, got {self.cpus_per_worker}")
        if self.gpus_per_worker < 0:
            raise ValueError(f"gpus_per_worker must be >= 0, got {self.gpus_per_worker}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
