"""
Read one object from an R package's lazy-load database (``data/Rdata.rdx`` + ``Rdata.rdb``).

The ``.rdx`` file is a gzip-compressed serialized R list whose ``variables`` element maps each
object name to ``(offset, length)`` in the ``.rdb`` file; each such chunk is a 4-byte big-endian
length followed by a zlib stream of the serialized object. Parsing uses the PyPI package
``rdata`` (imported lazily, so that only the sources that need it depend on it).
"""
from __future__ import annotations

import gzip
import warnings
import zlib
from pathlib import Path
from typing import Any

from elmo_core.packages import SourceUnavailable

__all__ = ["read_lazyload_object"]


def _parse(data: bytes) -> Any:
    try:
        import rdata
    except ImportError as exc:
        raise SourceUnavailable(
            "Reading R data files needs the Python package rdata: pip install rdata"
        ) from exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Unknown file type: assumed RDS" for raw streams
        return rdata.conversion.convert(rdata.parser.parse_data(data))


def read_lazyload_object(data_dir: Path, name: str) -> Any:
    """The R object ``name`` from ``data_dir/Rdata.{rdx,rdb}``, converted to Python/numpy."""
    index = _parse(gzip.decompress((data_dir / "Rdata.rdx").read_bytes()))
    variables = {str(key): value for key, value in index["variables"].items()}
    if name not in variables:
        raise SourceUnavailable(f"{data_dir} has no R object {name!r} (has: {', '.join(variables)})")
    offset, length = (int(v) for v in variables[name])
    with open(data_dir / "Rdata.rdb", "rb") as handle:
        handle.seek(offset)
        chunk = handle.read(length)
    return _parse(zlib.decompress(chunk[4:]))
