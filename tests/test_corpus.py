"""Tests for the pretraining corpus builder and its source readers."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from dependencies import missing_dependency

from elmo_core.cache import cache_dir
from elmo_core.corpus import build_corpus
from elmo_core.corpus.build import is_heldout
from elmo_core.corpus.cli import register
from elmo_core.corpus.readers import SOURCES, get_source
from elmo_core.corpus.readers.gcide import clean_entry, decode_number
from elmo_core.corpus.readers.bible import osis_to_text
from elmo_core.corpus.readers.oanc_wsj import detokenize, untag
from elmo_core.corpus.readers.python_docs import rst_prose
from elmo_core.packages import SourceUnavailable
from elmo_core.tokenizer import tokenize


def _first(name: str, n: int) -> list[str]:
    try:
        return list(itertools.islice(get_source(name).iter_documents(cache_dir()), n))
    except SourceUnavailable as exc:  # fails unless ELMO_EXPLORER_ALLOW_SKIPS=1
        missing_dependency(f"corpus source {name}", str(exc))


# --- source readers on real data ------------------------------------------------------------

def test_every_source_module_has_the_interface():
    for name in SOURCES:
        module = get_source(name)
        assert module.NAME == name
        assert module.LICENCE and module.REBUILD_HINT
        assert callable(module.iter_documents)


def test_wordnet_yields_glosses_and_examples():
    docs = _first("wordnet", 2000)
    assert len(docs) == 2000
    assert not any("|" in d or '"' in d for d in docs)       # gloss separators and quotes gone
    assert not any("Princeton" in d for d in docs[:20])      # licence header skipped
    assert docs[0].startswith("that which is perceived or known or inferred")  # 'entity'
    assert sum(d[0].isupper() and len(d.split()) >= 3 for d in docs) > 10   # example sentences
    assert any(d.startswith("a ") or d.startswith("the ") for d in docs)     # definitions


def test_fortunes_are_english_items_without_separators():
    docs = _first("fortunes", 500)
    assert len(docs) == 500
    assert not any(line.strip() == "%" for d in docs for line in d.splitlines())
    words = " ".join(docs).lower().split()
    assert words.count("the") > 200


def test_gcide_real_entries_lose_their_markup():
    docs = _first("gcide", 3000)
    text = "\n".join(docs)
    assert "[1913 Webster]" not in text and "Webster]" not in text
    assert "{" not in text and "\\" not in text
    assert "GNU General Public License" not in text        # database licence skipped
    assert len(docs) == 3000 and sum(len(d.split()) for d in docs) > 20000


def test_gcide_clean_entry_keeps_definitions_and_quotations():
    entry = (
        'Arrive \\Ar*rive"\\, v. t. [imp. & p. p. {Arrived}; L.\n'
        "   ad + ripa shore.]\n"
        "   1. To reach; to come to. [Archaic]\n"
        "      [1913 Webster]\n\n"
        "            Ere he arrive the happy isle.         --Milton.\n"
        "      [1913 Webster]\n\n"
        "   Syn: reach; attain.\n"
        "        [1913 Webster]\n"
    )
    assert clean_entry(entry) == ["To reach; to come to.", "Ere he arrive the happy isle."]
    labelled = 'Spider \\Spi"der\\, n.\n   1. Spider hunter (Zool.), a sunbird.\n\n   imp. & p. p. of Read.\n'
    assert clean_entry(labelled) == ["Spider hunter, a sunbird."]
    assert decode_number("Fz") == 5 * 64 + 51 and decode_number("BNy") == (1 * 64 + 13) * 64 + 50


def test_bible_osis_notes_and_titles_dropped():
    osis = ('<title type="main">Matthew</title><div sID="x" type="x-p"/><w lemma="a">The</w> '
            '<w>book</w>,<note placement="foot">a footnote</note><w>the</w> son &amp; heir.')
    text = osis_to_text(osis)
    assert "Matthew" not in text and "footnote" not in text and "<" not in text
    assert " ".join(text.split()) == "The book, the son & heir."
    docs = _first("bible", 50)
    assert not any("<" in d or "strong:" in d for d in docs)
    assert any("God" in d for d in docs)


def test_penn_treebank_lines_are_detokenized():
    words = untag("He/PRP does/VBZ n't/RB know/VB ``/`` why/WRB ''/'' ,/, (/( yes/UH )/) ./.")
    assert detokenize(words) == 'He doesn\'t know " why ", (yes).'
    assert tokenize(detokenize(words))[0][:4] == ["He", "doesn", "'t", "know"]


def test_rst_prose_drops_code_and_markup():
    rst = (
        "Title\n=====\n\n.. function:: wrap(text, \\\n      width=70)\n   :noindex:\n\n"
        "   Wraps the *text* with :func:`~textwrap.fill` and ``width``. For example::\n\n"
        "      wrap('x' * 100)\n\n   >>> wrap('a')\n   ['a']\n\n"
        ".. code-block:: python\n\n   print('hi')\n\nSee `the docs <https://x.org>`_.\n"
    )
    prose = " ".join(rst_prose(rst).split())
    assert prose == "Wraps the text with fill and width. For example: See the docs."


# --- build_corpus on injected documents ------------------------------------------------------

DOCS = {
    "alpha": [
        "The cat sat on the mat. The cat sat on the mat. It was happy there!",
        "Dogs don't like baths. Short.\n\n" + " ".join(["word"] * 120) + ".",
        "This movie was a total waste of time. Another sentence about the weather today.",
    ],
    "beta": [
        "It was happy there! A brand new sentence from beta appears here.",
        *[f"Sentence number {i} is written for the held-out split test." for i in range(400)],
    ],
}
EXCLUDED = {"this movie was a total waste of time."}


def _build(out: Path, **kwargs):
    return build_corpus(out, documents=DOCS, exclusion=EXCLUDED, progress=False, **kwargs)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_build_corpus_dedupes_filters_and_matches_tokenize(tmp_path):
    stats = _build(tmp_path / "c")
    lines = _lines(tmp_path / "c/train.txt") + _lines(tmp_path / "c/heldout.txt")
    assert len(lines) == len(set(lines)) == stats.sentences
    assert lines.count("The cat sat on the mat .") == 1
    assert lines.count("It was happy there !") == 1              # duplicate across sources too
    alpha, beta = stats.sources
    assert (alpha.duplicates, beta.duplicates) == (1, 1)
    assert alpha.too_short == 1 and alpha.too_long == 1
    assert all(3 <= len(line.split(" ")) <= 100 for line in lines)
    expected = {" ".join(t) for d in DOCS["alpha"] + DOCS["beta"] for t in tokenize(d)
                if 3 <= len(t) <= 100} - {"This movie was a total waste of time ."}
    assert set(lines) == expected
    assert "Dogs do n't" not in " ".join(lines) and "Dogs don 't like baths ." in lines
    assert stats.words == sum(len(line.split(" ")) for line in lines)


def test_build_corpus_excludes_sentiment_sentences(tmp_path):
    stats = _build(tmp_path / "c")
    text = (tmp_path / "c/train.txt").read_text() + (tmp_path / "c/heldout.txt").read_text()
    assert "waste of time" not in text
    assert "Another sentence about the weather today ." in text
    assert stats.excluded == 1 and stats.exclusion_available


def test_heldout_split_is_disjoint_and_deterministic(tmp_path):
    first = _build(tmp_path / "a", seed=1)
    second = _build(tmp_path / "b", seed=2)
    held_a, held_b = _lines(tmp_path / "a/heldout.txt"), _lines(tmp_path / "b/heldout.txt")
    train_a = _lines(tmp_path / "a/train.txt")
    assert held_a == held_b and held_a                            # same split whatever the seed
    assert not set(held_a) & set(train_a)
    assert all(is_heldout(line, 0.01) for line in held_a)
    assert not any(is_heldout(line, 0.01) for line in train_a)
    assert 0 < first.heldout_sentences < 0.05 * first.sentences
    assert sorted(train_a) == sorted(_lines(tmp_path / "b/train.txt"))
    assert train_a != _lines(tmp_path / "b/train.txt")            # shuffled with the seed
    _build(tmp_path / "a2", seed=1)
    assert _lines(tmp_path / "a2/train.txt") == train_a          # same seed, same order
    assert second.heldout_sentences == first.heldout_sentences


def test_vocab_counts_match_train(tmp_path):
    stats = _build(tmp_path / "c")
    rows = [line.split("\t") for line in _lines(tmp_path / "c/vocab.txt")]
    assert [r[0] for r in rows[:3]] == ["<S>", "</S>", "<UNK>"] and all(r[1] == "0" for r in rows[:3])
    counts: dict[str, int] = {}
    for line in _lines(tmp_path / "c/train.txt"):
        for token in line.split(" "):
            counts[token] = counts.get(token, 0) + 1
    assert {t: int(c) for t, c in rows[3:]} == counts
    body = [(-int(c), t) for t, c in rows[3:]]
    assert body == sorted(body)
    assert stats.vocab_size == len(rows) and stats.train_words == sum(counts.values())


def test_card_lists_sources_and_rebuild_command(tmp_path):
    _build(tmp_path / "c")
    card = (tmp_path / "c/CORPUS_CARD.md").read_text()
    assert "| alpha |" in card and "| beta |" in card
    assert f"elmo-explorer corpus build {tmp_path / 'c'}" in card
    assert "Exact duplicates" in card and "held" in card.lower()


def test_failing_source_is_skipped_unless_strict(tmp_path):
    def broken():
        yield "A perfectly fine first sentence here."
        raise SourceUnavailable("package gone")

    docs = {"good": ["One two three four."], "broken": broken()}
    stats = build_corpus(tmp_path / "c", documents=docs, exclusion=set(), progress=False)
    assert "broken" in stats.failed and "package gone" in stats.failed["broken"]
    assert "package gone" in (tmp_path / "c/CORPUS_CARD.md").read_text()
    with pytest.raises(SourceUnavailable):
        build_corpus(tmp_path / "d", documents={"broken": broken()}, exclusion=set(),
                     progress=False, strict=True)


def test_missing_exclusion_set_is_recorded(tmp_path, monkeypatch):
    import elmo_core.corpus.build as build

    monkeypatch.setattr(build, "load_exclusion_set", lambda: (None, "exclusion set unavailable (test)", 0))
    stats = build_corpus(tmp_path / "c", documents={"a": ["One two three four."]}, progress=False)
    assert not stats.exclusion_available
    assert "exclusion set unavailable" in (tmp_path / "c/CORPUS_CARD.md").read_text()


def test_cli_registers_corpus_build(tmp_path):
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["corpus", "build", str(tmp_path), "--sources", "wordnet,gcide", "--strict"])
    assert args.out_dir == tmp_path and args.sources == "wordnet,gcide" and args.strict
    assert callable(args.func)
