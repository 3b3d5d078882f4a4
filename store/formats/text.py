"""Plain text and Markdown: one file, one document, no spans.

The text is kept as written (only newlines are normalised, later, by the store), so
Markdown syntax stays in the document; a Markdown file's title is its first line
without the leading ``#`` marks.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..documents import default_title
from ..model import DocumentRecord
from .common import Source, Warn, decode_text, read_all, source_name

MARKDOWN_EXTENSIONS = (".md", ".markdown")


def _markdown_title(text: str) -> str:
    """The first line, without the ``#`` marks of a Markdown heading."""
    return default_title(text).lstrip("#").strip()


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    name = source_name(source)
    text = decode_text(read_all(source), name, encoding=encoding, warn=warn)
    if not text.strip():
        return
    title = _markdown_title(text) if name.lower().endswith(MARKDOWN_EXTENSIONS) else ""
    yield DocumentRecord(text=text, title=title, line=1)
