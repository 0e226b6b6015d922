"""
The app as a child process on a free 127.0.0.1 port: what the browser tests, the soak benchmark
and the latency benchmark drive with a real browser.

>>> with LocalApp(Path("server.log")) as app:   # doctest: +SKIP
...     urllib.request.urlopen(app.url)
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from .launch import app_command

__all__ = ["AppStartError", "LocalApp", "free_port"]


class AppStartError(RuntimeError):
    """The app exited or did not answer its health check in time (the message ends with its log)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalApp:
    """The command of ``elmo-explorer app`` (the app's settings: no file watcher, no usage
    statistics), headless on a free loopback port, its output in ``log``, ``env`` added to the
    environment, ``cwd`` its working directory (default: this one). Start with :meth:`start` or
    ``with``; ``url`` is then the app's address, ``started`` the ``time.monotonic()`` of the start."""

    def __init__(self, log: Path, env: dict[str, str] | None = None, start_timeout_s: float = 180,
                 cwd: Path | None = None) -> None:
        self.log, self.env, self.start_timeout_s, self.cwd = Path(log), env or {}, start_timeout_s, cwd
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> "LocalApp":
        self.started = time.monotonic()
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                app_command(["--server.headless", "true", "--server.port", str(self.port),
                             "--server.address", "127.0.0.1"]),
                cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env})
        deadline = self.started + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AppStartError(f"streamlit exited with {self.process.returncode}:\n{self._log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise AppStartError(f"streamlit did not answer {self.url} within {self.start_timeout_s:.0f} s:\n"
                            f"{self._log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def __enter__(self) -> "LocalApp":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
