"""The model card of a trained run: per-source held-out perplexity of exported models (the old
and new model on the same sentences), the GloVe ablation rows, and no machine path anywhere."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from elmo_core.cli import main as cli_main
from elmo_core.corpus.build import build_corpus
from elmo_core.training.heldout import lm_from_model_dir, per_source_perplexity
from elmo_core.training.model_card import write_model_card
from elmo_core.training.trainer import train

from test_training import TEXT, _config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def two_source_run(tmp_path_factory) -> tuple[Path, Path]:
    """A tiny run on a corpus of two sources, exported; returns (run_dir, model_dir)."""
    root = tmp_path_factory.mktemp("card")
    corpus = root / "corpus"
    stories = [TEXT.replace("The", variant) for variant in ("The", "One", "That", "This")] * 8
    places = ["shed", "garden", "garage", "kitchen", "park", "office", "school", "market"]
    days = ["Monday", "Tuesday", "Friday", "Sunday", "noon", "night"]
    notes = [f"We saw a saw in the {place} and the bank was closed on {day}." for place in places for day in days]
    build_corpus(corpus, documents={"stories": stories, "notes": notes}, exclusion=set(), progress=False,
                 heldout_fraction=0.2)
    config = _config(corpus, root / "run", max_tokens=4 * 8 * 30, glove_weight=0.5, glove_pretrain_steps=5,
                     glove_pretrain_batch=16)
    train(config, export_dir=root / "run" / "model")
    return root / "run", root / "run" / "model"


def test_exported_model_scores_each_source_like_the_trainer(two_source_run):
    run_dir, model_dir = two_source_run
    lm, vocab = lm_from_model_dir(model_dir)
    results = per_source_perplexity(lm, vocab, run_dir.parent / "corpus", batch_size=2, unroll=8)
    assert set(results) == {"stories", "notes"}
    for row in results.values():
        assert 1 < row["forward_ppl"] < len(vocab.words) and 1 < row["backward_ppl"] < len(vocab.words)
        assert 0 <= row["oov_rate"] < 0.5 and row["tokens"] > 0
    # the exported model scores exactly as the checkpoint's language model does
    from elmo_core.model import ElmoModel
    from elmo_core.training.config import TrainConfig
    from elmo_core.training.lm import BiLanguageModel

    payload = torch.load(run_dir / "checkpoint.pt", weights_only=False)
    config = TrainConfig(**payload["config"])
    trained = BiLanguageModel(ElmoModel(config.elmo_config()), len(vocab.words), config.softmax_cutoffs, 0.0)
    trained.load_state_dict({k: v for k, v in payload["model"].items() if not k.startswith("mimick.")})
    again = per_source_perplexity(trained.eval(), vocab, run_dir.parent / "corpus", batch_size=2, unroll=8)
    for name, row in results.items():
        assert row["forward_ppl"] == pytest.approx(again[name]["forward_ppl"], rel=1e-5)
        assert row["backward_ppl"] == pytest.approx(again[name]["backward_ppl"], rel=1e-5)


def test_exported_model_without_softmax_is_a_clear_error(tmp_path):
    import shutil

    shutil.copytree(REPO.parent / "shared" / "fixtures" / "elmo-allennlp", tmp_path / "official")
    (tmp_path / "official" / "vocab.txt").write_text("<S>\t0\n</S>\t0\n<UNK>\t0\nthe\t5\n")
    options = list((tmp_path / "official").glob("*options*.json"))[0]
    weights = list((tmp_path / "official").glob("*.hdf5"))[0]
    options.rename(tmp_path / "official" / "options.json")
    weights.rename(tmp_path / "official" / "weights.hdf5")
    with pytest.raises(ValueError, match="no trained softmax"):
        lm_from_model_dir(tmp_path / "official")


def test_card_has_per_source_ablation_and_no_machine_path(two_source_run, tmp_path):
    run_dir, model_dir = two_source_run
    card = write_model_card(run_dir, model_dir, hardware="CPU (test)", compare_model=model_dir,
                            ablation={"with GloVe": run_dir})
    text = card.read_text()
    assert "| stories |" in text and "| notes |" in text
    assert "(30 steps of 4 streams x 8 tokens)" in text and "phases" not in text  # one phase: one line
    assert "## GloVe ablation" in text and "| with GloVe |" in text
    # each contextual layer against the bag of context words, with its interval, before the ablation
    assert text.index("## Quality checks") < text.index("## Senses against the bag of context words") \
        < text.index("## GloVe ablation")
    assert "| unseen set, pair ranking (180) |" in text and "interval" in text
    assert "GloVe 6B 50d" in text and "bag of context words" in text
    assert str(Path.home()) not in text and str(run_dir.parent) not in text and "/tmp" not in text
    numbers = json.loads((run_dir / "card_numbers.json").read_text())
    assert math.isfinite(numbers["per_source"]["notes"]["model"]["forward_ppl"])


def test_card_cli_rejects_a_bad_ablation_argument(two_source_run, capsys):
    run_dir, model_dir = two_source_run
    assert cli_main(["card", str(run_dir), str(model_dir), "--ablation", "no-equals-sign"]) == 2
    assert "LABEL=RUN_DIR" in capsys.readouterr().err
