"""Uploaded models: checked in a temporary folder, kept only when usable,
within a disk budget (oldest removed first), nothing left after a refused upload."""
from __future__ import annotations

import json
import os
from pathlib import Path

import h5py
import numpy as np
import pytest

from elmo_core import ConfigError, WeightsError
from elmo_explorer_ui.settings import ServerSettings, server_settings
from elmo_explorer_ui.uploads import MAX_OPTIONS_BYTES, UploadError, discard_upload, keep_upload, prune

BUDGET = 1 << 30


@pytest.fixture()
def model_bytes(reference_dir) -> tuple[bytes, bytes]:
    return (reference_dir / "options.json").read_bytes(), (reference_dir / "lm_weights.hdf5").read_bytes()


def entries(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def test_a_usable_upload_is_kept_under_its_content_address(tmp_path, model_bytes):
    folder = keep_upload(*model_bytes, max_parameters=10**6, budget_bytes=BUDGET, root=tmp_path)
    assert entries(tmp_path) == [folder.name]
    assert (folder / "options.json").read_bytes() == model_bytes[0]
    assert (folder / "weights.hdf5").read_bytes() == model_bytes[1]
    os.utime(folder, (1, 1))
    again = keep_upload(*model_bytes, max_parameters=10**6, budget_bytes=BUDGET, root=tmp_path)
    assert again == folder and entries(tmp_path) == [folder.name]
    assert folder.stat().st_mtime > 1  # used again: now the newest


@pytest.mark.parametrize("spoil, error", [
    (lambda o, w: (o, b"this is not an hdf5 file"), WeightsError),
    (lambda o, w: (b"{not json", w), ConfigError),
    (lambda o, w: (o, w[: len(w) // 2]), WeightsError),
])
def test_a_refused_upload_leaves_nothing_behind(tmp_path, model_bytes, spoil, error):
    with pytest.raises(error):
        keep_upload(*spoil(*model_bytes), max_parameters=10**6, budget_bytes=BUDGET, root=tmp_path)
    assert entries(tmp_path) == []


def test_nan_weights_are_refused_and_removed(tmp_path, reference_dir):
    source = tmp_path / "source.hdf5"
    source.write_bytes((reference_dir / "lm_weights.hdf5").read_bytes())
    with h5py.File(source, "a") as f:
        f["char_embed"][...] = np.full(f["char_embed"].shape, np.nan, np.float32)
    root = tmp_path / "uploads"
    with pytest.raises(WeightsError, match="NaN"):
        keep_upload((reference_dir / "options.json").read_bytes(), source.read_bytes(),
                    max_parameters=10**6, budget_bytes=BUDGET, root=root)
    assert entries(root) == []


def test_models_over_the_parameter_limit_are_refused(tmp_path, model_bytes):
    with pytest.raises(ConfigError, match="parameters"):
        keep_upload(*model_bytes, max_parameters=1000, budget_bytes=BUDGET, root=tmp_path)
    assert entries(tmp_path) == []


def test_uploads_larger_than_the_budget_or_huge_options_are_refused_unwritten(tmp_path, model_bytes):
    with pytest.raises(UploadError, match="larger than the space"):
        keep_upload(*model_bytes, max_parameters=10**6, budget_bytes=1000, root=tmp_path)
    with pytest.raises(UploadError, match="options.json has"):
        keep_upload(b" " * (MAX_OPTIONS_BYTES + 1), model_bytes[1], max_parameters=10**6,
                    budget_bytes=BUDGET, root=tmp_path)
    assert entries(tmp_path) == []


def fake_upload(root: Path, name: str, size: int, mtime: float) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "weights.hdf5").write_bytes(b"\0" * size)
    os.utime(folder, (mtime, mtime))
    return folder


def test_prune_removes_the_oldest_first_until_the_rest_fit(tmp_path):
    for i, name in enumerate(["b", "a", "c", "d"]):  # modification order b, a, c, d
        fake_upload(tmp_path, name, 1000, 1_000_000 + i)
    removed = prune(tmp_path, budget_bytes=2500)
    assert [p.name for p in removed] == ["b", "a"]
    assert entries(tmp_path) == ["c", "d"]
    assert prune(tmp_path, budget_bytes=2000) == []


def test_prune_keeps_the_upload_in_use_and_removes_stale_temporary_folders(tmp_path):
    fake_upload(tmp_path, "old", 1000, 1_000_000)
    fake_upload(tmp_path, "new", 1000, 2_000_000)
    fake_upload(tmp_path, ".checking-crashed", 10, 1_000)
    fake_upload(tmp_path, ".checking-running", 10, 4_000_000_000)  # a check in progress now
    prune(tmp_path, budget_bytes=500, keep=tmp_path / "old")
    assert entries(tmp_path) == [".checking-running", "old"]


def test_keeping_an_upload_prunes_older_ones_to_the_budget(tmp_path, model_bytes):
    size = sum(map(len, model_bytes))
    fake_upload(tmp_path, "older", size, 1_000_000)
    folder = keep_upload(*model_bytes, max_parameters=10**6, budget_bytes=size + 100, root=tmp_path)
    assert entries(tmp_path) == [folder.name]


def test_discard_removes_only_folders_of_the_upload_cache(tmp_path):
    inside = fake_upload(tmp_path / "uploads", "x", 10, 1_000_000)
    outside = fake_upload(tmp_path, "elsewhere", 10, 1_000_000)
    discard_upload(outside, root=tmp_path / "uploads")
    discard_upload(inside, root=tmp_path / "uploads")
    assert outside.is_dir() and not inside.exists()


def test_server_settings_from_the_environment():
    assert server_settings({}) == ServerSettings(allow_local_folder=True, upload_cache_bytes=1024 * 2**20,
                                                 upload_max_parameters=100_000_000)
    settings = server_settings({"ELMO_EXPLORER_ALLOW_LOCAL_FOLDER": "0", "ELMO_EXPLORER_UPLOAD_CACHE_MB": "5",
                                "ELMO_EXPLORER_UPLOAD_MAX_PARAMETERS": "2_000_000"})
    assert settings == ServerSettings(allow_local_folder=False, upload_cache_bytes=5 * 2**20,
                                      upload_max_parameters=2_000_000)
    odd = server_settings({"ELMO_EXPLORER_ALLOW_LOCAL_FOLDER": "maybe", "ELMO_EXPLORER_UPLOAD_CACHE_MB": "-3"})
    assert odd == ServerSettings()
    assert not server_settings({"ELMO_EXPLORER_ALLOW_LOCAL_FOLDER": "false"}).allow_local_folder


def test_the_options_of_an_upload_are_parsed_from_the_uploaded_bytes(tmp_path, model_bytes):
    options = json.loads(model_bytes[0])
    options["lstm"]["cell_clip"] = float("nan")
    with pytest.raises(ConfigError, match="cell_clip"):
        keep_upload(json.dumps(options).encode(), model_bytes[1], max_parameters=10**6, budget_bytes=BUDGET,
                    root=tmp_path)
    assert entries(tmp_path) == []
