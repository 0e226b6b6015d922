"""``elmo-explorer adapt``: mini continued on a few hundred real product-review sentences (a domain
it has not seen) lowers its held-out perplexity, writes a model folder that loads and scores, and
a killed run resumes; the budget of a continuation counts from the start of that run; bad input
gets a clear message and leaves OUT absent or unchanged. Training runs on one thread."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import elmo_core
from elmo_core.cli import main
from elmo_core.registry import bundled_model_dir
from elmo_core.training.adapt import AdaptConfig, AdaptError, adapt, adapt_run_dir, split_heldout
from elmo_core.training.heldout import perplexity_of_text, write_sentences
from elmo_core.training.trainer import CHECKPOINT, TrainingStopped
from test_perplexity_command import OFFICIAL_FIXTURE, amazon_lines, bad_files, write_lines

REPO = Path(__file__).resolve().parents[1]
MINI = bundled_model_dir("mini")
MINI_SUMMARY = json.loads((MINI / "training_summary.json").read_text())
FAST = dict(device="cpu", num_threads=1, eval_every=5)  # 16 streams x 20 tokens = 320 tokens a step


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return amazon_lines(400)


@pytest.fixture(scope="module")
def adapted(lines, tmp_path_factory):
    """One adapt run of mini on 400 review sentences, 15 steps (4,800 tokens)."""
    folder = tmp_path_factory.mktemp("adapt")
    text = write_lines(folder / "reviews.txt", lines)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ELMO_EXPLORER_CACHE", str(folder / "cache"))
        started = time.perf_counter()
        result = adapt(AdaptConfig("mini", str(text), str(folder / "mini-reviews"), tokens=4800, **FAST),
                       progress=False, log=lambda *a: None)
        wall = time.perf_counter() - started
        run_dir = adapt_run_dir(folder / "mini-reviews")
    print(f"\nadapt: {result.to_dict()} (wall {wall:.1f} s)")
    return folder, text, result, run_dir


def test_adapting_lowers_heldout_perplexity(adapted):
    _, _, result, _ = adapted
    assert result.steps == 15 and result.tokens == 4800 and not result.resumed
    assert result.total_tokens == MINI_SUMMARY["tokens"] + 4800  # the total is kept for the record
    for direction in ("forward", "backward"):
        assert result.after[direction] < 0.9 * result.before[direction], (result.before, result.after)
    assert result.heldout_lines >= 20 and result.train_lines >= 300
    assert result.tokens_per_second > 0 and result.seconds > 0
    assert MINI_SUMMARY["step"] < result.best_step <= MINI_SUMMARY["step"] + 15


def test_the_adapted_folder_loads_scores_and_keeps_the_vocabulary(adapted, lines, tmp_path):
    folder, _, result, run_dir = adapted
    out = folder / "mini-reviews"
    assert result.out_dir == out
    assert sorted(p.name for p in out.iterdir()) == ["options.json", "training_summary.json", "vocab.txt",
                                                     "weights.hdf5"]
    assert not run_dir.exists()  # the checkpoint was in the cache and is gone once the model is written
    assert not any(p.name.startswith(".mini-reviews") for p in folder.iterdir())  # no partial folder left
    assert (out / "vocab.txt").read_bytes() == (MINI / "vocab.txt").read_bytes()
    summary = json.loads((out / "training_summary.json").read_text())
    assert summary["adaptation"]["model"] == "mini" and summary["adaptation"]["text"] == "reviews.txt"
    assert summary["adaptation"]["after"] == result.after
    vectors = elmo_core.load(out).embed([["The", "battery", "lasts", "two", "days", "."]])[0]
    assert vectors.shape == (3, 6, 256) and torch.isfinite(torch.from_numpy(vectors)).all()
    # The perplexity command reads the folder: the adapted model scores the held-out lines better.
    _, heldout = split_heldout(lines, 0.1)
    heldout_file = write_lines(tmp_path / "heldout.txt", heldout)
    assert main(["perplexity", str(out), str(heldout_file), "--json"]) == 0
    assert perplexity_of_text(out, heldout_file)["forward"] < perplexity_of_text("mini", heldout_file)["forward"]


def test_a_continuation_of_mini_with_a_small_minutes_budget_trains(lines, tmp_path, capsys):
    """`train --start-from mini` with max_minutes 0.05: the budget counts from this run (mini's own
    training took 56.5 minutes, which used to stop the continuation before its first step)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    train, heldout = split_heldout(lines, 0.1)
    write_sentences(train, corpus / "train.txt")  # tokenized, one sentence a line
    write_sentences(heldout, corpus / "heldout.txt")
    shutil.copyfile(MINI / "vocab.txt", corpus / "vocab.txt")
    config = {**{k: MINI_SUMMARY["config"][k] for k in ("model", "vocab_size", "softmax_cutoffs")},
              "corpus_dir": str(corpus), "out_dir": str(tmp_path / "run"), "vocab_file": str(corpus / "vocab.txt"),
              "batch_size": 16, "unroll_steps": 20, "learning_rate": 2e-4, "max_minutes": 0.05,
              "eval_every": 1000, "eval_tokens": 2000, "num_threads": 1, "device": "cpu"}
    assert MINI_SUMMARY["minutes"] > 50 * config["max_minutes"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert main(["train", str(tmp_path / "config.json"), "--start-from", str(MINI)]) == 0
    summary = json.loads((tmp_path / "run" / "model" / "training_summary.json").read_text())
    steps = summary["step"] - MINI_SUMMARY["step"]
    assert steps > 0 and summary["tokens"] == MINI_SUMMARY["tokens"] + steps * 16 * 20
    this_run = summary["phases"][-1]
    assert this_run["minutes"][1] - this_run["minutes"][0] >= 0.05  # it stopped on its own budget
    assert this_run["minutes"][1] - this_run["minutes"][0] < 0.05 + 0.05  # ... right after spending it
    assert "Traceback" not in capsys.readouterr().err


def _checkpoint_step(path: Path) -> int | None:
    """The step of a checkpoint written by the trainer (with optimizer state), else None."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=False)
    except (OSError, RuntimeError, EOFError):
        return None
    return payload["step"] if "optimizer" in payload else None


@pytest.mark.slow
def test_a_killed_run_resumes_to_completion(lines, tmp_path, monkeypatch, capsys):
    text = write_lines(tmp_path / "reviews.txt", lines)
    out = tmp_path / "mini-reviews"
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "cache"))
    checkpoint = adapt_run_dir(out) / CHECKPOINT
    command = ["adapt", "mini", str(text), str(out), "--tokens", "9600", "--eval-every", "4",
               "--device", "cpu", "--threads", "1", "--quiet"]
    env = {**os.environ, "ELMO_EXPLORER_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1",
           "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "elmo_core.cli", *command], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline, killed_at = time.monotonic() + 240, None
        while time.monotonic() < deadline and process.poll() is None:
            step = _checkpoint_step(checkpoint) if checkpoint.is_file() else None
            if step is not None and step > MINI_SUMMARY["step"]:  # a checkpoint after training steps
                process.kill()
                killed_at = step
                break
            time.sleep(0.5)
    finally:
        if process.poll() is None:
            process.kill()
        _, err = process.communicate()
    assert killed_at is not None, f"no training checkpoint before the run ended: {err.decode()[-2000:]}"
    assert not out.exists()  # nothing half-written in OUT
    assert main(command[:-1]) == 2  # without --resume: refused, the unfinished run is kept
    assert "--resume" in capsys.readouterr().err and checkpoint.is_file()
    assert main([*command[:-1], "--resume", "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["resumed"] and "resumed at step" in captured.err
    resumed_at = int(captured.err.split("resumed at step ")[1].split(",")[0])
    assert resumed_at >= killed_at > MINI_SUMMARY["step"]
    assert result["tokens"] == 9600 and result["steps"] == 30  # the budget of the run, over both processes
    assert result["after"]["forward"] < result["before"]["forward"]
    assert elmo_core.load(out).embed([["Great", "phone", "."]])[0].shape == (3, 3, 256)
    assert not checkpoint.parent.exists()


def test_a_folder_that_holds_something_is_refused_and_unchanged(tmp_path, lines, capsys, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "cache"))
    text = write_lines(tmp_path / "reviews.txt", lines)
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["adapt", "mini", str(text), str(out), "--tokens", "320"]) == 2
    err = capsys.readouterr().err
    assert "already holds something" in err and "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["notes.txt"] and (out / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "cache" / "adapt").exists() or not any((tmp_path / "cache" / "adapt").iterdir())


@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "invalid-utf8", "long-line"])
def test_bad_text_is_refused_and_out_is_not_created(kind, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "cache"))
    path, words = bad_files(tmp_path / "inputs")[kind]
    assert main(["adapt", "mini", str(path), str(tmp_path / "out"), "--tokens", "320"]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "cache" / "adapt").exists()


def test_model_without_softmax_text_too_short_and_two_budgets_are_refused(tmp_path, lines, capsys, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "cache"))
    text = write_lines(tmp_path / "reviews.txt", lines)
    assert main(["adapt", str(OFFICIAL_FIXTURE), str(text), str(tmp_path / "out")]) == 2
    assert "no trained softmax" in capsys.readouterr().err
    short = write_lines(tmp_path / "short.txt", lines[:12])
    assert main(["adapt", "mini", str(short), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "short.txt" in err and ("too short" in err or "too little held-out" in err)
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "cache" / "adapt").exists() or not any((tmp_path / "cache" / "adapt").iterdir())
    with pytest.raises(AdaptError, match="one budget"):
        AdaptConfig("mini", str(text), str(tmp_path / "out"), minutes=1, tokens=100)


def test_a_stop_request_keeps_the_checkpoint_writes_no_model_and_resume_finishes(lines, tmp_path, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "cache"))
    text = write_lines(tmp_path / "reviews.txt", lines)
    out = tmp_path / "mini-stopped"
    asked = []

    def stop_on_third_step() -> bool:
        asked.append(1)
        return len(asked) >= 3

    config = AdaptConfig("mini", str(text), str(out), tokens=1600, **FAST)
    with pytest.raises(TrainingStopped):
        adapt(config, progress=False, log=lambda *a: None, should_stop=stop_on_third_step)
    assert not out.exists()
    assert _checkpoint_step(adapt_run_dir(out) / CHECKPOINT) == MINI_SUMMARY["step"] + 2  # two steps, then the stop
    result = adapt(config, resume=True, progress=False, log=lambda *a: None)
    assert (out / "weights.hdf5").is_file() and result.resumed
