"""
Non-neural baselines on exactly the same splits as the biLM runs.

- sentiment: bag-of-words (uni- and bigram counts) logistic regression, with the inverse
  regularisation strength ``C`` picked on dev;
- pos: each word's most frequent training tag (unknown words get the overall most frequent tag).
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np

from .data import TaskData
from .metrics import ClassificationReport, classification_report

__all__ = ["BaselineResult", "bow_logistic_regression", "most_frequent_tag", "run_baseline"]

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)


@dataclass
class BaselineResult:
    name: str
    dev: ClassificationReport
    test: ClassificationReport
    seconds: float
    setting: str = ""
    extra: dict[str, ClassificationReport] = field(default_factory=dict)  # other test sets

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "BaselineResult":
        data = dict(data)
        data["dev"] = ClassificationReport.from_dict(data["dev"])
        data["test"] = ClassificationReport.from_dict(data["test"])
        data["extra"] = {k: ClassificationReport.from_dict(v) for k, v in data.get("extra", {}).items()}
        return cls(**data)


def _join(sentences: list[list[str]]) -> list[str]:
    return [" ".join(s) for s in sentences]


def bow_logistic_regression(data: TaskData, c_grid: tuple[float, ...] = C_GRID,
                            extra: dict[str, TaskData] | None = None) -> BaselineResult:
    """Count-vectorised uni+bigrams (lower-cased tokens) -> logistic regression. ``extra`` maps
    a name to more data whose ``test`` split is scored too (``result.extra[name]``)."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    vectorizer = CountVectorizer(ngram_range=(1, 2), lowercase=True, token_pattern=None,
                                 tokenizer=str.split, binary=True)
    x_train = vectorizer.fit_transform(_join(data.split("train").sentences))
    x_dev = vectorizer.transform(_join(data.split("dev").sentences))
    x_test = vectorizer.transform(_join(data.split("test").sentences))
    y_train, y_dev, y_test = (data.split(s).flat_labels() for s in ("train", "dev", "test"))
    best = None
    for c in c_grid:
        model = LogisticRegression(C=c, solver="liblinear", max_iter=2000).fit(x_train, y_train)
        dev = classification_report(y_dev, model.predict(x_dev), data.label_names)
        if best is None or dev.accuracy > best[1].accuracy:
            best = (c, dev, model)
    c, dev, model = best
    test = classification_report(y_test, model.predict(x_test), data.label_names)
    scored = {}
    for name, other in (extra or {}).items():
        part = other.split("test")
        scored[name] = classification_report(part.flat_labels(), model.predict(vectorizer.transform(_join(part.sentences))),
                                             data.label_names)
    return BaselineResult("bow-logreg", dev, test, time.perf_counter() - started, f"C={c}", scored)


def most_frequent_tag(data: TaskData) -> BaselineResult:
    """Tag every word with its most frequent training tag (lower-cased lookup as a fallback)."""
    started = time.perf_counter()
    exact: dict[str, Counter] = defaultdict(Counter)
    lower: dict[str, Counter] = defaultdict(Counter)
    overall: Counter = Counter()
    train = data.split("train")
    for tokens, tags in zip(train.sentences, train.labels):
        for token, tag in zip(tokens, tags):
            exact[token][tag] += 1
            lower[token.lower()][tag] += 1
            overall[tag] += 1
    default = overall.most_common(1)[0][0] if overall else 0

    def tag(token: str) -> int:
        table = exact.get(token) or lower.get(token.lower())
        return table.most_common(1)[0][0] if table else default

    reports = {}
    for split in ("dev", "test"):
        part = data.split(split)
        pred = np.asarray([tag(t) for s in part.sentences for t in s], dtype=np.int64)
        reports[split] = classification_report(part.flat_labels(), pred, data.label_names)
    return BaselineResult("most-frequent-tag", reports["dev"], reports["test"], time.perf_counter() - started)


def run_baseline(data: TaskData) -> BaselineResult:
    """The baseline that fits ``data.task``."""
    return most_frequent_tag(data) if data.token_level else bow_logistic_regression(data)
