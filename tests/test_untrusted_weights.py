"""Weight and options files from strangers: checked before any tensor
is built, capped in size, and refused when a weight or a clip is not finite."""
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
from elmo_core import ConfigError, ElmoConfig, ElmoModel, WeightsError
from elmo_core.loading import check_files
from elmo_core.weights import _mappings, check_weights, expected_shapes, parameter_count

REPO = Path(__file__).resolve().parents[1]
SMALL = {"lstm": {"dim": 16, "projection_dim": 8, "n_layers": 2, "cell_clip": 3, "proj_clip": 3,
                  "use_skip_connections": True},
         "char_cnn": {"embedding": {"dim": 4}, "filters": [[1, 4], [2, 8]], "n_highway": 1,
                      "activation": "relu", "n_characters": 262, "max_characters_per_token": 50}}
# Hostile options: about 1.5 billion parameters, described in 1 KB.
HUGE = {**SMALL, "lstm": {**SMALL["lstm"], "dim": 8192, "projection_dim": 4096}}


def copy_model(reference_dir: Path, folder: Path) -> Path:
    shutil.copy(reference_dir / "options.json", folder / "options.json")
    shutil.copy(reference_dir / "lm_weights.hdf5", folder / "weights.hdf5")
    return folder / "weights.hdf5"


# ------------------------------------------------------------------ nothing non-finite
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("key", ["cell_clip", "proj_clip"])
def test_non_finite_clips_are_refused(key, value):
    with pytest.raises(ConfigError, match=f"lstm.{key} must be a finite positive number"):
        ElmoConfig.from_dict({**SMALL, "lstm": {**SMALL["lstm"], key: value}})


def test_nan_clip_in_an_options_file_is_refused_at_load(reference_dir, tmp_path):
    copy_model(reference_dir, tmp_path)
    text = (tmp_path / "options.json").read_text()
    options = json.loads(text)
    options["lstm"]["cell_clip"] = float("nan")
    (tmp_path / "options.json").write_text(json.dumps(options))  # writes the bare JSON extension NaN
    assert "NaN" in (tmp_path / "options.json").read_text()
    with pytest.raises(ConfigError, match="cell_clip"):
        elmo_core.load(tmp_path)


@pytest.mark.parametrize("dataset, poison", [
    ("RNN_0/RNN/MultiRNNCell/Cell0/LSTMCell/W_0", "all-nan"),
    ("char_embed", "all-nan"),
    ("CNN_high_0/b_carry", "one-inf"),
    ("RNN_1/RNN/MultiRNNCell/Cell1/LSTMCell/W_P_0", "one-nan"),
])
def test_non_finite_weights_are_refused_with_the_dataset_name(reference_dir, tmp_path, dataset, poison):
    weights = copy_model(reference_dir, tmp_path)
    with h5py.File(weights, "a") as f:
        values = f[dataset][...]
        if poison == "all-nan":
            values[...] = np.nan
        else:
            values.flat[values.size // 2] = np.inf if poison == "one-inf" else np.nan
        f[dataset][...] = values
    pattern = f"{dataset}.*NaN or infinite"
    with pytest.raises(WeightsError, match=pattern):
        elmo_core.load(tmp_path)
    with pytest.raises(WeightsError, match=pattern):
        check_files(tmp_path / "options.json", weights)


def test_finite_files_pass_the_full_check(reference_dir, tmp_path):
    weights = copy_model(reference_dir, tmp_path)
    config = check_files(tmp_path / "options.json", weights, max_parameters=10**6)
    assert config == ElmoConfig.from_json(reference_dir / "options.json")


# ------------------------------------------------------------------ check before building
def test_expected_shapes_are_those_of_the_model(reference_dir):
    for options in (SMALL, json.loads((reference_dir / "options.json").read_text())):
        config = ElmoConfig.from_dict(options)
        model = ElmoModel(config)
        shapes = expected_shapes(config)
        for name, target, _, to_file in _mappings(model):
            assert shapes[name] == to_file(np.zeros(tuple(target.shape), np.float32)).shape, name
        embedding_padding_row = config.char_cnn.embedding_dim
        assert parameter_count(config) == sum(p.numel() for p in model.parameters()) - embedding_padding_row


def test_parameter_count_of_huge_options_needs_no_memory():
    assert parameter_count(ElmoConfig.from_dict(HUGE)) > 1_000_000_000


PEAK_SCRIPT = """
import resource, sys
import elmo_core
from elmo_core.loading import check_files

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    if sys.argv[3] == "load":
        elmo_core.load_files(sys.argv[1], sys.argv[2])
    else:
        check_files(sys.argv[1], sys.argv[2], max_parameters=100_000_000)
    outcome = "loaded"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {exc}"
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) // 1024)
print(outcome)
"""


def peak_megabytes(options: Path, weights: Path, how: str) -> tuple[int, str]:
    """Run the load in a fresh process; its growth of peak memory (MB) after imports, and the outcome."""
    result = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(options), str(weights), how],
                            capture_output=True, text=True, timeout=300, cwd=REPO,
                            env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    growth, outcome = result.stdout.strip().splitlines()[-2:]
    return int(growth), outcome


def test_huge_options_with_a_text_file_as_weights_allocate_nothing(tmp_path):
    """1 KB of options with dim 8192 / projection 4096 and a text file as weights: the server once
    allocated 2.2 GB before it said "not an HDF5 file"."""
    (tmp_path / "options.json").write_text(json.dumps(HUGE))
    (tmp_path / "weights.hdf5").write_text("these are not weights\n" * 20)
    growth, outcome = peak_megabytes(tmp_path / "options.json", tmp_path / "weights.hdf5", "load")
    assert outcome.startswith("WeightsError") and "not an HDF5 file" in outcome
    assert growth < 100, f"peak memory grew by {growth} MB"


def test_huge_options_with_hdf5_of_the_wrong_shapes_allocate_nothing(reference_dir, tmp_path):
    (tmp_path / "options.json").write_text(json.dumps(HUGE))
    shutil.copy(reference_dir / "lm_weights.hdf5", tmp_path / "weights.hdf5")
    growth, outcome = peak_megabytes(tmp_path / "options.json", tmp_path / "weights.hdf5", "load")
    assert outcome.startswith("WeightsError") and "shape" in outcome
    assert growth < 100, f"peak memory grew by {growth} MB"


def declared_only(config: dict, path: Path) -> None:
    """An HDF5 file of a few KB whose datasets claim every shape ``config`` needs (no values stored)."""
    with h5py.File(path, "w") as f:
        for name, shape in expected_shapes(ElmoConfig.from_dict(config)).items():
            f.create_dataset(name, shape=shape, dtype="f4")


def test_a_model_over_the_parameter_limit_is_refused_before_its_weights_are_read(tmp_path):
    (tmp_path / "options.json").write_text(json.dumps(HUGE))
    declared_only(HUGE, tmp_path / "weights.hdf5")
    assert (tmp_path / "weights.hdf5").stat().st_size < 100_000
    with pytest.raises(ConfigError, match=r"parameters; at most 1,000 are allowed"):
        check_files(tmp_path / "options.json", tmp_path / "weights.hdf5", max_parameters=1000)
    with pytest.raises(ConfigError, match="parameters"):
        elmo_core.load_files(tmp_path / "options.json", tmp_path / "weights.hdf5", max_parameters=10**8)
    growth, outcome = peak_megabytes(tmp_path / "options.json", tmp_path / "weights.hdf5", "check")
    assert outcome.startswith("ConfigError") and "parameters" in outcome
    assert growth < 100, f"peak memory grew by {growth} MB"


def test_full_check_reads_values_in_small_blocks(tmp_path):
    """Within the limit, the finite check of a file whose datasets hold no stored values reads
    them block by block (the fill value, zeros) without holding a whole model."""
    (tmp_path / "options.json").write_text(json.dumps(SMALL))
    declared_only(SMALL, tmp_path / "weights.hdf5")
    check_files(tmp_path / "options.json", tmp_path / "weights.hdf5", max_parameters=10**6)


def test_weights_stored_outside_the_file_are_refused(reference_dir, tmp_path):
    weights = copy_model(reference_dir, tmp_path)
    config = ElmoConfig.from_json(tmp_path / "options.json")
    elsewhere = tmp_path / "elsewhere.hdf5"
    shutil.copy(weights, elsewhere)
    with h5py.File(weights, "a") as f:
        del f["CNN_high_0/W_carry"]
        f["CNN_high_0/W_carry"] = h5py.ExternalLink(str(elsewhere), "CNN_high_0/W_carry")
    with pytest.raises(WeightsError, match="links to another file"):
        check_weights(config, weights)

    weights = copy_model(reference_dir, tmp_path)
    raw = tmp_path / "raw.bin"
    raw.write_bytes(np.zeros(124, np.float32).tobytes())
    with h5py.File(weights, "a") as f:
        del f["CNN_high_0/b_carry"]
        f.create_dataset("CNN_high_0/b_carry", shape=(124,), dtype="f4", external=[(str(raw), 0, 124 * 4)])
    with pytest.raises(WeightsError, match="outside the weight file"):
        elmo_core.load(tmp_path)


def test_text_datasets_are_refused(reference_dir, tmp_path):
    weights = copy_model(reference_dir, tmp_path)
    with h5py.File(weights, "a") as f:
        del f["CNN/b_cnn_0"]
        f.create_dataset("CNN/b_cnn_0", data=np.array(["x"] * 4, dtype="S1"))
    with pytest.raises(WeightsError, match="not numbers"):
        elmo_core.load(tmp_path)


@pytest.mark.parametrize("content, message", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply|not valid JSON"),
    ('{"lstm": {"dim": 1' + "0" * 5000 + "}}", "not valid JSON"),
    (b"\xff\xfe not utf-8", "not valid JSON"),
])
def test_hostile_options_files_raise_config_errors(tmp_path, content, message):
    path = tmp_path / "options.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ConfigError, match=message):
        ElmoConfig.from_json(path)


def test_names_too_long_for_the_file_system_raise_the_library_errors(tmp_path):
    long = tmp_path / ("x" * 300)
    with pytest.raises(ConfigError):
        ElmoConfig.from_json(long / "options.json")
    with pytest.raises(WeightsError):
        check_weights(ElmoConfig.from_dict(SMALL), long / "weights.hdf5")


def test_too_wide_tokens_are_refused_under_a_limit(tmp_path):
    wide = {**SMALL, "char_cnn": {**SMALL["char_cnn"], "max_characters_per_token": 10**7}}
    (tmp_path / "options.json").write_text(json.dumps(wide))
    declared_only(wide, tmp_path / "weights.hdf5")
    with pytest.raises(ConfigError, match="max_characters_per_token"):
        check_files(tmp_path / "options.json", tmp_path / "weights.hdf5", max_parameters=10**6)
