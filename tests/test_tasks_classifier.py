"""The sentiment classifier API: probabilities, occlusion, bad inputs, saved and shipped heads."""
import shutil

import numpy as np
import pytest

from elmo_core.tasks.classifier import SentimentClassifier, load_classifier
from elmo_core.tasks.config import TaskConfig
from elmo_core.tasks.data import load_task_data
from elmo_core.tasks.features import FeatureCache, load_model
from elmo_core.tasks.saved_heads import SIZE_BUDGET_MB, heads_root, load_head, save_head
from elmo_core.tasks.train import train_task


@pytest.fixture(scope="module")
def model_dir(reference_dir, tmp_path_factory):
    """A private copy of the reference model, so heads can be written next to it."""
    target = tmp_path_factory.mktemp("model")
    shutil.copy(reference_dir / "options.json", target / "options.json")
    shutil.copy(reference_dir / "lm_weights.hdf5", target / "weights.hdf5")
    return target


@pytest.fixture(scope="module")
def feature_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("features")


@pytest.fixture(scope="module")
def trained(model_dir, feature_dir):
    data = load_task_data("sentiment", train_size=48, dev_size=16, test_size=16)
    config = TaskConfig(model=str(model_dir), epochs=2, batch_size=16, device="cpu")
    return train_task(config, data=data, cache=FeatureCache(feature_dir))


@pytest.fixture(scope="module")
def clf(trained):
    return SentimentClassifier(trained.bilm, trained.head, trained.data.label_names)


def test_predict_proba_shape_normalisation_and_order(clf):
    texts = ["A warm , funny and moving film .", "Tedious , ugly and far too long .", "ok"]
    proba = clf.predict_proba(texts)
    assert proba.shape == (3, 2) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert clf.label_names == ("negative", "positive")
    # order: each row belongs to its own text, whatever the batching
    for i, text in enumerate(texts):
        np.testing.assert_allclose(clf.predict_proba([text])[0], proba[i], atol=1e-5)
    assert clf.predict_proba([]).shape == (0, 2)
    assert clf.predict(texts[:1])[0] in clf.label_names


@pytest.mark.parametrize("bad", ["", "   \n\t", "\x00\x01"])
def test_empty_texts_raise_clear_value_error(clf, bad):
    with pytest.raises(ValueError, match="empty|no tokens"):
        clf.predict_proba([bad])
    with pytest.raises(ValueError):
        clf.token_contributions(bad)


def test_non_list_input_is_rejected(clf):
    with pytest.raises(ValueError, match="list"):
        clf.predict_proba("a single string")
    with pytest.raises(ValueError):
        clf.predict_proba([None])


@pytest.mark.parametrize("odd", ["😀😀 great movie 🎬", "zero\u200bwidth space", "Ça déçoit énormément",
                                 "e\u0301 combining", "مرحبا film", "x" * 300, "word " * 600])
def test_odd_unicode_and_long_texts_give_probabilities(clf, odd):
    proba = clf.predict_proba([odd])
    assert proba.shape == (1, 2) and np.isfinite(proba).all()
    assert proba.sum() == pytest.approx(1.0, abs=1e-5)


def test_token_contributions_by_occlusion(clf):
    text = "A warm and funny film"
    contributions = clf.token_contributions(text)
    assert [t for t, _ in contributions] == ["A", "warm", "and", "funny", "film"]
    full = clf.predict_proba([text])[0, 1]
    without_warm = clf.predict_proba(["A and funny film"])[0, 1]
    assert contributions[1][1] == pytest.approx(full - without_warm, abs=1e-4)
    single = clf.token_contributions("great")
    assert len(single) == 1 and np.isfinite(single[0][1])
    with pytest.raises(ValueError):
        clf.token_contributions(text, label="neutral")
    with pytest.raises(ValueError, match="at most 3"):
        clf.token_contributions(text, max_tokens=3)


def test_saved_heads_load_through_load_classifier(trained, model_dir):
    root = heads_root(model_dir)
    save_head(root / "feature", trained)
    saved = load_head(root / "feature")
    assert saved.bilm_dir is None and saved.result.test.count == 16
    clf = load_classifier("default", model=model_dir)
    assert not clf.stale and clf.result is not None
    direct = SentimentClassifier(trained.bilm, trained.head, trained.data.label_names)
    texts = ["Lovely.", "Awful and boring."]
    np.testing.assert_allclose(clf.predict_proba(texts), direct.predict_proba(texts), atol=1e-5)
    with pytest.raises(FileNotFoundError, match="ship-heads"):
        load_classifier("finetuned", model=model_dir)
    with pytest.raises(ValueError):
        load_classifier("bogus", model=model_dir)


def test_split_logits_read_training_features_and_match_fresh_ones(trained, feature_dir, tmp_path):
    from elmo_core.tasks.evaluation import head_logits, split_logits

    test = trained.data.split("test")
    before = sorted(feature_dir.rglob("*"))
    assert before
    cached = split_logits(trained, "test", cache=FeatureCache(feature_dir))
    assert sorted(feature_dir.rglob("*")) == before  # read what training wrote, nothing new
    fresh = head_logits(trained, test.sentences, "fresh-test", cache=FeatureCache(tmp_path))
    assert cached.shape == (16, len(trained.data.label_names))
    np.testing.assert_allclose(cached, fresh, atol=2e-2)  # float16 features either way
    for name, segments in ((None, None), ("both", trained.data.segments("test"))):
        with pytest.raises(ValueError, match="exactly one"):
            head_logits(trained, test.sentences, name, segments=segments)


def test_finetuned_head_carries_its_own_bilm(model_dir):
    data = load_task_data("sentiment", train_size=16, dev_size=8, test_size=8)
    config = TaskConfig(model=str(model_dir), strategy="finetune", epochs=1, batch_size=8, device="cpu")
    trained = train_task(config, data=data)
    save_head(heads_root(model_dir) / "finetuned", trained, with_bilm=True)
    clf = load_classifier("finetuned", model=model_dir)
    assert (heads_root(model_dir) / "finetuned" / "weights.hdf5").is_file()
    direct = SentimentClassifier(trained.bilm, trained.head, data.label_names)
    np.testing.assert_allclose(clf.predict_proba(["Fine."]), direct.predict_proba(["Fine."]), atol=1e-4)


def test_stale_feature_head_is_flagged(trained, model_dir, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(model_dir, other)
    import torch

    from elmo_core.weights import save_weights

    bilm = load_model(other).bilm
    with torch.no_grad():
        next(bilm.model.parameters()).add_(0.01)
    save_weights(bilm.model, other / "weights.hdf5")
    assert load_classifier("feature", model=other).stale


def test_shipped_mini_heads_work():
    from elmo_core.registry import bundled_model_dir
    from elmo_core.sentiment import load_classifier as public_load

    clf = public_load("default")
    proba = clf.predict_proba(["A moving , beautifully acted film .", "A dull , lifeless mess ."])
    assert proba.shape == (2, 2) and np.allclose(proba.sum(1), 1, atol=1e-5)
    assert proba[0, 1] > 0.5 > proba[1, 1]
    assert clf.label_names == ("negative", "positive") and clf.result.test.count > 1000
    # mini's fine-tuned head would carry a second 24.5 MB biLM: left out of the size budget, and said so
    with pytest.raises(FileNotFoundError, match="ship-heads"):
        public_load("finetuned")
    report = (bundled_model_dir("mini") / "heads" / "REPORT.md").read_text(encoding="utf-8")
    assert "The fine-tuned head is not shipped" in report and f"{SIZE_BUDGET_MB:g} MB budget" in report


def test_ship_heads_compares_inputs_and_writes_report(reference_dir, tmp_path, monkeypatch):
    from elmo_core.tasks.ship import ShipConfig, ship_heads

    monkeypatch.setenv("ELMO_EXPLORER_FEATURE_CACHE", str(tmp_path / "features"))
    target = tmp_path / "model"
    target.mkdir()
    shutil.copy(reference_dir / "options.json", target / "options.json")
    shutil.copy(reference_dir / "lm_weights.hdf5", target / "weights.hdf5")
    (target / "MODEL_CARD.md").write_text("# Model card\n\n## Quality checks\n\nok\n\n## Perplexity during training\n\nx\n")
    small = dict(model=str(target), dataset="rt+vader-tweets", sizes=(40, 16, 16), finetune_train_size=16,
                 eval_imdb_reviews=4, static_top=2000, progress=False, ensemble_seeds=(0, 1))
    ship = ShipConfig(**small)
    ship.feature = TaskConfig(task="sentiment", epochs=2, batch_size=16, device="cpu", pooling="bilstm")
    ship.finetune = TaskConfig(task="sentiment", strategy="finetune", epochs=1, batch_size=8, device="cpu")
    report = ship_heads(ship)
    assert report.finetuned_kept and report.heads_dir == target / "heads"
    # every input choice as a frozen-biLM head, the two biLM ones fine-tuned too
    singles = [r for r in report.runs if r.single]
    assert sorted((r.inputs, r.strategy) for r in singles) == [
        ("elmo", "feature"), ("elmo", "finetune"), ("static", "feature"), ("static+elmo", "feature"),
        ("static+elmo", "finetune")]
    # the default: the best single frozen head on dev, and a second seed of it, logits averaged
    best = max((r for r in singles if r.strategy == "feature"), key=lambda r: r.dev_score())
    assert [r.members for r in report.runs if r.members > 1 and r.ngram is None] == [2] and report.chosen.members == 2
    assert report.chosen.inputs == best.inputs and report.chosen.strategy == "feature"
    assert report.chosen.result is report.feature and report.chosen.result.test.count == 16
    assert all(set(r.extra) == {"negation-dev", "negation", "imdb"} for r in report.runs)
    assert all(r.extra["negation"].count == 120 and r.extra["imdb"].count == 4 for r in report.runs)
    assert all(r.temperature > 0 for r in report.runs)
    text = (target / "heads" / "REPORT.md").read_text()
    for needle in ("bag of words, trained on rt", "bag of words, trained on rt+vader-tweets", "GloVe only",
                   "ELMo only", "GloVe ⊕ ELMo", "negation test", "IMDB test", "**(default)**", "Calibration"):
        assert needle in text, needle
    assert f"{report.feature.test.accuracy:.3f}" in text and f"{report.baseline.test.accuracy:.3f}" in text
    feature, finetuned = load_classifier("feature", model=target), load_classifier("finetuned", model=target)
    assert feature.predict_proba(["Good."]).shape == finetuned.predict_proba(["Good."]).shape == (1, 2)
    assert len(feature.head.members) == 2 and "2 seeds averaged" in text
    # the n-gram member: fitted on the mixture, every weight tried on dev, shipped only when chosen
    assert report.ngram is not None and set(report.ngram_dev) == set(ShipConfig.ngram_weights)
    assert "N-gram member" in text and "negation-marked n-grams alone" in text
    shipped_ngram = (target / "heads" / "feature" / "ngram.npz").is_file()
    assert shipped_ngram == (report.chosen.ngram is not None) == (feature.ngram is not None)
    assert feature.temperature == pytest.approx(report.chosen.temperature)
    # a static head ships with its (trimmed) table, so inference reads what training read
    if report.chosen.inputs != "elmo":
        assert feature.static is not None and len(feature.static.index) >= 2000
    tight = ShipConfig(**{**small, "ensemble_seeds": (0,)}, size_limit_mb=0.0, ngram_weights=(1.5,))
    tight.feature, tight.finetune = ship.feature, ship.finetune
    dropped = ship_heads(tight)
    single = load_classifier("feature", model=target)
    assert all(r.members == 1 for r in dropped.runs) and not hasattr(single.head, "members")  # one seed: one head
    # the only weight offered is taken: the head ships with its n-gram member, which moves its probabilities
    assert dropped.chosen.ngram_weight == single.ngram_weight == 1.5 and single.ngram is not None
    assert len(single.ngram.features) == len(dropped.ngram.features) > 0
    assert single.result.test.accuracy == dropped.chosen.result.test.accuracy  # the scores of head + n-grams
    assert single.result.dev.accuracy == dropped.chosen.result.dev.accuracy
    assert not dropped.finetuned_kept and not (target / "heads" / "finetuned").exists()
    assert "The fine-tuned head is not shipped" in (target / "heads" / "REPORT.md").read_text()
    # The model card carries the latest numbers in one section, before the training curve.
    card = (target / "MODEL_CARD.md").read_text()
    assert card.count("## Sentiment heads") == 1
    assert card.index("## Quality checks") < card.index("## Sentiment heads") < card.index("## Perplexity")
    assert "**(finetuned)**" not in card  # dropped from the model, so not shipped on its card
    assert "The fine-tuned head is not shipped" in card  # and the card says why
