"""The sentiment sources beyond rt: VADER's other sets, IMDB reviews, the project's negation set,
and mixtures of them as training data (real packaged data throughout)."""
from __future__ import annotations

import collections
import re

import pytest

from elmo_core.datasets.catalogue import label_names, load_sentiment_dataset
from elmo_core.datasets.imdb import load_imdb, rotten_tomatoes_overlap
from elmo_core.datasets.negation import NEGATION_FILE, load_negation, negation_kinds
from elmo_core.datasets.vader import VADER_DOMAINS, load_vader_domain
from elmo_core.datasets.normalize import normalize_text
from elmo_core.tasks.data import load_task_data, sentiment_sources


@pytest.mark.parametrize("name,examples", [("vader-tweets", 3372), ("vader-amazon", 2977), ("vader-nyt", 2931)])
def test_vader_domains_are_read_with_the_rt_thresholds(name, examples):
    data = load_vader_domain(name)
    assert len(data.examples) == examples and data.label_names == ("negative", "positive")
    counts = data.counts()
    assert all(counts[s] for s in ("train", "dev", "test"))
    assert load_sentiment_dataset(name) is data and label_names(name) == ("negative", "positive")
    keys = [normalize_text(ex.text) for ex in data.examples]
    assert len(keys) == len(set(keys))  # repeated texts kept once


def test_unknown_vader_domain_is_a_clear_error():
    with pytest.raises(ValueError, match="vader-tweets"):
        load_vader_domain("vader-reddit")
    assert set(VADER_DOMAINS) == {"vader-tweets", "vader-amazon", "vader-nyt"}


def test_negation_set_is_balanced_paired_and_never_trained_on():
    data = load_negation()
    counts = data.counts()
    assert counts["train"] == {}
    assert counts["test"] == {0: 60, 1: 60} and counts["dev"] == {0: 130, 1: 130}
    dev = data.split("dev")
    assert len({ex.text for ex in dev}) == len(dev)
    test = data.split("test")
    assert len({ex.text for ex in test}) == len(test)  # no repeated sentence
    assert not {ex.text for ex in test} & {ex.text for ex in data.split("dev")}
    kinds = collections.Counter(negation_kinds("test"))
    assert set(kinds) == {"negation", "contrast", "order"} and kinds["negation"] >= 60
    # most sentences turn on a negation word
    negator = re.compile(r"\b(?:not|never|no|nothing|nobody|none|nor)\b|n't")
    with_negator = sum(bool(negator.search(ex.text.lower())) for ex in test)
    assert with_negator >= 70
    assert NEGATION_FILE.read_text(encoding="utf-8").startswith("# Negation")


def test_imdb_reviews_and_sentences_keep_each_review_in_one_split():
    docs = load_imdb("documents", max_reviews=60)
    counts = docs.counts()
    assert all(sum(counts[s].values()) == 60 for s in ("train", "dev", "test"))
    assert all(counts[s].get(0, 0) and counts[s].get(1, 0) for s in counts)  # not just the file's first label
    sentences = load_imdb("sentences", max_reviews=60)
    by_split = collections.Counter(ex.split for ex in sentences.examples)
    assert all(by_split[s] > 3 * 60 for s in ("train", "dev", "test"))  # several sentences per review
    review_text = {ex.split: set() for ex in docs.examples}
    for ex in docs.examples:
        review_text[ex.split].add(ex.text)
    for ex in sentences.examples[:200]:
        assert any(ex.text in review for review in review_text[ex.split])
    assert all("<br" not in ex.text for ex in sentences.examples)
    with pytest.raises(ValueError, match="unit"):
        load_imdb("paragraphs")


def test_rotten_tomatoes_rows_of_the_imdb_package_overlap_rt_and_are_never_used():
    overlap = rotten_tomatoes_overlap()
    assert overlap["rows"] == 8530
    assert overlap["dev"] + overlap["test"] > 0  # why they must stay out of training
    data = load_task_data("sentiment", "rt+imdb-sentences+vader", imdb_reviews=300)
    train = {normalize_text(t) for t in data.split("train").texts}
    rt = load_sentiment_dataset("rt")
    held_out = {normalize_text(ex.text) for ex in rt.examples if ex.split != "train"}
    assert not train & held_out
    negation = {normalize_text(ex.text) for ex in load_negation().examples}
    assert not train & negation


def test_mixture_trains_on_every_source_and_tests_on_the_first():
    assert sentiment_sources("rt+vader") == ["rt", "vader-tweets", "vader-amazon", "vader-nyt"]
    data = load_task_data("sentiment", "rt+vader")
    rt = load_task_data("sentiment", "rt")
    assert len(data.split("train")) == len(rt.split("train")) + sum(
        len(load_vader_domain(n).split("train")) for n in VADER_DOMAINS)
    assert data.split("dev").texts == rt.split("dev").texts and data.split("test").texts == rt.split("test").texts
    names = [name for name, _ in data.segments("train")]
    assert names == ["sentiment-rt-train", "sentiment-vader-tweets-train", "sentiment-vader-amazon-train",
                     "sentiment-vader-nyt-train"]
    assert sum(count for _, count in data.segments("train")) == len(data.split("train"))
    assert rt.segments("test") == [("sentiment-rt-test", len(rt.split("test")))]
    with pytest.raises(ValueError, match="empty source"):
        sentiment_sources("rt++vader")
    with pytest.raises(ValueError, match="unknown sentiment source"):
        load_task_data("sentiment", "rt+reddit")


def test_negated_lexicon_phrases_flip_the_polarity_of_rated_words():
    from elmo_core.datasets.vader_lexicon import NEGATORS, load_negated_lexicon

    data = load_negated_lexicon()
    assert data.counts()["dev"] == {} and data.counts()["test"] == {}  # training data only
    label = {ex.text: ex.label for ex in data.examples}
    assert label["brilliant"] == 1 and label["not brilliant"] == 0 and label["never brilliant"] == 0
    assert label["awful"] == 0 and label["not awful at all"] == 1 and label["hardly awful"] == 1
    words = [ex.text for ex in data.examples if " " not in ex.text]
    assert len(data.examples) == len(words) * (1 + len(NEGATORS)) and len(words) > 800
    # no negation-set sentence is among them
    assert not set(label) & {ex.text.lower() for ex in load_negation().examples}


def test_contrast_pairs_are_made_from_rt_train_and_labelled_by_the_clause_after_but():
    from elmo_core.datasets.contrast import CONTRAST_MAX_WORDS, load_contrast_pairs

    pairs = load_contrast_pairs(count=400)
    assert pairs.counts() == {"train": {0: 200, 1: 200}, "dev": {}, "test": {}}
    rt = load_sentiment_dataset("rt")
    label_of = {normalize_text(ex.text.rstrip(" .!?")): (ex.label, ex.split) for ex in rt.examples}
    for ex in pairs.examples:
        if " , but " in ex.text:
            first, second = ex.text.split(" , but ", 1)
        else:
            assert ex.text.startswith("Although ")
            first, second = ex.text[len("Although "):].split(" , ", 1)
        (a_label, a_split), (b_label, b_split) = (label_of[normalize_text(c.rstrip(" .!?"))] for c in (first, second))
        assert a_split == b_split == "train"  # never an rt dev or test snippet
        assert ex.label == b_label != a_label  # the clause after "but" decides
        assert len(second.split()) <= CONTRAST_MAX_WORDS
    assert load_contrast_pairs(count=400) is pairs and load_contrast_pairs(count=400, seed=1).examples != pairs.examples
    data = load_task_data("sentiment", "rt+rt-contrast")
    assert len(data.split("train")) == len(load_task_data("sentiment", "rt").split("train")) + len(load_contrast_pairs().examples)


def test_negation_frames_flip_with_the_negation_and_never_reproduce_the_negation_set():
    from elmo_core.datasets.negation_frames import (FRAMES_COUNT, VERBS, load_negation_frames,
                                                    negation_frames_info, polar_adjectives)

    data = load_negation_frames(scope_per_label=0)  # the first frames; the scope frames: test_negation_scope_frames.py
    assert data.counts() == {"train": {0: FRAMES_COUNT // 2, 1: FRAMES_COUNT // 2}, "dev": {}, "test": {}}
    polarity = dict(polar_adjectives())
    assert polarity["awful"] == 0 and polarity["delightful"] == 1 and len(polarity) > 300
    assert not any(w.endswith("ed") for w in polarity)  # no participles ("admired")
    assert "hand" not in polarity  # a lexicon word that is mostly a noun
    labels = {ex.text: ex.label for ex in data.examples}
    flipped = plain = 0
    for text, label in labels.items():
        word = next(w for w in text.split() if w in polarity or w in VERBS)
        negated = bool(re.search(r"\b(not|isn't|wasn't|never|nothing|nobody|hardly|far from|anything but|"
                                 r"didn't|won't)\b", text, re.IGNORECASE)) and "could not be more" not in text
        assert label == (polarity[word] if word in polarity else VERBS[word]) ^ negated, text
        flipped += negated
        plain += not negated
    assert flipped >= FRAMES_COUNT // 2 - 10 and plain >= FRAMES_COUNT // 2 - 10
    held_out = {" ".join(ex.text.split()).lower() for ex in load_negation().examples}
    assert not held_out & {t.lower() for t in labels}
    info = negation_frames_info()
    assert info["made"] == FRAMES_COUNT and info["candidates"] > 10 * FRAMES_COUNT
    assert load_sentiment_dataset("negation-frames").examples == load_negation_frames().examples
    assert load_negation_frames().examples[:FRAMES_COUNT] == data.examples
