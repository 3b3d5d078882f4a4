"""The headings of a document, for its table of contents and the status line's chapter.

Found once per document with two compiled patterns over the whole text (War and
Peace's 3.2 million characters take a few tens of milliseconds), then kept, so the
key path only bisects their offsets.

What counts as a heading:

- Markdown ``#``, ``##``, ``###`` lines (levels 1–3), outside fenced code blocks;
- in hard-wrapped books, a short line standing alone between blank lines that starts
  with BOOK, PART, VOLUME, PROLOGUE or an EPILOGUE (level 1) or CHAPTER (level 2),
  or that is a roman numeral alone ("XIV.", level 2);
- a line in capitals alone between blank lines with at least three blank lines
  before it ("SWANN IN LOVE", level 1), as Project Gutenberg sets its headings (four
  before, two after). Fewer are not enough: War and Peace signs its letters "JULIE"
  and "NAPOLEON" after one and heads a proclamation "INHABITANTS OF MOSCOW!" after
  two, and Gutenberg's contents lists sit one or two blank lines apart.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from margin.store.model import Document

from ..recent import Recent

MAX_HEADING = 80
"""Characters a heading line may have; longer ones are prose."""

CAPITALS_AFTER = 3
"""Blank lines a line in capitals needs before it to be a heading."""

_MARKDOWN = re.compile(r"\n(#{1,3})[ \t]+([^\n]*)")
"""Greedy to the end of the line, the closing marks taken off in Python: a lazy
title with an optional closing run backtracks for minutes on a long line of spaces."""
_FENCE = re.compile(r"\n[ \t]{0,3}(```|~~~)")
_STANDING_ALONE = re.compile(
    rf"\n((?:[ \t]*\n)+)[ \t]*([^\s][^\n]{{0,{MAX_HEADING - 1}}})(?=\n[ \t]*(?:\n|\Z)|\Z)"
)
"""A blank run, then one short line, then a blank line (or the end): the only lines
that can be a book's heading. The next heading's blank run starts where this one's
line ends, so consecutive headings are all found."""
_NUMBERED = r"\s+(?:\d+|[IVXLCDM]+\b|[A-Z][A-Za-z-]+)"
"""What follows BOOK or Chapter in a heading: a number, a numeral or a capitalised
word ("Part of the reason" alone on a line is prose)."""
_BOOK_WORD = re.compile(
    rf"(?:BOOK|PART|VOLUME|Book|Part|Volume){_NUMBERED}"
    r"|(?:(?:FIRST|SECOND|THIRD) )?(?:EPILOGUE|PROLOGUE)\b|(?:Epilogue|Prologue)\b[^a-z]*$"
)
_CHAPTER_WORD = re.compile(rf"(?:CHAPTER|Chapter){_NUMBERED}")
_ROMAN = re.compile(r"(?=[IVXLC])M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})\.?")
_CAPITALS = re.compile(r"[A-Z0-9][A-Z0-9 ,.:;'’&!?()\-–—]*")


@dataclass(frozen=True, slots=True)
class Heading:
    start: int
    """Offset of the heading's first character: where the reader goes to it."""
    level: int
    """1 (a book, a part, ``#``) to 3 (``###``)."""
    title: str


def _fenced(text: str) -> list[tuple[int, int]]:
    """Ranges inside ``` fences, whose ``#`` lines are code comments, not headings."""
    ranges, opened = [], None
    for match in _FENCE.finditer(text):
        if opened is None:
            opened = match.start()
        else:
            ranges.append((opened, match.end()))
            opened = None
    if opened is not None:
        ranges.append((opened, len(text)))
    return ranges


def _book_level(line: str, blank_lines: int) -> int | None:
    """The level of a line standing alone in a book, or None if it is not a heading."""
    if _CHAPTER_WORD.match(line):
        return 2
    if _BOOK_WORD.match(line):
        return 1
    if _ROMAN.fullmatch(line):
        return 2
    if blank_lines >= CAPITALS_AFTER and _CAPITALS.fullmatch(line) and sum(c.isalpha() for c in line) >= 2:
        return 1
    return None


def find_headings(text: str) -> list[Heading]:
    """Every heading of ``text`` in order of offset."""
    # Two line breaks first, so the first line stands after a blank line like the rest.
    padded = "\n\n" + text
    found: list[Heading] = []
    fences = _fenced(padded)
    fence_starts = [start for start, _ in fences]
    if "#" in text:
        for match in _MARKDOWN.finditer(padded):
            at = match.start()
            inside = bisect_right(fence_starts, at) - 1
            if inside >= 0 and at < fences[inside][1]:
                continue
            raw = match.group(2)
            if len(raw) > MAX_HEADING * 4:
                continue  # a paragraph that happens to start with #, not a heading
            title = raw.rstrip(" \t").rstrip("#").strip()
            if title:
                found.append(Heading(match.start(1) - 2, len(match.group(1)), title))
    for match in _STANDING_ALONE.finditer(padded):
        line = match.group(2).rstrip()
        if line.startswith("#"):
            continue  # a Markdown heading, found above
        # The first line of a text is set apart enough: nothing comes before it.
        blank_lines = CAPITALS_AFTER if match.start() == 0 else match.group(1).count("\n")
        level = _book_level(line, blank_lines)
        if level is not None:
            found.append(Heading(match.start(2) - 2, level, " ".join(line.split())))
    found.sort(key=lambda heading: heading.start)
    return found


class Headings:
    """A document's headings with their offsets, for finding the one before a cursor."""

    def __init__(self, headings: Sequence[Heading]) -> None:
        self.items: tuple[Heading, ...] = tuple(headings)
        self.starts = [heading.start for heading in self.items]

    def __len__(self) -> int:
        return len(self.items)

    def index_at(self, offset: int) -> int | None:
        """Index of the last heading at or before ``offset``: the chapter it is in."""
        index = bisect_right(self.starts, offset) - 1
        return index if index >= 0 else None

    def at(self, offset: int) -> Heading | None:
        index = self.index_at(offset)
        return None if index is None else self.items[index]


_CACHE: Recent[tuple[str, int], Headings] = Recent(16)


def recorded_headings(text: str, meta: dict[str, Any]) -> list[Heading] | None:
    """The headings an import recorded in ``meta["headings"]`` as ``[offset, level]``
    (HTML's h1–h3, which leave no mark in the text), or None if there are none usable."""
    recorded = meta.get("headings")
    if not isinstance(recorded, list) or not recorded:
        return None
    found = []
    for entry in recorded:
        if not (isinstance(entry, list) and len(entry) == 2 and all(type(n) is int for n in entry)):
            return None
        start, level = entry
        if not (0 <= start < len(text) and 1 <= level <= 3):
            return None
        end = text.find("\n", start, start + MAX_HEADING * 4)
        title = " ".join(text[start : end if end >= 0 else start + MAX_HEADING * 4].split())
        if title:
            found.append(Heading(start, level, title))
    found.sort(key=lambda heading: heading.start)
    return found


def headings_of(document: Document) -> Headings:
    """A document's headings, found the first time and kept: a document's text never
    changes under its id (the length guards against a reused id all the same)."""
    headings = known_headings(document)
    if headings is None:
        headings = _CACHE[(document.id, len(document.text))] = Headings(find_headings(document.text))
    return headings


def known_headings(document: Document) -> Headings | None:
    """:func:`headings_of` when it needs no search of the text (found before, or
    recorded by the import), else None: a book's first screen does not wait for a
    search of the whole text that only its status line's chapter needs."""
    key = (document.id, len(document.text))
    headings = _CACHE.get(key)
    if headings is None:
        found = recorded_headings(document.text, document.meta)
        if found is not None:
            headings = _CACHE[key] = Headings(found)
    return headings


def chapter_at(headings: Headings, offset: int) -> str:
    """The title of the last heading at or before ``offset``; empty before the first."""
    heading = headings.at(offset)
    return "" if heading is None else heading.title
