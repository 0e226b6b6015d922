"""The task × strategy × mix grid, its report files, and the `task` command line."""
import json

import pytest

from elmo_core.cli import build_parser, main
from elmo_core.tasks.config import TaskConfig
from elmo_core.tasks.features import FeatureCache, load_model
from elmo_core.tasks.report import GridConfig, GridResult, markdown_table, run_grid, write_report


def test_small_grid_writes_table_and_plots(reference_dir, tmp_path):
    grid = GridConfig(tasks=("sentiment", "pos"), strategies=("feature",), mixes=("scalar", "layer0"),
                      model=str(reference_dir), sentiment_sizes=(32, 16, 16), pos_sizes=(16, 8, 8),
                      feature_epochs=1, base=TaskConfig(device="cpu", batch_size=16))
    result = run_grid(grid, model=load_model(reference_dir), cache=FeatureCache(tmp_path / "f"), log=lambda m: None)
    assert [r.label for r in result.runs] == ["sentiment/feature/scalar", "sentiment/feature/layer0",
                                              "pos/feature/scalar", "pos/feature/layer0"]
    table = markdown_table(result)
    assert table.count("\n") == 1 + 2 + 4  # header, separator, 2 baselines, 4 runs
    assert "baseline: bow-logreg" in table and "most-frequent-tag" in table and "pts" in table
    out = write_report(result, tmp_path / "report")
    html = (out / "report.html").read_text()
    assert "plotly" in html.lower() and "<img" not in html
    again = GridResult.from_dict(json.loads((out / "results.json").read_text()))
    assert len(again.runs) == 4 and again.baselines["pos"].name == "most-frequent-tag"
    assert "| sentiment | ELMo | feature | layer0 |" in (out / "REPORT.md").read_text()


def test_grid_config_rejects_unknown_cells():
    with pytest.raises(ValueError):
        GridConfig(mixes=("scalar", "layer9x"))
    with pytest.raises(ValueError):
        GridConfig(inputs=("word2vec",))
    assert len(GridConfig().cells()) == 2 * 2 * 4
    # static vectors alone read no biLM: one cell per task, beside the full grid of each other input
    every = GridConfig(inputs=("static", "elmo", "static+elmo")).cells()
    assert len(every) == 2 * (1 + 2 * 2 * 4)
    assert sum(c.inputs == "static" for c in every) == 2


def test_grid_compares_input_choices(reference_dir, tmp_path):
    grid = GridConfig(tasks=("sentiment",), strategies=("feature",), mixes=("scalar",),
                      inputs=("static", "elmo", "static+elmo"), model=str(reference_dir),
                      sentiment_sizes=(32, 16, 16), feature_epochs=1, base=TaskConfig(device="cpu", batch_size=16))
    result = run_grid(grid, model=load_model(reference_dir), cache=FeatureCache(tmp_path / "f"), log=lambda m: None)
    assert [r.label for r in result.runs] == ["sentiment/static", "sentiment/feature/scalar",
                                              "sentiment/static+elmo/feature/scalar"]
    assert result.runs[0].final_weights == [] and len(result.runs[2].final_weights) == 3
    table = markdown_table(result)
    assert "| sentiment | GloVe | – | – |" in table and "| sentiment | GloVe ⊕ ELMo | feature | scalar |" in table


def test_task_commands_are_registered():
    parser = build_parser()
    args = parser.parse_args(["task", "train", "--task", "pos", "--mix", "layer2", "--epochs", "1"])
    assert (args.task, args.mix, args.epochs) == ("pos", "layer2", 1)
    args = parser.parse_args(["task", "report", "out", "--sentiment-sizes", "10", "5", "5"])
    assert args.sentiment_sizes == [10, 5, 5]
    args = parser.parse_args(["task", "ship-heads", "--finetune-train-size", "100", "--no-finetune"])
    assert args.finetune_train_size == 100 and args.no_finetune
    assert args.dataset == "rt+imdb-sentences+rt-contrast+negation-frames"
    assert args.ensemble_seeds == [0, 1, 2, 3] and args.ngram_weights[0] == 0.0
    args = parser.parse_args(["task", "ship-heads", "--ensemble-seeds", "5", "--ngram-weights", "0"])
    assert args.ensemble_seeds == [5] and args.ngram_weights == [0.0]
    args = parser.parse_args(["task", "train", "--inputs", "static+elmo", "--dataset", "rt+vader"])
    assert (args.inputs, args.dataset) == ("static+elmo", "rt+vader")
    args = parser.parse_args(["task", "report", "out", "--inputs", "static", "elmo"])
    assert args.inputs == ["static", "elmo"]
    args = parser.parse_args(["task", "mixtures", "rt", "rt+imdb-sentences+rt-contrast", "--seeds", "0", "1"])
    assert args.datasets == ["rt", "rt+imdb-sentences+rt-contrast"] and args.seeds == [0, 1]
    assert args.inputs == "static+elmo" and args.func.__name__ == "run_mixtures"


def test_task_train_command_writes_result(reference_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ELMO_EXPLORER_FEATURE_CACHE", str(tmp_path / "f"))
    out = tmp_path / "run.json"
    code = main(["task", "train", "--model", str(reference_dir), "--task", "pos", "--train-size", "8",
                 "--dev-size", "4", "--test-size", "4", "--epochs", "1", "--device", "cpu", "--quiet",
                 "--out", str(out)])
    assert code == 0 and "test accuracy" in capsys.readouterr().out
    assert json.loads(out.read_text())["config"]["task"] == "pos"
    assert main(["task", "train", "--model", str(reference_dir), "--mix", "layer1", "--task", "pos",
                 "--train-size", "0", "--dev-size", "0", "--epochs", "0"]) == 2
