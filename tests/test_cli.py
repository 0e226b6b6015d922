"""The elmo-explorer command line, end to end in a subprocess (the installed console script)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import elmo_core

LINES = ["I saw a saw .", "The bank was closed on Sunday .", "", "I saw a saw ."]


def _cli(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("elmo-explorer")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "elmo_core.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture()
def model_dir(reference_dir, tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copy(reference_dir / "options.json", folder / "options.json")
    shutil.copy(reference_dir / "lm_weights.hdf5", folder / "weights.hdf5")
    return folder


@pytest.mark.parametrize("mode, shape", [("--all", (3, 5, 32)), ("--top", (5, 32)), ("--average", (5, 32))])
def test_embed_writes_allennlp_layout(model_dir, tmp_path, mode, shape):
    source = tmp_path / "in.txt"
    source.write_text("\n".join(LINES) + "\n")
    out = tmp_path / "out.hdf5"
    result = _cli("embed", str(source), str(out), mode, "--model", str(model_dir))
    assert result.returncode == 0, result.stderr
    expected = elmo_core.load(model_dir).embed([line.split() for line in LINES])
    with h5py.File(out) as f:
        index = json.loads(f["sentence_to_index"][()])
        assert index == {"I saw a saw .": "3", "The bank was closed on Sunday .": "1", "": "2"}
        assert set(f.keys()) == {"0", "1", "2", "3", "sentence_to_index"}
        assert f["0"].shape == shape and f["2"].shape[-1] == 32
        reference = {"--all": expected[0], "--top": expected[0][-1], "--average": expected[0].mean(axis=0)}[mode]
        np.testing.assert_allclose(f["0"][...], reference, atol=1e-5)
    assert "embedding" in result.stderr  # the progress bar


def test_embed_errors_are_clear(model_dir, tmp_path):
    result = _cli("embed", str(tmp_path / "missing.txt"), str(tmp_path / "o.hdf5"), "--all", "--model", str(model_dir))
    assert result.returncode == 2 and "input file not found" in result.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    result = _cli("embed", str(empty), str(tmp_path / "o.hdf5"), "--all", "--model", str(model_dir))
    assert result.returncode == 2 and "no non-empty line" in result.stderr
    result = _cli("embed", str(empty), str(tmp_path / "o.hdf5"), "--model", str(model_dir))
    assert result.returncode != 0 and "--all" in result.stderr
    (tmp_path / "bad").mkdir()
    result = _cli("info", str(tmp_path / "bad"))
    assert result.returncode == 2 and "options.json" in result.stderr and "Traceback" not in result.stderr


def test_info_reports_config_parameters_and_device(model_dir):
    result = _cli("info", str(model_dir))
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["device"] == "cpu" and info["output_dim"] == 32 and info["output_layers"] == 3
    assert info["parameters"] == elmo_core.load(model_dir).num_parameters() > 0
    assert info["options"]["lstm"]["projection_dim"] == 16


def test_info_of_bundled_mini():
    result = _cli("info", "mini")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["output_dim"] >= 256
