"""
Build a pretraining corpus for the biLM from the text sources of :mod:`elmo_core.corpus.readers`.

Each source's documents are split into sentences and tokens with
:func:`elmo_core.tokenizer.tokenize` (exactly what inference uses). Sentences of fewer than 3 or
more than 100 tokens are dropped, exact duplicates (same token sequence) are dropped through a
set of hashes, and sentences of the sentiment evaluation sets are kept out (the VADER Rotten
Tomatoes snippets and the dev/test IMDB reviews), compared in the form of
:func:`elmo_core.datasets.normalize.normalize_text`, the normaliser of the readers that hold those
sets. A fixed 1% is held out, chosen by a SHA-256 hash of the sentence
(:func:`elmo_core.datasets.splits.hashed_below`) so that the split never changes between builds.

A *mixture* down-weights some sources: ``{"gcide": 0.1}`` keeps a tenth of GCIDE's training
sentences, chosen by another salted hash of the sentence (:func:`is_sampled`), so the choice is
deterministic and independent of the held-out split. Held-out selection comes first and the
mixture thins only the training part: a sentence is held out or not whatever the mixture, so
held-out sets, and the perplexities measured on them, stay comparable between corpora built
with different mixtures (and per-source held-out sets keep every sentence they would have).

The output directory gets::

    train.txt              one sentence per line, tokens joined by single spaces, shuffled
                           (fixed seed)
    heldout.txt            the held-out sentences, in source order
    heldout/SOURCE.txt     the same, one file per source (for per-source perplexity)
    vocab.txt              token<TAB>count over train.txt; <S>, </S>, <UNK> first with count 0
    CORPUS_CARD.md         per-source counts and licences, filtering counts, the rebuild command

>>> stats = build_corpus(Path("corpus"), ["wordnet", "fortunes"])   # doctest: +SKIP
>>> stats = build_corpus(Path("corpus"), ["wordnet", "sotu"], mixture={"wordnet": 0.3})  # doctest: +SKIP
>>> stats.words                                                       # doctest: +SKIP
"""
from __future__ import annotations

import datetime
import hashlib
import os
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping

from tqdm import tqdm

from elmo_core.cache import cache_dir
from elmo_core.corpus.card import render_card
from elmo_core.corpus.readers import DEFAULT_SOURCES, get_source
from elmo_core.corpus.stats import CorpusStats, SourceStats
from elmo_core.datasets.imdb import heldout_review_texts
from elmo_core.datasets.normalize import normalize_text
from elmo_core.datasets.splits import hashed_below
from elmo_core.datasets.vader import sentiment_texts_for_exclusion
from elmo_core.packages import SourceUnavailable
from elmo_core.tokenizer import tokenize

__all__ = [
    "build_corpus", "is_heldout", "is_sampled", "validate_mixture", "load_exclusion_set",
    "exclusion_forms", "SPECIAL_TOKENS",
]

MIN_TOKENS = 3
MAX_TOKENS = 100
DEFAULT_SEED = 13
SPECIAL_TOKENS = ("<S>", "</S>", "<UNK>")


_MIXTURE_SALT = b"elmo-corpus-mixture\0"


def is_heldout(sentence: str, fraction: float) -> bool:
    """Whether the (space-joined) ``sentence`` belongs to the held-out split; stable across runs."""
    return hashed_below(sentence, fraction)


def is_sampled(sentence: str, fraction: float) -> bool:
    """Whether a mixture keeping ``fraction`` of a source keeps ``sentence``; stable across runs.

    The hash is salted, so which sentences are kept does not depend on which are held out.
    """
    return hashed_below(sentence, fraction, salt=_MIXTURE_SALT)


def validate_mixture(mixture: Mapping[str, float], sources: Iterable[str]) -> dict[str, float]:
    """``mixture`` as a dict, after checking it: :class:`ValueError` naming the first problem.

    Every name must be one of ``sources`` and every fraction a number in (0, 1].
    """
    names = list(sources)
    checked: dict[str, float] = {}
    for name, fraction in mixture.items():
        if name not in names:
            raise ValueError(f"mixture names {name!r}, which is not among the sources "
                             f"being built ({', '.join(names) or 'none'})")
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) \
                or not 0 < fraction <= 1:
            raise ValueError(f"mixture fraction for {name!r} must be a number in (0, 1], "
                             f"got {fraction!r}")
        checked[name] = float(fraction)
    return checked


# The sentiment evaluation texts: what they are (for notes) -> how to get them.
_EXCLUSION_PARTS = {
    "VADER Rotten Tomatoes snippets": sentiment_texts_for_exclusion,
    "IMDB dev/test reviews": heldout_review_texts,
}


def load_exclusion_set() -> tuple[set[str] | None, str, int]:
    """Token-space forms of the sentiment evaluation texts: ``(set or None, note, n_texts)``.

    The texts are the VADER movie snippets (:mod:`elmo_core.datasets.vader`) and the IMDB reviews
    of the dev and test splits (:mod:`elmo_core.datasets.imdb`). Each text is added normalised
    (:func:`normalize_text`) after tokenization, as a whole and sentence by sentence, so a corpus
    sentence is excluded when it matches an evaluation text or one of its sentences. ``note`` names the parts
    that could not be had; the set is ``None`` only when none could.
    """
    texts: list[str] = []
    missing: list[str] = []
    for what, load in _EXCLUSION_PARTS.items():
        try:
            part = list(load())
        except Exception as exc:  # a missing module or a failed download must not stop the build
            missing.append(f"{what}: {type(exc).__name__}: {exc}")
            continue
        if not part:
            missing.append(f"{what}: nothing returned")
        texts.extend(part)
    note = f"exclusion set incomplete ({'; '.join(missing)})" if missing else ""
    if not texts:
        return None, note.replace("incomplete", "unavailable"), 0
    return exclusion_forms(texts), note, len(texts)


def exclusion_forms(texts: Iterable[str]) -> set[str]:
    """Normalised, space-joined token forms of ``texts``, whole and sentence by sentence."""
    forms: set[str] = set()
    for text in texts:
        sentences = tokenize(text)
        forms.update(normalize_text(" ".join(tokens)) for tokens in sentences)
        forms.add(normalize_text(" ".join(token for tokens in sentences for token in tokens)))
    forms.discard("")
    return forms


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
    os.replace(tmp, path)


def _write_heldout_by_source(directory: Path, heldout: Mapping[str, list[str]]) -> None:
    """Write ``directory/SOURCE.txt`` per source; remove files left there by an earlier build."""
    directory.mkdir(exist_ok=True)
    for stale in directory.glob("*.txt"):
        if stale.stem not in heldout:
            stale.unlink()
    for name, lines in heldout.items():
        _write_lines(directory / f"{name}.txt", lines)


def build_corpus(
    out_dir: Path,
    sources: list[str] | None = None,
    *,
    heldout_fraction: float = 0.01,
    seed: int = DEFAULT_SEED,
    progress: bool = True,
    strict: bool = False,
    documents: Mapping[str, Iterable[str]] | None = None,
    exclusion: set[str] | None = None,
    mixture: Mapping[str, float] | None = None,
) -> CorpusStats:
    """Build the corpus into ``out_dir`` and return its statistics.

    ``sources`` names registered sources (all by default). ``documents`` maps extra source names
    to iterables of raw documents (for tests and custom text); when given and ``sources`` is
    ``None``, only those are used. A source that raises :class:`SourceUnavailable` (or any error)
    is reported and skipped, or re-raised when ``strict``. ``exclusion`` replaces the sentiment
    exclusion texts (raw strings, normalised here); by default they come from
    :func:`load_exclusion_set`. ``mixture`` maps source names to the fraction in (0, 1] of their
    training sentences to keep (see the module docstring); :class:`ValueError` if it names a
    source not being built or a fraction outside (0, 1].
    """
    out_dir = Path(out_dir).expanduser()
    out_dir.mkdir(parents=True, exist_ok=True)
    documents = dict(documents or {})
    if sources is None:
        sources = [] if documents else list(DEFAULT_SOURCES)
    names = list(sources) + [name for name in documents if name not in sources]
    mixture = validate_mixture(mixture or {}, names)

    stats = CorpusStats(out_dir=out_dir, heldout_fraction=heldout_fraction, seed=seed,
                        date=datetime.date.today().isoformat(), mixture=mixture)
    if exclusion is None:
        excluded_forms, stats.exclusion_note, stats.exclusion_set_size = load_exclusion_set()
    else:
        excluded_forms, stats.exclusion_set_size = exclusion_forms(exclusion), len(exclusion)
    stats.exclusion_available = excluded_forms is not None
    if excluded_forms is None:
        print(f"warning: {stats.exclusion_note}; building without it", file=sys.stderr)
        excluded_forms = set()

    seen: set[bytes] = set()
    train: list[str] = []
    heldout: dict[str, list[str]] = {}
    cache = cache_dir()
    for name in names:
        keep = mixture.get(name, 1.0)
        if name in documents:
            source = SourceStats(name, "supplied by the caller", "(custom documents)", fraction=keep)
            docs = documents[name]
        else:
            module = get_source(name)
            source = SourceStats(name, module.LICENCE, module.REBUILD_HINT, fraction=keep)
            docs = module.iter_documents(cache)
        held = heldout.setdefault(name, [])
        try:
            for document in tqdm(docs, desc=f"{name:<12}", unit=" docs", disable=not progress,
                                 mininterval=2.0):
                source.documents += 1
                for tokens in tokenize(document):
                    if len(tokens) < MIN_TOKENS:
                        source.too_short += 1
                        continue
                    if len(tokens) > MAX_TOKENS:
                        source.too_long += 1
                        continue
                    line = " ".join(tokens)
                    key = hashlib.blake2b(line.encode("utf-8"), digest_size=16).digest()
                    if key in seen:
                        source.duplicates += 1
                        continue
                    seen.add(key)
                    if excluded_forms and normalize_text(line) in excluded_forms:
                        source.excluded += 1
                        continue
                    source.sentences += 1
                    source.words += len(tokens)
                    if is_heldout(line, heldout_fraction):  # before the mixture: see above
                        source.heldout_sentences += 1
                        held.append(line)
                    elif keep < 1.0 and not is_sampled(line, keep):
                        source.subsampled += 1
                    else:
                        source.train_words += len(tokens)
                        train.append(line)
        except Exception as exc:
            if strict:
                raise
            reason = str(exc) if isinstance(exc, SourceUnavailable) else f"{type(exc).__name__}: {exc}"
            print(f"warning: source {name!r} failed and is skipped: {reason}", file=sys.stderr)
            stats.failed[name] = reason
            if source.sentences:  # it failed part-way: what it gave before is kept
                stats.failed[name] += f" (after {source.sentences:,} sentences, which are kept)"
                stats.sources.append(source)
            else:
                del heldout[name]
            continue
        stats.sources.append(source)

    random.Random(seed).shuffle(train)
    vocab: Counter[str] = Counter()
    for line in train:
        vocab.update(line.split(" "))

    stats.train_sentences = len(train)
    stats.train_words = sum(vocab.values())
    all_heldout = [line for lines in heldout.values() for line in lines]
    stats.heldout_sentences = len(all_heldout)
    stats.heldout_words = sum(line.count(" ") + 1 for line in all_heldout)
    for token in SPECIAL_TOKENS:  # never produced by the tokenizer, listed once on top
        vocab.pop(token, None)
    stats.vocab_size = len(vocab) + len(SPECIAL_TOKENS)

    _write_lines(out_dir / "train.txt", train)
    _write_lines(out_dir / "heldout.txt", all_heldout)
    _write_heldout_by_source(out_dir / "heldout", heldout)
    ordered = sorted(vocab.items(), key=lambda item: (-item[1], item[0]))
    _write_lines(out_dir / "vocab.txt",
                 [f"{token}\t0" for token in SPECIAL_TOKENS] + [f"{t}\t{c}" for t, c in ordered])
    (out_dir / "CORPUS_CARD.md").write_text(
        render_card(stats, min_tokens=MIN_TOKENS, max_tokens=MAX_TOKENS), encoding="utf-8")
    return stats
