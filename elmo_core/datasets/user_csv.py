"""
A user's CSV file of labelled texts: columns ``text,label`` and optionally ``split`` (``train``,
``dev``/``validation``, ``test``), given as a path, its bytes, or a binary file object such as an
upload. Labels may be any strings; they are numbered in sorted order (numeric order when they are
all numbers). Rows without a split get :func:`~elmo_core.datasets.splits.stable_split` of their
normalised text.
"""
from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import IO, Iterable

import pandas as pd

from .normalize import normalize_text
from .splits import stable_split
from .types import LabeledText, PathLike, SentimentDataset

__all__ = ["load_csv"]

log = logging.getLogger(__name__)

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


def load_csv(path: PathLike | bytes | IO[bytes] | None) -> SentimentDataset:
    """The labelled texts of a CSV file (see the module docstring); ``ValueError`` naming the
    problem for a missing, empty, binary, non-UTF-8 or malformed file."""
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
