"""Plain text and Markdown: one file, one document, no spans.

The text is kept as written (only newlines are normalised, later, by the store), so
Markdown syntax stays in the document. The title, in this order:

- a Project Gutenberg book: its ``Title:`` header line (a ``Title:`` line within the
  first 100 lines, which also name "Project Gutenberg");
- a Markdown file: its first line without the leading ``#`` marks;
- a text whose first non-empty line is prose rather than a headline: a title made from
  the file name (``title_from_file_name``). The line is prose when its first word is
  all lower-case (mid-sentence: "and so…", while "iTunes…" stays a headline), when it
  opens a double quotation it does not close (dialogue running on to the next line,
  as War and Peace begins), or when it is longer than 200 characters (a paragraph);
- otherwise the first non-empty line (``default_title``, applied by the store).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath

from ..documents import default_title
from ..model import DocumentRecord
from .common import Source, Warn, decode_text, read_all, source_name

MARKDOWN_EXTENSIONS = (".md", ".markdown")
# How far into a file the Project Gutenberg header is looked for.
GUTENBERG_HEAD_LINES = 100
# A first line longer than this is a paragraph, not a headline.
PROSE_LENGTH = 200
_GUTENBERG_TITLE = re.compile(r"Title:[ \t]*(\S.*)")
_ENCODING_SUFFIX = re.compile(
    r"\.(utf-?8|utf-?16(le|be)?|utf-?32(le|be)?|ascii|latin-?\d|iso-?8859-?\d+|cp\d+|windows-?\d+)$",
    re.IGNORECASE,
)
_GUTENBERG_ID = re.compile(r"^pg\d+(?:[_\-\s]+|$)", re.IGNORECASE)
_SMALL_WORDS = frozenset("a an and as at but by for from in nor of on or the to with".split())


def _markdown_title(text: str) -> str:
    """The first line, without the ``#`` marks of a Markdown heading."""
    return default_title(text).lstrip("#").strip()


def _head(text: str, lines: int) -> list[str]:
    """The first ``lines`` lines, without splitting a whole book."""
    end = -1
    for _ in range(lines):
        end = text.find("\n", end + 1)
        if end < 0:
            return text.split("\n")
    return text[:end].split("\n")


def gutenberg_title(text: str) -> str:
    """The ``Title:`` of a Project Gutenberg header, or "" for any other text."""
    head = _head(text, GUTENBERG_HEAD_LINES)
    if not any("project gutenberg" in line.lower() for line in head):
        return ""
    for index, line in enumerate(head):
        if match := _GUTENBERG_TITLE.match(line.strip()):
            # A long title goes on in indented lines, up to a blank one.
            parts = [match.group(1)]
            for more in head[index + 1:]:
                # Only a line that carries on the sentence ("and Mr. Hyde"); a
                # subtitle ("Remembrance of Things Past") is not the title.
                if not more.strip() or not more[:1].isspace() or not more.strip()[0].islower():
                    break
                parts.append(more)
            return " ".join(" ".join(parts).split())
    return ""


SENTENCE_ENDS = ".!?…:;,"
_CLOSING_QUOTES = {"“": "”", "\"": "\"", "«": "»", "„": "“”", "‘": "’", "»": "«"}


def first_line_is_prose(text: str) -> bool:
    """Whether the first non-empty line reads as the start of running text, so it
    would make a poor title (see the module docstring for the rule)."""
    head = _head(text, GUTENBERG_HEAD_LINES)
    index = next((number for number, line in enumerate(head) if line.strip()), None)
    if index is None:
        return False
    line = head[index].strip()
    runs_on = index + 1 < len(head) and bool(head[index + 1].strip())
    if line.startswith("#"):
        return False
    if len(line) > PROSE_LENGTH:
        return True
    first_word = line.split()[0]
    if first_word.isalpha() and first_word.islower() and (line[-1] in SENTENCE_ENDS or runs_on):
        return True  # a sentence, or a paragraph going on; not "de Blasio wins primary"
    # Dialogue running on: the line opens with a quotation that it never closes, as
    # War and Peace begins. A quote inside a headline ("Merkel: „Wir…“", an inch
    # mark) says nothing.
    closer = _CLOSING_QUOTES.get(line[0])
    return closer is not None and not any(mark in line[1:] for mark in closer)


def title_from_file_name(name: str) -> str:
    """A title from a file name: the extension and an encoding suffix (``.utf8``,
    ``.cp1252``...) stripped, a leading Project Gutenberg id (``pg2600_``) dropped,
    underscores and hyphens read as spaces, and the words capitalised except short
    joining words ("of", "and"...) after the first: ``pg2600_war_and_peace.utf8.txt``
    is "War and Peace". A name that is nothing but an id keeps the id."""
    stem = PurePath(name).name
    if "." in stem.lstrip("."):
        stem = stem[: stem.rindex(".")]
    stem = _ENCODING_SUFFIX.sub("", stem)
    words = re.sub(r"[_\-\s]+", " ", _GUTENBERG_ID.sub("", stem)).split()
    if not words:
        return stem
    return " ".join(
        word if index and word.lower() in _SMALL_WORDS else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    )


def _names_a_file(name: str) -> bool:
    """Whether a source's name is a file's path (a stream is ``<stdin>``, ``<stream>``)."""
    return bool(name) and name != "-" and not (name.startswith("<") and name.endswith(">"))


def _title(text: str, name: str) -> str:
    """The title the module docstring describes; "" leaves it to the store's default."""
    if title := gutenberg_title(text):
        return title
    if _names_a_file(name) and first_line_is_prose(text):
        return title_from_file_name(name)
    return _markdown_title(text) if name.lower().endswith(MARKDOWN_EXTENSIONS) else ""


def read(source: Source, *, encoding: str | None = None, warn: Warn | None = None) -> Iterator[DocumentRecord]:
    name = source_name(source)
    text = decode_text(read_all(source), name, encoding=encoding, warn=warn)
    if not text.strip():
        return
    yield DocumentRecord(text=text, title=_title(text, name), line=1)
