"""The elmo-explorer command line, end to end in a subprocess (the installed console script)."""
from __future__ import annotations

import json
import random
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


def test_embed_dataset_index_is_the_line_number(model_dir, tmp_path):
    # Form feed, U+2028, U+2029, NEL, \x1c and \v are line breaks to str.splitlines, not here:
    # three lines give three datasets, and the odd characters separate tokens inside their line.
    lines = ["I saw\x0ca saw .", "The bank\u2028was closed\u2029today .", "It\x85was\x1cfine\x0b."]
    source = tmp_path / "in.txt"
    source.write_bytes(("\ufeff" + lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\n").encode("utf-8"))
    out = tmp_path / "out.hdf5"
    result = _cli("embed", str(source), str(out), "--all", "--model", str(model_dir))
    assert result.returncode == 0, result.stderr
    expected = elmo_core.load(model_dir).embed([line.split() for line in lines])
    with h5py.File(out) as f:
        assert set(f.keys()) == {"0", "1", "2", "sentence_to_index"}
        assert json.loads(f["sentence_to_index"][()]) == {line: str(i) for i, line in enumerate(lines)}
        for i, line in enumerate(lines):
            assert f[str(i)].shape == (3, len(line.split()), 32)
            np.testing.assert_allclose(f[str(i)][...], expected[i], atol=1e-5)
    assert "wrote 3 sentences" in result.stdout


def test_embed_refuses_invalid_utf8_with_the_line_number(model_dir, tmp_path):
    source = tmp_path / "latin1.txt"
    source.write_bytes("I saw a saw .\nThe bank was closed .\nUn caf\u00e9 au lait .\n".encode("latin-1"))
    out = tmp_path / "out.hdf5"
    result = _cli("embed", str(source), str(out), "--all", "--model", str(model_dir))
    assert result.returncode == 2
    assert "not valid UTF-8 at line 3" in result.stderr and "--encoding" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()

    binary = tmp_path / "random.bin"
    binary.write_bytes(random.Random(0).randbytes(8192))
    result = _cli("embed", str(binary), str(out), "--all", "--model", str(model_dir))
    assert result.returncode == 2 and "not valid UTF-8 at line 1" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()

    result = _cli("embed", str(source), str(out), "--all", "--model", str(model_dir), "--encoding", "latin-1")
    assert result.returncode == 0, result.stderr
    with h5py.File(out) as f:
        assert json.loads(f["sentence_to_index"][()])["Un caf\u00e9 au lait ."] == "2"

    result = _cli("embed", str(source), str(out), "--all", "--model", str(model_dir), "--encoding", "no-such-codec")
    assert result.returncode == 2 and "unknown encoding" in result.stderr and "Traceback" not in result.stderr


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
