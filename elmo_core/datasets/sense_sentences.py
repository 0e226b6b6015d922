"""
Sentences that use one word in different senses, for seeing how ELMo's layers separate them.

Three sets are available:

``curated``
    ``elmo_core/data/polysemy.jsonl``, written for this project: 36 English words with 2-3
    senses each and 10 sentences per sense (741 sentences). Noun/verb pairs (``saw``, ``bark``,
    ``play``, ``watch``, ``duck`` ...), noun/noun pairs (``bank``, ``bat``, ``spring``,
    ``match``, ``letter`` ...) and adjectives (``light``, ``fair``, ``right`` ...). The target
    word almost always has the same spelling in every sense, so the context-free character
    layer cannot tell the senses apart and any separation must come from the biLSTM layers.
    One JSON object per line, with the keys ``word``, ``sense`` (``"saw.n.tool"``), ``gloss``,
    ``pos`` (``NOUN``/``VERB``/``ADJ``/``ADV``), ``text`` and ``target`` (the surface form of
    the word in ``text``, e.g. ``"barked"``).
``unseen``
    ``elmo_core/data/polysemy_unseen.jsonl``, same schema, written later and independently of
    the curated sentences (none is shared): 15 words with 2 senses and 6 sentences each (180
    sentences), 6 of them curated words (``bank``, ``saw``, ``bat``, ``spring``, ``match``,
    ``plant``) and 9 new ones (``mole``, ``current``, ``scale``, ``trunk``, ``bolt``, ``jam``,
    ``pen``, ``palm``, ``key``). About a third of the sentences borrow topical words from the
    other sense ("The gardener turned out to be a mole ..."), so a bag of context words is not
    enough to tell the senses apart. :func:`load_unseen` reads it; it is a held-out check, not
    part of ``sentences_for``.
``wordnet``
    The quoted usage examples of WordNet 3.0 (``data.noun``, ``data.verb``, ``data.adj``,
    ``data.adv``, read by :mod:`elmo_core.datasets.wordnet`) from ``/usr/share/wordnet`` when the
    Debian package ``wordnet-base`` is installed; never downloaded. Optional:
    :func:`load_wordnet_examples` returns ``[]`` when the files are missing, and
    :func:`require_wordnet` raises with an install hint. Sense ids are
    ``word.<n|v|a|r>.<synset offset>``. :func:`load_wordnet_supersenses` groups the noun
    synsets by lexicographer file (``bank.noun.group``, ``bank.noun.object``) into a coarse,
    large sense set (278 nouns, 1,906 sentences) for comparing models.

Every sentence is tokenized with :func:`elmo_core.tokenizer.tokenize_sentence`, the tokenizer
the models see, and carries the index of its target token.

>>> from elmo_core.datasets.sense_sentences import sentences_for, sense_counts
>>> sense_counts(sentences_for("saw"))
{'saw.n.tool': 11, 'saw.v.see': 10}
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Optional, Union

from ..tokenizer import tokenize_sentence
from .wordnet import DATA_FILES, INSTALLED_ROOT, iter_synsets, lexicographer_name, quoted_examples

__all__ = [
    "SenseSentence",
    "POS_TAGS",
    "LOOKUP_SETS",
    "load_curated",
    "load_unseen",
    "curated_words",
    "sentences_for",
    "wordnet_available",
    "require_wordnet",
    "load_wordnet_examples",
    "load_wordnet_supersenses",
    "sense_counts",
]

POS_TAGS = ("NOUN", "VERB", "ADJ", "ADV")
LOOKUP_SETS = ("curated", "wordnet", "both")  # what sentences_for(word, source=...) looks in

_FIELDS = ("word", "sense", "gloss", "pos", "text", "target")
# Endings that, added to a word, make one of its regular inflections (bank -> banks, banked).
_INFLECTIONS = ("s", "es", "ed", "d", "ing", "er", "ers", "est")


@dataclass(frozen=True)
class SenseSentence:
    """One sentence that uses ``word`` in the sense ``sense``; ``tokens[target_index]`` is it."""

    word: str
    sense: str
    gloss: str
    pos: str
    text: str
    tokens: tuple[str, ...]
    target_index: int
    source: str  # "curated", "unseen" or "wordnet"

    @property
    def target(self) -> str:
        return self.tokens[self.target_index]


# ----------------------------------------------------------------------------------------------
# Curated data set


def _find_target(tokens: list[str], target: str) -> Optional[int]:
    """Index of the first token equal to ``target``, case-sensitive first, then ignoring case."""
    for i, token in enumerate(tokens):
        if token == target:
            return i
    lowered = target.lower()
    for i, token in enumerate(tokens):
        if token.lower() == lowered:
            return i
    return None


def _parse_lines(lines: Iterable[str], origin: str, source: str = "curated") -> list[SenseSentence]:
    """Parse curated-schema JSON lines into sentences tagged ``source``. Raises ``ValueError``
    naming ``origin`` and the line number."""
    sentences: list[SenseSentence] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{origin} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: invalid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ValueError(f"{where}: expected a JSON object, got {type(record).__name__}")
        unknown = sorted(set(record) - set(_FIELDS))
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")
        for field in _FIELDS:
            if field not in record:
                raise ValueError(f"{where}: missing field {field!r}")
            value = record[field]
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where}: field {field!r} must be a non-empty string, got {value!r}")
        word, sense, pos = record["word"], record["sense"], record["pos"]
        if word != word.lower():
            raise ValueError(f"{where}: word {word!r} must be lower-case")
        if not sense.startswith(word + "."):
            raise ValueError(f"{where}: sense {sense!r} must start with {word + '.'!r}")
        if pos not in POS_TAGS:
            raise ValueError(f"{where}: pos {pos!r} is not one of {', '.join(POS_TAGS)}")
        tokens = tokenize_sentence(record["text"])
        index = _find_target(tokens, record["target"])
        if index is None:
            raise ValueError(f"{where}: target {record['target']!r} is not a token of {tokens}")
        sentences.append(SenseSentence(
            word=word, sense=sense, gloss=record["gloss"], pos=pos, text=record["text"],
            tokens=tuple(tokens), target_index=index, source=source,
        ))
    return sentences


@lru_cache(maxsize=1)
def _curated() -> tuple[SenseSentence, ...]:
    resource = resources.files("elmo_core") / "data" / "polysemy.jsonl"
    text = resource.read_text(encoding="utf-8")
    return tuple(_parse_lines(text.splitlines(), "polysemy.jsonl"))


def load_curated() -> list[SenseSentence]:
    """All curated sentences, in file order (a fresh list; the parsed file is cached)."""
    return list(_curated())


@lru_cache(maxsize=1)
def _unseen() -> tuple[SenseSentence, ...]:
    resource = resources.files("elmo_core") / "data" / "polysemy_unseen.jsonl"
    text = resource.read_text(encoding="utf-8")
    return tuple(_parse_lines(text.splitlines(), "polysemy_unseen.jsonl", source="unseen"))


def load_unseen() -> list[SenseSentence]:
    """The held-out ``unseen`` sentences, in file order (a fresh list; the parsed file is cached)."""
    return list(_unseen())


def curated_words() -> list[str]:
    """The words of the curated data set, sorted."""
    return sorted({s.word for s in _curated()})


def sentences_for(word: str, source: str = "curated") -> list[SenseSentence]:
    """Sentences for ``word`` from ``"curated"``, ``"wordnet"`` or ``"both"`` (curated first)."""
    if source not in LOOKUP_SETS:
        raise ValueError(f"source must be one of {', '.join(LOOKUP_SETS)}, got {source!r}")
    key = " ".join(str(word).lower().replace("_", " ").split())
    result: list[SenseSentence] = []
    if source in ("curated", "both"):
        result.extend(s for s in _curated() if s.word == key)
    if source in ("wordnet", "both"):
        result.extend(load_wordnet_examples(key))
    return result


def sense_counts(sentences: Iterable[SenseSentence]) -> dict[str, int]:
    """Number of sentences per sense id, in order of first appearance."""
    counts: dict[str, int] = {}
    for sentence in sentences:
        counts[sentence.sense] = counts.get(sentence.sense, 0) + 1
    return counts


# ----------------------------------------------------------------------------------------------
# WordNet usage examples


def wordnet_available(root: Union[str, Path] = INSTALLED_ROOT) -> bool:
    """Whether at least one WordNet ``data.*`` file exists under ``root``."""
    return any((Path(root) / name).is_file() for name in DATA_FILES)


def require_wordnet(root: Union[str, Path] = INSTALLED_ROOT) -> Path:
    """Return ``root`` as a path, or raise ``FileNotFoundError`` saying how to install WordNet."""
    if not wordnet_available(root):
        raise FileNotFoundError(
            f"WordNet 3.0 data files (data.noun, data.verb, ...) were not found under {root}. "
            "Install them with `apt-get install wordnet-base` (Debian/Ubuntu), or pass root= "
            "pointing at the dict/ folder of a WordNet 3.0 download."
        )
    return Path(root)


@lru_cache(maxsize=8)
def _wordnet_index(path: str) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Map each lower-cased lemma (spaces for underscores) of one data file to the
    ``(offset, lexicographer file number, gloss-and-examples)`` of its synsets that have quoted
    examples."""
    index: dict[str, list[tuple[str, str, str]]] = {}
    for synset in iter_synsets(path):
        if '"' not in synset.gloss:
            continue  # no usage examples
        for lemma in synset.words:
            index.setdefault(lemma, []).append((synset.offset, synset.lex_file, synset.gloss))
    return {lemma: tuple(entries) for lemma, entries in index.items()}


def _is_form_of(token: str, word: str) -> bool:
    """Whether lower-cased ``token`` is ``word`` or a regular inflection of it."""
    if token == word:
        return True
    if not token.startswith(word):
        return False
    rest = token[len(word):]
    return rest in _INFLECTIONS or (rest[:1] == word[-1:] and rest[1:] in ("ed", "ing", "er", "ers", "est"))


def _find_word(tokens: list[str], word_tokens: list[str]) -> Optional[int]:
    """Index of the first token of ``word_tokens`` in ``tokens`` (last word may be inflected)."""
    lowered = [t.lower() for t in tokens]
    n = len(word_tokens)
    exact = [i for i in range(len(lowered) - n + 1) if lowered[i:i + n] == word_tokens]
    if exact:
        return exact[0]
    for i in range(len(lowered) - n + 1):
        if lowered[i:i + n - 1] == word_tokens[:-1] and _is_form_of(lowered[i + n - 1], word_tokens[-1]):
            return i
    return None


def load_wordnet_examples(word: str, root: Union[str, Path] = INSTALLED_ROOT, *, by_supersense: bool = False,
                          files: Iterable[str] = tuple(DATA_FILES)) -> list[SenseSentence]:
    """WordNet 3.0 usage examples of every synset that contains ``word``.

    Only examples in which the word (or a regular inflection of it) occurs are kept. Sense ids
    are ``word.<n|v|a|r>.<offset>``, or ``word.<lexicographer file>`` (``bank.noun.group``)
    with ``by_supersense``. ``files`` limits the data files read (default all four). Returns
    ``[]`` when no WordNet files exist under ``root``; each file is parsed once and cached.
    """
    key = " ".join(str(word).lower().replace("_", " ").split())
    word_tokens = [t.lower() for t in tokenize_sentence(key)]
    if not word_tokens:
        return []
    sentences: list[SenseSentence] = []
    seen: set[tuple[str, str]] = set()
    for name in files:
        letter, pos = DATA_FILES[name]
        path = Path(root) / name
        if not path.is_file():
            continue
        for offset, lex_file, gloss_part in _wordnet_index(str(path)).get(key, ()):
            sense = f"{key}.{lexicographer_name(lex_file)}" if by_supersense else f"{key}.{letter}.{offset}"
            sentences.extend(_synset_examples(key, word_tokens, sense, pos, gloss_part, seen))
    return sentences


def _synset_examples(word: str, word_tokens: list[str], sense: str, pos: str, gloss_part: str,
                     seen: set[tuple[str, str]]) -> list[SenseSentence]:
    """The quoted examples of one synset that contain the word, each once per sense id."""
    first_quote = gloss_part.find('"')
    gloss = gloss_part[:first_quote].strip().rstrip(";").strip()
    found = []
    for example in quoted_examples(gloss_part):
        example = " ".join(example.split())
        tokens = tokenize_sentence(example)
        index = _find_word(tokens, word_tokens)
        if index is None or (sense, example) in seen:
            continue
        seen.add((sense, example))
        found.append(SenseSentence(word=word, sense=sense, gloss=gloss, pos=pos, text=example,
                                   tokens=tuple(tokens), target_index=index, source="wordnet"))
    return found


def load_wordnet_supersenses(root: Union[str, Path] = INSTALLED_ROOT, *, min_per_sense: int = 2
                             ) -> list[SenseSentence]:
    """A large coarse sense set from WordNet 3.0's noun usage examples, labelled by supersense.

    A noun's synsets are grouped by lexicographer file, so ``bank`` the institution
    (``bank.noun.group``) and ``bank`` the river side (``bank.noun.object``) are two senses and
    its finer distinctions inside one file are not. Kept: single-word nouns with at least two
    supersenses that have ``min_per_sense`` or more examples containing the word (about 280
    nouns and 1,900 sentences), so every sense has a same-sense pair for the pair ranking of
    :func:`elmo_core.quality.wordnet_sense_report` (with two examples a sense, leave-one-out
    centroids are biased against the held-out sentence's own sense).
    These examples are part of the pretraining text of the bundled models (the WordNet source of
    corpus v2), unlabelled; the set measures separation on seen text, with ten times the
    sentences of the unseen set. Returns ``[]`` when WordNet is not installed.
    """
    path = Path(root) / "data.noun"
    if not path.is_file():
        return []
    kept: list[SenseSentence] = []
    for word in sorted(w for w in _wordnet_index(str(path)) if " " not in w):
        by_sense: dict[str, list[SenseSentence]] = {}
        for s in load_wordnet_examples(word, root, by_supersense=True, files=("data.noun",)):
            by_sense.setdefault(s.sense, []).append(s)
        enough = [group for group in by_sense.values() if len(group) >= min_per_sense]
        if len(enough) >= 2:
            kept.extend(s for group in enough for s in group)
    return kept
