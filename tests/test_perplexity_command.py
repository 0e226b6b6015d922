"""``elmo-explorer perplexity MODEL TEXT``: per-direction perplexity of a real text file with the
model's own vocabulary, and a clear message (exit code 2, no traceback) for a model without a
softmax and for text files that are not usable text."""
from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from elmo_core.cli import main
from elmo_core.datasets.vader import VADER_DOMAINS, VADER_SDIST, read_vader_rows
from elmo_core.packages import pip_sdist
from elmo_core.text_file import TextFileError, read_text_file
from elmo_core.training.heldout import NoSoftmaxError, perplexity_of_text

REPO = Path(__file__).resolve().parents[1]
OFFICIAL_FIXTURE = REPO.parent / "shared" / "fixtures" / "elmo-allennlp"  # options, lm_weights.hdf5, no softmax


def amazon_lines(count: int = 400) -> list[str]:
    """The first ``count`` product-review sentences of the VADER paper (a domain mini has not seen)."""
    rows = read_vader_rows(pip_sdist(*VADER_SDIST), VADER_DOMAINS["vader-amazon"])
    return [text for text, _ in rows[:count]]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reviews(tmp_path_factory) -> Path:
    return write_lines(tmp_path_factory.mktemp("text") / "reviews.txt", amazon_lines(200))


def test_json_gives_both_directions_and_the_tokens_scored(reviews, capsys):
    assert main(["perplexity", "mini", str(reviews), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"forward", "backward", "tokens", "oov_rate"}
    words = sum(len(line.split()) for line in reviews.read_text().splitlines())
    assert 0.5 * words < result["tokens"] <= 2 * words
    for direction in ("forward", "backward"):
        assert 20 < result[direction] < 2000 and math.isfinite(result[direction])
    assert 0 < result["oov_rate"] < 0.2
    assert main(["perplexity", "mini", str(reviews)]) == 0
    assert f"forward {result['forward']:.1f}, backward {result['backward']:.1f}" in capsys.readouterr().out


def test_real_text_scores_better_than_its_words_shuffled(reviews, tmp_path):
    lines = reviews.read_text().splitlines()
    words = [word for line in lines for word in line.split()]
    random.Random(0).shuffle(words)
    shuffled, start = [], 0
    for line in lines:  # the same line lengths, the words drawn from anywhere
        shuffled.append(" ".join(words[start:start + len(line.split())]))
        start += len(line.split())
    real = perplexity_of_text("mini", reviews)
    mixed = perplexity_of_text("mini", write_lines(tmp_path / "shuffled.txt", shuffled))
    assert mixed["forward"] > 2 * real["forward"] and mixed["backward"] > 2 * real["backward"]


def test_a_single_short_sentence_is_scored(tmp_path):
    result = perplexity_of_text("mini", write_lines(tmp_path / "one.txt", ["The battery died."]))
    assert result["tokens"] == 5  # <S> The battery died . </S>: five predictions in one window
    assert result["forward"] > 1 and result["backward"] > 1


@pytest.mark.parametrize("model", ["official-fixture", "small"])
def test_a_model_without_softmax_is_a_clear_error(model, reviews, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "cache"))  # "small" is refused, never downloaded
    name = str(OFFICIAL_FIXTURE) if model == "official-fixture" else model
    with pytest.raises(NoSoftmaxError, match="no trained softmax"):
        perplexity_of_text(name, reviews)
    assert main(["perplexity", name, str(reviews)]) == 2
    err = capsys.readouterr().err
    assert "no trained softmax" in err and "official ELMo" in err and "Traceback" not in err
    assert not (tmp_path / "cache" / "models").exists()


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Bad text files and the words their message must hold."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "missing": (folder / "nowhere.txt", "not found"),
        "empty": (folder / "empty.txt", "is empty"),
        "blank": (folder / "blank.txt", "only blank lines"),
        "binary": (folder / "binary.bin", "binary"),
        "invalid-utf8": (folder / "latin1.txt", "not valid UTF-8 at line 3"),
        "long-line": (folder / "long.txt", "line 2 of long.txt is 10,000,000 bytes long"),
        "folder": (folder / "a-folder", "is not a file"),
    }
    files["empty"][0].write_bytes(b"")
    files["blank"][0].write_bytes(b"\n  \n\t\n")
    files["binary"][0].write_bytes(b"PK\x03\x04\x00\x00binary\x00data\n")
    files["invalid-utf8"][0].write_bytes("good line\nanother\ncaf\xe9 cr\xe8me\n".encode("latin-1"))
    files["long-line"][0].write_bytes(b"short\n" + b"word " * 2_000_000 + b"\n")
    files["folder"][0].mkdir(exist_ok=True)
    return files


@pytest.mark.parametrize("kind", ["missing", "empty", "blank", "binary", "invalid-utf8", "long-line", "folder"])
def test_bad_text_files_get_a_clear_message(kind, tmp_path, capsys):
    path, words = bad_files(tmp_path)[kind]
    with pytest.raises(TextFileError, match=words):
        read_text_file(path)
    assert main(["perplexity", "mini", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.startswith("error: ") and "Traceback" not in err


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(reviews):
    with pytest.raises(TextFileError, match="at most 0 MiB of text is read"):
        read_text_file(reviews, max_bytes=1000)
