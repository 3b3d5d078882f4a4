"""Errors the store raises; each reads as one line a user can act on."""

from __future__ import annotations

from pathlib import Path


class MarginError(Exception):
    """Base class: the message is meant to be shown to the user as it is."""


class DatabaseRefused(MarginError):
    """The file cannot be used as a margin database; it has been left untouched."""


class SchemaOutdated(DatabaseRefused):
    """A read-only open met a schema older than the code, which only a write could upgrade."""


class PermissionRefused(MarginError):
    """A team server refused a change this annotator's role may not make."""


class SpanError(MarginError):
    """A span does not fit its document (out of range, or its text disagrees)."""


class FormatError(MarginError):
    """Bad input in an import file, named as ``file:line: reason``."""

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")
