"""
Typed configuration of a biLM pretraining run, read from a JSON file::

    {"corpus_dir": "~/.cache/elmo-explorer/corpus", "out_dir": "~/.cache/elmo-explorer/runs/mini",
     "model": {... options.json layout ...}, "vocab_size": 40000, "batch_size": 64, ...}

Unknown keys are an error (a typo must not silently fall back to a default).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..config import ConfigError, ElmoConfig


@dataclass
class TrainConfig:
    corpus_dir: str
    out_dir: str
    model: dict = field(default_factory=dict)  # options.json layout
    vocab_size: int = 40000  # output vocabulary (input is characters and needs none)
    vocab_file: str = ""  # default: corpus_dir/vocab.txt; set it to keep a vocabulary across corpora
    softmax_cutoffs: tuple[int, ...] = (2000, 10000)  # adaptive softmax clusters
    batch_size: int = 64  # parallel text streams per process
    unroll_steps: int = 20  # truncated backprop length
    optimizer: str = "adam"  # "adam" or "adagrad"
    learning_rate: float = 2e-3
    clip_norm: float = 10.0
    dropout: float = 0.1
    max_tokens: int = 10_000_000  # stop after this many (forward) training tokens per process...
    max_minutes: float = 0.0  # ...or after this many minutes of training (0 = no limit)
    eval_every: int = 500  # steps between held-out evaluations
    eval_tokens: int = 50_000  # held-out tokens used for the periodic evaluation
    checkpoint_every: int = 200  # steps between checkpoints
    seed: int = 1234
    device: str = "auto"  # "auto", "cpu" or "cuda"
    bf16: bool = True  # bf16 autocast on CUDA (ignored on CPU)
    num_threads: int = 0  # torch CPU threads (0 = torch's default)
    # GloVe mimick (elmo_core.training.lm): a training-only map from layer 0 predicts GloVe 6B 50d.
    glove_weight: float = 0.0  # weight of the auxiliary loss during LM training (0 = off)
    glove_loss: str = "cosine"  # "cosine" (1 - cos) or "mse"
    glove_pretrain_steps: int = 0  # character-CNN steps on the mimick loss alone, before LM training
    glove_pretrain_batch: int = 2048  # word types per pretraining step
    # Context bags (elmo_core.training.lm.context_bags): a training-only map per direction from the
    # top layer predicts the mean GloVe vector of the content words within context_window tokens.
    context_weight: float = 0.0  # weight of that auxiliary loss (0 = off)
    context_window: int = 5
    # Teacher (elmo_core.training.teacher): a training-only map from the top layer predicts a
    # sentence encoder's word vectors, on teacher_batch whole sentences of teacher_dir per step.
    teacher_weight: float = 0.0  # weight of that auxiliary loss (0 = off)
    teacher_dir: str = ""  # a folder written by `elmo-explorer teacher build`
    teacher_batch: int = 32  # sentences per step (at most batch_size)
    # "vectors": a map predicts the encoder's word vectors; "residuals": what the context adds to them
    # (the vector minus its word's mean); "similarities": no map, the top layer's pairwise cosines
    # follow the encoder's (elmo_core.training.lm.similarity_loss); "occurrences": teacher_batch
    # sentences hold teacher_group occurrences each of some content words, and the top layer's
    # cosines within a word follow the encoder's (elmo_core.training.lm.occurrence_loss).
    teacher_target: str = "vectors"
    teacher_group: int = 6  # occurrences per word, with "occurrences"
    # With "occurrences": draw only from this share of the words, those whose encoder cosines between
    # occurrences vary most (elmo_core.training.teacher.occurrence_cosine_spread; 1.0 = every word).
    teacher_word_share: float = 1.0
    # A fixed budget (max_minutes, else max_tokens) ends better with a decaying learning rate and,
    # over several passes of a small corpus, with the best held-out weights rather than the last.
    lr_decay_fraction: float = 0.0  # linear decay over this last fraction of the budget (0 = constant)
    final_lr_fraction: float = 0.1  # ...down to this fraction of learning_rate
    keep_best: bool = False  # end (and export) with the best held-out weights of any evaluation

    def __post_init__(self) -> None:
        self.softmax_cutoffs = tuple(self.softmax_cutoffs)
        if self.optimizer not in ("adam", "adagrad"):
            raise ConfigError(f"optimizer must be 'adam' or 'adagrad', got {self.optimizer!r}")
        if not (0 < self.softmax_cutoffs[0] and list(self.softmax_cutoffs) == sorted(self.softmax_cutoffs)
                and self.softmax_cutoffs[-1] < self.vocab_size):
            raise ConfigError(f"softmax_cutoffs must increase and stay below vocab_size={self.vocab_size}")
        if self.glove_loss not in ("cosine", "mse"):
            raise ConfigError(f"glove_loss must be 'cosine' or 'mse', got {self.glove_loss!r}")
        if not (0 <= self.lr_decay_fraction <= 1 and 0 < self.final_lr_fraction <= 1):
            raise ConfigError("lr_decay_fraction must be in [0, 1] and final_lr_fraction in (0, 1]")
        if min(self.glove_weight, self.glove_pretrain_steps, self.context_weight, self.teacher_weight) < 0:
            raise ConfigError("glove_weight, glove_pretrain_steps, context_weight and teacher_weight "
                              "must not be negative")
        if self.teacher_target not in ("vectors", "residuals", "similarities", "occurrences"):
            raise ConfigError(f"teacher_target must be 'vectors', 'residuals', 'similarities' or 'occurrences', "
                              f"got {self.teacher_target!r}")
        if self.teacher_weight > 0 and not self.teacher_dir:
            raise ConfigError("teacher_weight > 0 needs teacher_dir (see `elmo-explorer teacher build`)")
        if self.teacher_weight > 0 and not 0 < self.teacher_batch <= self.batch_size:
            raise ConfigError(f"teacher_batch must be in 1..batch_size={self.batch_size}")
        if self.teacher_weight > 0 and self.teacher_target == "occurrences" and (
                self.teacher_group < 3 or self.teacher_batch % self.teacher_group):
            raise ConfigError(f"with teacher_target 'occurrences', teacher_group must be at least 3 and divide "
                              f"teacher_batch={self.teacher_batch}, got {self.teacher_group}")
        if not 0 < self.teacher_word_share <= 1:
            raise ConfigError(f"teacher_word_share must be in (0, 1], got {self.teacher_word_share}")
        for name in ("batch_size", "unroll_steps", "vocab_size", "eval_every", "checkpoint_every",
                     "glove_pretrain_batch", "context_window"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        self.elmo_config()  # validates the model section

    @property
    def uses_glove(self) -> bool:
        return self.glove_weight > 0 or self.glove_pretrain_steps > 0 or self.context_weight > 0

    def elmo_config(self) -> ElmoConfig:
        return ElmoConfig.from_dict(self.model)

    @property
    def corpus_path(self) -> Path:
        return Path(self.corpus_dir).expanduser()

    @property
    def vocab_path(self) -> Path:
        """The output vocabulary: ``vocab_file``, else the corpus's ``vocab.txt``."""
        return Path(self.vocab_file).expanduser() if self.vocab_file else self.corpus_path / "vocab.txt"

    @property
    def out_path(self) -> Path:
        return Path(self.out_dir).expanduser()

    @classmethod
    def from_json(cls, path: str | Path) -> "TrainConfig":
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read training config {path}: {exc}") from exc
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"unknown training config key(s): {', '.join(unknown)}")
        for required in ("corpus_dir", "out_dir", "model"):
            if required not in raw:
                raise ConfigError(f"missing required training config key {required}")
        return cls(**raw)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["softmax_cutoffs"] = list(self.softmax_cutoffs)
        return d
