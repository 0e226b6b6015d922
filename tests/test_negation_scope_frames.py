"""Issue #34: the training frames that teach negation scope, and that no evaluation sentence (the
negation set's dev and test splits, the occlusion probes of test_shipped_sentiment.py) is ever
trained on, compared after normalisation."""
from __future__ import annotations

import re

import numpy as np
import pytest

from elmo_core.datasets.contrast import load_contrast_pairs
from elmo_core.datasets.negation import load_negation
from elmo_core.datasets.negation_frames import (GERUNDS, NOUNS, PARTICIPLES, PHRASES, REACTIONS, SCOPE_FRAMES,
                                                SCOPE_PER_LABEL, VERBS, held_out_texts, load_negation_frames,
                                                polar_adjectives, polar_participles, scope_sentences)
from elmo_core.datasets.vader_lexicon import rated_words
from elmo_core.datasets.normalize import normalize_text
from elmo_core.tokenizer import text_to_tokens

PROBES = ("The film is not bad .", "It is never boring .", "There is not a single wasted scene .",
          "The film is .", "It is .", "There is a single scene .",
          "No other film made me laugh so much .")  # the last: an illustration of the experiment log

# negator -> pattern; every one must make sentences of both labels in near-equal numbers
NEGATORS = {
    "not": r"\bnot\b|n't\b", "never": r"\bnever\b", "no": r"\bno\b", "nothing": r"\bnothing\b",
    "none": r"\bnone\b", "not a single": r"\bnot a single\b", "not one": r"\bnot one\b", "hardly": r"\bhardly\b",
    "without": r"\bwithout\b", "cannot stop": r"\b(?:cannot|could not|couldn't) stop\b",
    "will not": r"\b(?:will not|won't)\b", "not X but Y": r"\bnot \w+ (?:, )?but\b",
}


def _forms(text: str) -> set[str]:
    return {normalize_text(text), normalize_text(" ".join(text_to_tokens(text)))}


@pytest.fixture(scope="module")
def frames():
    return load_negation_frames()


def test_no_evaluation_sentence_is_in_the_training_frames(frames):
    evaluation = set()
    for example in load_negation().examples:  # dev and test
        evaluation |= _forms(example.text)
    for probe in PROBES:
        evaluation |= _forms(probe)
    assert len(load_negation().examples) == 380 and held_out_texts() <= evaluation
    trained = set()
    for example in frames.examples + load_contrast_pairs().examples:
        trained |= _forms(example.text)
    assert not trained & evaluation, sorted(trained & evaluation)[:5]
    # the filter is real: a frame that would make a negation-set sentence drops it
    assert normalize_text("There is not one weak performance here .") in held_out_texts()


def test_scope_frames_make_both_labels_for_every_negator(frames):
    scope = scope_sentences()
    assert len(scope) > 0.8 * 2 * SCOPE_PER_LABEL * len(SCOPE_FRAMES)  # a few frames have fewer fillers
    assert set(scope) <= {(ex.text, ex.label) for ex in frames.examples}
    labels = np.array([label for _, label in scope])
    assert abs(labels.mean() - 0.5) < 0.01
    for name, pattern in NEGATORS.items():
        hits = [label for text, label in scope if re.search(pattern, text, re.IGNORECASE)]
        share = float(np.mean(hits))
        assert len(hits) >= 100 and 0.3 <= share <= 0.7, (name, len(hits), share)


def test_a_negated_negative_is_positive_and_the_activity_decides_after_cannot_stop():
    labels = dict(scope_sentences())
    polarity = {**dict(polar_adjectives()), **VERBS, **GERUNDS, **NOUNS, **PHRASES, **dict(polar_participles())}
    checked = 0
    for text, label in labels.items():
        if m := re.fullmatch(r"Nothing in it feels (\w+) \.", text):
            assert label == 1 - polarity[m.group(1)], text
        elif m := re.fullmatch(r"(?:I|We|My kids|The audience|Everyone in the room|My friends) could not stop (.+) \.", text):
            assert label == polarity[m.group(1)], text
        elif m := re.fullmatch(r"You will not (\w+) .+ \.", text):
            assert label == 1 - polarity[m.group(1)], text
        elif m := re.fullmatch(r"There is not a single (\w+) scene in it \.", text):
            assert label == 1 - polarity[m.group(1)], text
        else:
            continue
        checked += 1
    assert checked >= 300
    assert labels.get("You will not regret watching it .", 1) == 1


def test_negated_participles_flip_and_after_no_other_the_reaction_decides():
    valence = dict(rated_words())
    participles = dict(polar_participles())
    assert set(participles) == set(PARTICIPLES) and all(participles[w] == int(valence[w] > 0) for w in PARTICIPLES)
    assert sum(participles.values()) == len(PARTICIPLES) // 2  # as many of each polarity
    assert participles["wasted"] == 0 and participles["inspired"] == 1
    labels = dict(scope_sentences())
    reaction = {base: polarity for base, (_, polarity) in REACTIONS.items()}
    past = {past: polarity for past, polarity in REACTIONS.values()}
    counts = {"participle": [], "no other": [], "never so much": []}
    for text, label in labels.items():
        if m := re.fullmatch(r"Nothing in it feels (\w+) \.|There is not a single (\w+) \w+ in it \.", text):
            word = m.group(1) or m.group(2)
            if word in participles:
                assert label == 1 - participles[word], text
                counts["participle"].append(label)
        elif m := re.fullmatch(r"No other .+ made me (\w+) so much \.", text):
            assert label == reaction[m.group(1)], text
            counts["no other"].append(label)
        elif m := re.fullmatch(r"I have never (\w+) so much at a film \.", text):
            assert label == past[m.group(1)], text
            counts["never so much"].append(label)
    for name, hits in counts.items():  # each construction made with both labels, about equally (12 reactions)
        assert len(hits) >= 12 and 0.4 <= np.mean(hits) <= 0.6, (name, len(hits), np.mean(hits))
