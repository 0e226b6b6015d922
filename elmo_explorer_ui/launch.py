"""
How the app is started: ``python -m streamlit run <this package>/app.py`` with the settings of
``.streamlit/config.toml`` (next to ``app.py``, shipped in the wheel) passed as flags, then the
caller's own Streamlit flags. Streamlit reads a config file only from the working directory, the
home folder and (recent versions) the script's folder, so the command passes the safe settings
itself: localhost, no usage statistics, no file watcher, viewer toolbar, no error details.

A flag given by the caller replaces ours for that setting (``--server.address 0.0.0.0`` or
``--server.address=0.0.0.0``); no setting is passed twice. No Streamlit import here: ``elmo_core.cli``
and the test helpers build the command without loading Streamlit.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Sequence

__all__ = ["APP", "PAGES", "SETTINGS_FILE", "app_command", "option_names", "settings", "settings_flags"]

PACKAGE = Path(__file__).resolve().parent
APP = PACKAGE / "app.py"
PAGES = PACKAGE / "pages"
SETTINGS_FILE = PACKAGE / ".streamlit" / "config.toml"


def _load_toml(text: str) -> dict[str, Any]:
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # Python 3.10: the parser Streamlit itself used there
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            import toml

            return toml.loads(text)
    return tomllib.loads(text)


def settings(path: Path = SETTINGS_FILE) -> dict[str, Any]:
    """The settings file as ``{"server.address": "localhost", ...}`` (Streamlit's option names)."""
    flat: dict[str, Any] = {}
    for section, values in _load_toml(path.read_text(encoding="utf-8")).items():
        if not isinstance(values, dict):
            raise ValueError(f"{path.name}: {section} is not a [section]")
        for key, value in values.items():
            flat[f"{section}.{key}"] = value
    return flat


def _flag_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError(f"a setting that is not a string, number or boolean: {value!r}")


def option_names(args: Sequence[str]) -> set[str]:
    """The Streamlit options that ``args`` sets: ``--server.port 8502`` and ``--server.port=8502``
    both name ``server.port``. Arguments after ``--`` are the script's, not Streamlit's."""
    names = set()
    for arg in args:
        if arg == "--":
            break
        if arg.startswith("--") and len(arg) > 2:
            names.add(arg[2:].split("=", 1)[0])
    return names


def settings_flags(user_args: Sequence[str] = (), path: Path = SETTINGS_FILE) -> list[str]:
    """``--section.key value`` for each setting that ``user_args`` does not set itself."""
    given = option_names(user_args)
    flags: list[str] = []
    for name, value in settings(path).items():
        if name not in given:
            flags += [f"--{name}", _flag_value(value)]
    return flags


def app_command(user_args: Sequence[str] = (), python: str | None = None) -> list[str]:
    """The command line that serves the app: our settings, then ``user_args`` (which win)."""
    user_args = list(user_args)
    return [python or sys.executable, "-m", "streamlit", "run", str(APP), *settings_flags(user_args), *user_args]
