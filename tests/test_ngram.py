"""The negation-marked n-gram member of the sentiment head: marking, fitting on real rt data,
the file format, and how its margins enter a classifier's probabilities."""
from __future__ import annotations

import numpy as np
import pytest

from elmo_core.tasks.data import load_task_data
from elmo_core.tokenizer import text_to_tokens
from elmo_core.tasks.ngram import NgramModel, add_margins, choose_ngram_weight, fit_ngram_model, negation_marked


def test_negation_scope_runs_from_the_negator_to_punctuation_or_but():
    assert negation_marked(text_to_tokens("Not bad at all , but dull .")) == [
        "not", "NOT_bad", "NOT_at", "NOT_all", ",", "but", "dull", "."]
    assert negation_marked(text_to_tokens("I didn't hate it but I never loved it")) == [
        "i", "didn", "'t", "NOT_hate", "NOT_it", "but", "i", "never", "NOT_loved", "NOT_it"]
    assert negation_marked(["Good", "film"]) == ["good", "film"] and negation_marked([]) == []


def test_no_other_negates_its_noun_and_not_a_single_keeps_the_clause():
    # a comparison: the reaction after "no other film" is not negated
    assert negation_marked(text_to_tokens("No other film made me laugh so much .")) == [
        "no", "NOT_other", "NOT_film", "made", "me", "laugh", "so", "much", "."]
    # "no" without "other" keeps the clause scope, and a bounded scope ends at punctuation too
    assert negation_marked(text_to_tokens("No scene made me laugh")) == [
        "no", "NOT_scene", "NOT_made", "NOT_me", "NOT_laugh"]
    assert negation_marked(["no", "other", ",", "fun"]) == ["no", "NOT_other", ",", "fun"]
    # a negator inside the comparison opens its own scope
    assert negation_marked(text_to_tokens("No other film was not dull")) == [
        "no", "NOT_other", "NOT_film", "was", "not", "NOT_dull"]
    # "not a single" / "not one": the noun phrase and, as a subject, its predicate are denied
    assert negation_marked(text_to_tokens("There is not a single wasted scene .")) == [
        "there", "is", "not", "NOT_a", "NOT_single", "NOT_wasted", "NOT_scene", "."]
    assert negation_marked(text_to_tokens("Not one scene felt forced .")) == [
        "not", "NOT_one", "NOT_scene", "NOT_felt", "NOT_forced", "."]
    # the clause scope, as fitted before the rule: what a model file without the rule reads
    assert negation_marked(text_to_tokens("No other film made me laugh"), bounded=False) == [
        "no", "NOT_other", "NOT_film", "NOT_made", "NOT_me", "NOT_laugh"]


def test_a_model_scores_with_the_scope_rule_it_was_fitted_with(tmp_path):
    model = NgramModel(["laugh", "NOT_laugh"], np.array([1.0, -1.0]), 0.0)
    tokens = [text_to_tokens("No other film made me laugh .")]
    assert model.bounded_scopes and model.margins(tokens)[0] == 1.0
    back = NgramModel.load(model.save(tmp_path / "ngram.npz"))
    assert back.bounded_scopes and back.margins(tokens)[0] == 1.0
    # a file of the shipped format before the rule (meta: bias, C, min count) keeps the clause scope
    np.savez(tmp_path / "old.npz", features=np.frombuffer(b"laugh\nNOT_laugh", dtype=np.uint8),
             weights=np.array([1.0, -1.0], dtype=np.float32), meta=np.array([0.0, 1.0, 2.0]))
    old = NgramModel.load(tmp_path / "old.npz")
    assert not old.bounded_scopes and old.margins(tokens)[0] == -1.0


@pytest.fixture(scope="module")
def rt_model():
    return fit_ngram_model(load_task_data("sentiment", "rt"))


def test_fitted_on_rt_it_reads_polarity_and_negated_polarity(rt_model, tmp_path):
    model, dev_accuracy = rt_model
    assert dev_accuracy > 0.72 and model.c in (0.1, 0.3, 1.0, 3.0) and model.min_count == 2
    assert "NOT_funny" in model.features and "bad" in model.features
    weight = dict(zip(model.features, model.weights))
    assert weight["wonderful"] > 0 > weight["awful"]
    assert weight["NOT_funny"] < 0  # "not funny" is a complaint
    margins = model.margins([["A", "wonderful", "film"], ["An", "awful", "film"], []])
    assert margins[0] > 0 > margins[1] and margins[2] == pytest.approx(model.bias)
    back = NgramModel.load(model.save(tmp_path / "ngram.npz"))
    assert back.features == model.features and np.array_equal(back.weights, model.weights)
    assert (back.bias, back.c, back.min_count, back.bounded_scopes) == (model.bias, model.c, model.min_count, True)
    assert (tmp_path / "ngram.npz").stat().st_size < 3_000_000


def test_a_corrupt_or_foreign_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "ngram.npz"
    bad.write_bytes(b"not a zip archive")
    with pytest.raises(ValueError, match="not an n-gram model file"):
        NgramModel.load(bad)
    np.savez(bad, something=np.zeros(3))
    with pytest.raises(ValueError, match="not an n-gram model file"):
        NgramModel.load(bad)
    with pytest.raises(ValueError, match="2 n-gram features but 1 weights"):
        NgramModel(["a", "b"], np.zeros(1), 0.0)


def test_margins_move_the_positive_logit_and_the_weight_is_chosen_on_dev():
    logits = np.array([[0.0, 1.0], [0.0, -1.0]], dtype=np.float32)
    assert np.allclose(add_margins(logits, np.array([-3.0, 3.0]), 0.5), [[0.0, -0.5], [0.0, 0.5]])
    assert np.allclose(logits, [[0.0, 1.0], [0.0, -1.0]])  # the input is not modified
    model = NgramModel(["good", "bad"], np.array([2.0, -2.0]), 0.0)
    # the head gets both wrong; the n-grams get both right once their weight outweighs the head
    dev = {"dev": ([["good"], ["bad"]], np.array([1, 0]), np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))}
    weight, scores = choose_ngram_weight(dev, model, (0.0, 0.25, 1.0, 2.0))
    assert scores == {0.0: 0.0, 0.25: 0.0, 1.0: 1.0, 2.0: 1.0} and weight == 1.0  # ties: the smaller weight


def test_a_classifier_with_an_ngram_member_adds_its_margins_before_the_temperature():
    from elmo_core.tasks.classifier import SentimentClassifier, load_classifier

    plain = load_classifier("default")
    member = NgramModel(["awful"], np.array([-40.0]), 0.0)
    def classifier(**kwargs):
        return SentimentClassifier(plain.bilm, plain.head, plain.label_names, static=plain.static,
                                   temperature=plain.temperature, **kwargs)

    texts = ["An awful , awful film .", "A lovely film ."]
    with_member, without = classifier(ngram=member, ngram_weight=1.0).predict_proba(texts), classifier().predict_proba(texts)
    assert with_member[0, 1] < 1e-6 < without[0, 1]  # the member's margin decides the first text
    assert np.allclose(with_member[1], without[1], atol=1e-6)  # and adds nothing to a text without its n-grams
    assert classifier(ngram=member, ngram_weight=0.0).ngram is None  # weight 0: no member
    with pytest.raises(ValueError, match="positive"):
        SentimentClassifier(plain.bilm, plain.head, ("bad", "good"), static=plain.static, ngram=member,
                            ngram_weight=1.0)
