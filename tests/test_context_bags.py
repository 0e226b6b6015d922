"""The context-bag objective (the top layer predicts the mean GloVe vector of nearby content words),
and continuing an exported model in a new run (``train --start-from``)."""
from __future__ import annotations

import pytest
import torch

from elmo_core.training.export import seed_checkpoint
from elmo_core.training.lm import context_bags
from elmo_core.training.trainer import CHECKPOINT, Trainer

from test_glove_mimick import exported_dataset_names
from test_training import _config, corpus  # noqa: F401  (the tiny corpus fixture)

WORDS = ["<S>", "</S>", "bank", "the", "river", "money", "."]


def _bags(tokens: list[str], window: int = 5):
    vectors = torch.eye(len(WORDS))
    content = torch.tensor([w in ("bank", "river", "money") for w in WORDS])
    boundary = torch.tensor([w in ("<S>", "</S>") for w in WORDS])
    ids = torch.tensor([[WORDS.index(t) for t in tokens]])
    bags, has_bag = context_bags(ids, vectors, content, boundary, window)
    return bags[0], has_bag[0]


def test_a_bag_holds_the_content_words_before_a_position_in_its_sentence():
    bags, has_bag = _bags(["<S>", "river", "the", "bank", ".", "</S>", "<S>", "money", "the", "bank"])
    assert has_bag.tolist() == [False, False, True, True, True, False, False, False, True, True]
    assert bags[3].tolist() == torch.eye(len(WORDS))[WORDS.index("river")].tolist()  # "the" left out
    assert bags[9].tolist() == torch.eye(len(WORDS))[WORDS.index("money")].tolist()  # not past </S>
    both = _bags(["<S>", "river", "money", "bank"])[0][3]
    assert both[WORDS.index("river")] == both[WORDS.index("money")] == 0.5  # a mean, not a sum
    far = _bags(["<S>", "river", "the", "the", "the", "bank"], window=3)[1]
    assert not far[5]  # river is 4 tokens back: out of a 3-token window


def test_context_objective_learns_and_stays_out_of_the_export(corpus, tmp_path):  # noqa: F811
    config = _config(corpus, tmp_path / "run", context_weight=1.0, max_tokens=4 * 8 * 80)
    trainer = Trainer(config, log=lambda *a: None)
    assert trainer.lm.context_maps is not None and trainer.static.content.any()
    assert not trainer.static.content[:2].any()  # sentence markers are never context words
    losses = []
    while trainer.step < 80:
        trainer.train_step()
        losses.append(trainer.last_context)
    assert 0 < sum(losses[-10:]) / 10 < 0.8 * sum(losses[:10]) / 10
    names = exported_dataset_names(trainer, tmp_path / "model")
    assert names and not any("context" in name for name in names)


def test_start_from_an_exported_model_continues_it(corpus, tmp_path):  # noqa: F811
    first = Trainer(_config(corpus, tmp_path / "first", max_tokens=4 * 8 * 20), log=lambda *a: None)
    first.run()
    model_dir = first.export(tmp_path / "model")
    config = _config(corpus, tmp_path / "second", max_tokens=4 * 8 * 30, context_weight=1.0,
                     vocab_file=str(model_dir / "vocab.txt"), learning_rate=0.005)
    seed_checkpoint(model_dir, config.out_path / CHECKPOINT, config)
    second = Trainer(config, log=lambda *a: None)
    assert second.resume()
    assert (second.step, second.tokens) == (20, 4 * 8 * 20)
    for name, value in first.lm.bilm.state_dict().items():
        torch.testing.assert_close(value, second.lm.bilm.state_dict()[name], rtol=0, atol=0)
    second.run()
    assert second.step == 30 and len(second.phases()) == 2  # the exported run, then this one
    from elmo_core.training.model_card import _phase_lines

    assert "context bags weight 1.0" in _phase_lines(second.phases(), 8)[1]
    assert "context bags" not in _phase_lines(second.phases(), 8)[0]
    other = _config(corpus, tmp_path / "third", model={**config.model, "lstm": {**config.model["lstm"], "dim": 48}})
    with pytest.raises(ValueError, match="options.json"):
        seed_checkpoint(model_dir, tmp_path / "third" / CHECKPOINT, other)


def test_a_phase_recorded_without_auxiliary_weights_continues(corpus, tmp_path):  # noqa: F811
    """Checkpoints written before phases recorded the auxiliary loss weights take them from the
    checkpoint's config: the same settings continue the phase, another context weight starts one."""
    config = _config(corpus, tmp_path / "run", max_tokens=4 * 8 * 10)
    Trainer(config, log=lambda *a: None).run()
    payload = torch.load(config.out_path / CHECKPOINT, weights_only=False)
    for phase in payload["phases"]:
        del phase["settings"]["glove_weight"], phase["settings"]["context_weight"]
    torch.save(payload, config.out_path / CHECKPOINT)
    same = Trainer(_config(corpus, tmp_path / "run", max_tokens=4 * 8 * 15), log=lambda *a: None)
    assert same.resume() and len(same.phases()) == 1
    other = Trainer(_config(corpus, tmp_path / "run", max_tokens=4 * 8 * 15, context_weight=2.0),
                    log=lambda *a: None)
    assert other.resume() and len(other.phases()) == 2  # a new map: a fresh optimizer
    other.run()
    back = Trainer(_config(corpus, tmp_path / "run", max_tokens=4 * 8 * 20), log=lambda *a: None)
    assert back.resume() and len(back.phases()) == 3  # the context objective off again: its maps dropped
    back.run()
    assert back.step == 20


def test_start_from_on_the_command_line_refuses_clearly(corpus, tmp_path, capsys):  # noqa: F811
    import json

    from elmo_core.cli import main

    config = _config(corpus, tmp_path / "run", max_tokens=4 * 8 * 5)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config.to_dict()))
    assert main(["train", str(path), "--start-from", str(tmp_path / "no-model")]) == 2
    assert "no training_summary.json" in capsys.readouterr().err
    Trainer(config, log=lambda *a: None).run()  # the run folder now holds a checkpoint
    assert main(["train", str(path), "--start-from", str(tmp_path / "no-model")]) == 2
    assert "already holds a run: continue it with --resume" in capsys.readouterr().err
