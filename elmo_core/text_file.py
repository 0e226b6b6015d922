"""
A user's text file, read as lines: the one place that turns a path into text or a clear message.

:func:`read_lines` splits a file on ``"\\n"`` only (so list index = line number - 1) and names the
line of an invalid byte; ``embed`` reads its input with it. :func:`read_text_file` adds the checks
for free text that a command learns from or scores (``adapt``, ``perplexity``): the file exists, is
not empty, not larger than :data:`MAX_FILE_BYTES`, holds no NUL byte (a binary file), is valid
UTF-8 and has no line longer than :data:`MAX_LINE_BYTES`. Each failure is a :class:`TextFileError`
(a ``ValueError``) whose message names the file and, where there is one, the line.

>>> read_text_file(Path("reviews.txt"))                          # doctest: +SKIP
['Great phone, battery lasts two days.', '', 'The screen scratches easily.']
"""
from __future__ import annotations

import codecs
from pathlib import Path

__all__ = ["InputEncodingError", "TextFileError", "MAX_FILE_BYTES", "MAX_LINE_BYTES", "read_lines",
           "read_text_file"]

#: Largest text file :func:`read_text_file` reads (256 MiB).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Longest line (in bytes of UTF-8) :func:`read_text_file` accepts: one sentence or paragraph per line.
MAX_LINE_BYTES = 1_000_000


class TextFileError(ValueError):
    """A text file that cannot be used; the message says why (and names the line where there is one)."""


class InputEncodingError(TextFileError):
    """An input file is not text in the expected encoding; the message names the line."""


def read_lines(path: Path, encoding: str | None = None) -> list[str]:
    """The lines of a text file, split on "\\n" only, so that list index = line number - 1.

    Form feeds, U+2028 and the other characters that ``str.splitlines`` also breaks on stay
    inside their line (``str.split`` later treats them as spaces). A "\\r" before a "\\n" is
    dropped, as are a leading byte-order mark and the empty string after a final "\\n".
    Without ``encoding`` the file must be UTF-8; with one (e.g. ``latin-1``) it is decoded with
    that. Bytes invalid in the encoding raise :class:`InputEncodingError` naming the line.
    """
    try:
        codec = codecs.lookup(encoding or "utf-8").name
    except LookupError:
        raise InputEncodingError(f"unknown encoding: {encoding}") from None
    return _decode_lines(path.read_bytes(), path, codec, encoding)


def _decode_lines(raw: bytes, path: Path, codec: str, encoding: str | None, hint: str | None = None) -> list[str]:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        hint = hint or ("re-encode it as UTF-8, or name its encoding with --encoding (e.g. --encoding latin-1)"
                        if encoding is None else f"it is not {encoding} text")
        raise InputEncodingError(f"{path.name} is not valid {encoding or 'UTF-8'} at line {line}, "
                                 f"byte {column} (0x{raw[exc.start]:02x}): {hint}") from None
    lines = text.removeprefix("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start another
    return [line.removesuffix("\r") for line in lines]


def _longest_line(raw: bytes) -> tuple[int, int]:
    """(1-based number, length in bytes) of the longest "\\n"-separated line of ``raw``."""
    best, best_length, start, number = 1, 0, 0, 1
    while start <= len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end
        if end - start > best_length:
            best, best_length = number, end - start
        start, number = end + 1, number + 1
    return best, best_length


def read_text_file(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES,
                   max_line_bytes: int = MAX_LINE_BYTES) -> list[str]:
    """The lines of a UTF-8 text file (as :func:`read_lines`), blank lines included, after checking
    that it is usable text: raises :class:`TextFileError` for a missing, empty, too large or binary
    file (a NUL byte), invalid UTF-8 (:class:`InputEncodingError`, naming the line), a line over
    ``max_line_bytes`` bytes, or a file with only blank lines."""
    path = Path(path).expanduser()
    if not path.exists():
        raise TextFileError(f"text file not found: {path}")
    if not path.is_file():
        raise TextFileError(f"{path} is not a file; give a plain-text file, one sentence or paragraph per line")
    size = path.stat().st_size
    if size > max_bytes:
        raise TextFileError(f"{path.name} is {size / 2**20:,.0f} MiB; at most {max_bytes / 2**20:,.0f} MiB "
                            "of text is read (split it, or use a sample)")
    raw = path.read_bytes()
    if not raw:
        raise TextFileError(f"{path.name} is empty: give a plain-text file, one sentence or paragraph per line")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise TextFileError(f"{path.name} looks like a binary file, not text (a NUL byte at line {line})")
    number, length = _longest_line(raw)
    if length > max_line_bytes:
        raise TextFileError(f"line {number} of {path.name} is {length:,} bytes long; at most {max_line_bytes:,} "
                            "bytes a line are read: put one sentence or paragraph on each line")
    lines = _decode_lines(raw, path, "utf-8", None, hint="re-encode it as UTF-8 (e.g. iconv -f latin1 -t utf-8)")
    if not any(line.strip() for line in lines):
        raise TextFileError(f"{path.name} has no text, only blank lines")
    return lines
