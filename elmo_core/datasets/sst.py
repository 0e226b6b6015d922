"""
The Stanford Sentiment Treebank, ``sst2`` (binary) or ``sst5`` (five classes), through Hugging
Face ``datasets`` (``glue/sst2`` and ``SetFit/sst5``), which needs the network, or from a local
directory of the same files (``path=``: parquet, csv, tsv, jsonl with ``sentence`` or ``text``
and ``label`` columns, read with pandas).

GLUE hides the labels of the SST-2 test split, so for ``sst2`` the GLUE validation split (872
sentences) is our *test* split and a hashed 10% of the GLUE train split
(:func:`~elmo_core.datasets.splits.stable_split` of the normalised sentence) is our *dev* split.
``sst5`` keeps its train/validation/test splits as train/dev/test.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pandas as pd

from ..packages import SourceUnavailable
from .normalize import normalize_text
from .splits import stable_split
from .types import BINARY_LABELS, LabeledText, PathLike, SentimentDataset

__all__ = ["SST_NAMES", "SST5_LABELS", "load_sst"]

log = logging.getLogger(__name__)

SST5_LABELS = ("very negative", "negative", "neutral", "positive", "very positive")

_HF_IDS = {"sst2": ("glue", "sst2"), "sst5": ("SetFit/sst5", None)}
SST_NAMES = tuple(_HF_IDS)
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


def load_sst(name: str, path: PathLike | None = None) -> SentimentDataset:
    """``sst2`` or ``sst5`` from the hub, or from the local directory ``path`` (see the module
    docstring). Raises :class:`~elmo_core.packages.SourceUnavailable` when the hub cannot be
    reached and ``ValueError`` for malformed files."""
    if name not in SST_NAMES:
        raise ValueError(f"unknown SST variant {name!r}; choose one of {SST_NAMES}")
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
