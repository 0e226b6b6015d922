"""Pretraining: a tiny biLM learns (loss falls), reloads identically, resumes, and trains with DDP."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import elmo_core
from elmo_core.corpus.build import build_corpus
from elmo_core.training.config import TrainConfig
from elmo_core.training.trainer import Trainer, train
from elmo_core.config import ConfigError

REPO = Path(__file__).resolve().parents[1]
TEXT = """The cat sat on the mat. The dog sat on the log. A bird sang in the tree.
The cat saw the dog. The dog saw the bird. A cat and a dog sat in the sun.
The children played in the park. The teacher read a book to the children.
We saw a saw in the shed. The river bank was green. She went to the bank to get money."""

TINY_MODEL = {"lstm": {"dim": 32, "projection_dim": 16, "n_layers": 2, "cell_clip": 3, "proj_clip": 3,
                       "use_skip_connections": True},
              "char_cnn": {"embedding": {"dim": 8}, "filters": [[1, 8], [2, 8], [3, 16]], "n_highway": 1,
                           "activation": "relu", "n_characters": 262, "max_characters_per_token": 50}}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    documents = [TEXT.replace("The", variant) for variant in ("The", "One", "That", "This", "Each")] * 10
    build_corpus(out, documents={"tiny": documents}, exclusion=set(), progress=False, heldout_fraction=0.2)
    return out


def _config(corpus: Path, out: Path, **overrides) -> TrainConfig:
    values = dict(corpus_dir=str(corpus), out_dir=str(out), model=TINY_MODEL, vocab_size=60,
                  softmax_cutoffs=[20], batch_size=4, unroll_steps=8, learning_rate=0.01,
                  max_tokens=4 * 8 * 60, eval_every=1000, checkpoint_every=25, eval_tokens=2000,
                  num_threads=1, device="cpu", dropout=0.0)
    values.update(overrides)
    return TrainConfig(**values)


def test_tiny_model_learns_and_reloads_identically(corpus, tmp_path):
    trainer = Trainer(_config(corpus, tmp_path / "run"), log=lambda *a: None)
    before = trainer._evaluate(None)
    trainer.run()
    after = trainer.history[-1]
    assert after["forward_ppl"] < 0.7 * before["forward_ppl"]
    assert after["backward_ppl"] < 0.7 * before["backward_ppl"]
    model_dir = trainer.export(tmp_path / "model")
    summary = json.loads((model_dir / "training_summary.json").read_text())
    assert summary["unigram_ppl"] > after["forward_ppl"]  # better than the unigram baseline
    sentences = [["The", "cat", "saw", "a", "saw", "."], ["A", "bird", "."]]
    in_memory = elmo_core.BiLM(trainer.lm.bilm, state="warm").embed(sentences)
    reloaded = elmo_core.load(model_dir, state="warm").embed(sentences)
    for a, b in zip(in_memory, reloaded):
        np.testing.assert_array_equal(a, b)
    assert elmo_core.weights.read_extra(model_dir / "weights.hdf5", "softmax")  # softmax kept as extras


def test_resume_continues_from_checkpoint(corpus, tmp_path):
    config = _config(corpus, tmp_path / "run", max_tokens=4 * 8 * 30)
    first = train(config)
    assert (config.out_path / "checkpoint.pt").is_file()
    longer = _config(corpus, tmp_path / "run", max_tokens=4 * 8 * 50)
    second = Trainer(longer, log=lambda *a: None)
    assert second.resume()
    assert second.step == first.step == 30
    for p, q in zip(first.lm.parameters(), second.lm.parameters()):
        torch.testing.assert_close(p, q)
    second.run()
    assert second.step == 50


def test_resume_with_other_settings_starts_a_new_phase(corpus, tmp_path):
    """A resume with the same settings continues the phase; another batch size or learning rate
    (e.g. a GPU run continued on the CPU) starts a new one, which the checkpoint and summary keep."""
    train(_config(corpus, tmp_path / "run", max_tokens=4 * 8 * 20))
    same = Trainer(_config(corpus, tmp_path / "run", max_tokens=4 * 8 * 30), log=lambda *a: None)
    assert same.resume()
    same.run()
    assert [p["steps"] for p in same.phases()] == [[0, 30]]
    other = _config(corpus, tmp_path / "run", batch_size=8, learning_rate=0.005, max_tokens=4 * 8 * 30 + 8 * 8 * 10)
    moved = Trainer(other, log=lambda *a: None)
    assert moved.resume()
    moved.run()
    first, second = moved.phases()
    assert first["steps"] == [0, 30] and first["tokens"] == [0, 960] and first["settings"]["batch_size"] == 4
    assert second["steps"] == [30, 40] and second["tokens"] == [960, 1600]
    assert second["settings"] == {"batch_size": 8, "learning_rate": 0.005, "dropout": 0.0, "device": "cpu",
                                  "processes": 1, "glove_weight": 0.0, "context_weight": 0.0}
    assert second["minutes"][0] == pytest.approx(first["minutes"][1])
    assert torch.load(other.out_path / "checkpoint.pt", weights_only=False)["phases"] == moved.phases()
    summary = json.loads((moved.export(tmp_path / "model") / "training_summary.json").read_text())
    assert len(summary["phases"]) == 2
    from elmo_core.training.model_card import _phase_lines

    lines = _phase_lines(moved.phases(), 8)
    assert "Steps 0-30 on the CPU: 960 tokens in batches of 4 streams x 8 tokens" in lines[0]
    assert "Steps 30-40 on the CPU: 640 tokens in batches of 8 streams" in lines[1] and "peak lr 0.005" in lines[1]


def test_bad_training_config(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps({"corpus_dir": "x", "out_dir": "y", "model": TINY_MODEL,
                                                 "learning_rat": 0.1}))
    with pytest.raises(ConfigError, match="learning_rat"):
        TrainConfig.from_json(tmp_path / "c.json")
    with pytest.raises(ConfigError, match="lstm"):
        TrainConfig(corpus_dir="x", out_dir="y", model={"char_cnn": TINY_MODEL["char_cnn"]})


def test_missing_corpus_gives_rebuild_hint(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus build"):
        Trainer(_config(tmp_path / "nothing", tmp_path / "run"))


DDP_SCRIPT = """
import sys, torch, torch.distributed as dist
from elmo_core.training.config import TrainConfig
from elmo_core.training.trainer import Trainer
config = TrainConfig.from_json(sys.argv[1])
trainer = Trainer(config, log=lambda *a: None)
trainer.run()
torch.save(trainer.lm.state_dict(), f"{config.out_dir}/rank{dist.get_rank()}.pt")
dist.barrier()
"""


def test_ddp_two_cpu_processes_end_with_identical_weights(corpus, tmp_path):
    out = tmp_path / "ddp"
    out.mkdir()
    config = _config(corpus, out, max_tokens=4 * 8 * 10, checkpoint_every=5)
    (tmp_path / "config.json").write_text(json.dumps(config.to_dict()))
    (tmp_path / "ddp_run.py").write_text(DDP_SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                             "--master_addr", "127.0.0.1", "--master_port", str(port), str(tmp_path / "ddp_run.py"), str(tmp_path / "config.json")],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    rank0 = torch.load(out / "rank0.pt")
    rank1 = torch.load(out / "rank1.pt")
    initial = Trainer(config, log=lambda *a: None).lm.state_dict()
    changed = 0
    for name, value in rank0.items():
        torch.testing.assert_close(value, rank1[name], rtol=0, atol=0)
        changed += int(not torch.equal(value, initial[name]))
    assert changed > 10  # they trained, and stayed in lock step
    assert (out / "checkpoint.pt").is_file()  # written by rank 0


def test_export_from_checkpoint_matches_the_trainers_export(corpus, tmp_path):
    from elmo_core.training.export import export_checkpoint

    trainer = train(_config(corpus, tmp_path / "run", max_tokens=4 * 8 * 10))
    from_checkpoint = export_checkpoint(tmp_path / "run" / "checkpoint.pt", tmp_path / "exported")
    summary = json.loads((from_checkpoint / "training_summary.json").read_text())
    assert summary["world_size"] == 1 and summary["step"] == trainer.step == 10
    sentences = [["We", "saw", "a", "saw", "."]]
    direct = elmo_core.load(tmp_path / "run" / "model", state="zero").embed(sentences)
    again = elmo_core.load(from_checkpoint, state="zero").embed(sentences)
    np.testing.assert_array_equal(direct[0], again[0])


@pytest.mark.parametrize("path", sorted((REPO / "configs").rglob("*.json")), ids=lambda p: p.name)
def test_every_shipped_training_config_is_valid(path):
    """The configs README and configs/device/run.sh point at must load: no unknown key, a valid
    model, softmax cutoffs and budget (a typo would otherwise surface only on a lent GPU)."""
    config = TrainConfig.from_json(path)
    assert config.elmo_config().lstm.n_layers == 2
    assert config.max_tokens > 0 or config.max_minutes > 0


def test_gpu_driver_on_cpu_writes_a_checkpoint_that_exports_and_resumes(corpus, tmp_path):
    """configs/device/train_on_gpu.py (the run behind the shipped mini) on the tiny corpus: its
    optimizer-free checkpoint exports to a loadable model and `train --resume` continues from it."""
    config = _config(corpus, tmp_path / "run", max_tokens=4 * 8 * 40, eval_every=10, lr_decay_fraction=0.3,
                     keep_best=True)
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config.to_dict()))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(REPO / "configs" / "device" / "train_on_gpu.py"), str(config_file),
                           "--out", str(out)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "done: 40 steps" in done.stdout
    payload = torch.load(out / "model_only.pt", weights_only=False)
    assert "optimizer" not in payload and payload["step"] == 40
    assert payload["best_step"] in {h["step"] for h in payload["history"]}
    from elmo_core.training.export import export_checkpoint

    model = elmo_core.load(export_checkpoint(out / "model_only.pt", tmp_path / "model"))
    assert model.embed([["The", "cat", "sat", "."]])[0].shape == (3, 4, 32)
    (config.out_path / "checkpoint.pt").write_bytes(  # replaces the driver's own full checkpoint
        (out / "model_only.pt").read_bytes())
    resumed = Trainer(_config(corpus, tmp_path / "run", max_tokens=4 * 8 * 45), log=lambda *a: None)
    assert resumed.resume() and resumed.step == 40
    for name, value in resumed.lm.state_dict().items():
        torch.testing.assert_close(value, payload["model"][name])
    resumed.run()
    assert resumed.step == 45
    # --start-from: the driver continues an exported model (the GPU teacher run starts from mini).
    longer = _config(corpus, tmp_path / "continued", max_tokens=4 * 8 * 44)
    (tmp_path / "longer.json").write_text(json.dumps(longer.to_dict()))
    done = subprocess.run([sys.executable, str(REPO / "configs" / "device" / "train_on_gpu.py"),
                           str(tmp_path / "longer.json"), "--out", str(tmp_path / "out2"),
                           "--start-from", str(tmp_path / "model")], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "done: 44 steps" in done.stdout


def test_fixed_budget_learning_rate_decay_and_best_weights(corpus, tmp_path):
    """lr_decay_fraction: constant, then linear to final_lr_fraction over the budget's last part;
    keep_best: the run ends with the weights of its best held-out evaluation."""
    config = _config(corpus, tmp_path / "run", max_tokens=4 * 8 * 40, eval_every=5, learning_rate=0.05,
                     lr_decay_fraction=0.5, final_lr_fraction=0.1, keep_best=True)
    trainer = Trainer(config, log=lambda *a: None)
    assert trainer.learning_rate() == pytest.approx(0.05)  # budget unused
    trainer.tokens = config.max_tokens * 3 // 4  # three quarters: half-way through the decay
    assert trainer.learning_rate() == pytest.approx(0.05 * (0.1 + 0.9 * 0.5))
    trainer.tokens = config.max_tokens
    assert trainer.learning_rate() == pytest.approx(0.005)
    trainer.tokens = 0
    trainer.run()
    assert trainer.optimizer.param_groups[0]["lr"] < 0.05
    scores = {h["step"]: (h["forward_ppl"] * h["backward_ppl"]) ** 0.5 for h in trainer.history}
    assert trainer.best.step == min(scores, key=scores.get)
    for name, value in trainer.lm.state_dict().items():
        torch.testing.assert_close(value, trainer.best.state[name])
    with pytest.raises(ConfigError, match="lr_decay_fraction"):
        _config(corpus, tmp_path / "bad", lr_decay_fraction=1.5)
