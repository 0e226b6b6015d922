"""
The IMDB dev set of issue #34's third round (``docs/experiments/2026-12-07-negation-scope.md``):
the first 400 reviews of IMDB's ``dev`` split, cut to 400 tokens as IMDB test is scored
(``evaluation_data("imdb", "dev", imdb_reviews=400)``). The n-gram weight and C are chosen on it,
so it must share no review with the shipped heads' training mixture nor with IMDB test, and it
must be long reviews (what rt dev and the negation dev set lack).
"""
from __future__ import annotations

import pytest

from elmo_core.datasets.catalogue import load_sentiment_dataset
from elmo_core.datasets.imdb import heldout_review_texts, imdb_reviews, load_imdb
from elmo_core.datasets.normalize import normalize_text
from elmo_core.tasks.data import sentiment_sources
from elmo_core.tasks.evaluation import MAX_TOKENS, evaluation_data
from elmo_core.tasks.ship import ShipConfig

IMDB_DEV_REVIEWS = 400


@pytest.fixture(scope="module")
def dev():
    return evaluation_data("imdb", "dev", imdb_reviews=IMDB_DEV_REVIEWS).split("test")


@pytest.fixture(scope="module")
def dev_keys(dev):
    return {normalize_text(text) for text in dev.texts}


def test_the_dev_set_is_400_long_reviews_of_both_labels_cut_as_test_is(dev, dev_keys):
    assert len(dev) == IMDB_DEV_REVIEWS and len(dev_keys) >= 0.99 * IMDB_DEV_REVIEWS  # IMDB repeats a few reviews
    positive = int(dev.flat_labels().sum())
    assert 0.4 * IMDB_DEV_REVIEWS < positive < 0.6 * IMDB_DEV_REVIEWS
    lengths = [len(tokens) for tokens in dev.sentences]
    assert max(lengths) == MAX_TOKENS and sum(lengths) / len(lengths) > 150  # reviews, not sentences


def test_the_dev_reviews_are_not_imdb_test_reviews(dev_keys):
    test_keys = {normalize_text(text) for text, _, split in imdb_reviews() if split == "test"}
    assert len(test_keys) > 2000 and not dev_keys & test_keys


def test_no_dev_review_gave_a_sentence_to_the_training_mixture(dev_keys):
    ship = ShipConfig()
    assert "imdb-sentences" in sentiment_sources(ship.dataset)
    # the reviews whose sentences the mixture trains on: the first imdb_reviews train-split reviews
    used = {normalize_text(ex.text) for ex in load_imdb("documents", max_reviews=ship.imdb_reviews).split("train")}
    assert len(used) > 0.99 * ship.imdb_reviews and not dev_keys & used
    train_texts = {normalize_text(ex.text) for name in sentiment_sources(ship.dataset)
                   for ex in load_sentiment_dataset(name, max_reviews=ship.imdb_reviews).split("train")}
    assert not dev_keys & train_texts


def test_the_dev_reviews_were_kept_out_of_the_biLM_corpus(dev_keys):
    assert dev_keys <= {normalize_text(text) for text in heldout_review_texts()}
