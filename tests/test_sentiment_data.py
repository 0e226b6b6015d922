"""Sentiment data through the catalogue: the offline rt task (real VADER data), user CSVs, SST
from local files."""
from __future__ import annotations

import collections
import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from elmo_core.datasets import vader
from elmo_core.datasets.catalogue import (
    CATALOGUE,
    SENTIMENT_SOURCES,
    label_names,
    load_sentiment,
    load_sentiment_dataset,
)
from elmo_core.datasets.normalize import normalize_text
from elmo_core.datasets.splits import SPLITS, stable_split
from elmo_core.datasets.types import LabeledText
from elmo_core.datasets.vader import sentiment_texts_for_exclusion
from elmo_core.packages import SourceUnavailable

ROCK = (
    "The Rock is destined to be the 21st Century's new ''Conan'' and that he's going to make a "
    "splash even greater than Arnold Schwarzenegger, Jean Claud Van Damme or Steven Segal."
)
TEPID = "Effective but too tepid biopic"  # mean score -0.6 -> negative
MELODRAMATIC = "Occasionally melodramatic, it's also extremely effective."
NEUTRAL = "Light, cute and forgettable."  # mean score 0.47 -> dropped from rt


@pytest.fixture(scope="module")
def rt() -> list[LabeledText]:
    return load_sentiment()


# --------------------------------------------------------------------------------------------
# rt: real data from the vaderSentiment sdist


def test_rt_size_labels_and_balance(rt):
    assert len(rt) == 10_070
    assert all(isinstance(ex, LabeledText) for ex in rt)
    labels = collections.Counter(ex.label for ex in rt)
    assert set(labels) == {0, 1}
    assert labels == {1: 4_995, 0: 5_075}
    assert 0.45 < labels[1] / len(rt) < 0.55
    assert all(ex.text and ex.text == ex.text.strip() for ex in rt)


def test_rt_split_proportions_and_per_split_balance(rt):
    by_split = collections.Counter(ex.split for ex in rt)
    assert set(by_split) == {"train", "dev", "test"}
    assert by_split == {"train": 7_988, "dev": 1_015, "test": 1_067}
    assert 0.77 < by_split["train"] / len(rt) < 0.83
    for split in ("dev", "test"):
        pos = sum(ex.label for ex in rt if ex.split == split)
        assert 0.4 < pos / by_split[split] < 0.6


def test_rt_no_duplicates_and_disjoint_splits(rt):
    keys = [normalize_text(ex.text) for ex in rt]
    assert len(keys) == len(set(keys))
    per_split = {s: {normalize_text(ex.text) for ex in rt if ex.split == s} for s in SPLITS}
    assert not per_split["train"] & per_split["dev"]
    assert not per_split["train"] & per_split["test"]
    assert not per_split["dev"] & per_split["test"]


def test_rt_known_examples_keep_label_and_split(rt):
    by_text = {ex.text: ex for ex in rt}
    assert by_text[ROCK] == LabeledText(ROCK, 1, "test")
    assert by_text[TEPID] == LabeledText(TEPID, 0, "train")
    assert by_text[MELODRAMATIC] == LabeledText(MELODRAMATIC, 1, "dev")
    assert NEUTRAL not in by_text


def test_rt_is_the_same_twice_and_in_a_fresh_interpreter(rt):
    assert load_sentiment("rt") == rt
    # A different PYTHONHASHSEED must not move anything: the split hash is not Python's hash().
    code = (
        "import hashlib; from elmo_core.datasets.catalogue import load_sentiment; "
        "ex = load_sentiment(); "
        "print(hashlib.sha256(repr([(e.text, e.label, e.split) for e in ex]).encode()).hexdigest())"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=Path(__file__).resolve().parents[1], check=True)
    import hashlib

    mine = hashlib.sha256(repr([(e.text, e.label, e.split) for e in rt]).encode()).hexdigest()
    assert out.stdout.strip() == mine


def test_stable_split_is_pinned():
    # Values fixed when the split was introduced; a change here reshuffles every dataset.
    assert stable_split("hello world") == "train"
    assert stable_split("the movie was great") == "dev"
    assert [stable_split(c) for c in "abcdefghij"] == [
        "train", "train", "train", "train", "train", "dev", "train", "dev", "train", "train"
    ]
    assert stable_split("anything", dev=0, test=0) == "train"
    assert stable_split("anything", dev=0, test=100) == "test"


def test_rt_label_names():
    assert label_names("rt") == ("negative", "positive")
    ds = load_sentiment_dataset("rt")
    assert ds.label_names == ("negative", "positive")
    assert ds.counts()["dev"] == {1: 508, 0: 507}


def test_rt_thresholds_and_dedupe_on_a_local_tsv(tmp_path):
    tsv = tmp_path / "movieReviewSnippets_GroundTruth.txt"
    tsv.write_text(
        "1\t0.5\tExactly half positive.\r\n"
        "2\t-0.5\tExactly half negative.\r\n"
        "3\t0.4999\tAlmost positive.\r\n"
        "4\t-0.49\tAlmost negative.\r\n"
        "5\t3.2\tGreat  film.\r\n"
        "6\t3.0\tgreat film.\r\n",
        encoding="utf-8",
    )
    ex = load_sentiment("rt", path=tsv)
    assert [(e.text, e.label) for e in ex] == [
        ("Exactly half positive.", 1),
        ("Exactly half negative.", 0),
        ("Great  film.", 1),
    ]
    assert ex[2].split == stable_split("great film.")


def test_exclusion_set_covers_every_movie_snippet(rt):
    excluded = sentiment_texts_for_exclusion()
    assert len(excluded) == 10_603
    assert {normalize_text(ex.text) for ex in rt} <= excluded
    assert normalize_text(NEUTRAL) in excluded  # dropped from rt, still excluded
    assert normalize_text(ROCK) in excluded
    assert all(t == normalize_text(t) for t in excluded)
    assert normalize_text("  Effective  BUT too\ttepid biopic ") in excluded


def test_exclusion_set_is_empty_with_a_warning_when_unavailable(monkeypatch, caplog):
    def unavailable(source=None):
        raise SourceUnavailable("no network")

    monkeypatch.setattr(vader, "movie_rows", unavailable)
    with caplog.at_level("WARNING", logger="elmo_core.datasets.vader"):
        assert sentiment_texts_for_exclusion() == set()
    assert "no network" in caplog.text


def test_unknown_source_is_a_value_error():
    with pytest.raises(ValueError, match="unknown sentiment source"):
        load_sentiment("reddit")


def test_the_catalogue_names_every_source_once_with_its_labels():
    assert SENTIMENT_SOURCES == (
        "rt", "sst2", "sst5", "csv", "vader-tweets", "vader-amazon", "vader-nyt", "vader-negated-lexicon",
        "imdb", "imdb-sentences", "negation", "rt-contrast", "negation-frames")
    # Fixed label names are read off the catalogue: no download, no network (sst5 needs the hub).
    assert label_names("SST5 ") == ("very negative", "negative", "neutral", "positive", "very positive")
    assert CATALOGUE["csv"].label_names is None  # from the file
    binary = [name for name in SENTIMENT_SOURCES if name not in ("sst5", "csv")]
    assert all(label_names(name) == ("negative", "positive") for name in binary)
    assert load_sentiment_dataset("negation").label_names == label_names("negation")
    with pytest.raises(ValueError, match="unknown sentiment source"):
        label_names("reddit")


def test_a_path_for_a_source_that_takes_none_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="'negation' takes no path=; only rt, sst2, sst5, csv do"):
        load_sentiment_dataset("negation", path=tmp_path)


# --------------------------------------------------------------------------------------------
# csv: a user's file


def test_csv_labels_sorted_and_hashed_split(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text(
        "text,label\n"
        "I loved it,pos\n"
        "\"Terrible, just terrible\",neg\n"
        "It was fine,neutral\n"
        "Best day ever,pos\n",
        encoding="utf-8",
    )
    ds = load_sentiment_dataset("csv", path=f)
    assert ds.label_names == ("neg", "neutral", "pos")
    assert label_names("csv", f) == ("neg", "neutral", "pos")
    ex = load_sentiment("csv", path=f)
    assert [(e.text, e.label) for e in ex] == [
        ("I loved it", 2), ("Terrible, just terrible", 0), ("It was fine", 1), ("Best day ever", 2)
    ]
    assert [e.split for e in ex] == [stable_split(normalize_text(e.text)) for e in ex]


def test_csv_numeric_labels_sort_numerically_and_split_column(tmp_path):
    f = tmp_path / "scores.csv"
    f.write_text(
        "\ufeffText,Label,Split\n"  # BOM and capitalised headers are accepted
        "a,10,train\n"
        "b,2,Validation\n"
        "c,-1,test\n"
        "d,2,\n",
        encoding="utf-8",
    )
    ds = load_sentiment_dataset("csv", path=f)
    assert ds.label_names == ("-1", "2", "10")
    assert [(e.text, e.label, e.split) for e in ds.examples] == [
        ("a", 2, "train"), ("b", 1, "dev"), ("c", 0, "test"), ("d", 1, stable_split("d"))
    ]


def test_csv_from_bytes_and_upload_object(tmp_path):
    data = b"text,label\ngood,1\nbad,0\n"
    assert [e.label for e in load_sentiment("csv", path=data)] == [1, 0]
    upload = io.BytesIO(data)
    upload.name = "upload.csv"
    assert len(load_sentiment("csv", path=upload)) == 2
    assert label_names("csv", upload) == ("0", "1")  # the same upload can be read again


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"sentence,label\nhi,1\n", "missing the column"),
        (b"text,score\nhi,1\n", "missing the column"),
        (b"text,label\n", "no rows"),
        (b"text,label\ncaf\xe9,1\nnice,0\n", "not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (b"text,label\nonly one,pos\nanother,pos\n", "at least two"),
        (b"text,label,split\na,1,train\nb,0,holdout\n", "unknown split"),
        (b'text,label\n"unterminated,1\n', "could not be parsed"),
    ],
)
def test_csv_bad_files_raise_value_error(tmp_path, content, message):
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_sentiment("csv", path=f)


def test_csv_needs_a_path_and_an_existing_file(tmp_path):
    with pytest.raises(ValueError, match="path="):
        load_sentiment("csv")
    with pytest.raises(FileNotFoundError):
        load_sentiment("csv", path=tmp_path / "nope.csv")


# --------------------------------------------------------------------------------------------
# sst2 / sst5 from a local directory laid out like the Hugging Face datasets


def _sst2_dir(root: Path) -> Path:
    d = root / "sst2"
    d.mkdir()
    train = pd.DataFrame({
        "sentence": [f"train sentence number {i} " for i in range(200)],
        "label": [i % 2 for i in range(200)],
        "idx": range(200),
    })
    train.to_parquet(d / "train-00000-of-00001.parquet")
    pd.DataFrame({"sentence": ["it 's a charming journey .", "dull ."], "label": [1, 0],
                  "idx": [0, 1]}).to_parquet(d / "validation-00000-of-00001.parquet")
    pd.DataFrame({"sentence": ["hidden one .", "hidden two ."], "label": [-1, -1],
                  "idx": [0, 1]}).to_parquet(d / "test-00000-of-00001.parquet")
    return d


def test_sst2_local_directory(tmp_path):
    ds = load_sentiment_dataset("sst2", path=_sst2_dir(tmp_path))
    assert ds.label_names == ("negative", "positive")
    test = ds.split("test")
    assert [(e.text, e.label) for e in test] == [("it 's a charming journey .", 1), ("dull .", 0)]
    train, dev = ds.split("train"), ds.split("dev")
    assert len(train) + len(dev) == 200
    assert 5 <= len(dev) <= 40
    assert all(e.split == ("dev" if stable_split(normalize_text(e.text), test=0) == "dev"
                           else "train") for e in train + dev)
    assert not any("hidden" in e.text for e in ds.examples)  # GLUE test labels are -1
    assert {e.text for e in train}.isdisjoint(e.text for e in dev)
    assert train[0].text == "train sentence number 0" and train[0].label == 0


def test_sst5_local_jsonl_and_csv(tmp_path):
    d = tmp_path / "sst5"
    d.mkdir()
    rows = {
        "train": [("a gem .", 4), ("awful .", 0), ("meh .", 2)],
        "validation": [("quite good .", 3)],
        "test": [("not great .", 1)],
    }
    for split in ("train", "validation"):
        with open(d / f"{split}.jsonl", "w", encoding="utf-8") as fh:
            for text, label in rows[split]:
                fh.write(json.dumps({"text": text, "label": label, "label_text": "x"}) + "\n")
    pd.DataFrame(rows["test"], columns=["text", "label"]).to_csv(d / "test.csv", index=False)
    ds = load_sentiment_dataset("sst5", path=d)
    assert len(ds.label_names) == 5 and ds.label_names[2] == "neutral"
    assert [(e.text, e.label, e.split) for e in ds.examples] == [
        ("a gem .", 4, "train"), ("awful .", 0, "train"), ("meh .", 2, "train"),
        ("quite good .", 3, "dev"), ("not great .", 1, "test"),
    ]


def test_sst_local_directory_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no train/validation/test files"):
        load_sentiment("sst2", path=empty)
    with pytest.raises(ValueError, match="not a directory"):
        load_sentiment("sst2", path=tmp_path / "missing")
    bad = tmp_path / "bad"
    bad.mkdir()
    pd.DataFrame({"review": ["x"], "label": [1]}).to_csv(bad / "train.csv", index=False)
    with pytest.raises(ValueError, match="'sentence' or 'text'"):
        load_sentiment("sst2", path=bad)
    pd.DataFrame({"text": ["x", "y"], "label": [1, 7]}).to_csv(bad / "train.csv", index=False)
    with pytest.raises(ValueError, match="outside 0..4"):
        load_sentiment("sst5", path=bad)


def test_sst_from_hub_without_datasets_is_source_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)  # makes `import datasets` fail
    with pytest.raises(SourceUnavailable, match="pip install datasets"):
        load_sentiment("sst2")


def test_sst_from_hub_offline_is_source_unavailable(monkeypatch):
    fake = types.ModuleType("datasets")

    def load_dataset(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'glue' on the Hub")

    fake.load_dataset = load_dataset
    monkeypatch.setitem(sys.modules, "datasets", fake)
    with pytest.raises(SourceUnavailable, match="Couldn't reach"):
        load_sentiment("sst2")


def test_sst_from_hub_converts_dataset_dict(monkeypatch):
    calls = []

    class Split:
        def __init__(self, df):
            self.df = df

        def to_pandas(self):
            return self.df

    def load_dataset(*args):
        calls.append(args)
        return {
            "train": Split(pd.DataFrame({"text": ["fine ."], "label": [2]})),
            "validation": Split(pd.DataFrame({"text": ["bad ."], "label": [1]})),
            "test": Split(pd.DataFrame({"text": ["great ."], "label": [4]})),
        }

    fake = types.ModuleType("datasets")
    fake.load_dataset = load_dataset
    monkeypatch.setitem(sys.modules, "datasets", fake)
    ex = load_sentiment("sst5")
    assert calls == [("SetFit/sst5",)]
    assert [(e.text, e.label, e.split) for e in ex] == [
        ("fine .", 2, "train"), ("bad .", 1, "dev"), ("great .", 4, "test")
    ]
