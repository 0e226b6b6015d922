"""Named models and downloads, tested against a real HTTP server on 127.0.0.1 (never the internet)."""
from __future__ import annotations

import functools
import http.server
import threading

import numpy as np
import pytest

import elmo_core
from elmo_core import registry
from elmo_core.registry import ModelUnavailable, OFFICIAL_MODELS


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture()
def server(tmp_path, reference_dir):
    """Serves a copy of the official S3 layout for the 'small' model from the reference weights."""
    root = tmp_path / "s3"
    release = OFFICIAL_MODELS["small"].release
    (root / release).mkdir(parents=True)
    (root / release / f"elmo_{release}_options.json").write_bytes((reference_dir / "options.json").read_bytes())
    (root / release / f"elmo_{release}_weights.hdf5").write_bytes((reference_dir / "lm_weights.hdf5").read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root / release
    httpd.shutdown()


def test_official_urls():
    assert OFFICIAL_MODELS["original"].url("weights.hdf5") == (
        "https://allennlp.s3.amazonaws.com/models/elmo/2x4096_512_2048cnn_2xhighway/"
        "elmo_2x4096_512_2048cnn_2xhighway_weights.hdf5")
    assert set(elmo_core.model_names()) == {"mini", "small", "medium", "original", "original-5.5b"}


def test_download_from_local_server_then_load(cache, server, reference_dir):
    base, _ = server
    directory = registry.fetch_official("small", base=base, progress=False)
    assert directory == cache / "models" / "small"
    assert (directory / "weights.hdf5").read_bytes() == (reference_dir / "lm_weights.hdf5").read_bytes()
    assert not list(directory.glob("*.part"))
    bilm = elmo_core.load("small", state="zero")  # now served from the cache, no network needed
    assert bilm.embed([["hello", "."]])[0].shape == (3, 2, 32)



def test_a_tilde_cache_puts_models_under_the_home_directory(server, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", "~/x")
    monkeypatch.chdir(tmp_path)  # a folder literally named "~" would appear here
    directory = registry.fetch_official("small", base=server[0], progress=False)
    assert directory == tmp_path / "home" / "x" / "models" / "small"
    assert (directory / "weights.hdf5").is_file() and not (tmp_path / "~").exists()

def test_offline_error_says_what_to_download_and_where(cache):
    with pytest.raises(ModelUnavailable) as info:
        registry.fetch_official("medium", base="http://127.0.0.1:9", progress=False)
    message = str(info.value)
    assert "elmo_2x2048_256_2048cnn_1xhighway_weights.hdf5" in message
    assert str(cache / "models" / "medium" / "weights.hdf5") in message
    assert not (cache / "models" / "medium" / "weights.hdf5").exists()


def test_corrupt_download_is_rejected_and_moved_aside(cache, server):
    base, folder = server
    release = OFFICIAL_MODELS["small"].release
    (folder / f"elmo_{release}_weights.hdf5").write_bytes(b"<html>AccessDenied</html>")
    with pytest.raises(ModelUnavailable, match="not a valid HDF5"):
        registry.fetch_official("small", base=base, progress=False)
    assert not (cache / "models" / "small" / "weights.hdf5").exists()


def test_missing_file_on_server(cache, server):
    base, folder = server
    for f in folder.iterdir():
        f.unlink()
    with pytest.raises(ModelUnavailable, match="404|Not Found"):
        registry.fetch_official("small", base=base, progress=False)


def test_unknown_name(cache):
    with pytest.raises(ValueError, match="unknown model 'gigantic'"):
        elmo_core.load("gigantic")


def test_bundled_mini_loads_without_network(mini):
    assert mini.name == "mini" and mini.output_dim >= 256 and mini.num_layers == 3
    vectors = mini.embed(elmo_core.tokenize("I saw a saw."))
    assert vectors[0].shape == (3, 5, mini.output_dim)
    assert np.isfinite(vectors[0]).all()
