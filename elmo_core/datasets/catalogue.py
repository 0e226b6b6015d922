"""
Sentence-level sentiment data for the downstream probe.

:func:`load_sentiment` returns a flat list of :class:`LabeledText` (text, integer label, split)
from one of these sources:

``rt`` (default, works offline)
    The movie-review snippets (Rotten Tomatoes, the source of SST) rated by 20 people each in
    the VADER paper (Hutto & Gilbert, ICWSM 2014), read from the ``vaderSentiment==3.3.2`` source
    distribution on PyPI (MIT). A mean rating >= 0.5 is positive (1), <= -0.5 negative (0); the
    533 snippets in between are dropped, and repeated texts are kept once. Measured: 10,605
    snippets -> 10,070 examples (4,995 positive / 5,075 negative)::

        split   examples  positive  negative
        train      7,988     3,951     4,037
        dev        1,015       508       507
        test       1,067       536       531

``sst2`` / ``sst5``
    The Stanford Sentiment Treebank through Hugging Face ``datasets`` (``glue/sst2`` and
    ``SetFit/sst5``), which needs the network; or a local directory of the same files
    (``path=``). GLUE hides the labels of the SST-2 test split, so for ``sst2`` the GLUE
    validation split (872 sentences) is our *test* split and a hashed 10% of the GLUE train
    split is our *dev* split. ``sst5`` keeps its train/validation/test splits as train/dev/test.

``csv``
    A user's CSV file (``path=``) with columns ``text,label`` and optionally ``split``.

Unless a source fixes them, splits are assigned 80/10/10 by a SHA-256 hash of the normalised
text (:func:`stable_split`), so an example keeps its split across runs, machines and Python
versions, and identical texts always land in the same split.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import tarfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Iterable, Union

import pandas as pd

from .sources import SourceUnavailable, pip_sdist

__all__ = [
    "LabeledText",
    "SentimentDataset",
    "SPLITS",
    "SENTIMENT_SOURCES",
    "normalize_text",
    "stable_split",
    "load_sentiment",
    "load_sentiment_dataset",
    "label_names",
    "sentiment_texts_for_exclusion",
]

log = logging.getLogger(__name__)

SPLITS = ("train", "dev", "test")
SENTIMENT_SOURCES = ("rt", "sst2", "sst5", "csv", "vader-tweets", "vader-amazon", "vader-nyt",
                     "vader-negated-lexicon", "imdb", "imdb-sentences", "negation", "rt-contrast",
                     "negation-frames")

VADER_SDIST = ("vaderSentiment", "3.3.2")
_VADER_INNER = "hutto_ICWSM_2014.tar.gz"
_VADER_MOVIES = "movieReviewSnippets_GroundTruth.txt"
RT_POSITIVE_MIN = 0.5
RT_NEGATIVE_MAX = -0.5

BINARY_LABELS = ("negative", "positive")
SST5_LABELS = ("very negative", "negative", "neutral", "positive", "very positive")

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class LabeledText:
    """One labelled example: ``split`` is ``"train"``, ``"dev"`` or ``"test"``."""

    text: str
    label: int
    split: str


@dataclass(frozen=True)
class SentimentDataset:
    """Examples together with the name of each integer label (``label_names[i]`` names ``i``)."""

    name: str
    examples: list[LabeledText] = field(repr=False)
    label_names: tuple[str, ...]

    def split(self, split: str) -> list[LabeledText]:
        """The examples of one split."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
        return [ex for ex in self.examples if ex.split == split]

    def counts(self) -> dict[str, dict[int, int]]:
        """``{split: {label: count}}`` for every split."""
        out: dict[str, dict[int, int]] = {s: {} for s in SPLITS}
        for ex in self.examples:
            out[ex.split][ex.label] = out[ex.split].get(ex.label, 0) + 1
        return out


# ---------------------------------------------------------------------------------------------
# Shared helpers


def normalize_text(text: str) -> str:
    """Lower-case ``text`` and collapse runs of white space to one space (ends stripped).

    The form used to compare sentences: for de-duplication, for split hashing, and in
    :func:`sentiment_texts_for_exclusion`.
    """
    return " ".join(text.lower().split())


def _bucket(key: str) -> int:
    """A number in [0, 100) that depends only on ``key`` (SHA-256, not Python's salted hash)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100


def stable_split(key: str, *, dev: int = 10, test: int = 10) -> str:
    """Assign ``key`` to ``"train"``, ``"dev"`` or ``"test"`` with ``dev``/``test`` percent odds.

    Deterministic: the same key gets the same split on every run and machine. Callers pass an
    already normalised key (e.g. :func:`normalize_text` of a sentence).
    """
    b = _bucket(key)
    if b >= 100 - test:
        return "test"
    if b >= 100 - test - dev:
        return "dev"
    return "train"


# ---------------------------------------------------------------------------------------------
# rt: VADER movie-review snippets


def _find_member(tar: tarfile.TarFile, basename: str) -> tarfile.TarInfo | None:
    for member in tar.getmembers():
        if member.isfile() and member.name.rsplit("/", 1)[-1] == basename:
            return member
    return None


def vader_member_bytes(source: Path, basename: str = _VADER_MOVIES) -> bytes:
    """Raw bytes of one ground-truth TSV of the VADER paper's data (default: the movie snippets)
    from the sdist, the inner ``hutto_ICWSM_2014.tar.gz`` archive, or the file itself."""
    if source.suffix == ".txt":
        return source.read_bytes()
    try:
        with tarfile.open(source, "r:*") as outer:
            direct = _find_member(outer, basename)
            if direct is not None:
                return outer.extractfile(direct).read()
            inner_info = _find_member(outer, _VADER_INNER)
            if inner_info is None:
                raise SourceUnavailable(
                    f"{source} contains neither {_VADER_INNER} nor {basename}"
                )
            inner_bytes = outer.extractfile(inner_info).read()
        with tarfile.open(fileobj=io.BytesIO(inner_bytes), mode="r:*") as inner:
            member = _find_member(inner, basename)
            if member is None:
                raise SourceUnavailable(f"{source}: {_VADER_INNER} has no {basename}")
            return inner.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise SourceUnavailable(
            f"could not read {source} ({exc}); if it is a damaged download, delete it and "
            f"run again to fetch it anew"
        ) from exc


@lru_cache(maxsize=1)
def _packaged_vader_movie_rows() -> tuple[tuple[str, float], ...]:
    """The rows from the (cached) vaderSentiment sdist, read once per process."""
    return _read_vader_movie_rows(pip_sdist(*VADER_SDIST))


def _vader_movie_rows(source: PathLike | None) -> tuple[tuple[str, float], ...]:
    """``(text, mean score)`` for every snippet of the VADER movie set, in file order.

    ``source=None`` reads the packaged sdist; otherwise a user-given file (never cached, so an
    edited file is read afresh).
    """
    if source is None:
        return _packaged_vader_movie_rows()
    return _read_vader_movie_rows(Path(source))


def _read_vader_movie_rows(path: Path) -> tuple[tuple[str, float], ...]:
    return read_vader_rows(path, _VADER_MOVIES)


def read_vader_rows(path: Path, basename: str) -> tuple[tuple[str, float], ...]:
    """``(text, mean rating)`` of every line of one VADER ground-truth TSV (id, rating, text)."""
    raw = vader_member_bytes(path, basename)
    rows = []
    for lineno, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path}: line {lineno} does not have 3 tab-separated fields")
        _, score, text = parts
        rows.append((text.strip(), float(score)))
    return tuple(rows)


def _load_rt(path: PathLike | None) -> SentimentDataset:
    return polar_dataset("rt", _vader_movie_rows(path))


def polar_dataset(name: str, rows: Iterable[tuple[str, float]]) -> SentimentDataset:
    """Binary examples from ``(text, mean rating)`` rows: >= 0.5 positive, <= -0.5 negative, the
    rest dropped; repeated texts kept once; splits by :func:`stable_split`."""
    seen: set[str] = set()
    examples = []
    for text, score in rows:
        if score >= RT_POSITIVE_MIN:
            label = 1
        elif score <= RT_NEGATIVE_MAX:
            label = 0
        else:
            continue
        key = normalize_text(text)
        if not key or key in seen:
            continue
        seen.add(key)
        examples.append(LabeledText(text, label, stable_split(key)))
    return SentimentDataset(name, examples, BINARY_LABELS)


def sentiment_texts_for_exclusion() -> set[str]:
    """Normalised texts (:func:`normalize_text`) of every snippet in the VADER movie set.

    All 10,605 snippets (10,603 distinct texts), whatever their split and including the neutral ones that the ``rt``
    task drops, so that the pretraining corpus builder can leave every evaluation sentence out.
    Compare with ``normalize_text(candidate) in excluded``. Returns an empty set, with a logged
    warning, when the source distribution cannot be fetched or read.
    """
    try:
        rows = _vader_movie_rows(None)
    except (SourceUnavailable, OSError, ValueError) as exc:
        log.warning("sentiment evaluation texts unavailable, nothing will be excluded: %s", exc)
        return set()
    return {normalize_text(text) for text, _ in rows if text.strip()}


# ---------------------------------------------------------------------------------------------
# sst2 / sst5: Hugging Face datasets, or a local directory with the same files

_HF_IDS = {"sst2": ("glue", "sst2"), "sst5": ("SetFit/sst5", None)}
_SPLIT_ALIASES = {
    "train": "train",
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "dev": "validation",
    "test": "test",
}
_SPLIT_FROM_NAME = re.compile(r"^(train|validation|valid|val|dev|test)(?:$|[^a-z])")
_DATA_SUFFIXES = (".parquet", ".csv", ".tsv", ".jsonl", ".json")


def _read_table(file: Path) -> pd.DataFrame:
    suffix = file.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(file)
    if suffix == ".csv":
        return pd.read_csv(file, keep_default_na=False)
    if suffix == ".tsv":
        return pd.read_csv(file, sep="\t", keep_default_na=False, quoting=3)
    if suffix == ".jsonl":
        return pd.read_json(file, lines=True)
    # .json: either JSON lines or one array of records.
    try:
        return pd.read_json(file, lines=True)
    except ValueError:
        return pd.DataFrame(json.loads(file.read_text(encoding="utf-8")))


def _local_splits(directory: Path) -> dict[str, pd.DataFrame]:
    """Read ``train``/``validation``/``test`` tables from a directory (searched recursively).

    The split is taken from the start of each file name (``train.jsonl``,
    ``validation-00000-of-00001.parquet``, ``dev.tsv``...) or, failing that, from the name of
    its folder. Several shards of one split are concatenated in file-name order.
    """
    if not directory.is_dir():
        raise ValueError(f"{directory} is not a directory of train/validation/test files")
    shards: dict[str, list[Path]] = {}
    for file in sorted(directory.rglob("*")):
        if not file.is_file() or file.suffix.lower() not in _DATA_SUFFIXES:
            continue
        split = None
        for name in (file.name.lower(), file.parent.name.lower()):
            m = _SPLIT_FROM_NAME.match(name)
            if m:
                split = _SPLIT_ALIASES[m.group(1)]
                break
        if split is not None:
            shards.setdefault(split, []).append(file)
    if not shards:
        raise ValueError(
            f"no train/validation/test files ({', '.join(_DATA_SUFFIXES)}) found in {directory}"
        )
    out = {}
    for split, files in shards.items():
        try:
            out[split] = pd.concat([_read_table(f) for f in files], ignore_index=True)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"could not read the {split} files in {directory}: {exc}") from exc
    return out


def _hub_splits(name: str) -> dict[str, pd.DataFrame]:
    repo, config = _HF_IDS[name]
    hint = "or pass path= pointing at a local directory with train/validation/test files"
    try:
        import datasets  # noqa: PLC0415 - optional dependency, imported only when needed
    except ImportError as exc:
        raise SourceUnavailable(
            f"loading {name!r} from the Hugging Face hub needs the `datasets` package: "
            f"run `pip install datasets`, {hint}"
        ) from exc
    try:
        dd = datasets.load_dataset(repo, config) if config else datasets.load_dataset(repo)
    except Exception as exc:  # offline, hub errors, missing files: all mean "not available"
        call = f"datasets.load_dataset({repo!r}" + (f", {config!r})" if config else ")")
        raise SourceUnavailable(
            f"{call} failed ({type(exc).__name__}: {exc}); it needs network access to the "
            f"Hugging Face hub; {hint}"
        ) from exc
    return {split: dd[split].to_pandas() for split in dd if split in _SPLIT_ALIASES.values()}


def _sst_frame(df: pd.DataFrame, where: str, n_labels: int) -> list[tuple[str, int]]:
    cols = {str(c).strip().lower(): c for c in df.columns}
    text_col = cols.get("sentence", cols.get("text"))
    if text_col is None or "label" not in cols:
        raise ValueError(
            f"{where}: needs a 'sentence' or 'text' column and a 'label' column, "
            f"found {list(df.columns)}"
        )
    pairs = []
    for text, label in zip(df[text_col].tolist(), df[cols["label"]].tolist()):
        try:
            label = int(label)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: label {label!r} is not an integer") from None
        if label == -1:  # hidden test label (GLUE)
            continue
        if not 0 <= label < n_labels:
            raise ValueError(f"{where}: label {label} outside 0..{n_labels - 1}")
        text = str(text).strip()
        if text:
            pairs.append((text, label))
    return pairs


def _load_sst(name: str, path: PathLike | None) -> SentimentDataset:
    names = BINARY_LABELS if name == "sst2" else SST5_LABELS
    if path is not None:
        where = Path(path)
        frames = _local_splits(where)
    else:
        where = Path(_HF_IDS[name][0])
        frames = _hub_splits(name)
    if "train" not in frames:
        raise ValueError(f"{where}: no train split found (have {sorted(frames)})")
    data = {s: _sst_frame(df, f"{where} [{s}]", len(names)) for s, df in frames.items()}
    examples: list[LabeledText] = []
    if name == "sst2":
        # GLUE test labels are hidden: validation becomes test, 10% of train (hashed) is dev.
        for text, label in data["train"]:
            split = "dev" if stable_split(normalize_text(text), dev=10, test=0) == "dev" else "train"
            examples.append(LabeledText(text, label, split))
        examples += [LabeledText(t, lab, "test") for t, lab in data.get("validation", [])]
    else:
        has_dev = bool(data.get("validation"))
        for text, label in data["train"]:
            split = "train"
            if not has_dev and stable_split(normalize_text(text), dev=10, test=0) == "dev":
                split = "dev"
            examples.append(LabeledText(text, label, split))
        examples += [LabeledText(t, lab, "dev") for t, lab in data.get("validation", [])]
        examples += [LabeledText(t, lab, "test") for t, lab in data.get("test", [])]
    if not any(ex.split == "test" for ex in examples):
        log.warning("%s: no labelled test examples found in %s", name, where)
    return SentimentDataset(name, examples, names)


# ---------------------------------------------------------------------------------------------
# csv: a user's file

_CSV_SPLITS = {"train": "train", "dev": "dev", "validation": "dev", "valid": "dev",
               "val": "dev", "test": "test"}


def _read_user_bytes(source: PathLike | bytes | IO[bytes]) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), "uploaded data"
    if hasattr(source, "read"):
        # Rewind first, so the same upload can be read again (e.g. by label_names).
        if getattr(source, "seekable", lambda: False)():
            source.seek(0)
        raw = source.read()
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        return raw, str(getattr(source, "name", "uploaded file"))
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no such CSV file: {path}")
    return path.read_bytes(), str(path)


def _sort_labels(values: Iterable[str]) -> list[str]:
    """Sort label strings numerically when they are all numbers, otherwise alphabetically."""
    values = list(values)
    try:
        return sorted(values, key=lambda v: (float(v), v))
    except ValueError:
        return sorted(values)


def _load_csv(path: PathLike | bytes | IO[bytes] | None) -> SentimentDataset:
    if path is None:
        raise ValueError("load_sentiment('csv') needs path= pointing at a CSV file")
    raw, where = _read_user_bytes(path)
    if not raw.strip():
        raise ValueError(f"{where} is empty; expected a CSV file with columns text,label")
    if b"\x00" in raw[:65536]:
        raise ValueError(f"{where} looks like a binary file, not a CSV text file (text,label)")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{where} is not valid UTF-8 (byte {exc.start}: {raw[exc.start:exc.start + 1]!r}); "
            f"save it as UTF-8 CSV"
        ) from None
    try:
        df = pd.read_csv(io.StringIO(content), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise ValueError(f"{where} could not be parsed as CSV: {exc}") from None
    cols = {str(c).strip().lower(): c for c in df.columns}
    missing = [c for c in ("text", "label") if c not in cols]
    if missing:
        raise ValueError(
            f"{where} is missing the column(s) {', '.join(missing)}; expected a header "
            f"text,label (optionally split), found {[str(c) for c in df.columns]}"
        )
    texts = [str(t).strip() for t in df[cols["text"]]]
    labels = [str(v).strip() for v in df[cols["label"]]]
    splits = (
        [str(v).strip().lower() for v in df[cols["split"]]] if "split" in cols else [""] * len(df)
    )
    rows = [(t, lab, s) for t, lab, s in zip(texts, labels, splits) if t and lab]
    if len(rows) < len(df):
        log.warning("%s: skipped %d row(s) with an empty text or label", where, len(df) - len(rows))
    if not rows:
        raise ValueError(f"{where} has no rows with both a text and a label")
    bad = sorted({s for _, _, s in rows if s and s not in _CSV_SPLITS})
    if bad:
        raise ValueError(
            f"{where}: unknown split value(s) {bad[:5]}; use train, dev (or validation) or test"
        )
    names = _sort_labels({lab for _, lab, _ in rows})
    if len(names) < 2:
        raise ValueError(f"{where}: needs at least two different labels, found only {names}")
    index = {name: i for i, name in enumerate(names)}
    examples = [
        LabeledText(t, index[lab], _CSV_SPLITS[s] if s else stable_split(normalize_text(t)))
        for t, lab, s in rows
    ]
    return SentimentDataset("csv", examples, tuple(names))


# ---------------------------------------------------------------------------------------------
# Public entry points


def load_sentiment_dataset(
    name: str = "rt", *, path: PathLike | bytes | IO[bytes] | None = None, max_reviews: int = 0
) -> SentimentDataset:
    """Load a sentiment source with its label names (see the module docstring for sources).

    ``path``: for ``rt`` an alternative vaderSentiment sdist / ``hutto_ICWSM_2014.tar.gz`` /
    ground-truth TSV; for ``sst2``/``sst5`` a local directory of train/validation/test files
    (parquet, csv, tsv, jsonl) with ``sentence`` or ``text`` and ``label`` columns, read with
    pandas, so ``datasets`` and the network are not needed; for ``csv`` the file itself (a path,
    its bytes, or a binary file object such as an upload). The VADER tweet, product-review and
    editorial sets (:mod:`elmo_core.datasets.vader`), IMDB reviews or their sentences
    (:mod:`elmo_core.datasets.imdb_sentiment`; ``max_reviews`` per split, 0 = all) and the
    project's negation set (:mod:`elmo_core.datasets.negation`) take no ``path``.

    Raises :class:`~elmo_core.sources.SourceUnavailable` when a download is impossible and
    ``ValueError`` for an unknown source or a malformed file.
    """
    key = name.strip().lower()
    if key == "rt":
        return _load_rt(path)  # type: ignore[arg-type]
    if key in ("sst2", "sst5"):
        return _load_sst(key, path)  # type: ignore[arg-type]
    if key == "csv":
        return _load_csv(path)
    if key == "vader-negated-lexicon":
        from .datasets.vader import load_negated_lexicon

        return load_negated_lexicon()
    if key.startswith("vader-"):
        from .datasets.vader import load_vader_domain

        return load_vader_domain(key)
    if key in ("imdb", "imdb-sentences"):
        from .datasets.imdb_sentiment import load_imdb

        return load_imdb("documents" if key == "imdb" else "sentences", max_reviews=max_reviews)
    if key == "negation":
        from .datasets.negation import load_negation

        return load_negation()
    if key == "rt-contrast":
        from .datasets.contrast import load_contrast_pairs

        return load_contrast_pairs()
    if key == "negation-frames":
        from .datasets.negation_frames import load_negation_frames

        return load_negation_frames()
    raise ValueError(f"unknown sentiment source {name!r}; choose one of {SENTIMENT_SOURCES}")


def load_sentiment(
    name: str = "rt", *, path: PathLike | bytes | IO[bytes] | None = None
) -> list[LabeledText]:
    """The examples of a sentiment source as a list of :class:`LabeledText`.

    ``load_sentiment()`` gives the offline ``rt`` task (10,070 binary examples). See
    :func:`load_sentiment_dataset` for ``path`` and the errors raised, and :func:`label_names`
    for what the integer labels mean.
    """
    return load_sentiment_dataset(name, path=path).examples


def label_names(
    name: str = "rt", path: PathLike | bytes | IO[bytes] | None = None
) -> tuple[str, ...]:
    """Names of the integer labels of a source: ``label_names(...)[i]`` names label ``i``.

    Fixed for ``rt``/``sst2`` (negative, positive) and ``sst5``; for ``csv`` the distinct
    labels of the file in sorted order (numeric order when they are all numbers), which is how
    they were mapped to 0, 1, 2...
    """
    key = name.strip().lower()
    if key in ("rt", "sst2", "imdb", "imdb-sentences", "negation") or key.startswith("vader-"):
        return BINARY_LABELS
    if key == "sst5":
        return SST5_LABELS
    return load_sentiment_dataset(name, path=path).label_names
