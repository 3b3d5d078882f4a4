"""How much of a file an import will read, and reading no more than that.

A path can name something without end (``/dev/zero``, a pipe that never closes) or
a file far larger than anyone meant to import; reading it whole would fill memory
before any error could be given. Every file is therefore read through a counter that
refuses to go past the limit, and a regular file already known to be larger is
refused before it is opened.
"""

from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path

from .errors import FormatError, MarginError

DEFAULT_MAX_BYTES = 512 * 2**20
ENVIRONMENT = "MARGIN_MAX_IMPORT_BYTES"
HOW_TO_RAISE = f"raise it with --max-size or {ENVIRONMENT}"
READ_CHUNK = 1 << 16
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_SIZE = re.compile(r"\s*(\d+)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from ``"512M"``, ``"2G"``, ``"800k"`` or a plain number of bytes."""
    match = _SIZE.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        raise MarginError(
            f"{text!r} is not a size; give a number of bytes or one with K, M or G (e.g. 2G)"
        )
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def describe_size(size: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= scale:
            return f"{size / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


def import_limit(max_bytes: int | None = None) -> int:
    """The limit asked for, else the one in the environment, else the default."""
    if max_bytes is not None:
        return max_bytes
    configured = os.environ.get(ENVIRONMENT, "").strip()
    if not configured:
        return DEFAULT_MAX_BYTES
    try:
        return parse_size(configured)
    except MarginError as error:
        raise MarginError(f"{ENVIRONMENT}: {error}") from None


def check_size(path: Path, limit: int) -> None:
    """Refuse a regular file that is already over the limit, before reading it."""
    try:
        info = os.stat(path)
    except OSError:
        return  # opening it will say what is wrong
    if stat.S_ISREG(info.st_mode) and info.st_size > limit:
        raise FormatError(
            path, None,
            f"{describe_size(info.st_size)}, over the import limit of {describe_size(limit)}; {HOW_TO_RAISE}",
        )


class _Counted(io.RawIOBase):
    """A raw stream that fails once more than ``limit`` bytes have come through."""

    def __init__(self, raw: io.FileIO, limit: int) -> None:
        super().__init__()
        self._raw = raw
        self._limit = limit
        self._count = 0

    @property
    def name(self) -> str:
        return str(self._raw.name)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        # One byte past the limit is enough to know the input is over it.
        room = max(1, min(len(buffer), self._limit - self._count + 1))
        with memoryview(buffer) as view:
            count = self._raw.readinto(view[:room]) or 0
        self._count += count
        if self._count > self._limit:
            raise FormatError(
                self.name, None, f"more than the import limit of {describe_size(self._limit)}; {HOW_TO_RAISE}"
            )
        return count

    def tell(self) -> int:
        return self._count

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_bounded(path: Path, limit: int) -> io.BufferedReader:
    """``path`` opened for reading in binary, failing past ``limit`` bytes."""
    check_size(path, limit)
    return io.BufferedReader(_Counted(io.FileIO(path, "r"), limit), READ_CHUNK)
