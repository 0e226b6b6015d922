"""Schema of the curated polysemy data set, its loader, and the optional WordNet examples."""
from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from elmo_core.datasets import sense_sentences
from elmo_core.datasets.sense_sentences import (
    POS_TAGS,
    SenseSentence,
    _parse_lines,
    curated_words,
    load_curated,
    load_wordnet_examples,
    sense_counts,
    sentences_for,
)
from elmo_core.tokenizer import tokenize_sentence

REQUIRED_WORDS = {
    "saw", "bark", "play", "watch", "duck",          # noun / verb
    "bank", "bat", "spring", "match", "letter",      # noun / noun
    "light", "fair", "right",                        # adjectives
}
NOUN_VERB = {"saw", "bark", "play", "watch", "duck"}


@pytest.fixture(scope="module")
def curated() -> list[SenseSentence]:
    return load_curated()


def _senses(sentences):
    by_word = collections.defaultdict(lambda: collections.defaultdict(list))
    for s in sentences:
        by_word[s.word][s.sense].append(s)
    return by_word


# ---------------------------------------------------------------------------------------------
# The real data file


def test_word_and_sense_counts(curated):
    by_word = _senses(curated)
    assert len(by_word) >= 32
    assert REQUIRED_WORDS <= set(by_word)
    assert curated_words() == sorted(by_word)
    assert len(curated) >= 700
    for word, senses in by_word.items():
        assert 2 <= len(senses) <= 4, word
        for sense, rows in senses.items():
            assert len(rows) >= 8, sense
            assert sense.startswith(word + "."), sense


def test_noun_verb_pairs_have_both_parts_of_speech(curated):
    by_word = _senses(curated)
    for word in NOUN_VERB:
        tags = {rows[0].pos for rows in by_word[word].values()}
        assert tags == {"NOUN", "VERB"}, word


def test_each_sense_of_a_word_has_its_own_gloss_and_one_pos(curated):
    for word, senses in _senses(curated).items():
        glosses = []
        for sense, rows in senses.items():
            assert len({r.gloss for r in rows}) == 1, sense
            assert len({r.pos for r in rows}) == 1, sense
            glosses.append(rows[0].gloss)
        assert len(set(glosses)) == len(glosses), word


def test_every_row_is_well_formed(curated):
    texts = collections.Counter(s.text for s in curated)
    assert [t for t, n in texts.items() if n > 1] == []
    for s in curated:
        assert s.source == "curated"
        assert s.pos in POS_TAGS
        assert s.word == s.word.lower()
        assert s.text.rstrip()[-1] in ".!?", s.text
        assert 0 <= s.target_index < len(s.tokens)
        assert s.target.lower() == s.tokens[s.target_index].lower()
        words = [t for t in s.tokens if any(c.isalnum() for c in t)]
        assert 5 <= len(words) <= 25, s.text


def test_targets_mostly_share_the_lemma_spelling(curated):
    same = sum(s.target.lower() == s.word for s in curated)
    assert same / len(curated) >= 0.9
    for word, senses in _senses(curated).items():
        for rows in senses.values():
            assert sum(r.target.lower() == word for r in rows) >= len(rows) // 2, word


def test_raw_file_keys_and_target_occurrence():
    path = Path(sense_sentences.__file__).parents[1] / "data" / "polysemy.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    once = 0
    for line in lines:
        record = json.loads(line)
        assert set(record) == {"word", "sense", "gloss", "pos", "text", "target"}
        tokens = tokenize_sentence(record["text"])
        once += sum(t.lower() == record["target"].lower() for t in tokens) == 1
    assert once / len(lines) >= 0.95


def test_loader_caches_but_returns_fresh_lists():
    first, second = load_curated(), load_curated()
    assert first == second and first is not second
    first.clear()
    assert load_curated() == second


def test_sentences_for_and_sense_counts():
    saw = sentences_for("saw")
    assert {s.word for s in saw} == {"saw"}
    counts = sense_counts(saw)
    assert set(counts) == {"saw.n.tool", "saw.v.see"}
    assert sum(counts.values()) == len(saw)
    assert sentences_for("Saw") == saw
    assert sentences_for("no-such-word") == []
    with pytest.raises(ValueError):
        sentences_for("saw", source="elsewhere")


# ---------------------------------------------------------------------------------------------
# The loader on bad input


GOOD = {"word": "saw", "sense": "saw.n.tool", "gloss": "a cutting tool", "pos": "NOUN",
        "text": "He sharpened the saw.", "target": "saw"}


def _write(tmp_path, *records) -> list[str]:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path.read_text().splitlines()


def test_parse_lines_good_and_case_insensitive_target(tmp_path):
    lines = _write(tmp_path, GOOD, "", dict(GOOD, text="Saw the plank in two.", target="saw"))
    parsed = _parse_lines(lines, "bad.jsonl")
    assert [p.target_index for p in parsed] == [3, 0]
    assert parsed[1].target == "Saw"
    assert parsed[0].tokens == ("He", "sharpened", "the", "saw", ".")


@pytest.mark.parametrize("bad, message", [
    (dict(GOOD, target="axe"), "target"),
    ({k: v for k, v in GOOD.items() if k != "gloss"}, "missing field 'gloss'"),
    (dict(GOOD, pos="PRON"), "pos"),
    (dict(GOOD, text=42), "'text'"),
    (dict(GOOD, sense="bat.n.club"), "sense"),
    (dict(GOOD, extra=1), "unknown field"),
    ("{not json", "invalid JSON"),
    ("[1, 2]", "JSON object"),
])
def test_parse_lines_names_the_bad_line(tmp_path, bad, message):
    lines = _write(tmp_path, GOOD, GOOD, bad)
    with pytest.raises(ValueError, match="line 3") as info:
        _parse_lines(lines, "bad.jsonl")
    assert message in str(info.value)
    assert "bad.jsonl" in str(info.value)


# ---------------------------------------------------------------------------------------------
# WordNet (optional)


def test_missing_wordnet_is_not_an_error(tmp_path):
    assert not sense_sentences.wordnet_available(tmp_path)
    assert load_wordnet_examples("bank", root=tmp_path) == []
    with pytest.raises(FileNotFoundError, match="apt-get install wordnet-base"):
        sense_sentences.require_wordnet(tmp_path)


def test_wordnet_parsing_on_a_tiny_file(tmp_path):
    (tmp_path / "data.noun").write_text(
        "  1 licence text that must be skipped  \n"
        '00000001 14 n 02 bank 0 depository 0 000 | a money place; "she banked at the bank"; '
        '"no target word here"  \n'
        '00000002 17 n 01 bank 0 000 | sloping land; "they sat on the river banks"  \n'
        '00000003 17 n 01 shore 0 000 | land by water; "the bank of the shore"  \n'
    )
    (tmp_path / "data.adj").write_text(
        '00000004 00 a 01 fair(a) 0 000 | just; "a fair deal"  \n'
    )
    examples = load_wordnet_examples("bank", root=tmp_path)
    assert [(s.sense, s.target, s.gloss) for s in examples] == [
        ("bank.n.00000001", "bank", "a money place"),
        ("bank.n.00000002", "banks", "sloping land"),
    ]
    assert examples[0].source == "wordnet" and examples[0].pos == "NOUN"
    fair = load_wordnet_examples("fair", root=tmp_path)
    assert [(s.sense, s.pos, s.target_index) for s in fair] == [("fair.a.00000004", "ADJ", 1)]


def test_wordnet_supersenses_group_synsets_by_lexicographer_file(tmp_path):
    assert sense_sentences.load_wordnet_supersenses(tmp_path) == []
    (tmp_path / "data.noun").write_text(
        "  1 licence text that must be skipped  \n"
        '00000001 14 n 01 bank 0 000 | an institution; "the bank lent money"; "a bank loan"  \n'
        '00000002 14 n 01 bank 0 000 | a group of things; "a bank of lifts"  \n'
        '00000003 17 n 01 bank 0 000 | sloping land; "they sat on the river banks"; "a muddy bank"  \n'
        '00000004 06 n 01 bank 0 000 | a building; "the bank on the corner"  \n'
        '00000005 06 n 01 mole 0 000 | a spy; "a mole in the office"; "the mole talked"  \n'
        '00000006 05 n 01 mole 0 000 | an animal; "a mole dug"  \n'
        '00000007 17 n 01 river_bank 0 000 | land; "the river bank flooded"; "on the river bank"  \n'
    )
    found = sense_sentences.load_wordnet_supersenses(tmp_path)
    # bank: noun.group (3 examples from two synsets) and noun.object (2); noun.artifact has only
    # one example, so it is left out. mole has one supersense with two examples: no word kept.
    assert sense_counts(found) == {"bank.noun.group": 3, "bank.noun.object": 2}
    assert {s.source for s in found} == {"wordnet"} and {s.pos for s in found} == {"NOUN"}
    assert [s.target for s in found if s.sense == "bank.noun.object"] == ["banks", "bank"]
    assert sense_sentences.load_wordnet_supersenses(tmp_path, min_per_sense=3) == []


# Needs Debian's wordnet-base (installed by `make test`): the fixture fails the test without it.
needs_wordnet = pytest.mark.usefixtures("wordnet")


@needs_wordnet
def test_wordnet_bank_has_several_senses():
    examples = load_wordnet_examples("bank")
    assert len({s.sense for s in examples}) >= 2
    assert {s.pos for s in examples} <= set(POS_TAGS)
    for s in examples:
        assert s.source == "wordnet"
        assert s.tokens[s.target_index].lower().startswith("bank"), s.text
        assert s.sense.startswith("bank.")


@needs_wordnet
def test_wordnet_targets_are_the_word_for_curated_words():
    for word in ("saw", "play", "light", "duck"):
        for s in sentences_for(word, source="wordnet"):
            assert s.tokens[s.target_index].lower().startswith(word), (word, s.text)
    both = sentences_for("bat", source="both")
    assert {s.source for s in both} == {"curated", "wordnet"}


@needs_wordnet
def test_wordnet_supersense_set_is_large_and_coarse():
    found = sense_sentences.load_wordnet_supersenses()
    words = {s.word for s in found}
    assert len(found) > 1500 and len(words) > 250  # ten times the unseen set
    assert {"bank.noun.group", "bank.noun.object"} <= {s.sense for s in found if s.word == "bank"}
    for word in words:
        counts = sense_counts([s for s in found if s.word == word])
        assert len(counts) >= 2 and min(counts.values()) >= 2, word
