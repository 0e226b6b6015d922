"""
:class:`SentimentClassifier`: raw texts in, class probabilities out, with occlusion-based
token contributions. :func:`load_classifier` opens the heads shipped with a model.

>>> clf = load_classifier()                         # doctest: +SKIP
>>> clf.predict_proba(["A gorgeous, witty film.", "Dull and far too long."])  # doctest: +SKIP
array([[0.08, 0.92],
       [0.87, 0.13]], dtype=float32)
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..bilm import BiLM
from ..datasets.glove import StaticVectors
from ..loading import find_model_files, load_files
from ..tokenizer import text_to_tokens
from .calibration import is_uncertain, softmax
from .features import load_model
from .ngram import NgramModel, add_margins
from .padded_batches import length_batches, pad_features
from .results import RunResult
from .saved_heads import SavedHead, heads_root, load_head
from .static_inputs import static_batch

__all__ = ["SentimentClassifier", "load_classifier", "CLASSIFIER_NAMES", "MAX_TOKENS", "MAX_OCCLUSION_TOKENS"]

log = logging.getLogger(__name__)

CLASSIFIER_NAMES = {"default": "feature", "feature": "feature", "finetuned": "finetuned"}
MAX_TOKENS = 400  # longer texts are cut to their first MAX_TOKENS tokens
MAX_OCCLUSION_TOKENS = 120  # occlusion runs the model once per token: keep it interactive


class SentimentClassifier:
    """A biLM plus a trained sentence head.

    ``label_names`` gives the column order of :meth:`predict_proba`, ``("negative", "positive")``
    for the shipped heads. ``stale`` is True when the head was trained on other biLM weights
    than the ones now loaded (re-run ``elmo-explorer task ship-heads``). ``static`` is the word
    vector table of a head with static inputs; ``temperature`` divides the logits
    (calibrated on dev when shipped), and :meth:`verdict` says ``"uncertain"`` between 0.4 and 0.6.
    ``ngram`` (an :class:`~elmo_core.tasks.ngram.NgramModel`) adds ``ngram_weight`` times its
    margin to the ``positive`` logit before the temperature.
    """

    def __init__(self, bilm: BiLM, head: nn.Module, label_names: tuple[str, ...], *, name: str = "custom",
                 result: RunResult | None = None, stale: bool = False, batch_size: int = 64,
                 static: StaticVectors | None = None, temperature: float = 1.0, extra: dict | None = None,
                 ngram: NgramModel | None = None, ngram_weight: float = 0.0):
        if getattr(head, "config", None) is not None and head.config.static_dim and static is None:
            raise ValueError("this head reads static word vectors: pass its table as static=")
        self.bilm = bilm
        self.static = static
        self.temperature = float(temperature)
        self.extra = extra or {}
        self.head = head.eval()
        self.label_names = tuple(label_names)
        if ngram is not None and "positive" not in self.label_names:
            raise ValueError("an n-gram member needs a 'positive' label")
        self.ngram = ngram if ngram_weight > 0 else None
        self.ngram_weight = float(ngram_weight) if self.ngram is not None else 0.0
        self.name = name
        self.result = result
        self.stale = stale
        self.batch_size = batch_size
        self._lock = threading.Lock()  # the biLM and head are shared; one forward at a time

    # --------------------------------------------------------------------- inputs
    @staticmethod
    def tokens(text: str) -> list[str]:
        """The tokens the classifier sees for ``text``; ValueError if there are none."""
        if not isinstance(text, str):
            raise ValueError(f"each text must be a string, got {type(text).__name__}")
        if not text.strip():
            raise ValueError("text is empty; give at least one word")
        tokens = text_to_tokens(text)
        if not tokens:
            raise ValueError(f"text {text[:40]!r} has no tokens (only control or space characters)")
        return tokens[:MAX_TOKENS]

    def _check_texts(self, texts) -> list[list[str]]:
        if isinstance(texts, str):
            raise ValueError("texts must be a list of strings; wrap a single text as [text]")
        return [self.tokens(t) for t in texts]

    # --------------------------------------------------------------------- scoring
    def _proba_tokens(self, sentences: list[list[str]]) -> np.ndarray:
        """Token lists (empty ones allowed) -> (n, num_classes) float32 probabilities."""
        out = np.zeros((len(sentences), len(self.label_names)), dtype=np.float32)
        if not sentences:
            return out
        uses_elmo = getattr(getattr(self.head, "config", None), "use_elmo", True)
        with self._lock, torch.inference_mode():
            vectors = self.bilm.embed(sentences, batch_size=self.batch_size) if uses_elmo else None
            for indices in length_batches([len(s) for s in sentences], self.batch_size):
                if vectors is not None:
                    layers, mask = pad_features([vectors[i] for i in indices], self.bilm.device)
                else:
                    lengths = torch.as_tensor([len(sentences[i]) for i in indices])
                    mask = (torch.arange(max(1, int(lengths.max()))) < lengths.unsqueeze(1)).to(self.bilm.device)
                    layers = torch.zeros(0, len(indices), mask.shape[1], 1, device=self.bilm.device)
                inputs = (layers, mask)
                if self.static is not None:
                    inputs += (static_batch(self.static, [sentences[i] for i in indices], mask.shape[1], mask.device),)
                logits = self.head(*inputs).float().cpu().numpy()
                if self.ngram is not None:
                    margins = self.ngram.margins([sentences[i] for i in indices])
                    logits = add_margins(logits, margins, self.ngram_weight, self.label_names.index("positive"))
                out[indices] = softmax(logits, self.temperature)
        return out

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(len(texts), num_classes) float32, rows sum to 1, columns in ``label_names`` order."""
        return self._proba_tokens(self._check_texts(texts))

    def predict(self, texts: list[str]) -> list[str]:
        """The most probable label name of each text."""
        proba = self.predict_proba(texts)
        return [self.label_names[i] for i in proba.argmax(axis=1)]

    def verdict(self, proba_row: np.ndarray) -> str:
        """The label of one row of :meth:`predict_proba`, or ``"uncertain"`` when no class
        reaches 0.6 (for two classes: p between 0.4 and 0.6)."""
        return "uncertain" if is_uncertain(proba_row) else self.label_names[int(np.argmax(proba_row))]

    def token_contributions(self, text: str, label: str | int | None = None, *,
                            max_tokens: int = MAX_OCCLUSION_TOKENS) -> list[tuple[str, float]]:
        """Occlusion scores: ``P(label | text) - P(label | text without token i)`` per token.

        ``label`` defaults to ``"positive"`` when it exists (else the predicted class), so a
        positive score means the token pushes the text towards that label. The model runs
        ``n + 1`` times, so texts of more than ``max_tokens`` tokens raise ValueError.
        """
        tokens = self.tokens(text)
        if len(tokens) > max_tokens:
            raise ValueError(f"the text has {len(tokens)} tokens; token contributions are computed for at most "
                             f"{max_tokens} (one model run per token)")
        if label is None:
            label = "positive" if "positive" in self.label_names else None
        variants = [tokens] + [tokens[:i] + tokens[i + 1 :] for i in range(len(tokens))]
        proba = self._proba_tokens(variants)
        if label is None:
            column = int(proba[0].argmax())
        elif isinstance(label, str):
            if label not in self.label_names:
                raise ValueError(f"unknown label {label!r}; labels are {self.label_names}")
            column = self.label_names.index(label)
        else:
            column = int(label)
        full = float(proba[0, column])
        return [(tok, full - float(p)) for tok, p in zip(tokens, proba[1:, column])]


# ------------------------------------------------------------------------- shipped heads
def _model_dir(model: str | Path) -> Path:
    from ..registry import resolve_model_dir

    return Path(resolve_model_dir(model, progress=False)[0])


def _build(saved: SavedHead, model: str | Path, name: str, device) -> SentimentClassifier:
    if saved.bilm_dir is not None:
        options, weights = find_model_files(saved.bilm_dir)
        bilm = load_files(options, weights, state=saved.state, device=device, name=f"{Path(str(model)).name}-{name}")
        stale = False
    else:
        loaded = load_model(model, state=saved.state, device=device)
        bilm = loaded.bilm
        stale = loaded.fingerprint != saved.base_fingerprint
        if stale:
            log.warning("the %s sentiment head was trained on other weights than %s now has; "
                        "run `elmo-explorer task ship-heads` to retrain it", name, model)
    return SentimentClassifier(bilm, saved.head.to(bilm.device), saved.label_names, name=name,
                               result=saved.result, stale=stale, static=saved.static,
                               temperature=saved.temperature, extra=saved.extra, ngram=saved.ngram,
                               ngram_weight=saved.ngram_weight)


_CACHE: dict[tuple, SentimentClassifier] = {}
_CACHE_LOCK = threading.Lock()


def load_classifier(name: str = "default", *, model: str | Path = "mini", device=None) -> SentimentClassifier:
    """A shipped sentiment classifier of ``model``: ``"default"``/``"feature"`` (frozen biLM,
    learned scalar mix) or ``"finetuned"`` (its own fine-tuned biLM copy).

    Loaded once per process and argument set (the head files' modification times are part of
    the key, so re-shipped heads are picked up). Raises FileNotFoundError when the model has
    no such head and ValueError for an unknown name.
    """
    if name not in CLASSIFIER_NAMES:
        raise ValueError(f"unknown classifier {name!r}; choose one of {sorted(CLASSIFIER_NAMES)}")
    directory = heads_root(_model_dir(model)) / CLASSIFIER_NAMES[name]
    head_file = directory / "head.pt"
    if not head_file.is_file():
        raise FileNotFoundError(f"{model} has no {CLASSIFIER_NAMES[name]} sentiment head at {directory}; "
                                f"create it with `elmo-explorer task ship-heads --model {model}`")
    key = (CLASSIFIER_NAMES[name], str(directory), head_file.stat().st_mtime_ns, str(device))
    with _CACHE_LOCK:
        if key not in _CACHE:
            saved = load_head(directory)
            _CACHE[key] = _build(saved, model, CLASSIFIER_NAMES[name], device)
        return _CACHE[key]
