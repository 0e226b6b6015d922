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


def test_card_starts_with_a_summary_and_keeps_its_history_last(two_source_run):
    """Writing the card again keeps the hand-written ``## History`` (at the end); the summary, with
    the measured figures next to their reference values, comes first."""
    run_dir, model_dir = two_source_run
    history = "## History\n\n### The first run\n\nTrained on two sources; see `docs/experiments/`.\n"
    (model_dir / "MODEL_CARD.md").write_text("# Model card: old\n\n## Summary\n\nold\n\n" + history)
    text = write_model_card(run_dir, model_dir, hardware="CPU (test)").read_text()
    assert text.endswith(history) and text.count("## History") == 1 and "\nold\n" not in text
    assert text.index("## Summary") < text.index("## Architecture") < text.index("## Quality checks") \
        < text.index("_Written ") < text.index("## History")
    summary = text[text.index("## Summary"):text.index("## Architecture")]
    assert "| POS probe accuracy |" in summary and "majority class" in summary
    assert "bag of context words" in summary and "parameters." in summary
    # the sections `quality --update-card` and `task ship-heads` write go in before the history
    from elmo_core.tasks.ship import update_model_card
    from elmo_core.training.model_card import sense_margin_section

    card = model_dir / "MODEL_CARD.md"
    checks = json.loads((run_dir / "card_numbers.json").read_text())["checks"]
    checks["senses_curated"]["margin_per_layer"][1]["mean"] = 0.5  # a changed section replaces the old
    assert update_model_card(card, sense_margin_section(checks),
                             before=("## GloVe ablation", "## Sentiment heads", "## Perplexity during training"))
    assert update_model_card(card, "## Sentiment heads\n\nheads table\n")
    text = card.read_text()
    assert text.endswith(history) and "+0.500 (" in text and text.count("## Senses against the bag") == 1
    assert text.index("## Sentiment heads") < text.index("## Perplexity during training")


def test_summary_section_reads_the_checks():
    from elmo_core.training.model_card import summary_section

    options = json.loads((REPO / "elmo_core" / "models" / "mini" / "options.json").read_text())
    perplexity = {"config": {"model": options}, "phases": [{}, {}], "tokens_seen": 1000, "train_minutes": 2.0,
                  "forward_ppl": 90.0, "backward_ppl": 91.0, "unigram_ppl": 3594.5}
    checks = {"pos": {"accuracy_per_layer": [0.9, 0.95, 0.96], "chance": 0.145},
              "senses_unseen": {"accuracy_per_layer": [0.5, 0.74, 0.75], "chance": 0.5,
                                "context_words_baseline": 0.733, "n_sentences": 180},
              "polysemy": {"cosine_per_layer": [1.0, 0.872, 0.804]}}
    text = summary_section(perplexity, checks, n_parameters=5_363_936)
    assert text.startswith("## Summary\n")
    assert f"2 biLSTM layers of {options['lstm']['dim']:,} cells" in text and "5,363,936 parameters" in text
    assert "in 2 phases" in text and "(a unigram model: 3,594.5)" in text
    assert "| sense accuracy, unseen set (180 sentences) | 0.500 | 0.740 | 0.750 | majority sense 0.500; " \
           "bag of context words 0.733 |" in text
    assert "curated" not in text and "WordNet" not in text  # rows only for the checks given


def test_models_page_splits_the_shipped_card_into_summary_details_and_history():
    from elmo_explorer_ui.model_info import split_model_card

    text = (REPO / "elmo_core" / "models" / "mini" / "MODEL_CARD.md").read_text(encoding="utf-8")
    parts = split_model_card(text)
    assert parts.summary.startswith("An ELMo biLM") and "| POS probe accuracy |" in parts.summary
    assert "## " not in parts.summary and "# Model card" not in parts.summary
    assert parts.details.startswith("## Architecture") and "## Corpus" in parts.details
    assert "## History" not in parts.details and parts.history.startswith("How `mini` came to be")
    assert "### The `occurrences` teacher" in parts.history
    # the card's sizes are those of its options.json
    lstm = json.loads((REPO / "elmo_core" / "models" / "mini" / "options.json").read_text())["lstm"]
    assert f"{lstm['dim']:,} cells with {lstm['projection_dim']}-wide projections" in parts.summary
    # a card without summary or history: the text before its first section is the summary
    plain = split_model_card("# Card\n\nA model.\n\n## Training\n\nx\n")
    assert (plain.summary, plain.details, plain.history) == ("A model.", "## Training\n\nx", "")
