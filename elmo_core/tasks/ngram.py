"""
A negation-aware bag of n-grams: the sparse member that the shipped sentiment head may add to
its biLSTM heads.

Tokens after a negation word ("not", "n't", "never", "no", ...) up to the next punctuation or
contrast word get a ``NOT_`` prefix (the marking of Pang, Lee & Vaithyanathan, 2002), so "bad"
and the "bad" of "not bad" are different features. "no other" negates only the noun it
quantifies, not the clause: in "No other film made me laugh so much ." the scope ends after
"film" (:data:`BOUNDED_SCOPES`), while "not a single" and "not one" keep the clause ("Not a
single scene felt forced ." denies "felt forced"). A model records the rule it was fitted with
(``bounded_scopes``): files written before the rule existed keep the clause scope everywhere. Then binary unigrams and bigrams of the
lower-cased marked tokens, seen in at least ``min_count`` training texts, and an L2 logistic
regression (scikit-learn's liblinear, ``C`` chosen on dev accuracy).

    model = fit_ngram_model(data)                   # TaskData: fit on train, C chosen on dev
    model.margins([["Not", "bad", "at", "all", "."]])   # (n,) decision values, > 0 leans positive
    model.save(path); NgramModel.load(path)

A trained model is a feature list, one weight per feature and a bias: scoring needs neither
scikit-learn nor a sparse matrix, and the file holds no pickled objects.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import TaskData

__all__ = ["NgramModel", "fit_ngram_model", "negation_marked", "add_margins", "choose_ngram_weight",
           "NEGATORS", "SCOPE_ENDS", "BOUNDED_SCOPES", "NGRAM_FILE"]

NGRAM_FILE = "ngram.npz"
NEGATORS = frozenset({"not", "n't", "'t", "no", "never", "nothing", "nobody", "none", "neither", "nor", "cannot",
                      "without", "hardly", "barely"})
SCOPE_ENDS = frozenset({".", ",", ";", ":", "!", "?", "but", "yet", "although", "though", "however"})
#: negation word -> (the word after it, how many tokens its scope holds): "no other film" marks
#: "other" and "film" only, a comparison whose clause keeps its own polarity
BOUNDED_SCOPES = {"no": ("other", 2)}
C_GRID = (0.1, 0.3, 1.0, 3.0)


def negation_marked(tokens: list[str], bounded: bool = True) -> list[str]:
    """Lower-cased tokens, ``NOT_``-prefixed from after a negation word to the end of its scope
    (with ``bounded``, the short scopes of :data:`BOUNDED_SCOPES`; else always to the clause end)."""
    words = [token.lower() for token in tokens]
    out, left = [], 0  # tokens still in scope; -1: up to the next scope end
    for i, word in enumerate(words):
        if word in SCOPE_ENDS:
            left = 0
            out.append(word)
            continue
        out.append("NOT_" + word if left else word)
        left -= left > 0
        if word in NEGATORS or word.endswith("n't"):
            following, size = BOUNDED_SCOPES.get(word, (None, 0)) if bounded else (None, 0)
            left = size if following is not None and words[i + 1:i + 2] == [following] else -1
    return out


def _ngrams(tokens: list[str], bounded: bool = True) -> set[str]:
    marked = negation_marked(tokens, bounded)
    return set(marked) | {f"{a} {b}" for a, b in zip(marked, marked[1:])}


@dataclass
class NgramModel:
    """features (F,) n-gram strings, weights (F,) float32, one bias; ``c``, ``min_count`` and the
    scope rule (``bounded_scopes``, see :func:`negation_marked`) as fitted."""

    features: list[str]
    weights: np.ndarray
    bias: float
    c: float = 1.0
    min_count: int = 1
    bounded_scopes: bool = True

    def __post_init__(self) -> None:
        self.weights = np.asarray(self.weights, dtype=np.float32).reshape(-1)
        if len(self.features) != len(self.weights):
            raise ValueError(f"{len(self.features)} n-gram features but {len(self.weights)} weights")
        self._index = {f: i for i, f in enumerate(self.features)}

    def margins(self, sentences: list[list[str]]) -> np.ndarray:
        """(len(sentences),) float32 decision values: bias + the weights of each text's n-grams."""
        out = np.full(len(sentences), self.bias, dtype=np.float32)
        for row, tokens in enumerate(sentences):
            hits = [self._index[g] for g in _ngrams(tokens, self.bounded_scopes) if g in self._index]
            if hits:
                out[row] += float(self.weights[hits].sum())
        return out

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        text = "\n".join(self.features).encode("utf-8")
        np.savez_compressed(path, features=np.frombuffer(text, dtype=np.uint8), weights=self.weights,
                            meta=np.asarray([self.bias, self.c, self.min_count, self.bounded_scopes], dtype=np.float64))
        return path

    @classmethod
    def load(cls, path: str | Path) -> "NgramModel":
        """Read :meth:`save`'s file; ValueError when it is not one. A file without the scope rule
        (written before :data:`BOUNDED_SCOPES`) reads as the clause scope it was fitted with."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                text = data["features"].tobytes().decode("utf-8")
                weights, meta = data["weights"], data["meta"]
        except (OSError, KeyError, ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"{Path(path).name} is not an n-gram model file ({exc.__class__.__name__})") from None
        features = text.split("\n") if text else []
        return cls(features, weights, float(meta[0]), float(meta[1]), int(meta[2]), len(meta) > 3 and bool(meta[3]))


def add_margins(logits: np.ndarray, margins: np.ndarray, weight: float, positive: int = 1) -> np.ndarray:
    """Head logits (n, C) with ``weight`` times the n-gram margins (n,) added to the ``positive``
    column: for two classes, the logit difference grows by ``weight * margin``."""
    out = np.array(logits, dtype=np.float32, copy=True)
    out[:, positive] += weight * np.asarray(margins, dtype=np.float32)
    return out


def choose_ngram_weight(dev_sets: dict[str, tuple[list[list[str]], np.ndarray, np.ndarray]], model: NgramModel,
                        weights: tuple[float, ...]) -> tuple[float, dict[float, float]]:
    """The weight of ``weights`` whose :func:`add_margins` gives the best mean accuracy over
    ``dev_sets`` (``{name: (token lists, labels (n,), head logits (n, 2))}``; ties go to the
    smaller weight), and the mean accuracy of every weight."""
    margins = {name: model.margins(sentences) for name, (sentences, _, _) in dev_sets.items()}
    scores = {}
    for weight in weights:
        accuracies = [float((add_margins(logits, margins[name], weight).argmax(-1) == labels).mean())
                      for name, (_, labels, logits) in dev_sets.items()]
        scores[weight] = sum(accuracies) / len(accuracies)
    best = max(weights, key=lambda w: (round(scores[w], 9), -w))
    return best, scores


def fit_ngram_model(data: TaskData, *, min_count: int = 2, c_grid: tuple[float, ...] = C_GRID,
                    positive: int = 1) -> tuple[NgramModel, float]:
    """The model fitted on ``data``'s train split with the ``C`` of best dev accuracy, and that
    accuracy. Binary labels only; ``positive`` is the label whose margin is > 0."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    if len(data.label_names) != 2:
        raise ValueError(f"the n-gram model is binary; {data.dataset} has {len(data.label_names)} labels")
    vectorizer = CountVectorizer(analyzer=lambda tokens: sorted(_ngrams(tokens)), binary=True, min_df=min_count)
    x_train = vectorizer.fit_transform(data.split("train").sentences)
    x_dev = vectorizer.transform(data.split("dev").sentences)
    y_train = data.split("train").flat_labels() == positive
    y_dev = data.split("dev").flat_labels() == positive
    best = None
    for c in c_grid:
        fitted = LogisticRegression(C=c, solver="liblinear", max_iter=2000).fit(x_train, y_train)
        accuracy = float((fitted.predict(x_dev) == y_dev).mean())
        if best is None or accuracy > best[0]:
            best = (accuracy, c, fitted)
    accuracy, c, fitted = best
    model = NgramModel(list(vectorizer.get_feature_names_out()), fitted.coef_[0], float(fitted.intercept_[0]),
                       c, min_count)
    return model, accuracy
