"""
Sentiment of raw text with the heads shipped next to a model (see :mod:`elmo_core.tasks`).

>>> from elmo_core.sentiment import load_classifier
>>> clf = load_classifier()                                   # doctest: +SKIP
>>> clf.predict_proba(["What a delight."])                    # [negative, positive]  # doctest: +SKIP
>>> clf.token_contributions("not bad at all")                 # doctest: +SKIP
"""
from .tasks.classifier import CLASSIFIER_NAMES, SentimentClassifier, load_classifier

__all__ = ["load_classifier", "SentimentClassifier", "CLASSIFIER_NAMES"]
