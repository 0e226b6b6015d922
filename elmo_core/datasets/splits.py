"""
The one split hasher: a key's train/dev/test split, or whether it falls below a fraction, from a
SHA-256 of the key, so the answer is the same on every run, machine and Python version (never
Python's salted ``hash``).

Every reader that assigns splits and the corpus builder (held-out sentences, mixtures) use it;
they differ only in the key they hash, which each one documents. Both questions read the same
number, the first 8 bytes of the digest::

    stable_split(key)        number % 100 -> a bucket; the top ``test`` buckets are test,
                             the ``dev`` below them dev, the rest train
    hashed_below(key, f)     number < f * 2**64

>>> stable_split("the movie was great")
'dev'
>>> hashed_below("hello world", 0.5)
False
"""
from __future__ import annotations

import hashlib

__all__ = ["SPLITS", "hash_number", "stable_split", "hashed_below"]

SPLITS = ("train", "dev", "test")


def hash_number(key: str, *, salt: bytes = b"") -> int:
    """The first 8 bytes of SHA-256(``salt`` + UTF-8 of ``key``) as a number in [0, 2**64)."""
    digest = hashlib.sha256(salt + key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def stable_split(key: str, *, dev: int = 10, test: int = 10) -> str:
    """Assign ``key`` to ``"train"``, ``"dev"`` or ``"test"`` with ``dev``/``test`` percent odds.

    Identical keys always land in the same split. Callers pass an already normalised key
    (e.g. :func:`elmo_core.datasets.normalize.normalize_text` of a sentence).
    """
    bucket = hash_number(key) % 100
    if bucket >= 100 - test:
        return "test"
    if bucket >= 100 - test - dev:
        return "dev"
    return "train"


def hashed_below(key: str, fraction: float, *, salt: bytes = b"") -> bool:
    """Whether ``key``'s hash, as a number in [0, 1), is below ``fraction``; a ``salt`` makes the
    choice independent of the unsalted one."""
    return hash_number(key, salt=salt) < fraction * 2**64
