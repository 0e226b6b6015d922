"""Weight and options files: round trip, and clear errors for every kind of bad file."""
from __future__ import annotations

import json
import shutil

import h5py
import numpy as np
import pytest
import torch

import elmo_core
from elmo_core import ConfigError, ElmoConfig, ElmoModel, WeightsError
from elmo_core.weights import load_weights, read_extra, save_weights

SENTENCES = [["Round", "trip", "test", "."], ["A", "second", ",", "longer", "sentence", "here", "."]]


def test_save_load_round_trip_gives_identical_outputs(reference_dir, tmp_path):
    original = elmo_core.load_files(reference_dir / "options.json", reference_dir / "lm_weights.hdf5", state="zero")
    original.config.to_json(tmp_path / "options.json")
    save_weights(original.model, tmp_path / "weights.hdf5", extra={"softmax/W": np.ones((3, 2), np.float32)})
    reloaded = elmo_core.load(tmp_path, state="zero")
    for a, b in zip(original.embed(SENTENCES), reloaded.embed(SENTENCES)):
        np.testing.assert_array_equal(a, b)
    assert read_extra(tmp_path / "weights.hdf5", "softmax")["W"].shape == (3, 2)
    with h5py.File(tmp_path / "weights.hdf5") as saved, h5py.File(reference_dir / "lm_weights.hdf5") as ref:
        names = set()
        ref.visititems(lambda n, o: names.add(n) if isinstance(o, h5py.Dataset) else None)
        for name in names:  # every official dataset is written with the official shape and values
            np.testing.assert_array_equal(saved[name][...], ref[name][...])


def test_random_model_round_trip_without_projection(tmp_path):
    """A config whose filters already sum to projection_dim has no CNN_proj datasets."""
    config = ElmoConfig.from_dict({"lstm": {"dim": 16, "projection_dim": 8, "n_layers": 3, "cell_clip": 2,
                                            "use_skip_connections": False},
                                   "char_cnn": {"embedding": {"dim": 4}, "filters": [[1, 4], [2, 4]],
                                                "n_highway": 0, "activation": "tanh"}})
    torch.manual_seed(0)
    model = ElmoModel(config)
    config.to_json(tmp_path / "options.json")
    save_weights(model, tmp_path / "weights.hdf5")
    with h5py.File(tmp_path / "weights.hdf5") as f:
        assert "CNN_proj" not in f and "RNN_1/RNN/MultiRNNCell/Cell2/LSTMCell/W_0" in f
    a = elmo_core.BiLM(model, state="zero").embed(SENTENCES)
    b = elmo_core.load(tmp_path, state="zero").embed(SENTENCES)
    assert a[0].shape == (4, 4, 16)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def _copy(reference_dir, tmp_path):
    shutil.copy(reference_dir / "options.json", tmp_path / "options.json")
    shutil.copy(reference_dir / "lm_weights.hdf5", tmp_path / "weights.hdf5")
    return tmp_path / "weights.hdf5"


def test_missing_dataset_is_named(reference_dir, tmp_path):
    weights = _copy(reference_dir, tmp_path)
    with h5py.File(weights, "a") as f:
        del f["CNN_high_1/W_carry"]
    with pytest.raises(WeightsError, match=r"CNN_high_1/W_carry.*\(124, 124\)"):
        elmo_core.load(tmp_path)


def test_wrong_shape_names_dataset_and_both_shapes(reference_dir, tmp_path):
    weights = _copy(reference_dir, tmp_path)
    with h5py.File(weights, "a") as f:
        del f["CNN_proj/W_proj"]
        f.create_dataset("CNN_proj/W_proj", data=np.zeros((124, 17), np.float32))
    with pytest.raises(WeightsError, match=r"CNN_proj/W_proj.*\(124, 17\).*\(124, 16\)"):
        elmo_core.load(tmp_path)


def test_options_that_do_not_match_the_weights(reference_dir, tmp_path):
    _copy(reference_dir, tmp_path)
    options = json.loads((reference_dir / "options.json").read_text())
    options["lstm"]["dim"] = 128
    (tmp_path / "options.json").write_text(json.dumps(options))
    with pytest.raises(WeightsError, match=r"LSTMCell/B.*\(256,\).*\(512,\)"):
        elmo_core.load(tmp_path)


@pytest.mark.parametrize("content", [b"", b"not an hdf5 file at all", b"\x89HDF\r\n\x1a\n" + b"\0" * 10])
def test_non_hdf5_or_truncated_file(reference_dir, tmp_path, content):
    (tmp_path / "weights.hdf5").write_bytes(content)
    shutil.copy(reference_dir / "options.json", tmp_path / "options.json")
    with pytest.raises(WeightsError, match="HDF5|hdf5"):
        elmo_core.load(tmp_path)


def test_truncated_real_file(reference_dir, tmp_path):
    weights = _copy(reference_dir, tmp_path)
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError):
        elmo_core.load(tmp_path)


def test_missing_weight_file(reference_dir, tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        elmo_core.load_files(reference_dir / "options.json", tmp_path / "nope.hdf5")


def test_load_weights_rejects_directory_without_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="options.json"):
        elmo_core.load(tmp_path)


@pytest.mark.parametrize("mutate, key", [
    (lambda o: o.pop("lstm"), "lstm"),
    (lambda o: o["lstm"].pop("projection_dim"), "lstm.projection_dim"),
    (lambda o: o["lstm"].update(dim="big"), "lstm.dim"),
    (lambda o: o["lstm"].update(n_layers=0), "lstm.n_layers"),
    (lambda o: o["lstm"].update(cell_clip=-1), "lstm.cell_clip"),
    (lambda o: o["lstm"].update(use_skip_connections="yes"), "lstm.use_skip_connections"),
    (lambda o: o["char_cnn"].update(activation="gelu"), "char_cnn.activation"),
    (lambda o: o["char_cnn"].update(filters=[[1, 4], [2]]), r"char_cnn.filters\[1\]"),
    (lambda o: o["char_cnn"].update(filters=[]), "char_cnn.filters"),
    (lambda o: o["char_cnn"]["embedding"].pop("dim"), "char_cnn.embedding.dim"),
    (lambda o: o["char_cnn"].update(n_highway=-1), "char_cnn.n_highway"),
    (lambda o: o["char_cnn"].update(n_characters=300), "char_cnn.n_characters"),
])
def test_bad_options_name_the_key(reference_dir, mutate, key):
    options = json.loads((reference_dir / "options.json").read_text())
    mutate(options)
    with pytest.raises(ConfigError, match=key):
        ElmoConfig.from_dict(options)


def test_options_file_not_json(tmp_path):
    (tmp_path / "options.json").write_text("{lstm: ")
    with pytest.raises(ConfigError, match="not valid JSON"):
        ElmoConfig.from_json(tmp_path / "options.json")


def test_options_accepts_training_n_characters_and_round_trips(reference_dir):
    options = json.loads((reference_dir / "options.json").read_text())
    options["char_cnn"]["n_characters"] = 261
    config = ElmoConfig.from_dict(options)
    assert config.char_cnn.n_characters == 262
    assert ElmoConfig.from_dict(config.to_dict()) == config
    assert config.output_dim == 32 and config.char_cnn.n_filters == 124


def test_load_weights_into_wrong_sized_model_fails(reference_dir):
    config = ElmoConfig.from_json(reference_dir / "options.json")
    bigger = ElmoConfig.from_dict({**config.to_dict(), "lstm": {**config.to_dict()["lstm"], "projection_dim": 8}})
    with pytest.raises(WeightsError, match="shape"):
        load_weights(ElmoModel(bigger), reference_dir / "lm_weights.hdf5")
