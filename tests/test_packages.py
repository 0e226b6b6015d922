"""The cache root (``~`` expanded, one root for models, packages and vectors) and the package
fetcher: cached files, failures that say what to run by hand."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from elmo_core import packages
from elmo_core.cache import cache_dir
from elmo_core.datasets import glove
from elmo_core.packages import SourceUnavailable


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    assert (tmp_path / "c").is_dir()
    monkeypatch.delenv("ELMO_EXPLORER_CACHE")
    assert cache_dir() == Path.home() / ".cache" / "elmo-explorer"


def test_a_tilde_in_the_cache_variable_means_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", "~/x")
    monkeypatch.chdir(tmp_path)  # a folder literally named "~" would appear here
    assert cache_dir() == tmp_path / "x" and (tmp_path / "x").is_dir()
    assert packages.packages_dir() == tmp_path / "x" / "sources"
    assert glove.cached_glove() is None  # looked under tmp/x/vectors, found nothing, fetched nothing
    assert not (tmp_path / "~").exists()


def test_pip_sdist_uses_the_cache_and_reports_failures(monkeypatch, tmp_path):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    cached = tmp_path / "sources" / "Some_Pkg-1.0.tar.gz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"x")

    def fail(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(packages.subprocess, "run", fail)
    assert packages.pip_sdist("some-pkg", "1.0") == cached  # no command run
    with pytest.raises(SourceUnavailable) as err:
        packages.pip_sdist("some-pkg", "2.0")
    msg = str(err.value)
    assert "No matching distribution" in msg and "Run by hand" in msg
    assert "pip download --no-deps --no-binary :all: some-pkg==2.0" in msg


def test_apt_package_extracts_once_and_reports_failures(monkeypatch, tmp_path):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path))
    calls = []

    def fake_run(cmd, cwd=None, **kwargs):
        calls.append(cmd[:2])
        if cmd[:2] == ["apt-get", "download"]:
            (Path(cwd) / f"{cmd[2]}_1.0_all.deb").write_bytes(b"deb")
        elif cmd[:2] == ["dpkg", "-x"]:
            target = Path(cmd[3]) / "usr/share/elmo-explorer-test"
            target.mkdir(parents=True)
            (target / "hello.txt").write_text("hi")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(packages.subprocess, "run", fake_run)
    root = packages.apt_package("fake-pkg")
    assert root == tmp_path / "sources" / "apt" / "fake-pkg"
    assert (root / "usr/share/elmo-explorer-test/hello.txt").read_text() == "hi"
    assert packages.apt_package("fake-pkg") == root
    assert calls == [["apt-get", "download"], ["dpkg", "-x"]]  # second call ran nothing
    # Not installed on this system: apt_path finds the file in the extracted copy.
    assert packages.apt_path("fake-pkg", "usr/share/elmo-explorer-test/hello.txt") == root / "usr/share/elmo-explorer-test/hello.txt"
    with pytest.raises(SourceUnavailable, match="has no usr/share/elmo-explorer-test/nope.txt"):
        packages.apt_path("fake-pkg", "usr/share/elmo-explorer-test/nope.txt")

    def missing(cmd, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", cmd[0])

    monkeypatch.setattr(packages.subprocess, "run", missing)
    with pytest.raises(SourceUnavailable, match="apt-get download other-pkg"):
        packages.apt_package("other-pkg")
    with pytest.raises(ValueError):
        packages.apt_package("../etc")
