"""
The installable wheel: built from a copy of the checkout, it holds the app (app.py,
every page, the Streamlit settings), the bundled mini (weights, options, vocabulary, card) with its
sentiment heads, the data files and the ``elmo-explorer`` entry point, and no build junk. Installed
(``pip install --target``, no dependencies: they are this virtual environment's) and run from an
empty folder outside the checkout, ``elmo-explorer app --server.port P --server.address 127.0.0.1``
serves the installed copy, and every page runs from it.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("elmo_core", "elmo_explorer_ui")

pytestmark = pytest.mark.slow


def _pip(*args: str, timeout: float = 300) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", *args, "--no-index", "--disable-pip-version-check",
                             "--no-input", "-q"], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of what setuptools reads (with the working tree's __pycache__
    folders, as in a checkout), so the build leaves nothing in the checkout."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, source / package)
    out = tmp_path_factory.mktemp("dist")
    _pip("wheel", str(source), "--no-deps", "--no-build-isolation", "-w", str(out))
    [built] = out.glob("elmo_explorer-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed into a folder of its own (its ``bin/elmo-explorer`` included)."""
    target = tmp_path_factory.mktemp("site")
    _pip("install", "--no-deps", "--target", str(target), str(wheel))
    return target


def _shipped_files() -> set[str]:
    """What the wheel must hold: every module of both packages, every file of the bundled models
    (heads included) and of elmo_core/data, the pages and the app's Streamlit settings."""
    def files(folder: Path, pattern: str) -> set[str]:
        return {p.relative_to(REPO).as_posix() for p in folder.glob(pattern)
                if p.is_file() and "__pycache__" not in p.parts}

    expected = set()
    for package in PACKAGES:
        expected |= files(REPO / package, "**/*.py")
    expected |= files(REPO / "elmo_core" / "models", "**/*") | files(REPO / "elmo_core" / "data", "*")
    expected.add("elmo_explorer_ui/.streamlit/config.toml")
    expected.add("elmo_explorer_ui/static/favicon.png")  # the page icon, served by the app itself
    return expected


def test_the_wheel_holds_the_app_pages_models_heads_and_data(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_points = archive.read(info).decode()
    shipped = {n for n in names if ".dist-info/" not in n}
    must = {"elmo_explorer_ui/app.py", "elmo_explorer_ui/launch.py", "elmo_explorer_ui/runtime.py",
            "elmo_explorer_ui/.streamlit/config.toml", "elmo_core/cli.py",
            "elmo_core/models/mini/weights.hdf5", "elmo_core/models/mini/options.json",
            "elmo_core/models/mini/vocab.txt", "elmo_core/models/mini/MODEL_CARD.md",
            "elmo_core/models/mini/training_summary.json", "elmo_core/models/mini/heads/REPORT.md",
            "elmo_core/models/mini/heads/feature/head.pt", "elmo_core/models/mini/heads/feature/result.json",
            "elmo_core/data/negation_sentiment.tsv", "elmo_core/data/polysemy.jsonl"}
    pages = {f"elmo_explorer_ui/pages/{p.name}" for p in (REPO / "elmo_explorer_ui" / "pages").glob("*.py")}
    assert len(pages) >= 6
    assert must | pages <= shipped, sorted((must | pages) - shipped)
    expected = _shipped_files()
    assert shipped == expected, {"missing": sorted(expected - shipped), "unexpected": sorted(shipped - expected)}
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo", ".tmp"))]
    assert {n.split("/")[0] for n in shipped} == set(PACKAGES)  # no tests, benchmarks, reports or configs
    assert "elmo-explorer = elmo_core.cli:main" in entry_points
    print(f"{wheel.name}: {wheel.stat().st_size / 2**20:.1f} MiB, {len(names)} files")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(installed: Path) -> dict[str, str]:
    """The installed copy first on the path (the checkout's editable install comes after it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_") and k != "PYTHONPATH"}
    return {**env, "PYTHONPATH": str(installed), "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (Streamlit stops), SIGKILL after 20 s."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 20)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            pass
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def test_the_installed_app_serves_on_the_port_and_address_given(installed, tmp_path):
    """`elmo-explorer app --server.port P --server.address 127.0.0.1` from an empty folder: the
    installed copy answers on that port and its home page runs without an error."""
    port = _free_port()
    empty = tmp_path / "empty"
    empty.mkdir()
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(installed / "bin" / "elmo-explorer"), "app", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--server.scriptHealthCheckEnabled", "true"],
            cwd=empty, env=_env(installed), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = _get(f"http://127.0.0.1:{port}/_stcore/health")
                break
            except OSError:
                time.sleep(0.3)
        assert status == (200, b"ok"), f"no health answer on port {port}:\n{log.read_text()}"
        command = Path(f"/proc/{server.pid}/cmdline").read_bytes().decode().split("\0")
        assert str(installed / "elmo_explorer_ui" / "app.py") in command  # the installed copy, not the checkout
        assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
        assert command[command.index("--server.fileWatcherType") + 1] == "none"
        assert command.count("--server.address") == 1 and command.count("--server.port") == 1
        assert _get(f"http://127.0.0.1:{port}/_stcore/script-health-check") == (200, b"ok")  # app.py ran
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200 and b"<html" in page.lower()
        serving = log.read_text()  # what it logged while serving (a stop mid-warm-up may log more)
    finally:
        _stop(server)
    assert f"127.0.0.1:{port}" in serving
    assert "Traceback" not in serving and "Error" not in serving, serving
    assert not any(empty.iterdir())  # nothing written into the working folder


PAGES_CHECK = r"""
import sys
from pathlib import Path

import elmo_core
import elmo_explorer_ui
from streamlit.testing.v1 import AppTest

target = Path(sys.argv[1]).resolve()
for module in (elmo_core, elmo_explorer_ui):
    assert Path(module.__file__).resolve().is_relative_to(target), f"{module.__name__} from {module.__file__}"
app = Path(elmo_explorer_ui.__file__).parent / "app.py"
at = AppTest.from_file(str(app), default_timeout=120)
at.run()
assert not at.exception, [e.value for e in at.exception]
print("TITLE", at.title[0].value)
for page in sorted((app.parent / "pages").glob("*.py")):
    at.switch_page(f"pages/{page.name}").run()
    assert not at.exception, (page.name, [e.value for e in at.exception])
    assert not at.error, (page.name, [e.value for e in at.error])
    print("TITLE", at.title[0].value)
    if page.name.endswith("Sentiment.py"):  # the shipped feature head of the bundled mini, loaded
        classifiers = next(r for r in at.radio if r.label == "Classifier").options
        assert any(not c.startswith("Trained") for c in classifiers), classifiers
        assert at.metric and at.metric[0].label == "Label"
"""


def test_every_page_runs_from_the_installed_wheel(installed, tmp_path):
    """Every page, run headless (AppTest) from the installed copy in an empty folder: the bundled
    mini and its sentiment heads load from the installed package."""
    pages = sorted(p.stem for p in (installed / "elmo_explorer_ui" / "pages").glob("*.py"))
    result = subprocess.run([sys.executable, "-c", PAGES_CHECK, str(installed)], cwd=tmp_path,
                            env=_env(installed), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-5000:]
    titles = [line[6:] for line in result.stdout.splitlines() if line.startswith("TITLE ")]
    assert len(titles) == len(pages) + 1 and titles[0] == "Sentence lab", titles
    assert "Sentiment" in titles
